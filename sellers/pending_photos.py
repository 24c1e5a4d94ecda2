"""A photo chosen on a form that came back with an error is kept, so nobody has to choose it again.

The checked photo (``ground.images.clean_photo``: a plain JPEG without metadata) is stored once in the
private storage under a random name, and that name is kept only in the session of the person who
sent it, per form (``key``). Its preview is served only to that session; saving the form takes it
out of the private storage; opening the form afresh forgets it.
"""

import contextlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ground.storage import private_storage, random_name

SESSION_KEY = "sellers_pending_photos"
FOLDER = "pending-photos"
# A photo kept for a form nobody came back to is deleted after this long (at the next kept photo).
KEPT_FOR = timedelta(days=1)


def _pending(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def keep(request, key: str, photo) -> None:
    """Store the checked photo for this session and form (replacing one kept before)."""
    forget(request, key)
    prune()
    photo.seek(0)
    name = private_storage().save(random_name(FOLDER, "jpg"), ContentFile(photo.read()))
    request.session[SESSION_KEY] = {**_pending(request), key: name}


def prune(older_than: timedelta = KEPT_FOR) -> int:
    """Delete the kept photos older than ``older_than`` (forms never sent again). Only this month's and
    last month's folders can hold any (``random_name`` files them by month). Returns how many."""
    storage, now, deleted = private_storage(), timezone.now(), 0
    last_month = now.replace(day=1) - timedelta(days=1)
    for month in {f"{FOLDER}/{now:%Y/%m}", f"{FOLDER}/{last_month:%Y/%m}"}:
        try:
            _folders, files = storage.listdir(month)
        except (FileNotFoundError, OSError):
            continue
        for file in files:
            name = f"{month}/{file}"
            with contextlib.suppress(OSError):
                if now - storage.get_modified_time(name) >= older_than:
                    storage.delete(name)
                    deleted += 1
    return deleted


def has(request, key: str) -> bool:
    return key in _pending(request)


def take(request, key: str) -> ContentFile | None:
    """The kept photo as a file to save with the form; gone from the private storage and session."""
    name = _pending(request).get(key)
    if not name:
        return None
    storage = private_storage()
    try:
        with storage.open(name, "rb") as handle:
            photo = ContentFile(handle.read(), name="photo.jpg")
    except OSError:  # gone meanwhile: the form is saved without it
        photo = None
    forget(request, key)
    return photo


def forget(request, key: str) -> None:
    pending = _pending(request)
    name = pending.pop(key, None)
    if name is None:
        return
    request.session[SESSION_KEY] = pending
    with contextlib.suppress(OSError):  # already gone
        private_storage().delete(name)


def keep_from_form(request, key: str, form) -> None:
    """After a failed validation: keep the photo that passed its own checks."""
    photo = form.cleaned_data.get("photo") if hasattr(form, "cleaned_data") else None
    if photo:
        keep(request, key, photo)


def shown(request, key: str, form) -> str | None:
    """The key to show the kept photo with (None when there is none); the photo field then says so."""
    if not has(request, key):
        return None
    form.fields["photo"].help_text = _(
        "A photo is already chosen (shown below the form). Choose one only to change it."
    )
    return key


def preview(request, key: str):
    """The kept photo, to this session only (anyone else gets 404)."""
    name = _pending(request).get(key)
    if not name:
        raise Http404
    try:
        handle = private_storage().open(name, "rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
