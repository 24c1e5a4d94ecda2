"""One-time codes for phone sign-up, log-in and a household's consent to a helper.

Codes are 6 random digits, stored only as an HMAC keyed by SECRET_KEY, valid for a few minutes,
good for one use and a few wrong tries. Sending is rate-limited per number and per IP address,
counted in the database so every web process sees the same counts.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ground.limits import lock_keys
from ground.messaging import send_text
from sellers.models import OneTimeCode

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
PER_PHONE = (3, timedelta(minutes=15))
PER_IP = (10, timedelta(hours=1))


class CodeError(Exception):
    """A code could not be sent or accepted; the message is for the person at the phone."""


def _hash(*, phone: str, purpose: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{phone}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def otp_send(
    *, phone: str, purpose: str, ip_address: str | None, deliver: bool = True, text: str = ""
) -> OneTimeCode:
    """A new code for this number, texted to it after commit. With ``deliver=False`` it is only
    counted (a login for a number that has no stall answers like any other, and costs no text).
    ``text`` replaces the usual log-in wording; it has a ``%(code)s`` placeholder (a consent code
    names who asks and what for).
    The counts and the new code are one transaction under a lock per number and per address, so a
    parallel burst never gets more codes than the limits."""
    lock_keys(f"otp-phone:{phone}", f"otp-ip:{ip_address}" if ip_address else "")
    now = timezone.now()
    limit, window = PER_PHONE
    if OneTimeCode.objects.filter(phone=phone, created_at__gte=now - window).count() >= limit:
        raise CodeError(_("Too many codes for this number. Wait 15 minutes, then try again."))
    limit, window = PER_IP
    if (
        ip_address
        and OneTimeCode.objects.filter(ip_address=ip_address, created_at__gte=now - window).count() >= limit
    ):
        raise CodeError(_("Too many codes from this device. Wait an hour, then try again."))
    code = f"{secrets.randbelow(10**6):06d}"
    one_time_code = OneTimeCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=_hash(phone=phone, purpose=purpose, code=code),
        ip_address=ip_address,
        expires_at=now + CODE_TTL,
    )
    # Written without diacritics in Vietnamese too: plain GSM-7 texts are cheaper and reach every phone.
    text = (
        text or _("Cho OCOP: your code is %(code)s. It works for 5 minutes. Never share it with anyone.")
    ) % {"code": code}
    if deliver:
        transaction.on_commit(lambda: send_text(phone=phone, text=text))
    return one_time_code


def otp_verify(*, phone: str, purpose: str, code: str) -> OneTimeCode:
    """The code's record, marked used; raises CodeError when it is wrong, expired or used up.

    Durable: it must not run inside a caller's transaction, whose rollback on the error would
    forget the wrong try (and so the limit of MAX_ATTEMPTS)."""
    with transaction.atomic(durable=True):
        latest = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if latest is None or latest.expires_at < timezone.now():
            error = _("This code has expired. Ask for a new one.")
        elif latest.attempts >= MAX_ATTEMPTS:
            error = _("Too many wrong tries. Ask for a new code.")
        elif not hmac.compare_digest(
            latest.code_hash, _hash(phone=phone, purpose=purpose, code=code.strip())
        ):
            # The wrong try is counted (and committed) before the error is raised.
            latest.attempts += 1
            latest.save(update_fields=["attempts"])
            error = _("That code is not right. Check the message and try again.")
        else:
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
            return latest
    raise CodeError(error)
