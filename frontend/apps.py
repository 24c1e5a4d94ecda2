from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """Holds the site's templates and static files (frontend/templates, frontend/static)."""

    name = "frontend"
