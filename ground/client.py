"""Who is asking: the client's address, and the coarse network it comes from."""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    # Behind a proxy, configure it to set REMOTE_ADDR (e.g. uwsgi/gunicorn with the real client IP).
    return request.META.get("REMOTE_ADDR")


def network_key(request) -> str:
    """A keyed hash of the visitor's /16 (IPv4) or /48 (IPv6) network: a coarse 'place', no address kept."""
    try:
        address = ipaddress.ip_address(client_address(request) or "")
    except ValueError:
        return ""
    prefix = 16 if address.version == 4 else 48
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    return hmac.new(settings.SECRET_KEY.encode(), str(network).encode(), hashlib.sha256).hexdigest()[:16]
