from django.conf import settings
from django.views.static import serve


def media(request, path):
    """Uploaded files for the dev server and the browser tests (production serves them from S3/CDN)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
