"""Password logins counted per account and per address, on every login form (django-axes).

Axes watches every ``authenticate()`` call that carries a request: Oscar's shop login, Wagtail's
/cms/login/ and Django's admin login all make one. The settings (``AXES_*`` in
``marketplace/settings/base.py``) name the pieces below:

- ``LoginThrottleBackend`` (first of ``AUTHENTICATION_BACKENDS``): axes' check before any password;
- ``account_key`` (``AXES_USERNAME_CALLABLE``): the account a login names, whether typed as a user
  name or as an e-mail address, so that switching between the two forms does not earn more tries;
- ``LoginAttemptHandler`` (``AXES_HANDLER``): axes' database handler (the counts are rows in
  PostgreSQL, shared by every gunicorn worker), with two limits, one per account and one per
  address, and without the race of a parallel burst: a try is counted *before* its password is
  checked, under a PostgreSQL advisory lock per account and per address, and given back if the
  password was right;
- ``lockout_response`` (``AXES_LOCKOUT_CALLABLE``): the page a refused login gets (HTTP 429), which
  says at what time to try again.
"""

import math

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_query_str
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max, Sum
from django.shortcuts import render
from django.utils import timezone

from ground.limits import lock_keys

# On the request: (name,) when its login try was counted in advance under that name (is_allowed below).
COUNTED = "login_try_counted_as"
# The login forms' user name fields: Django admin and Wagtail ("username"), Oscar ("login-username").
USERNAME_FIELDS = ("username", "login-username")


def account_key(request, credentials=None) -> str | None:
    """The name a login try is counted under: the account's user name when the typed name or
    e-mail address belongs to an account, else what was typed, in lower case."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None and credentials is None:
        typed = next((request.POST[field] for field in USERNAME_FIELDS if request.POST.get(field)), None)
    if not typed:
        return None
    typed = str(typed).strip()[:254]
    known = getattr(request, "_login_account_keys", None)
    if known is None:
        known = {}
        if request is not None:
            request._login_account_keys = known
    if typed not in known:
        users = get_user_model().objects.only("username")
        user = users.filter(username=typed).first()
        if user is None and "@" in typed:
            user = users.filter(email__iexact=typed).order_by("pk").first()
        known[typed] = user.get_username() if user else typed.lower()
    return known[typed]


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' backend (first in AUTHENTICATION_BACKENDS: a locked-out login never reaches a password
    check), letting through the calls made without a request: Oscar's registration authenticates the
    account it has just created that way, with the password just chosen, and axes would raise."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per account and a larger one per address.

    ``AXES_FAILURE_LIMIT`` failed tries at one account (from any address) within the cool-off
    lock the account; ``LOGIN_FAILURE_LIMIT_PER_ADDRESS`` failed tries from one address (at any
    accounts) lock the address.
    """

    def failure_counts(self, request, credentials=None) -> tuple[int, int]:
        """Failed tries within the cool-off: at this account, and from this address."""
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))

        def total(attempts) -> int:
            return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

        by_account = total(recent.filter(username=get_client_username(request, credentials)))
        by_address = total(recent.filter(ip_address=request.axes_ip_address))
        return by_account, by_address

    def get_failures(self, request, credentials=None) -> int:
        """The account's count, or the address's scaled to the account's limit, whichever is higher:
        axes compares one number with AXES_FAILURE_LIMIT."""
        by_account, by_address = self.failure_counts(request, credentials)
        limit = get_failure_limit(request, credentials)
        return max(by_account, by_address * limit // settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS)

    def lock_ends(self, request, credentials=None):
        """When the lockout ends at the latest: the cool-off after the newest failed try counted
        against what is locked (the account, the address, or both)."""
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        by_account, by_address = self.failure_counts(request, credentials)
        locked = []
        if by_account >= get_failure_limit(request, credentials):
            locked.append(recent.filter(username=get_client_username(request, credentials)))
        if by_address >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            locked.append(recent.filter(ip_address=request.axes_ip_address))
        newest = [attempts.aggregate(newest=Max("attempt_time"))["newest"] for attempts in locked]
        newest = max([moment for moment in newest if moment] or [request.axes_attempt_time])
        return newest + get_cool_off(request)

    def is_allowed(self, request, credentials=None) -> bool:
        """Check the counts and, when the try may go on, count it as failed before its password is
        checked, all under locks on the account and the address: of a burst of parallel tries, no
        more than the limit reach the password check."""
        if credentials is None or "password" not in credentials:
            return super().is_allowed(request, credentials)
        username = get_client_username(request, credentials)
        with transaction.atomic():
            lock_keys(f"login-account:{username}", f"login-address:{request.axes_ip_address}")
            if not super().is_allowed(request, credentials):
                return False
            self._count(request, username, step=1)
        setattr(request, COUNTED, (username,))
        return True

    def _count(self, request, username, *, step: int) -> None:
        attempts = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address, user_agent=request.axes_user_agent
        )
        if step < 0:
            attempts.update(failures_since_start=F("failures_since_start") + step)
            attempts.filter(failures_since_start__lte=0).delete()
            return
        attempt, created = AccessAttempt.objects.select_for_update().get_or_create(
            username=username,
            ip_address=request.axes_ip_address,
            user_agent=request.axes_user_agent,
            defaults={
                "get_data": get_query_str(request.GET).replace("\0", "0x00"),
                "post_data": get_query_str(request.POST).replace("\0", "0x00"),
                "http_accept": request.axes_http_accept,
                "path_info": request.axes_path_info,
                "failures_since_start": step,
                "attempt_time": request.axes_attempt_time,
            },
        )
        if not created:
            attempts.update(
                failures_since_start=F("failures_since_start") + step,
                attempt_time=request.axes_attempt_time,
                path_info=request.axes_path_info,
            )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None or getattr(request, COUNTED, None) is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        # The try was counted before its password was checked: only decide whether it locks.
        setattr(request, COUNTED, None)
        failures = self.get_failures(request, credentials)
        request.axes_failures_since_start = failures
        if settings.AXES_LOCK_OUT_AT_FAILURE and failures >= get_failure_limit(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def user_logged_in(self, sender, request, user, **kwargs):
        counted = getattr(request, COUNTED, None)
        if counted is not None:
            # The password was right: the try counted in advance is given back.
            setattr(request, COUNTED, None)
            self._count(request, counted[0], step=-1)
        return super().user_logged_in(sender, request, user, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page of a refused login: HTTP 429, when to try again, who can unlock sooner."""
    handler = AxesProxyHandler.get_implementation()
    AxesProxyHandler.update_request(request)
    ends = handler.lock_ends(request, credentials)
    wait = max(1, math.ceil((ends - timezone.now()).total_seconds() / 60))
    context = {"retry_at": timezone.localtime(ends), "minutes": wait}
    response = render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Retry-After"] = str(wait * 60)
    return response
