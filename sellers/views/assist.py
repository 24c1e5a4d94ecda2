"""A digital helper opens a stall for a household sitting next to them, with the household's consent."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ground.client import client_address
from ground.models import Commune
from ground.phone import display_mobile
from sellers import otp, services
from sellers.access import helper_communes, seller_login_required
from sellers.forms import AssistStartForm, CodeForm

SESSION_KEY = "sellers_assist"


@seller_login_required
@require_http_methods(["GET", "POST"])
def assist_start(request):
    communes = helper_communes(request.user)
    if not communes.exists():
        raise PermissionDenied
    form = AssistStartForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assisted_start(
                helper=request.user,
                household_phone=data["household_phone"],
                commune=data["commune"],
                ip_address=client_address(request),
                stall_name=data["stall_name"],
            )
        except otp.CodeError as error:
            form.add_error("household_phone", str(error))
        else:
            request.session[SESSION_KEY] = {
                "phone": data["household_phone"],
                "name": data["household_name"],
                "stall_name": data["stall_name"],
                "commune": data["commune"].pk,
            }
            return redirect("sellers:assist-confirm")
    return render(request, "sellers/assist_start.html", {"form": form})


@seller_login_required
@require_http_methods(["GET", "POST"])
def assist_confirm(request):
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return redirect("sellers:assist")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stall = services.assisted_confirm(
                helper=request.user,
                household_phone=pending["phone"],
                household_name=pending["name"],
                stall_name=pending["stall_name"],
                commune=Commune.objects.get(pk=pending["commune"]),
                code=form.cleaned_data["code"],
            )
        except otp.CodeError as error:
            form.add_error("code", str(error))
        else:
            del request.session[SESSION_KEY]
            messages.success(request, _("The household agreed. You can now set up the stall together."))
            return redirect("sellers:stall", stall_pk=stall.pk)
    context = {"form": form, "phone": display_mobile(pending["phone"]), "household": pending["name"]}
    return render(request, "sellers/assist_confirm.html", context)
