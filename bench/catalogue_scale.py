"""A province's catalogue (issue #14): the list, product, search and home pages at 10k-1M products, as
production serves them, side by side with stock django-oscar 4.2.1 serving the same products.

    .venv/bin/python bench/catalogue_scale.py [--products 100000] [--sizes 10000,100000] [--duration 10]
        [--connections 8] [--skip-stock] [--reseed]

Data. Each size gets its own PostgreSQL database (ocop_bench_catalogue_<N>, on the project's embedded
server under var/pgdata) and its own OpenSearch index (chocop-bench-catalogue-<N>): ``migrate``, the
demo (``seed_demo --no-images``: its sites, categories and 17 products), then N products made in bulk
the way the project's models hold them (bulk_create): 50 communes named from the national registry
(the demo's ``commune_from_registry``), 212 verified stalls (an Oscar Partner each), products with
Vietnamese titles (bench/search.py's words), a category, OCOP stars and certificates for some, harvest
months, one stock record each (whole đồng); then ``search_index --rebuild`` and ``VACUUM ANALYZE``.
A marker (the database's comment) keeps a seeded database for the next run; ``--reseed`` forces it.

Stock Oscar: its own virtualenv (var/bench/oscar-stock/venv: django-oscar 4.2.1, haystack with
elasticsearch-py 7.13, the last version that talks to OpenSearch), settings like its sandbox's
(bench/catalogue_scale/stock_settings.py), its own database (oscar_stock_bench) and index
(oscar-stock-bench) on the same servers, the same products (titles, descriptions, prices, categories,
one stock record each, bulk) and ``rebuild_index``. Only at ``--products`` (the compared size): the other
``--sizes`` measure the project alone (how time per request grows with the catalogue).

Servers: the project as production runs it (tests/servers.py ``production_server``: gunicorn, production
settings, 2 workers × ``--threads``), Redis as the shared cache (db 12), SEARCH_URL on the OpenSearch
node; a second project server with SEARCH_URL="" (cache db 13) for the PostgreSQL search backend; stock
Oscar under gunicorn with the same workers and threads. All on loopback, on the same cores as the bench.

Load: wrk (``--connections``, 2 threads, ``--duration`` s per row, project then stock for each page kind)
with bench/catalogue_scale/pages.lua, in two modes: one URL per page kind (what a cache likes), and
requests spread round-robin over thousands of distinct URLs per kind (list pages 1-400 in four sorts,
every category's pages, 3,200 facet combinations of /search/, 3,000 products, ~1,400 search texts). The
Lua script counts every response that is not 2xx (a fast 404 or redirect is no page: the table shows
them); a sample of each list is checked for 200 on both sides before the load, and the products each
list page shows are counted on both sides (a page of none would be fast). Stock Oscar's index does not
fold accents, so it is asked for "vải thiều" where the project is asked for "vai thieu" (and, spread,
for the accented texts only); its facets count and find nothing on the Elasticsearch 7 backend, so the
facet row has no stock figure; its ``/`` only redirects to its catalogue, so the home rows have none
either (their target is absolute). The PostgreSQL search rows are compared with stock's one search.

Also, for the project: SQL queries per page, counted in the bench process (production settings, Django's
test client, CaptureQueriesContext) on the first request after a change and on a repeat; and the first
request after a change: a stock record's price is saved through the ORM in the bench process (so the
project's signals fire and its shared cache hears of it), then each list page is fetched once from the
running server (loopback round trip), 10 times; the median is reported beside that of a repeat request.

Printed: one table per size, the queries and first-request figures, then the issue's targets, met or not.
The shared PostgreSQL, Redis and OpenSearch are started if needed and left running (other sessions use
them); the servers the bench starts are stopped. Logs and URL lists: var/bench/catalogue-scale/.
"""

import argparse
import contextlib
import importlib.util
import itertools
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench" / "catalogue_scale"
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/search.py must not hide search/

WORK = ROOT / "var" / "bench" / "catalogue-scale"
PGDATA = ROOT / "var" / "pgdata"  # the project's embedded server (marketplace/database.py)
STOCK_HOME = ROOT / "var" / "bench" / "oscar-stock"
STOCK_VENV = STOCK_HOME / "venv"
STOCK_PACKAGES = [
    "django-oscar==4.2.1",
    "django-haystack",
    "elasticsearch>=7,<7.14",  # 7.14+ refuses a server that is not Elasticsearch
    "sorl-thumbnail",  # Oscar's default thumbnailer, not one of its requirements
    "gunicorn",
    "psycopg[binary]",
]
STOCK_DB = "oscar_stock_bench"
STOCK_INDEX = "oscar-stock-bench"
STOCK_PER_PAGE = 20  # oscar.defaults.OSCAR_PRODUCTS_PER_PAGE
SEED_VERSION = 1  # bump when the generated data changes: seeded databases are then made again

HOST = "cho-ocop.test"  # tests/servers.py HOST
COMMUNE_HOST = "lucngan.cho-ocop.test"  # a commune storefront: the demo's Lục Ngạn home page
REDIS_URL = "redis://127.0.0.1:6390"  # services/redis/redis.sh
ENGINE_CACHE_DB, DATABASE_CACHE_DB = 12, 13  # not 0 (tests) nor 1 (demo)
OPENSEARCH_URL = "http://127.0.0.1:9250"  # services/opensearch/opensearch.sh
MAX_PAGE = 400
PRODUCT_URLS = 3000
CHECKED_PER_LIST = 25  # URLs of each spread list fetched from both sides before the load
CHANGES = 10  # first requests after a change, per list page
SORTS = {"": "", "price": "price-asc", "-price": "price-desc", "newest": "newest"}  # project: stock

COMMUNES, STALLS = 50, 212
# Categories of the generated products: the demo's tree (marketplace/demo_data.py) and a few more.
CATEGORY_OF = {
    "Vải thiều": ["Trái cây", "Vải thiều"],
    "Bưởi da xanh": ["Trái cây", "Bưởi"],
    "Bưởi Diễn": ["Trái cây", "Bưởi"],
    "Cam sành": ["Trái cây", "Cam"],
    "Cam Vinh": ["Trái cây", "Cam"],
    "Nhãn lồng": ["Trái cây", "Nhãn"],
    "Ổi lê": ["Trái cây", "Ổi"],
    "Chè búp": ["Đặc sản", "Chè"],
    "Trà shan tuyết": ["Đặc sản", "Chè"],
    "Mật ong hoa vải": ["Đặc sản", "Mật ong"],
    "Gạo ST25": ["Đặc sản", "Gạo"],
    "Xoài cát Hòa Lộc": ["Trái cây", "Xoài"],
    "Na dai": ["Trái cây", "Na"],
    "Hạt điều rang muối": ["Đặc sản", "Hạt điều"],
    "Miến dong": ["Đặc sản", "Miến"],
    "Măng khô": ["Đặc sản", "Măng khô"],
    "Nấm hương": ["Đặc sản", "Nấm"],
    "Tương bần": ["Đặc sản", "Tương"],
}
UNITS = {"Trái cây": "kg", "Đặc sản": "hop"}

