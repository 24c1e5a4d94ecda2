"""The trace page's cached shell, rendered by one process into the shared Redis and served by another:
each fills the slots the other left (same markers in every process of a deployment), with the stamp,
the counters, the warnings and the CSRF token of its own request."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.test import Client
from django.utils import timezone

from tests.factories import make_lot
from tests.servers import database_url
from traceability import page_cache, services
from traceability.models import Stamp
from traceability.selectors import stamp_url_for

ROOT = Path(__file__).resolve().parent.parent.parent
BASE_URL = "https://cho-ocop.vn"

# The other process: the test settings (whose own cache is per process) on the test's Redis and database.
OTHER_PROCESS = """
import os, sys
import django
from django.conf import settings
from ground.cache import cache_config

prefix = os.environ["CACHE_KEY_PREFIX"]
settings.CACHES = {"default": cache_config(os.environ["CACHE_URL"], key_prefix=prefix)}
django.setup()
from django.test import Client

response = Client().get(sys.argv[1], HTTP_ACCEPT="text/html")
print(response.status_code)
"""


def render_in_another_process(path: str, cache_url: str, key_prefix: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
        "DATABASE_URL": database_url(),
        "CACHE_URL": cache_url,
        "CACHE_KEY_PREFIX": key_prefix,
        "STAMP_BASE_URL": BASE_URL,
    }
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", OTHER_PROCESS, path],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "200", done.stdout + done.stderr[-3000:]


def path_of(stamp) -> str:
    return stamp_url_for(stamp).removeprefix(BASE_URL)


@pytest.mark.django_db(transaction=True)  # the other process reads the rows: they must be committed
def test_a_shell_rendered_by_another_process_is_filled_by_this_one(
    make_storefront, settings, redis_url, shared_cache
):
    settings.STAMP_BASE_URL = BASE_URL
    make_storefront()
    lot = make_lot(best_before=timezone.localdate() + timedelta(days=10))
    run = services.stamp_run_create(lot=lot, count=3, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)
    first, second, voided = run.stamps.select_related("lot__product").order_by("pk")
    Stamp.objects.filter(pk=voided.pk).update(status=Stamp.Status.VOIDED, void_reason="Tem in hỏng")

    render_in_another_process(path_of(first), redis_url, shared_cache)

    store = redis.Redis.from_url(redis_url)
    (key,) = store.scan_iter(f"{shared_cache}:*trace-page:*")  # the lot's shell, from the other process
    shell = store.get(key)
    assert page_cache.slots()[0].encode() in shell  # its markers are this process's markers

    buyer = Client(enforce_csrf_checks=True)
    html = buyer.get(path_of(second), HTTP_ACCEPT="text/html").content.decode()
    warned = Client().get(path_of(voided), HTTP_ACCEPT="text/html").content.decode()

    assert store.get(key) == shell  # served from the other process's shell, not rendered again
    for page in (html, warned):
        assert "@@trace" not in page
        assert "LN2026-06A" in page and first.short_code not in page
    assert second.short_code in html and "đã quét 1 lần" in html and "Tem chính hãng" in html
    assert f'name="next" value="{path_of(second)}"' in html
    assert voided.short_code in warned and "Tem chính hãng" not in warned
    assert "Tem này đã bị nhà sản xuất hủy. Lý do: Tem in hỏng" in warned
    # The language form carries this response's CSRF token: the buyer can use it.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = buyer.post(
        "/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "en", "next": path_of(second)}
    )
    assert response.status_code == 302 and response.url == path_of(second)
