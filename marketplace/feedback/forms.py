"""The buyer's review (stars as big radio buttons, words, up to 3 photos), the stall's answer, the
commune's reason to hide, the one-tap satisfaction."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ground.images import clean_photo
from marketplace.feedback.models import MAX_ANSWER, MAX_PHOTOS, MAX_TEXT, STARS, Satisfaction

EMPTY_RATING = _("Tap a star: from 1 (bad) to 5 (very good).")


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS photos, each checked and cleaned as product photos are (ground.images.clean_photo):
    the field's value is the list of clean JPEGs."""

    widget = MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(
                _("Up to %(count)d photos: choose fewer."), code="too_many", params={"count": MAX_PHOTOS}
            )
        return [clean_photo(upload) for upload in uploads]


class StarsField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=STARS,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": EMPTY_RATING, "invalid_choice": EMPTY_RATING},
            **kwargs,
        )


class ReviewForm(forms.Form):
    stars = StarsField(label=_("How good is the product?"))
    stall_stars = StarsField(label=_("How good was the stall (packing, delivery, kindness)?"))
    text = forms.CharField(
        label=_("Tell other buyers (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
    )
    photos = PhotosField(label=_("Photos (optional, up to 3)"), required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_ANSWER,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_ANSWER}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why hide it? The buyer is told."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )


class SatisfactionForm(forms.Form):
    answer = forms.ChoiceField(choices=Satisfaction.Answer.choices)
