"""Who is asking: the client's address (behind trusted proxies too), and keys for counting requests
per address or per network without keeping the address itself."""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The client's IP address.

    Without proxies (``TRUSTED_PROXY_COUNT = 0``) it is ``REMOTE_ADDR``. Behind N trusted proxies that
    each append the address they saw to ``X-Forwarded-For``, it is the N-th entry from the end: what
    the outermost trusted proxy saw. Entries before it were written by the client and are ignored, so
    nobody can choose their own address by sending the header."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < count:
        return remote  # a request that did not come through every proxy: its peer is all we know
    try:
        return str(ipaddress.ip_address(chain[-count]))
    except ValueError:
        return remote


def _keyed(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:16]


def _network(request, *, v4_prefix: int, v6_prefix: int) -> str:
    try:
        address = ipaddress.ip_address(client_address(request) or "")
    except ValueError:
        return ""
    prefix = v4_prefix if address.version == 4 else v6_prefix
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def address_key(request) -> str:
    """A keyed hash of the visitor's address (an IPv6 /64: one household's line), for per-address
    limits. Two people behind one carrier's NAT share it; a /16 would lock out a whole city."""
    network = _network(request, v4_prefix=32, v6_prefix=64)
    return _keyed(network) if network else ""


def network_key(request) -> str:
    """A keyed hash of the visitor's /16 (IPv4) or /48 (IPv6) network: a coarse 'place', no address kept."""
    network = _network(request, v4_prefix=16, v6_prefix=48)
    return _keyed(network) if network else ""


def subject_key(kind: str, value: str) -> str:
    """A keyed hash of anything else a limit counts per (an order number...), the same length."""
    return _keyed(f"{kind}:{value}")
