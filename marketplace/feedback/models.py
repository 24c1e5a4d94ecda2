"""What buyers thought: reviews of products and stalls from real buyers, one-tap satisfaction."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ground.storage import random_name

MAX_TEXT = 1000
MAX_ANSWER = 1000
MAX_PHOTOS = 3
STARS = [(n, str(n)) for n in range(1, 6)]


def _photo_name(_instance, _filename: str) -> str:
    return random_name("reviews", "jpg")  # public, but never guessed or counted


class ReviewQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden_at__isnull=True)


class Review(models.Model):
    """One delivered order line, rated by its buyer: the product and the stall, once.

    The product's and the stall's averages (Product.rating / rating_count, Stall.rating / rating_count)
    are those of the visible reviews, written in the same transaction as a review is added or hidden."""

    line = models.OneToOneField("order.Line", on_delete=models.CASCADE, related_name="review")
    payment = models.ForeignKey(
        "payments.OrderPayment", on_delete=models.CASCADE, related_name="reviews", editable=False
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.SET_NULL, null=True, related_name="buyer_reviews"
    )
    stall = models.ForeignKey("sellers.Stall", on_delete=models.CASCADE, related_name="reviews")
    stars = models.PositiveSmallIntegerField(
        _("product rating"), choices=STARS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    stall_stars = models.PositiveSmallIntegerField(
        _("stall rating"), choices=STARS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("your words"), max_length=MAX_TEXT, blank=True)
    author_name = models.CharField(max_length=120, blank=True)  # shown as "Mai T." (first name, initial)
    answer = models.TextField(_("the stall's answer"), max_length=MAX_ANSWER, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [
            models.Index(fields=["product", "-created_at"], name="feedback_review_product"),
            models.Index(fields=["stall", "-created_at"], name="feedback_review_stall"),
        ]

    def __str__(self):
        return f"{self.line_id}: {self.stars}★"

    @property
    def author_display(self) -> str:
        """The buyer's given name (Vietnamese names end with it) and nothing more."""
        words = self.author_name.split()
        return words[-1] if words else ""


class ReviewPhoto(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=_photo_name)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.image.name


class Satisfaction(models.Model):
    """How the buyer felt about one stall's order (its service), one answer per order, changeable."""

    class Answer(models.TextChoices):
        VERY_SATISFIED = "very_satisfied", _("Very satisfied")
        SATISFIED = "satisfied", _("Satisfied")
        UNSATISFIED = "unsatisfied", _("Not satisfied")

    payment = models.OneToOneField(
        "payments.OrderPayment", on_delete=models.CASCADE, related_name="satisfaction"
    )
    answer = models.CharField(_("satisfaction"), max_length=20, choices=Answer.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"{self.payment_id}: {self.answer}"
