"""A second step after the password: a one-time code to the phone on file (sellers.otp).

Who: platform admins (superusers and the ``platform_admin`` group) always; anyone else whose
``PhoneAccount.second_factor`` is on (commune staff opt in). When: after a password login through
any of the login forms (the shop's, Wagtail's, Django admin's). ``PasswordLoginMarker`` marks the
request of a password login; ``after_login`` then marks the session "pending", and until the code is
entered at ``sellers:second-factor`` the ``SecondFactorMiddleware`` sends that session from every
staff area (``SECOND_FACTOR_GUARDED_PATHS``) to that page. A login without a password (the test
client's ``force_login``, the sellers' own phone-code login) is not marked, so it is not asked.

A platform admin with no phone on file cannot get a code: by default they are let in with a
warning to add one; with ``SECOND_FACTOR_PHONE_REQUIRED`` they are stopped at the code page, which
says how to add it (``manage.py staff_phone`` or Django admin, "Phone accounts").
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from sellers.models import PhoneAccount
from sellers.roles import PLATFORM_ADMIN

SESSION_KEY = "second_factor"
PENDING = "pending"  # password given, code not yet
PASSED = "passed"
SENT_KEY = "second_factor_sent"  # the page texts one code by itself; more on request
MARK = "login_checked_a_password"  # set on the request by PasswordLoginMarker

NO_PHONE = _(
    "Your account must confirm each log-in with a code sent to your phone, but no phone number is on "
    "file. Ask the platform's administrator to add it (Django admin, Phone accounts), or on the server "
    "run: manage.py staff_phone %(username)s <phone number>"
)
ADD_PHONE = _(
    "Your phone number is not on file yet. Ask the platform's administrator to add it (Django admin, "
    "Phone accounts), or on the server run: manage.py staff_phone %(username)s <phone number>"
)


def required(user) -> bool:
    """Platform admins may not skip the code."""
    return bool(user.is_superuser or user.groups.filter(name=PLATFORM_ADMIN).exists())


def phone_account(user) -> PhoneAccount | None:
    return PhoneAccount.objects.filter(user=user).first()


def wanted(user) -> bool:
    """Required, or asked for by the user (``PhoneAccount.second_factor``)."""
    if required(user):
        return True
    account = phone_account(user)
    return bool(account and account.second_factor)


def pending(request) -> bool:
    return request.session.get(SESSION_KEY) == PENDING


def no_phone_message(user) -> str:
    return NO_PHONE % {"username": user.get_username()}


def add_phone_message(user) -> str:
    return ADD_PHONE % {"username": user.get_username()}


class PasswordLoginMarker:
    """An authentication backend that authenticates nobody: listed after axes' backend, it marks a
    request on which a password is being checked, so ``after_login`` knows the login used one. It
    has no ``get_user``, so sessions and ``force_login`` never pick it."""

    def authenticate(self, request, password=None, **credentials):
        if request is not None and password is not None:
            setattr(request, MARK, True)
        return None


@receiver(user_logged_in, dispatch_uid="sellers.second_factor.after_login")
def after_login(sender, request, user, **kwargs):
    if request is None or not getattr(request, MARK, False) or not wanted(user):
        return
    if phone_account(user) is None and not settings.SECOND_FACTOR_PHONE_REQUIRED:
        messages.warning(request, no_phone_message(user))
        return
    request.session[SESSION_KEY] = PENDING
    request.session.pop(SENT_KEY, None)


class SecondFactorMiddleware:
    """Keeps a session whose code is still to come out of the staff areas: it goes to the code page
    (and back where it was going once the code is in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(tuple(settings.SECOND_FACTOR_GUARDED_PATHS)):
            page = reverse("sellers:second-factor")
            if path != page and pending(request):
                return redirect(f"{page}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
