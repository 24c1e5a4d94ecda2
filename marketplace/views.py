from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.static import serve


def media(request, path):
    """Uploaded files for the dev server and the browser tests (production serves them from S3/CDN,
    on its own host, with the same headers: see README, Security)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    if path.lower().endswith(".pdf"):
        response["Content-Disposition"] = "attachment"
    return response


def security_txt(request):
    """/.well-known/security.txt (RFC 9116): where to report a security problem."""
    expires = (timezone.now() + timedelta(days=365)).replace(microsecond=0).isoformat()
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires}",
        "Preferred-Languages: vi, en",
        f"Canonical: {request.build_absolute_uri()}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
