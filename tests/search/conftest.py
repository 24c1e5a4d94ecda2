"""The search backends under test: PostgreSQL always, OpenSearch always (started by `make test`; with
CI=true its absence fails the run), Elasticsearch when ELASTICSEARCH_URL points to one."""

import os
import uuid

import pytest

from search.database_search import DatabaseBackend
from search.engine_search import EngineBackend
from tests.conftest import reachable_engine, require_service

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
BACKENDS = ["database", "opensearch", *(["elasticsearch"] if ELASTICSEARCH_URL else [])]


@pytest.fixture(params=BACKENDS)
def backend(request, settings):
    """Each contract test runs once per backend; the project's settings point at it."""
    if request.param == "database":
        settings.SEARCH_URL = ""
        yield DatabaseBackend()
    elif request.param == "opensearch":
        yield request.getfixturevalue("opensearch")
    else:
        engine = reachable_engine(ELASTICSEARCH_URL)
        require_service(engine is not None, f"Elasticsearch at {ELASTICSEARCH_URL}")
        settings.SEARCH_URL = ELASTICSEARCH_URL
        settings.SEARCH_INDEX = f"test-products-{uuid.uuid4().hex[:10]}"
        backend = EngineBackend(engine, settings.SEARCH_INDEX)
        backend.ensure_index()
        yield backend
        backend.drop()
