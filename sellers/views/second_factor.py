"""The second step of a staff password login (the code to the phone on file), and the page where a
staff member with a phone turns that step on or off for themselves."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ground.client import client_address
from ground.phone import display_mobile
from sellers import otp, second_factor
from sellers.forms import CodeForm
from sellers.models import OneTimeCode

PURPOSE = OneTimeCode.Purpose.STAFF_LOGIN


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return "/"


def _send(request, phone: str) -> bool:
    try:
        otp.otp_send(phone=phone, purpose=PURPOSE, ip_address=client_address(request))
    except otp.CodeError as error:
        messages.error(request, str(error))
        return False
    request.session[second_factor.SENT_KEY] = True
    return True


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    next_url = _next_url(request)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "logout":
        logout(request)
        return redirect("/")
    if not second_factor.pending(request):
        return redirect(next_url)
    account = second_factor.phone_account(request.user)
    context = {"next": next_url}
    if account is None:
        context["no_phone"] = second_factor.no_phone_message(request.user)
        return render(request, "sellers/second_factor.html", context)
    if action == "resend":
        if _send(request, account.phone):
            messages.success(request, _("We sent a new code."))
        return redirect(f"{request.path}?{request.GET.urlencode()}" if request.GET else request.path)
    if request.method == "GET" and not request.session.get(second_factor.SENT_KEY):
        _send(request, account.phone)
    form = CodeForm(request.POST if action == "verify" else None)
    if action == "verify" and form.is_valid():
        try:
            otp.otp_verify(phone=account.phone, purpose=PURPOSE, code=form.cleaned_data["code"])
        except otp.CodeError as error:
            form.add_error("code", str(error))
        else:
            request.session.cycle_key()  # a new session id for the session that now opens the staff areas
            request.session[second_factor.SESSION_KEY] = second_factor.PASSED
            request.session.pop(second_factor.SENT_KEY, None)
            return redirect(next_url)
    context.update(form=form, phone=display_mobile(account.phone))
    return render(request, "sellers/second_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """On or off for oneself; platform admins cannot turn it off."""
    account = second_factor.phone_account(request.user)
    is_required = second_factor.required(request.user)
    if request.method == "POST" and account is not None and not is_required:
        account.second_factor = request.POST.get("second_factor") == "on"
        account.save(update_fields=["second_factor"])
        if account.second_factor:
            messages.success(
                request, _("From your next log-in with a password, we will also ask for a code.")
            )
        else:
            messages.success(request, _("We will no longer ask for a code after your password."))
        return redirect("sellers:second-factor-settings")
    context = {
        "account": account,
        "required": is_required,
        "phone": display_mobile(account.phone) if account else "",
        "add_phone": second_factor.add_phone_message(request.user),
    }
    return render(request, "sellers/second_factor_settings.html", context)
