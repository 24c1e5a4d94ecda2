"""Writes and reads of reviews and satisfaction: a review only from the buyer of a delivered line, once;
the product's and the stall's averages kept in step in the same transaction; the stall's one answer;
commune staff hiding a review (logged, the author told); satisfaction counted for the dashboards."""

from collections import Counter
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model
from sorl.thumbnail import delete as thumbnail_delete

from ground import order_status, page_cache
from ground.messaging import send_text
from marketplace.feedback.models import MAX_PHOTOS, Review, ReviewPhoto, Satisfaction
from marketplace.payments.buyers import buyer_checkouts
from marketplace.payments.models import OrderPayment
from search.indexing import schedule
from sellers.access import managed_stalls
from sellers.models import PhoneAccount, Stall
from sellers.services import audit

Product = get_model("catalogue", "Product")
Line = get_model("order", "Line")


class ReviewRefused(Exception):
    """Why a review cannot be written (a message for people)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Reads ----------------------------------------------------------------------------------------------


def reviewable_lines(request):
    """Delivered order lines this request may review as their buyer."""
    return Line.objects.filter(
        order__payment__checkout__in=buyer_checkouts(request), status=order_status.DELIVERED
    )


def annotate(payments: list, request) -> None:
    """Set ``payment.feedback`` on each of the checkout's payments (OrderPayment, order and lines loaded)
    that this request may act on as the buyer: what frontend/templates/feedback/_order_actions.html shows
    under the order. Left unset (falsy) when there is nothing to offer.

    Two queries for the whole list (beyond who the buyer is): the payments this request holds with
    their satisfaction answer, and the reviews of their lines."""
    if not payments:
        return
    held = dict(
        OrderPayment.objects.filter(
            pk__in=[payment.pk for payment in payments], checkout__in=buyer_checkouts(request)
        ).values_list("pk", "satisfaction__answer")
    )
    mine = [payment for payment in payments if payment.pk in held]
    if not mine:
        return
    order_ids = [payment.order_id for payment in mine]
    reviews = {review.line_id: review for review in Review.objects.filter(line__order_id__in=order_ids)}
    for payment in mine:
        lines = [
            {"line": line, "review": reviews.get(line.pk)}
            for line in payment.order.lines.all()
            if line.status == order_status.DELIVERED
        ]
        if not lines:
            continue
        payment.feedback = {
            "lines": lines,
            "satisfaction": held[payment.pk] or "",
            "choices": Satisfaction.Answer.choices,
        }


def product_reviews(product, *, limit: int = 5) -> list[Review]:
    """The latest visible reviews of a product, with their photos (two queries)."""
    return list(Review.objects.visible().filter(product=product).prefetch_related("photos")[:limit])


def stall_reviews(stall, *, limit: int = 5) -> list[Review]:
    return list(
        Review.objects.visible()
        .filter(stall=stall)
        .select_related("product")
        .prefetch_related("photos")[:limit]
    )


def satisfaction_counts(
    *, stalls=None, communes=None, since: datetime | None = None, until: datetime | None = None
) -> dict:
    """How many orders got each answer, per stall and per commune, for the dashboards:
    ``{"total": {answer: n}, "stalls": {stall_pk: {answer: n}}, "communes": {commune_pk: {answer: n}}}``
    (every answer present, 0 when none). ``stalls`` / ``communes`` (ids or querysets) narrow it; ``since`` /
    ``until`` bound the time the answer was last given (until excluded). One query."""
    answers = Satisfaction.objects.all()
    if stalls is not None:
        answers = answers.filter(payment__stall__in=stalls)
    if communes is not None:
        answers = answers.filter(payment__stall__commune__in=communes)
    if since is not None:
        answers = answers.filter(updated_at__gte=since)
    if until is not None:
        answers = answers.filter(updated_at__lt=until)
    rows = answers.values_list("payment__stall_id", "payment__stall__commune_id", "answer").annotate(
        n=Count("pk")
    )
    blank = dict.fromkeys(Satisfaction.Answer.values, 0)
    total = Counter(blank)
    by_stall: dict[int, Counter] = {}
    by_commune: dict[int, Counter] = {}
    for stall_id, commune_id, answer, n in rows:
        total[answer] += n
        by_stall.setdefault(stall_id, Counter(blank))[answer] += n
        by_commune.setdefault(commune_id, Counter(blank))[answer] += n
    return {
        "total": dict(total),
        "stalls": {pk: dict(c) for pk, c in by_stall.items()},
        "communes": {pk: dict(c) for pk, c in by_commune.items()},
    }


# Writes ---------------------------------------------------------------------------------------------


def _recount(*, product_id: int | None, stall_id: int) -> None:
    """The averages of the visible reviews, rounded to one decimal as they are shown (so that the
    rating sort orders by what buyers see). Rows locked first, product then stall, so that two reviews
    written at once both count."""
    if product_id is not None:
        list(Product.objects.select_for_update().filter(pk=product_id).values_list("pk", flat=True))
        stats = (
            Review.objects.visible().filter(product_id=product_id).aggregate(avg=Avg("stars"), n=Count("pk"))
        )
        Product.objects.filter(pk=product_id).update(
            rating=round(stats["avg"], 1) if stats["n"] else None, rating_count=stats["n"]
        )
        schedule([product_id])  # reindexed after commit, as every changed product is
    list(Stall.objects.select_for_update().filter(pk=stall_id).values_list("pk", flat=True))
    stats = (
        Review.objects.visible().filter(stall_id=stall_id).aggregate(avg=Avg("stall_stars"), n=Count("pk"))
    )
    Stall.objects.filter(pk=stall_id).update(
        rating=round(stats["avg"], 1) if stats["n"] else None, rating_count=stats["n"]
    )
    page_cache.bump_on_commit()  # the product and stall pages cached before show the old averages


def own_purchase(payment: OrderPayment) -> bool:
    """Whether the stall's own people placed this order (its owner's account or phone, the stall's
    phone, an account that manages the stall): their stars would not be a buyer's."""
    stall, checkout = payment.stall, payment.checkout
    phones = set(PhoneAccount.objects.filter(user_id=stall.owner_id).values_list("phone", flat=True))
    if checkout.phone in phones | {stall.phone} - {""}:
        return True
    if checkout.user_id is None:
        return False
    return checkout.user_id == stall.owner_id or managed_stalls(checkout.user).filter(pk=stall.pk).exists()


