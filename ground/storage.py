"""Where uploaded and generated files live, kept apart by storage, not by name.

- ``default``: public media (product and stall photos, certificate scans a buyer may open), served
  from ``MEDIA_URL`` (its own host in production).
- ``private``: files that must never be reached by a guessed URL (stamp sheets reveal every serial).
  Locally a folder outside ``MEDIA_ROOT``; on S3 a private bucket or prefix. Only a view that has
  checked access hands one out: streamed from disk, or as an S3 link valid for a few minutes.
"""

import secrets

from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, HttpResponseRedirect
from django.utils import timezone
from storages.backends.s3 import S3Storage

PRESIGNED_SECONDS = 300


def private_storage():
    """The private storage (a callable, so a model field follows the settings of the moment)."""
    return storages["private"]


def random_name(folder: str, extension: str) -> str:
    """``folder/2026/11/<22 random characters>.<extension>``: a name nobody can guess or count."""
    return f"{folder}/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}.{extension}"


def private_download(field_file, *, filename: str):
    """The response that hands a private file to someone already allowed to have it."""
    storage = field_file.storage
    if isinstance(storage, FileSystemStorage):
        return FileResponse(field_file.open("rb"), as_attachment=True, filename=filename)
    url = storage.url(
        field_file.name,
        parameters={"ResponseContentDisposition": f'attachment; filename="{filename}"'},
        expire=PRESIGNED_SECONDS,
    )
    return HttpResponseRedirect(url)


class PublicS3Storage(S3Storage):
    """Public media on S3. A PDF is sent as a download (never shown inline from our media host) and
    every object declares its type, which the media host serves with ``nosniff``."""

    def get_object_parameters(self, name: str) -> dict:
        parameters = super().get_object_parameters(name)
        if name.lower().endswith(".pdf"):
            parameters.setdefault("ContentDisposition", "attachment")
        return parameters
