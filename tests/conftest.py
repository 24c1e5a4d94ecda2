import os
import shutil

import pytest
from django.conf import settings
from django.core.cache import cache
from wagtail.models import Locale, Page, Site

from ground.models import HomePage

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, name: str) -> None:
    """Skip with the missing service's name, except in CI where a missing service is an error."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required with CI=true but is not available", pytrace=False)
    pytest.skip(f"{name} is not available")


OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9250")


def reachable_engine(url: str):
    from search.engines import EngineError, engine_for

    try:
        engine = engine_for(url)
        engine.health()
        return engine
    except EngineError:
        return None


@pytest.fixture
def opensearch(settings):
    """The project searches a fresh index alias on the test OpenSearch node (dropped afterwards)."""
    import uuid

    from search.engine_search import EngineBackend

    engine = reachable_engine(OPENSEARCH_URL)
    require_service(
        engine is not None, f"OpenSearch at {OPENSEARCH_URL} (services/opensearch/opensearch.sh start)"
    )
    settings.SEARCH_URL = OPENSEARCH_URL
    settings.SEARCH_INDEX = f"test-products-{uuid.uuid4().hex[:10]}"
    backend = EngineBackend(engine, settings.SEARCH_INDEX)
    backend.ensure_index()
    yield backend
    backend.drop()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Uploads and thumbnails in a fresh folder; forget cached thumbnails of earlier tests."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def outbox():
    """Text messages sent during the test (the test settings use the in-memory backend)."""
    from ground.messaging import LocmemMessageBackend

    LocmemMessageBackend.outbox.clear()
    yield LocmemMessageBackend.outbox
    LocmemMessageBackend.outbox.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what the code scheduled for after commit (texts, tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def last_code(outbox, phone: str) -> str:
    import re

    texts = [message.text for message in outbox if message.phone == phone]
    assert texts, f"no message was sent to {phone}"
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


@pytest.fixture
def make_storefront(db):
    """Build a HomePage bound to communes (or a province) and make it the default site's root."""

    def build(*, title="Chợ OCOP xã Thử Nghiệm", communes=(), province_code=None) -> HomePage:
        locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root", locale=locale)
        home = HomePage(title=title, slug=f"home-{HomePage.objects.count()}", province_code=province_code)
        root.add_child(instance=home)
        if communes:
            home.communes.set(communes)
            home.save()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "testserver", "port": 80, "root_page": home, "site_name": title},
        )
        return home

    return build
