"""Season labels, filters and links: the search backends of tests/search (PostgreSQL, OpenSearch)."""

from tests.search.conftest import backend  # noqa: F401  (each search test runs on every backend)
