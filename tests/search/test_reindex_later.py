"""A change made while the search engine is down reaches it once the engine is back: PostgreSQL's index
is written at once, the engine's by the same task queued again for later."""

import pytest
from django.conf import settings as django_settings
from django_tasks_db.models import DBTaskResult

from search.database_search import DatabaseBackend
from search.requests import SearchRequest
from search.tasks import reindex
from tests.factories import make_product
from tests.servers import free_port

pytestmark = pytest.mark.django_db


def test_a_change_while_the_engine_is_down_is_indexed_there_when_it_is_back(settings, opensearch):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(django_settings.TASK_QUEUES)}
    }
    product = make_product(title="Bưởi Diễn Phúc Hòa")
    DBTaskResult.objects.all().delete()  # the factory's own reindex task: not the one under test
    engine_url = settings.SEARCH_URL
    settings.SEARCH_URL = f"opensearch+http://127.0.0.1:{free_port()}"  # the engine is down

    outcome = reindex.call([product.pk])

    assert outcome["engine_failed"] == 1
    assert DatabaseBackend().search(SearchRequest(text="buoi dien")).product_ids == [product.pk]
    later = DBTaskResult.objects.get()  # the engine's share, queued for later (not now)
    assert later.queue_name == "search" and later.run_after > later.enqueued_at
    assert later.task_result.kwargs["engine_only"] is True
    assert opensearch.search(SearchRequest(text="buoi dien")).total == 0

    settings.SEARCH_URL = engine_url  # the engine is back; the worker runs the queued task
    result = later.task_result
    outcome = reindex.call(*result.args, **result.kwargs)

    assert outcome["engine_failed"] == 0
    opensearch.engine.refresh(opensearch.alias)
    assert opensearch.search(SearchRequest(text="buoi dien")).product_ids == [product.pk]
