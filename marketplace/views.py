from django.conf import settings
from django.views.static import serve


def media(request, path):
    """Uploaded files for the dev server and the browser tests (production serves them from S3/CDN,
    on its own host, with the same headers: see README, Security)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    if path.lower().endswith(".pdf"):
        response["Content-Disposition"] = "attachment"
    return response