def review_create(*, line, stars: int, stall_stars: int, text: str = "", photos=()) -> Review:
    """The buyer's review of one delivered line (the caller has checked the buyer: reviewable_lines).
    ``photos``: JPEGs already made by ground.images.clean_photo (the form's PhotosField). A second review
    of the same line raises ReviewRefused, whoever wins a race (the line is unique)."""
    if line.status != order_status.DELIVERED:
        raise ReviewRefused(_("You can review this product once it has been delivered."))
    if len(photos) > MAX_PHOTOS:
        raise ReviewRefused(_("Up to %(count)d photos: choose fewer.") % {"count": MAX_PHOTOS})
    payment = OrderPayment.objects.select_related("checkout", "stall").get(order_id=line.order_id)
    if own_purchase(payment):
        raise ReviewRefused(_("A stall's own people cannot review it: reviews come from its buyers."))
    try:
        with transaction.atomic():
            review = Review.objects.create(
                line=line,
                payment=payment,
                product_id=line.product_id,
                stall_id=payment.stall_id,
                stars=stars,
                stall_stars=stall_stars,
                text=text.strip(),
                author_name=payment.checkout.name,
            )
            for photo in photos:
                ReviewPhoto.objects.create(review=review, image=photo)
            _recount(product_id=line.product_id, stall_id=payment.stall_id)
    except IntegrityError as error:
        raise ReviewRefused(_("You have already reviewed this product. Thank you!")) from error
    return review


def review_answer(*, review: Review, stall: Stall, text: str, actor) -> Review:
    """The stall's one answer under a review of its own."""
    with transaction.atomic():
        updated = Review.objects.filter(pk=review.pk, stall=stall, answered_at__isnull=True).update(
            answer=text.strip(), answered_at=timezone.now(), answered_by=actor
        )
        if not updated:
            raise ReviewRefused(_("This review already has your answer."))
        audit(stall=stall, actor=actor, action="review_answered", review=review.pk)
        page_cache.bump_on_commit()
    review.refresh_from_db()
    return review


def review_hide(*, review: Review, staff, reason: str) -> Review:
    """Commune staff hide a review (the caller checked the commune): logged on the stall, the averages
    leave it out, the author is told by text."""
    with transaction.atomic():
        updated = Review.objects.filter(pk=review.pk, hidden_at__isnull=True).update(
            hidden_at=timezone.now(), hidden_by=staff, hidden_reason=reason.strip()
        )
        if not updated:
            raise ReviewRefused(_("This review is already hidden."))
        review.refresh_from_db()
        audit(
            stall=review.stall,
            actor=staff,
            action="review_hidden",
            review=review.pk,
            reason=review.hidden_reason,
        )
        _recount(product_id=review.product_id, stall_id=review.stall_id)
        # Its photos go too, with their thumbnails: a hidden review's picture must not stay online
        # at an address someone kept (the files once the hiding is committed).
        files = [photo.image for photo in review.photos.all()]
        review.photos.all().delete()
        transaction.on_commit(lambda: [thumbnail_delete(image) for image in files], robust=True)
        phone = review.payment.checkout.phone
        send_text(
            phone=phone,
            text=_("Chợ OCOP: your review of %(product)s was hidden by the commune. Reason: %(reason)s")
            % {"product": review.line.title, "reason": review.hidden_reason},
        )
    return review


def satisfaction_set(*, payment: OrderPayment, answer: str) -> Satisfaction:
    """The buyer's one answer for the order (a new tap changes it)."""
    if answer not in Satisfaction.Answer.values:
        raise ValidationError(_("Choose one of the answers."), code="invalid")
    satisfaction, _created = Satisfaction.objects.update_or_create(
        payment=payment, defaults={"answer": answer}
    )
    return satisfaction
