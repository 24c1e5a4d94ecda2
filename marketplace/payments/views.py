"""Where payment notifications arrive (Stripe, banks): read the request, let the payments answer."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.payments.notifications import Answer, bank_notice_receive, stripe_event_receive


def _respond(answer: Answer):
    if answer.rejected:
        return HttpResponseBadRequest(answer.rejected)
    return JsonResponse(answer.body, status=answer.status)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    return _respond(
        stripe_event_receive(body=request.body, signature=request.headers.get("Stripe-Signature"))
    )


@csrf_exempt
@require_POST
def bank_webhook(request):
    return _respond(bank_notice_receive(body=request.body, signature=request.headers.get("X-Signature", "")))
