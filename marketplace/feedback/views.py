"""The buyer's review and satisfaction forms, the stall's list of its reviews with one answer each, the
commune staff's list with a hide form, and Oscar's own review URLs answered plainly."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from ground import order_status
from marketplace.feedback import services
from marketplace.feedback.forms import AnswerForm, HideForm, ReviewForm, SatisfactionForm
from marketplace.feedback.models import Review
from marketplace.payments.buyers import buyer_checkouts
from marketplace.payments.models import OrderPayment
from sellers.access import seller_login_required, staff_communes, with_stall

Product = get_model("catalogue", "Product")

PER_PAGE = 30


def _back(request, fallback: str) -> str:
    """Where the buyer came from (their order page), when it is on this site; else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _order_page(payment: OrderPayment) -> str:
    """The buyer's page of the checkout (the buyers app's, by name: that app sits above this one)."""
    try:
        return reverse("buyers:checkout", kwargs={"reference": payment.checkout.reference})
    except NoReverseMatch:
        return reverse("track")


def review(request, line_pk: int):
    """Rate a delivered line's product and stall: only its buyer (anyone else: 404), once."""
    line = get_object_or_404(
        services.reviewable_lines(request).select_related("order__payment__checkout", "product"), pk=line_pk
    )
    payment = line.order.payment
    back = _back(request, _order_page(payment))
    if Review.objects.filter(line=line).exists():
        messages.info(request, _("You have already reviewed this product. Thank you!"))
        return redirect(back)
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_create(
                line=line,
                stars=form.cleaned_data["stars"],
                stall_stars=form.cleaned_data["stall_stars"],
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
        except services.ReviewRefused as refused:
            messages.info(request, refused.message)
            return redirect(back)
        messages.success(request, _("Thank you! Your review helps other buyers."))
        return redirect(back)
    context = {"form": form, "line": line, "stall": payment.stall, "next": back}
    return render(request, "feedback/review_form.html", context, status=400 if form.errors else 200)


@require_POST
def satisfaction(request, number: str):
    """One tap on the delivered order's page; a new tap changes the answer."""
    payment = (
        OrderPayment.objects.filter(
            order__number=number,
            checkout__in=buyer_checkouts(request),
            order__lines__status=order_status.DELIVERED,
        )
        .select_related("checkout")
        .distinct()
        .first()
    )
    if payment is None:
        raise Http404
    form = SatisfactionForm(request.POST)
    if form.is_valid():
        services.satisfaction_set(payment=payment, answer=form.cleaned_data["answer"])
        messages.success(request, _("Thank you for telling us how it went."))
    else:
        messages.error(request, _("Choose one of the answers."))
    return redirect(_back(request, _order_page(payment)))


def oscar_reviews(request, product_slug: str = "", product_pk: int = 0, **kwargs):
    """Oscar's own review pages (/shop/catalogue/<slug>_<pk>/reviews/...): reviews come only from
    buyers after delivery, through their order."""
    product = get_object_or_404(Product.objects.browsable(), pk=product_pk)
    messages.info(request, _("Reviews come from buyers after delivery: open your order to review."))
    return redirect(product.get_absolute_url())


# The stall -----------------------------------------------------------------------------------------


@with_stall
def stall_review_list(request, stall):
    reviews = (
        Review.objects.filter(stall=stall)
        .select_related("product", "line")
        .prefetch_related("photos")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    context = {"stall": stall, "page_obj": page, "reviews": page.object_list, "form": AnswerForm()}
    return render(request, "feedback/stall_reviews.html", context)


@with_stall
@require_POST
def stall_review_answer(request, stall, review_pk: int):
    review = get_object_or_404(Review.objects.filter(stall=stall), pk=review_pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("answer", []):
            messages.error(request, error)
    else:
        try:
            services.review_answer(
                review=review, stall=stall, text=form.cleaned_data["answer"], actor=request.user
            )
            messages.success(request, _("Your answer is shown under the review."))
        except services.ReviewRefused as refused:
            messages.error(request, refused.message)
    return redirect(f"{reverse('sellers:reviews', kwargs={'stall_pk': stall.pk})}#review-{review.pk}")


# Commune staff ------------------------------------------------------------------------------------


def _staff_reviews(user):
    return Review.objects.filter(stall__commune__in=staff_communes(user))


@seller_login_required
def commune_review_list(request):
    communes = staff_communes(request.user)
    if not communes.exists():
        raise PermissionDenied
    reviews = (
        _staff_reviews(request.user)
        .select_related("product", "line", "stall__partner", "stall__commune")
        .prefetch_related("photos")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    context = {"communes": communes, "page_obj": page, "reviews": page.object_list, "form": HideForm()}
    return render(request, "feedback/commune_reviews.html", context)


@seller_login_required
@require_POST
def commune_review_hide(request, review_pk: int):
    review = get_object_or_404(
        _staff_reviews(request.user).select_related("payment__checkout", "line", "stall"), pk=review_pk
    )
    form = HideForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
    else:
        try:
            services.review_hide(review=review, staff=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("The review is hidden and the buyer was told why."))
        except services.ReviewRefused as refused:
            messages.error(request, refused.message)
    return redirect(f"{reverse('sellers:commune-reviews')}#review-{review.pk}")