# Page kinds: (key, label, measured in the one-URL mode, in the spread mode)
KINDS = [
    ("catalogue", "catalogue page 1", True, False),
    ("catalogue_deep", "catalogue page 50", True, False),
    ("catalogue_spread", "catalogue pages 1-400 × sorts", False, True),
    ("category", "category Vải thiều", True, False),
    ("category_spread", "every category × pages × sorts", False, True),
    ("facets", "facet combinations", False, True),
    ("product", "product page", True, True),
    ("search", "search 'vai thieu', engine", True, False),
    ("search_spread", "search, 1,400 texts, engine", False, True),
    ("search_db", "search 'vai thieu', PostgreSQL", True, False),
    ("search_db_spread", "search, 1,400 texts, PostgreSQL", False, True),
    ("home_commune", "commune home (Lục Ngạn)", True, False),
    ("home", "platform home /", True, False),
]
LIST_PAGES = [
    "catalogue",
    "catalogue_deep",
    "category",
    "search",
    "search_db",
]  # first request after a change


# ---------------------------------------------------------------------------------------- helpers


def bench_words():
    """The word lists of bench/search.py (loaded by path: a module named ``search`` is the project's)."""
    spec = importlib.util.spec_from_file_location("bench_search_words", ROOT / "bench" / "search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fold(text: str) -> str:
    from ground.text import fold as project_fold  # the project's Vietnamese folding (no Django needed)

    return project_fold(text)


def run(command: list[str], *, env: dict, what: str, cwd: Path = ROOT) -> str:
    """A child command; its output is shown only when it fails."""
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)  # noqa: S603 (ours)
    if done.returncode:
        sys.exit(f"{what} failed ({done.returncode}):\n{done.stdout[-4000:]}{done.stderr[-4000:]}")
    return done.stdout


def manage(*args: str, env: dict) -> str:
    return run([sys.executable, str(ROOT / "manage.py"), *args], env=env, what=f"manage.py {' '.join(args)}")


class Postgres:
    """The project's embedded PostgreSQL server (var/pgdata), started if needed and left running."""

    def __init__(self):
        from marketplace.database import embedded_server  # starts it or finds it running

        self.server = embedded_server()

    def url(self, database: str) -> str:
        return self.server.get_uri(database=database)

    def socket(self) -> tuple[str, str]:
        """(socket directory, user) of the server, for the stock settings."""
        parts = urlsplit(self.url("postgres"))
        return dict(parse_qsl(parts.query))["host"], unquote(parts.username or "postgres")

    def _admin(self):
        import psycopg  # the project's driver

        return psycopg.connect(self.url("postgres"), autocommit=True)

    def marker(self, database: str) -> dict | None:
        """What the bench wrote on the database when it finished seeding it; None: no such database."""
        with self._admin() as connection:
            row = connection.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database]
            ).fetchone()
        if row is None:
            return None
        try:
            return json.loads(row[0] or "{}")
        except ValueError:
            return {}

    def recreate(self, database: str) -> None:
        from psycopg import sql  # the project's driver

        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))

    def mark(self, database: str, marker: dict) -> None:
        from psycopg import sql  # the project's driver

        with self._admin() as connection:
            connection.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(database), sql.Literal(json.dumps(marker))
                )
            )


def flush_redis(db: int) -> None:
    import redis  # the project's cache client

    client = redis.Redis.from_url(f"{REDIS_URL}/{db}")
    client.flushdb()
    client.close()


def start_shared_services() -> None:
    for service in ("redis", "opensearch"):
        run(
            [str(ROOT / "services" / service / f"{service}.sh"), "start"],
            env=os.environ,
            what=f"{service} start",
        )


# ---------------------------------------------------------------------------------------- the project


def project_database(size: int) -> str:
    return f"ocop_bench_catalogue_{size}"


def project_env(postgres: Postgres, size: int) -> dict:
    """The environment of every project process of this size: production settings, the size's database
    and index, the shared Redis and OpenSearch."""
    from tests.servers import SECRET_KEY  # no Django needed to import it

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": f"{HOST},{COMMUNE_HOST}",
        "DATABASE_URL": postgres.url(project_database(size)),
        "CACHE_URL": f"{REDIS_URL}/{ENGINE_CACHE_DB}",
        "SEARCH_URL": "opensearch+" + OPENSEARCH_URL,
        "SEARCH_INDEX": f"chocop-bench-catalogue-{size}",
        "STATIC_ROOT": str(WORK / "static"),
        "MEDIA_ROOT": str(WORK / "media"),
        "PRIVATE_MEDIA_ROOT": str(WORK / "private-media"),
    }


def seed_project(size: int, env: dict) -> dict:
    """Runs in a child process with ``env``: the demo, then ``size`` products in bulk, indexed."""
    started = time.perf_counter()
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed_demo", "--no-images", env=env)
    import django  # the environment names the size's database

    django.setup()
    bulk = time.perf_counter()
    counts = seed_catalogue(size)
    bulk = time.perf_counter() - bulk
    commune_site()
    indexing = time.perf_counter()
    manage("search_index", "--rebuild", env=env)
    indexing = time.perf_counter() - indexing
    from django.db import connection  # set up above

    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the steady state: no autovacuum racing the measurements
    return {
        **counts,
        "bulk_seconds": round(bulk, 1),
        "index_seconds": round(indexing, 1),
        "seed_seconds": round(time.perf_counter() - started, 1),
    }


