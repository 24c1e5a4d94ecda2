"""Sign-up and log-in with a mobile number and a one-time code, in two short steps each."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ground.client import client_address
from ground.phone import display_mobile
from sellers import otp
from sellers.access import managed_stalls
from sellers.forms import CodeForm, PhoneForm, SignupForm
from sellers.models import OneTimeCode, PhoneAccount
from sellers.services import seller_login, seller_signup

SESSION_KEY = "sellers_pending_phone"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _send_code(request, form, *, step: str, purpose: str, deliver: bool = True, **pending) -> bool:
    """Send the code for the form's number; on refusal the reason goes next to the phone field."""
    phone = form.cleaned_data["phone"]
    try:
        otp.otp_send(phone=phone, purpose=purpose, ip_address=client_address(request), deliver=deliver)
    except otp.CodeError as error:
        form.add_error("phone", str(error))
        return False
    request.session[SESSION_KEY] = {"phone": phone, "purpose": step, **pending}
    return True


def _registered(phone: str) -> bool:
    return PhoneAccount.objects.filter(phone=phone).exists()


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    # A number that already has a stall gets a log-in code instead: the page answers the same either
    # way, so it never tells a stranger whether a number sells here.
    if request.method == "POST" and form.is_valid():
        purpose = (
            OneTimeCode.Purpose.LOGIN
            if _registered(form.cleaned_data["phone"])
            else OneTimeCode.Purpose.SIGNUP
        )
        if _send_code(request, form, step="signup", purpose=purpose, name=form.cleaned_data["name"]):
            return redirect("sellers:signup-code")
    return render(request, "sellers/phone_form.html", {"form": form, "step": "signup"})


@require_http_methods(["GET", "POST"])
def signup_code(request):
    return _code_step(request, purpose="signup")


@require_http_methods(["GET", "POST"])
def login_phone(request):
    form = PhoneForm(request.POST or None)
    # Known or unknown, the number gets the same answer (and counts against the same limits); only
    # a number with a stall is actually sent a code.
    if request.method == "POST" and form.is_valid():
        registered = _registered(form.cleaned_data["phone"])
        if _send_code(request, form, step="login", purpose=OneTimeCode.Purpose.LOGIN, deliver=registered):
            return redirect("sellers:login-code")
    return render(request, "sellers/phone_form.html", {"form": form, "step": "login"})


@require_http_methods(["GET", "POST"])
def login_code(request):
    return _code_step(request, purpose="login")


def _code_step(request, *, purpose: str):
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("purpose") != purpose:
        return redirect("sellers:signup" if purpose == "signup" else "sellers:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if purpose == "signup" and not _registered(pending["phone"]):
                user = seller_signup(
                    phone=pending["phone"], code=form.cleaned_data["code"], name=pending.get("name", "")
                )
            else:
                user = seller_login(phone=pending["phone"], code=form.cleaned_data["code"])
        except (otp.CodeError, ValidationError) as error:
            form.add_error("code", error.messages[0] if isinstance(error, ValidationError) else str(error))
        else:
            del request.session[SESSION_KEY]
            login(request, user, backend=BACKEND)
            if purpose == "signup" and not managed_stalls(user).exists():
                # A new seller goes straight to the stall's form: one tap less on the way to selling.
                messages.success(request, _("Welcome! Now tell us about your stall."))
                return redirect("sellers:stall-create")
            return redirect("sellers:dashboard")
    context = {"form": form, "step": purpose, "phone": display_mobile(pending["phone"])}
    return render(request, "sellers/code_form.html", context)