def seed_catalogue(size: int, seed: int = 2026) -> dict:
    import random  # the generated catalogue is the same on every run
    from datetime import date  # certificates' expiry
    from decimal import Decimal  # prices

    from django.db import transaction  # Django is set up by then
    from django.utils import timezone  # the same
    from oscar.apps.catalogue.categories import create_from_sequence  # the same
    from oscar.core.loading import get_model  # the same
    from oscar.core.utils import slugify  # what Product.save() and Category.save() use
    from vietnam_provinces import Ward  # the national list, as marketplace/demo.py names communes

    from ground.models import Commune  # the same
    from marketplace.demo import commune_from_registry  # the demo's way of making a commune
    from sellers.services import stall_page_publish  # the same

    words = bench_words()
    rng = random.Random(seed)
    Partner = get_model("partner", "Partner")
    Stall = get_model("sellers", "Stall")
    Product = get_model("catalogue", "Product")
    ProductClass = get_model("catalogue", "ProductClass")
    ProductCategory = get_model("catalogue", "ProductCategory")
    StockRecord = get_model("partner", "StockRecord")

    existing = set(Commune.objects.values_list("code", flat=True))
    communes = sorted(
        (ward for ward in Ward.iter_all() if ward.name.startswith("Xã ")), key=lambda ward: int(ward.code)
    )
    step = max(1, len(communes) // COMMUNES)
    for ward in communes[::step][: COMMUNES - len(existing)]:
        commune_from_registry(code=int(ward.code))
    communes = list(Commune.objects.order_by("code"))
    categories = {name: create_from_sequence(path)[-1] for name, path in CATEGORY_OF.items()}
    product_class = ProductClass.objects.get(slug="nong-san")

    with transaction.atomic():
        partners = Partner.objects.bulk_create(
            [Partner(code=f"bench-stall-{n}", name=_stall_name(n, rng, words)) for n in range(STALLS)]
        )
        kinds = [Stall.Kind.HOUSEHOLD] * 6 + [Stall.Kind.COOPERATIVE, Stall.Kind.SHOP]
        stalls = Stall.objects.bulk_create(
            [
                Stall(
                    partner=partner,
                    commune=communes[n % len(communes)],
                    slug=f"bench-stall-{n}",
                    kind=kinds[n % len(kinds)],
                    village=f"Thôn {n % 12 + 1}",
                    story="Gian hàng của bench: nông sản trồng tại vườn.",
                    status=Stall.Status.VERIFIED,
                    verified_at=timezone.now(),
                    bank_bin="970405",
                    bank_account_number=f"1507205{n:06d}",
                    bank_account_name=fold(partner.name).upper(),
                )
                for n, partner in enumerate(partners)
            ]
        )
    for stall in stalls:
        stall_page_publish(stall=stall)  # under its commune's storefront, where it has one

    batch = 5000
    for start in range(0, size, batch):
        rows = [_product_row(n, rng, words) for n in range(start, min(size, start + batch))]
        with transaction.atomic():
            products = Product.objects.bulk_create(
                [
                    Product(
                        structure=Product.STANDALONE,
                        product_class=product_class,
                        upc=f"BENCH{n:07d}",
                        title=row["title"],
                        slug=slugify(row["title"]),
                        description=row["description"],
                        is_public=True,
                        unit=UNITS[CATEGORY_OF[row["name"]][0]],
                        season_months=row["season"],
                        ocop_stars=row["stars"],
                        ocop_certificate_number=f"OCOP-BENCH-{n:07d}" if row["stars"] else "",
                        ocop_certificate_expiry=date(2027, 6, 30) if row["stars"] else None,
                        is_featured=row["featured"],
                    )
                    for n, row in zip(range(start, start + len(rows)), rows, strict=True)
                ]
            )
            ProductCategory.objects.bulk_create(
                [
                    ProductCategory(product=product, category=categories[row["name"]])
                    for product, row in zip(products, rows, strict=True)
                ]
            )
            StockRecord.objects.bulk_create(
                [
                    StockRecord(
                        product=product,
                        partner=stalls[(product.pk * 7919) % len(stalls)].partner,
                        partner_sku=product.upc,
                        price=Decimal(row["price"]),
                        price_currency="VND",
                        num_in_stock=row["stock"],
                    )
                    for product, row in zip(products, rows, strict=True)
                ]
            )
    return {
        "product_rows": Product.objects.count(),
        "stalls": Stall.objects.count(),
        "communes": len(communes),
    }


def _stall_name(n: int, rng, words) -> str:
    name = rng.choice(words.PRODUCTS)
    return (
        f"Vườn {name.split()[0].lower()} nhà {rng.choice(words.PEOPLE)} {n}" if n % 5 else f"HTX {name} {n}"
    )


def _product_row(n: int, rng, words) -> dict:
    name = rng.choice(words.PRODUCTS)
    place = rng.choice(words.PLACES)
    title = " ".join(filter(None, [name, rng.choice(words.QUALITIES), place]))
    return {
        "name": name,
        "title": title,
        "description": f"{title}: trồng tại {place}, thu hoạch đúng vụ, đóng gói tại vườn.",
        "price": rng.randrange(20, 800) * 1000,
        "stock": rng.randint(5, 500),
        "season": sorted(rng.sample(range(1, 13), 3)),
        "stars": rng.choice([None, None, 3, 3, 4, 5]),
        "featured": rng.random() > 0.98,
    }


def commune_site() -> None:
    """The demo's Lục Ngạn storefront also answers at COMMUNE_HOST (the demo's names end in .localhost)."""
    from wagtail.models import Site  # Django is set up by then

    from ground.models import HomePage  # the same

    home = HomePage.objects.get(slug="luc-ngan")
    Site.objects.update_or_create(
        hostname=COMMUNE_HOST, port=443, defaults={"root_page": home, "site_name": "Chợ OCOP xã Lục Ngạn"}
    )


def export_for_stock(path: Path) -> int:
    """Every product a buyer can see on the project, as stock_seed.py reads them (one JSON a line)."""
    from oscar.core.loading import get_model  # Django is set up by then

    from catalogue.selectors import product_cards  # the same

    Category = get_model("catalogue", "Category")
    ProductCategory = get_model("catalogue", "ProductCategory")
    StockRecord = get_model("partner", "StockRecord")
    paths = {
        category.pk: [c.name for c in category.get_ancestors_and_self()]
        for category in Category.objects.all()
    }
    categories: dict[int, list] = {}
    for product_id, category_id in ProductCategory.objects.values_list("product_id", "category_id"):
        categories.setdefault(product_id, []).append(paths[category_id])
    visible = set(product_cards().values_list("pk", flat=True))
    count = 0
    with path.open("w", encoding="utf-8") as out:
        records = StockRecord.objects.order_by("product_id").values_list(
            "product_id",
            "product__upc",
            "product__title",
            "product__description",
            "price",
            "num_in_stock",
            "partner__code",
            "partner__name",
        )
        seen = set()
        for pk, upc, title, description, price, stock, code, partner in records.iterator(chunk_size=5000):
            if pk not in visible or pk in seen:
                continue
            seen.add(pk)
            row = {
                "upc": upc,
                "title": title,
                "description": description,
                "price": int(price),
                "stock": stock,
                "categories": categories.get(pk, []),
                "partner_code": code,
                "partner_name": partner,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


# ---------------------------------------------------------------------------------------- stock Oscar


class StockOscar:
    """Stock django-oscar 4.2.1 in its own virtualenv, database and index; served by gunicorn."""

    def __init__(self, postgres: Postgres):
        self.postgres = postgres
        socket, user = postgres.socket()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIRTUAL_ENV"))},
            "DJANGO_SETTINGS_MODULE": "stock_settings",
            "PYTHONPATH": str(HERE),
            "STOCK_DB_NAME": STOCK_DB,
            "STOCK_DB_HOST": socket,
            "STOCK_DB_USER": user,
            "STOCK_SEARCH_URL": OPENSEARCH_URL,
            "STOCK_SEARCH_INDEX": STOCK_INDEX,
            "STOCK_MEDIA_ROOT": str(STOCK_HOME / "media"),
            "STOCK_STATIC_ROOT": str(STOCK_HOME / "static"),
        }
        self.process = None
        self.base = ""

    def python(self, *args: str, what: str) -> str:
        return run([str(STOCK_VENV / "bin" / "python"), *args], env=self.env, what=what, cwd=HERE)

    def admin(self, *args: str) -> str:
        return self.python("-m", "django", *args, what=f"stock django-admin {' '.join(args)}")

    def install(self) -> None:
        stamp = STOCK_VENV / ".bench-installed"
        if stamp.exists() and stamp.read_text() == "\n".join(STOCK_PACKAGES):
            return
        print("Installing stock django-oscar 4.2.1 into var/bench/oscar-stock/venv ...", flush=True)
        shutil.rmtree(STOCK_VENV, ignore_errors=True)
        STOCK_HOME.mkdir(parents=True, exist_ok=True)
        python = shutil.which("python3.11") or sys.executable
        run([python, "-m", "venv", str(STOCK_VENV)], env=os.environ, what="python -m venv")
        pip = [str(STOCK_VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
        run([*pip, *STOCK_PACKAGES], env=os.environ, what="pip install (stock Oscar)")
        stamp.write_text("\n".join(STOCK_PACKAGES))

    def prepare(self, size: int, source: dict, export) -> dict:
        """Seed and index unless the stock database already holds this source's products; where its
        pages are (written to a file)."""
        self.install()
        wanted = {"products": size, "source": source, "version": SEED_VERSION}
        marker = self.postgres.marker(STOCK_DB) or {}
        found = {**marker, "source": {k: marker.get("source", {}).get(k) for k in source}}
        if {k: found.get(k) for k in wanted} != wanted:
            print(f"Seeding stock Oscar with the same {size:,} products ...", flush=True)
            started = time.perf_counter()
            self.postgres.recreate(STOCK_DB)
            self.admin("migrate", "--noinput", "-v0")
            products = WORK / "stock-products.jsonl"
            exported = export(products)
            self.python(str(HERE / "stock_seed.py"), "seed", str(products), what="stock seed")
            seeded = time.perf_counter() - started
            indexing = time.perf_counter()
            self.admin("rebuild_index", "--noinput", "--workers", "2")  # haystack's own parallel indexing
            marker = {
                **wanted,
                "exported": exported,
                "seed_seconds": round(seeded, 1),
                "index_seconds": round(time.perf_counter() - indexing, 1),
            }
            self.postgres.mark(STOCK_DB, marker)
            products.unlink()
        self.python(str(HERE / "stock_seed.py"), "urls", str(WORK / "stock-urls.json"), what="stock urls")
        return marker

    def start(self, *, workers: int, threads: int) -> str:
        from tests.servers import free_port, wait_for_port  # no Django needed

        port = free_port()
        log = (WORK / "logs" / "stock-oscar.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [
                *(str(STOCK_VENV / "bin" / "gunicorn"), "django.core.wsgi:get_wsgi_application()"),
                *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
                *("--worker-class", "gthread", "--threads", str(threads)),
                *("--keep-alive", "30", "--log-level", "warning"),
            ],
            cwd=HERE,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_for_port(port, process=self.process)
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# ---------------------------------------------------------------------------------------- URL lists


def project_pages(stock_urls: dict | None) -> dict:
    """Per page kind: (project paths, project Host, stock paths or None). Django is set up."""
    from django.conf import settings  # Django is set up by then
    from django.urls import reverse  # the same
    from oscar.core.loading import get_model  # the same

    from catalogue.selectors import product_cards  # the same
    from ground.models import Commune  # the same
    from search.requests import PRICE_RANGES  # the same

    Category = get_model("catalogue", "Category")
    Product = get_model("catalogue", "Product")
    per_page = settings.OSCAR_PRODUCTS_PER_PAGE
    visible = product_cards()
    total = visible.count()
    catalogue = reverse("catalogue:index")
    pages: dict[str, tuple] = {}

    def pair(key, project, stock=None, host=HOST):
        pages[key] = (project, host, stock if stock_urls is not None else None)

    def limit(count: int) -> int:
        return max(1, min(MAX_PAGE, math.ceil(count / per_page), math.ceil(count / STOCK_PER_PAGE)))

    def sorted_pages(base: str, stock_base: str, count: int):
        project, stock = [], []
        for page, (sort, stock_sort) in itertools.product(range(1, limit(count) + 1), SORTS.items()):
            project.append(base + "?" + urlencode({"page": page, **({"sort": sort} if sort else {})}))
            stock.append(
                stock_base + "?" + urlencode({"page": page, **({"sort_by": stock_sort} if sort else {})})
            )
        return project, stock

    pair("catalogue", [catalogue], ["/catalogue/"])
    deep = min(50, limit(total))
    pair("catalogue_deep", [f"{catalogue}?page={deep}"], [f"/catalogue/?page={deep}"])
    pair("catalogue_spread", *sorted_pages(catalogue, "/catalogue/", total))

    stock_categories = (stock_urls or {}).get("categories", {})
    lychee = Category.objects.get(name="Vải thiều")
    pair("category", [lychee.get_absolute_url()], [stock_categories.get(lychee.full_name, {}).get("url")])
    project_spread, stock_spread = [], []
    for category in Category.objects.all():
        count = visible.filter(categories__in=category.get_descendants_and_self()).distinct().count()
        stock_base = stock_categories.get(category.full_name, {}).get("url")
        if count and (stock_base or stock_urls is None):
            project, stock = sorted_pages(category.get_absolute_url(), stock_base or "", count)
            project_spread += project
            stock_spread += stock
    pair("category_spread", project_spread, stock_spread)

    leaves = list(Category.objects.filter(numchild=0).values_list("pk", flat=True))
    communes = list(Commune.objects.values_list("code", flat=True))
    facets = [
        "/search/?" + urlencode({"category": category, "commune": commune, "price": price})
        for category, commune, price in itertools.product(leaves, communes, PRICE_RANGES)
    ]
    # Stock Oscar's facets do not work on its Elasticsearch 7 backend (its price ranges count 0 and filter
    # to 0 products): no stock figure for this row.
    pair("facets", facets, None)

    products = list(visible.order_by("pk").values_list("pk", "upc", "slug"))
    step = max(1, len(products) // PRODUCT_URLS)
    chosen = products[::step][:PRODUCT_URLS]
    stock_products = (stock_urls or {}).get("products", {})
    lychee_product = Product.objects.get(upc="LNX-VAI")
    pair("product", [lychee_product.get_absolute_url()], [stock_products.get("LNX-VAI")])
    pages["product_spread"] = (
        [reverse("catalogue:detail", kwargs={"product_slug": slug, "pk": pk}) for pk, _, slug in chosen],
        HOST,
        [stock_products[upc] for _, upc, _ in chosen if upc in stock_products]
        if stock_urls is not None
        else None,
    )

    # Stock Oscar's index does not fold accents: "vai thieu" finds nothing there, so it is asked for
    # what it can find, "vải thiều" (and only the accented texts when spread).
    texts = search_texts()
    search = ["/search/?" + urlencode({"q": text}) for text in texts]
    accented = ["/search/?" + urlencode({"q": text}) for text in texts if text != fold(text)]
    pair("search", ["/search/?q=vai+thieu"], ["/search/?" + urlencode({"q": "vải thiều"})])
    pair("search_spread", search, accented)
    pair("search_db", ["/search/?q=vai+thieu"], None)
    pair("search_db_spread", search, None)
    pair("home_commune", ["/"], None, host=COMMUNE_HOST)
    pair("home", ["/"], None)
    return {"pages": pages, "visible": total}


def search_texts() -> list[str]:
    """~2,000 distinct things buyers type: names, names with a place or a quality, with and without
    the accents, and bench/search.py's queries."""
    words = bench_words()
    texts = list(words.TEXT_QUERIES)
    qualities = [q for q in words.QUALITIES if q]
    for name in words.PRODUCTS:
        texts.append(name)
        texts += [f"{name} {place}" for place in words.PLACES]
        texts += [f"{name} {quality}" for quality in qualities]
        texts += [f"{name} {quality} {place}" for quality in qualities[:3] for place in words.PLACES]
    texts += words.PLACES
    texts += [fold(text) for text in texts]
    return list(dict.fromkeys(texts))


# ---------------------------------------------------------------------------------------- load


def wrk(base: str, paths: list[str], *, host: str, name: str, args) -> dict:
    if not paths:
        return {"error": "no URLs to load"}
    listing = WORK / "paths" / f"{name}.txt"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text("\n".join(paths) + "\n")
    threads = min(2, args.connections)
    command = [
        *("wrk", f"-t{threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s"),
        *("-s", str(HERE / "pages.lua"), base, "--", str(listing), host),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 120)  # noqa: S603
    found = re.search(r"^RESULT (\{.*\})$", done.stdout, re.M)
    if not found:
        return {"error": (done.stdout + done.stderr)[-500:]}
    result = json.loads(found.group(1))
    result["non2xx"] = result["redirects"] + result["client_errors"] + result["server_errors"]
    result["urls"] = len(paths)
    return result


def check(base: str, paths: list[str], host: str, count: int) -> list[str]:
    """Fetch an even sample of ``paths`` (all if count is 0): the ones that do not answer 200."""
    session = requests.Session()
    session.headers.update({"Host": host, "X-Forwarded-Proto": "https", "Accept-Language": "vi"})
    step = max(1, len(paths) // count) if count else 1
    bad = []
    for path in paths[::step]:
        try:
            status = session.get(base + path, timeout=60, allow_redirects=False).status_code
        except requests.RequestException as error:
            status = type(error).__name__
        if status != 200:
            bad.append(f"{path} -> {status}")
    return bad


def listed(pages: dict, bases: dict, stock_base: str | None, notes: list[str]) -> None:
    """How many products each side's list and search pages show (a page of none would be fast)."""
    for key in LIST_PAGES:
        project, host, stock = pages[key]
        base = bases["database"] if key.startswith("search_db") else bases["engine"]
        headers = {"Host": host, "X-Forwarded-Proto": "https", "Accept-Language": "vi"}
        html = requests.get(base + project[0], headers=headers, timeout=60).text
        shown = len(set(re.findall(r'href="/shop/catalogue/[^"/]+_\d+/"', html)))
        line = f"{key}: the project lists {shown} products"
        if stock and stock_base:
            html = requests.get(stock_base + stock[0], headers=headers, timeout=60).text
            stock_shown = len(set(re.findall(r'href="/catalogue/[^"/]+_\d+/"', html)))
            line += f", stock Oscar {stock_shown}"
        notes.append(line)


# ---------------------------------------------------------------------------------------- measuring


def measure(plan: dict, args) -> dict:
    """Runs in a child process with the size's environment: queries, the load, first requests."""
    import django  # the environment names the size's database

    django.setup()
    from django.db import connection  # set up above

    from tests.servers import production_server  # the project's production launcher

    size = plan["size"]
    stock_base = plan.get("stock_base")
    stock_urls = json.loads(Path(plan["stock_urls"]).read_text()) if stock_base else None
    built = project_pages(stock_urls)
    pages = built["pages"]
    result = {"size": size, "visible": built["visible"], "rows": [], "notes": [], "stock": bool(stock_base)}
    result["load"] = os.getloadavg()[0]  # other work on the machine skews everything below
    result["code"] = code_version()
    for key, (project, _, stock) in pages.items():
        if not project or (
            stock_base
            and key != "facets"
            and not key.startswith(("search_db", "home"))
            and (not stock or None in stock)
        ):
            result["notes"].append(f"{key}: no URL on {'the project' if not project else 'stock Oscar'}")
    print(f"  counting queries ({size:,} products) ...", flush=True)
    result["queries"] = count_queries(pages)
    connection.close()

    flush_redis(ENGINE_CACHE_DB)
    flush_redis(DATABASE_CACHE_DB)
    logs = WORK / "logs"
    server = {"workers": args.workers, "threads": args.threads}
    database_env = {**_served_env(), "SEARCH_URL": "", "CACHE_URL": f"{REDIS_URL}/{DATABASE_CACHE_DB}"}
    with (
        production_server(
            **server, extra_env=_served_env(), log=logs / f"project-{size}.log", collect=False
        ) as engine,
        production_server(
            **server, extra_env=database_env, log=logs / f"project-{size}-postgres.log", collect=False
        ) as database,
    ):
        bases = {"engine": engine, "database": database}
        home = requests.get(
            engine + "/", headers={"Host": COMMUNE_HOST, "X-Forwarded-Proto": "https"}, timeout=60
        )
        if "Lục Ngạn" not in home.text.split("</title>")[0]:
            result["notes"].append(
                f"{COMMUNE_HOST}/ does not look like the Lục Ngạn storefront ({home.status_code})"
            )
        print("  checking the URL lists on both sides ...", flush=True)
        for key, (project, host, stock) in pages.items():
            base = database if key.startswith("search_db") else engine
            spread = len(project) > 1
            for bad in check(base, project, host, CHECKED_PER_LIST if spread else 0)[:5]:
                result["notes"].append(f"{key}, project: {bad}")
            if stock:
                for bad in check(stock_base, stock, HOST, CHECKED_PER_LIST if spread else 0)[:5]:
                    result["notes"].append(f"{key}, stock: {bad}")
        listed(pages, bases, stock_base, result["notes"])
        for key, label, one, spread in KINDS:
            for mode, wanted in (("one URL", one), ("spread", spread)):
                if not wanted:
                    continue
                name = (
                    key
                    if mode == "one URL" or key.endswith("_spread") or key == "facets"
                    else f"{key}_spread"
                )
                project, host, stock = pages[name]
                base = bases["database"] if key.startswith("search_db") else bases["engine"]
                print(f"  {label} ({mode}) ...", flush=True)
                row = {"key": key, "label": label, "mode": mode}
                if mode == "one URL":  # repeated pages: the steady state, not the first requests
                    check(base, project * 3, host, 0)
                    if stock and stock_base:
                        check(stock_base, stock * 3, HOST, 0)
                row["project"] = wrk(base, project, host=host, name=f"{size}-{name}-project", args=args)
                if stock and stock_base:
                    row["stock"] = wrk(stock_base, stock, host=HOST, name=f"{size}-{name}-stock", args=args)
                result["rows"].append(row)
        print("  first requests after a change ...", flush=True)
        result["uncached"] = first_requests(pages, bases)
    return result


def _served_env() -> dict:
    return {
        k: os.environ[k] for k in ("ALLOWED_HOSTS", "CACHE_URL", "SEARCH_URL", "SEARCH_INDEX", "STATIC_ROOT")
    }


@contextlib.contextmanager
def backend(kind: str):
    """The bench process as the server serving ``kind`` is: the PostgreSQL search server has no engine
    and its own cache."""
    from django.conf import settings  # Django is set up by then
    from django.test import override_settings  # the same

    if kind.startswith("search_db"):
        engine_db, database_db = f"{REDIS_URL}/{ENGINE_CACHE_DB}", f"{REDIS_URL}/{DATABASE_CACHE_DB}"
        caches = {  # every cache of the settings (default, pages, ...) on that server's Redis database
            name: {**config, "LOCATION": str(config.get("LOCATION", "")).replace(engine_db, database_db)}
            for name, config in settings.CACHES.items()
        }
        with override_settings(SEARCH_URL="", CACHES=caches):
            yield
    else:
        yield


class Change:
    """A stock record's price saved through the ORM, as a seller's edit is: the project's signals fire."""

    def __init__(self):
        from oscar.core.loading import get_model  # Django is set up by then

        self.record = get_model("partner", "StockRecord").objects.get(partner_sku="LNX-VAI")
        self.original = self.record.price
        self.turn = 0

    def __call__(self) -> None:
        self.turn += 1
        self.record.price = self.original + 1000 * (self.turn % 2 + 1)
        self.record.save()

    def undo(self) -> None:
        self.record.price = self.original
        self.record.save()


def count_queries(pages: dict) -> dict:
    """SQL queries of one request of each kind, in this process (production settings, the test client,
    a fresh client each time: no cookies), right after a change and again."""
    from django.db import connection  # Django is set up by then
    from django.test import Client  # the same
    from django.test.utils import CaptureQueriesContext  # the same

    change = Change()
    counts = {}
    try:
        for key, _, one, _ in KINDS:
            if not one:
                continue
            path, host = pages[key][0][0], pages[key][1]
            with backend(key):
                change()
                numbers = []
                for _ in range(2):
                    with CaptureQueriesContext(connection) as queries:
                        status = Client().get(path, secure=True, headers={"host": host}).status_code
                    numbers.append(len(queries))
            counts[key] = {"first": numbers[0], "repeat": numbers[1], "status": status}
    finally:
        change.undo()
    return counts


def first_requests(pages: dict, bases: dict) -> dict:
    """Server time (loopback round trip) of each list page's first request after a change, and of the
    request after it, CHANGES times."""
    change = Change()
    sessions = {}
    times: dict[str, dict[str, list[float]]] = {key: {"first": [], "repeat": []} for key in LIST_PAGES}
    try:
        for _ in range(CHANGES):
            for key in LIST_PAGES:
                path, host = pages[key][0][0], pages[key][1]
                base = bases["database"] if key.startswith("search_db") else bases["engine"]
                session = sessions.setdefault(key, requests.Session())
                session.headers.update({"Host": host, "X-Forwarded-Proto": "https", "Accept-Language": "vi"})
                with backend(key):
                    change()
                for which in ("first", "repeat"):
                    started = time.perf_counter()
                    response = session.get(base + path, timeout=60, allow_redirects=False)
                    times[key][which].append((time.perf_counter() - started) * 1000)
                    session.cookies.clear()  # every request a first visit, as wrk's are
                    if response.status_code != 200:
                        times[key].setdefault("statuses", []).append(response.status_code)
    finally:
        change.undo()
    return {
        key: {
            "first": statistics.median(values["first"]),
            "repeat": statistics.median(values["repeat"]),
            "statuses": values.get("statuses", []),
        }
        for key, values in times.items()
    }


# ---------------------------------------------------------------------------------------- report


def failures(side: dict) -> int:
    """Responses that were not 2xx, and requests without one (socket errors, 10 s timeouts)."""
    return side.get("non2xx", 0) + side.get("socket_errors", 0) + side.get("timeouts", 0)


def share_stock_search(result: dict) -> None:
    """Stock Oscar has one search: the PostgreSQL rows are compared with its figure of the engine rows."""
    rows = {(row["key"], row["mode"]): row for row in result["rows"]}
    for mode, engine_key, database_key in (
        ("one URL", "search", "search_db"),
        ("spread", "search_spread", "search_db_spread"),
    ):
        engine, database = rows.get((engine_key, mode)), rows.get((database_key, mode))
        if engine and database and engine.get("stock"):
            database["stock"] = engine["stock"]
            database["stock_from"] = engine_key


def ratio(row: dict) -> float | None:
    project, stock = row.get("project", {}), row.get("stock")
    if not stock or not stock.get("rps") or "rps" not in project:
        return None
    return project["rps"] / stock["rps"]


def print_table(result: dict, args) -> None:
    size = result["size"]
    print(f"\n{size:,} generated products ({result['visible']:,} on sale with the demo's), {result['seed']}")
    header = (
        f"{'page':<33} {'mode':<8} {'urls':>5} {'proj req/s':>10} {'stock req/s':>11} {'ratio':>6} "
        f"{'project p50/p95/p99 ms':>23} {'stock p50/p99 ms':>17} {'non-2xx p/s':>11}"
    )
    print(header)
    print("-" * len(header))
    for row in result["rows"]:
        project, stock = row["project"], row.get("stock")
        if "error" in project:
            print(f"{row['label']:<33} {row['mode']:<8} wrk failed: {project['error']!r}")
            continue
        shown_ratio = ratio(row)
        stock_rps = f"{stock['rps']:.1f}" if stock and "rps" in stock else "—"
        stock_ms = f"{stock['p50']:.0f} / {stock['p99']:.0f}" if stock and "p50" in stock else "—"
        bad = str(failures(project))
        bad += f"/{failures(stock)}" if stock and "rps" in stock and not row.get("stock_from") else "/—"
        shown_ratio = f"{shown_ratio:.1f}×" if shown_ratio else "—"
        latency = f"{project['p50']:.0f} / {project['p95']:.0f} / {project['p99']:.0f}"
        print(
            f"{row['label']:<33} {row['mode']:<8} {project['urls']:>5} {project['rps']:>10.1f} {stock_rps:>11} "
            f"{shown_ratio:>6} {latency:>23} {stock_ms:>17} {bad:>11}"
        )
    print("\nSQL queries (first request after a change / repeat), counted in the bench process:")
    print(
        "  "
        + ", ".join(
            f"{key} {q['first']}/{q['repeat']}" + ("" if q["status"] == 200 else f" (HTTP {q['status']})")
            for key, q in result["queries"].items()
        )
    )
    print("First request after a change, median of 10 (repeat request), ms, loopback round trip:")
    print(
        "  "
        + ", ".join(
            f"{key} {u['first']:.0f} ({u['repeat']:.0f})"
            + (f" HTTP {sorted(set(u['statuses']))}" if u["statuses"] else "")
            for key, u in result["uncached"].items()
        )
    )
    for note in result["notes"]:
        print(f"  note: {note}")
    print(
        f"wrk: {args.connections} connections, 2 threads, {args.duration} s a row, project then stock; servers: "
        f"gunicorn {args.workers} workers × {args.threads} threads each, all on the same {os.cpu_count()} cores. "
        "non-2xx p/s: responses that were not 2xx plus socket errors and timeouts, project/stock. "
        f"Load average when the measuring began: {result['load']:.1f}. Code: {result.get('code', '?')}."
    )


def print_targets(result: dict) -> None:
    print(f"\nTargets at {result['size']:,} products (issue #14)")
    rows = {(row["key"], row["mode"]): row for row in result["rows"]}

    def row_of(key, mode):
        return rows.get((key, mode)) or rows.get((f"{key}_spread", mode))

    def clean(row) -> int:
        return failures(row["project"])

    def target(name: str, checks: list[tuple[str, bool]]) -> None:
        met = all(ok for _, ok in checks)
        status = "met" if met else "NOT MET"
        if [text for text, _ in checks] == ["no stock Oscar at this size"]:
            status = "n/a"
        print(f"  {name:<58} {status:<8} ({'; '.join(text for text, _ in checks)})")

    def ratio_check(key, mode, times, *, p99=None, p95=None):
        row = row_of(key, mode)
        if row is None or "rps" not in row["project"]:
            return [(f"{key} {mode}: not measured", False)]
        found = ratio(row)
        if not result["stock"]:  # a size measured without stock Oscar: only what is absolute
            checks = [("no stock Oscar at this size", True)]
        else:
            checks = [
                (
                    f"{key} {mode} {found:.1f}×" if found else f"{key} {mode}: no stock figure",
                    bool(found and found >= times),
                )
            ]
        if p99 is not None:
            checks.append((f"p99 {row['project']['p99']:.0f} ms", row["project"]["p99"] <= p99))
        if p95 is not None:
            checks.append((f"p95 {row['project']['p95']:.0f} ms", row["project"]["p95"] <= p95))
        if clean(row):
            checks.append((f"{clean(row)} non-2xx/errors", False))
        return checks

    for key, label in (
        ("catalogue", "catalogue"),
        ("catalogue_deep", "catalogue page 50"),
        ("category", "category"),
    ):
        target(f"{label}: >= 10x stock, p99 <= 150 ms (one URL)", ratio_check(key, "one URL", 10, p99=150))
    for key, label in (("catalogue_spread", "catalogue"), ("category_spread", "categories")):
        target(f"{label}: >= 4x stock, p99 <= 150 ms (spread)", ratio_check(key, "spread", 4, p99=150))
    facets = row_of("facets", "spread")
    if facets and "rps" in facets["project"]:
        checks = [
            (f"p99 {facets['project']['p99']:.0f} ms; no stock figure", facets["project"]["p99"] <= 150)
        ]
        target(
            "facet combinations: p99 <= 150 ms (spread)",
            checks + ([(f"{clean(facets)} non-2xx/errors", False)] if clean(facets) else []),
        )
    for mode in ("one URL", "spread"):
        target(f"search on the engine: >= 5x stock ({mode})", ratio_check("search", mode, 5))
        target(
            f"search on PostgreSQL: >= 2x stock, p95 <= 100 ms ({mode})",
            ratio_check("search_db", mode, 2, p95=100),
        )
        target(f"product page: >= 3x stock, p99 <= 50 ms ({mode})", ratio_check("product", mode, 3, p99=50))
    for key, label in (("home_commune", "commune home"), ("home", "platform home")):
        row = row_of(key, "one URL")
        if row and "rps" in row["project"]:
            target(
                f"{label}: >= 200 req/s",
                [(f"{row['project']['rps']:.0f} req/s", row["project"]["rps"] >= 200)]
                + ([(f"{clean(row)} non-2xx/errors", False)] if clean(row) else []),
            )
    uncached = result.get("uncached", {})
    target(
        "first request after a change of every list page: <= 60 ms",
        [
            (f"{key} {u['first']:.0f} ms", u["first"] <= 60 and not u["statuses"])
            for key, u in uncached.items()
        ],
    )


# ---------------------------------------------------------------------------------------- main


def child(args) -> None:
    plan = json.loads(Path(args.child).read_text())
    if plan["step"] == "seed":
        output = seed_project(plan["size"], os.environ.copy())
    elif plan["step"] == "export":
        import django  # the environment names the size's database

        django.setup()
        output = {"exported": export_for_stock(Path(plan["path"]))}
    else:
        output = measure(plan, args)
    Path(plan["out"]).write_text(json.dumps(output, ensure_ascii=False))


def run_child(step: str, size: int, env: dict, args, **plan) -> dict:
    path = WORK / f"plan-{step}-{size}.json"
    out = WORK / f"result-{step}-{size}.json"
    out.unlink(missing_ok=True)
    path.write_text(json.dumps({"step": step, "size": size, "out": str(out), **plan}))
    forwarded = [
        *("--duration", str(args.duration), "--connections", str(args.connections)),
        *("--workers", str(args.workers), "--threads", str(args.threads)),
    ]
    done = subprocess.run([sys.executable, __file__, "--child", str(path), *forwarded], env=env, cwd=ROOT)  # noqa: S603
    if done.returncode or not out.exists():
        sys.exit(f"The {step} step at {size:,} products failed (exit {done.returncode}).")
    return json.loads(out.read_text())


def code_version() -> str:
    """The commit, and how many files the work tree changes on top of it (measured as they were)."""
    git = shutil.which("git") or "git"
    commit = subprocess.run([git, "log", "-1", "--oneline"], cwd=ROOT, capture_output=True, text=True).stdout
    changed = subprocess.run([git, "status", "--short"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = [line for line in changed.splitlines() if line.strip()]
    return commit.strip()[:100] + (f" + {len(dirty)} uncommitted paths" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000, help="the size compared with stock Oscar")
    parser.add_argument(
        "--sizes", default="", help="comma-separated sizes for the project (default: --products)"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per row and side")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes per server")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gunicorn process (serve's default)"
    )
    parser.add_argument("--skip-stock", action="store_true", help="measure the project alone")
    parser.add_argument("--reseed", action="store_true", help="seed again even where a marker says seeded")
    parser.add_argument(
        "--max-seed-minutes", type=float, default=45, help="skip a size whose seeding would take longer"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `apt-get install wrk` (or run `make bench`).")
    from tests.servers import collect_static  # no Django needed

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] or [args.products]
    began = time.perf_counter()
    for directory in ("logs", "paths"):
        (WORK / directory).mkdir(parents=True, exist_ok=True)
    print("Starting the shared Redis and OpenSearch and the embedded PostgreSQL (if needed) ...", flush=True)
    start_shared_services()
    postgres = Postgres()
    stock = None
    compare = not args.skip_stock and args.products in sizes
    results, rate = [], None  # rate: products seeded per second, for the estimate of a larger size
    try:
        for size in sorted(sizes):
            env = project_env(postgres, size)
            database = project_database(size)
            marker = postgres.marker(database) or {}
            if args.reseed or marker.get("products") != size or marker.get("version") != SEED_VERSION:
                if rate and size / rate > args.max_seed_minutes * 60:
                    print(
                        f"Skipping {size:,} products: seeding would take about {size / rate / 60:.0f} min "
                        f"(measured {rate:,.0f} products/s), over --max-seed-minutes {args.max_seed_minutes:g}."
                    )
                    continue
                print(f"Seeding {size:,} products into {database} and indexing them ...", flush=True)
                postgres.recreate(database)
                seeded = run_child("seed", size, env, args)
                marker = {**seeded, "products": size, "version": SEED_VERSION}
                postgres.mark(database, marker)
            else:
                manage("migrate", "--noinput", "-v0", env=env)  # the code may have moved on since the seeding
            rate = size / max(1.0, marker.get("seed_seconds", 0))
            plan = {}
            if compare and size == args.products:
                stock = StockOscar(postgres)
                stock_marker = stock.prepare(
                    size,
                    source={k: marker.get(k) for k in ("products", "version")},  # the same generated products
                    export=lambda path, env=env, size=size: run_child(
                        "export", size, env, args, path=str(path)
                    )["exported"],
                )
                plan = {
                    "stock_base": stock.start(workers=args.workers, threads=args.threads),
                    "stock_urls": str(WORK / "stock-urls.json"),
                }
            print(f"Measuring at {size:,} products ...", flush=True)
            collect_static(env)  # before the measuring process reads the manifest of hashed names
            result = run_child("measure", size, env, args, **plan)
            result["seed"] = (
                f"seeded in {marker.get('seed_seconds', '?')} s (bulk {marker.get('bulk_seconds', '?')} s, "
                f"index {marker.get('index_seconds', '?')} s)"
            )
            if plan:
                result["seed"] += (
                    f"; stock Oscar seeded in {stock_marker.get('seed_seconds', '?')} s, "
                    f"rebuild_index {stock_marker.get('index_seconds', '?')} s"
                )
                stock.stop()
            share_stock_search(result)
            results.append(result)
            print_table(result, args)
    finally:
        if stock is not None:
            stock.stop()
    for result in results:
        print_targets(result)
    print(f"\nWhole run: {time.perf_counter() - began:.0f} s. Code measured: {code_version()}.")


if __name__ == "__main__":
    main()
