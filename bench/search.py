"""Search at scale: N generated products across 50 communes, bulk-indexed, then a fixed mix of queries,
for the engine (OpenSearch, or SEARCH_URL) and the database backend side by side.

    .venv/bin/python bench/search.py [--products 100000] [--queries 300]

Needs the OpenSearch node (`services/opensearch/opensearch.sh start`; `make bench` starts it). The
engine gets its own index alias, dropped at the end; the database backend's rows are written inside a
transaction that is rolled back, so the demo's search is untouched. Latency is measured where the
page pays it: building the query with the DSL, the engine's answer, and reading it back.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")

PRODUCTS = [
    "Vải thiều",
    "Bưởi da xanh",
    "Bưởi Diễn",
    "Cam sành",
    "Cam Vinh",
    "Nhãn lồng",
    "Ổi lê",
    "Chè búp",
    "Trà shan tuyết",
    "Mật ong hoa vải",
    "Gạo ST25",
    "Xoài cát Hòa Lộc",
    "Na dai",
    "Hạt điều rang muối",
    "Miến dong",
    "Măng khô",
    "Nấm hương",
    "Tương bần",
]
QUALITIES = ["loại 1", "sấy khô", "hữu cơ", "đặc sản", "túi 1 kg", "hộp quà", "", "", ""]
PLACES = ["Lục Ngạn", "Tân Cương", "Xuân Lộc", "Hưng Yên", "Cao Phong", "Phúc Hòa", "Đồng Tháp", "Bảo Lộc"]
PEOPLE = ["ông Thành", "bà Lan", "anh Minh", "chị Hoa", "cô Mai", "chú Tư", "anh Dũng", "chị Hương"]
TEXT_QUERIES = [
    "vai thieu",
    "vải thiều lục ngạn",
    "buoi da xanh",
    "cam sanh",
    "mat ong",
    "che tan cuong",
    "nhan long hung yen",
    "gao st25",
    "xoai cat",
    "lychee",
    "pomelo",
    "tea",
    "vai thieuu",
    "hat dieu",
]
PREFIXES = ["va", "vai t", "buo", "cam s", "mat o", "ch", "nhan l", "htx", "vuon", "xoai c", "gao s", "tra"]


def generate(count: int, communes: int, seed: int = 2026):
    """Documents shaped exactly as search.documents builds them from the catalogue."""
    rng = random.Random(seed)
    places = [
        {
            "code": str(50_000 + n),
            "name": f"Xã {PLACES[n % len(PLACES)]} {n}",
            "province": str(10 + n % 12),
            "province_name": f"Tỉnh {n % 12}",
            "lat": 10 + rng.random() * 12,
            "lon": 104 + rng.random() * 4,
        }
        for n in range(communes)
    ]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(count):
        place = places[n % communes]
        name = rng.choice(PRODUCTS)
        title = " ".join(filter(None, [name, rng.choice(QUALITIES), rng.choice(PLACES)]))
        stall = (
            f"Vườn {name.split()[0].lower()} nhà {rng.choice(PEOPLE)}" if n % 3 else f"HTX {place['name']}"
        )
        category = PRODUCTS.index(name) % 9 + 1
        yield {
            "id": 10_000_000 + n,
            "title": title,
            "description": f"{title}: trồng tại {place['name']}, thu hoạch đúng vụ, đóng gói tại vườn.",
            "categories": [f"Nhóm {category}", "Nông sản"],
            "category_ids": [str(category), "100"],
            "stalls": [stall],
            "stall_ids": [str(n // 20)],
            "communes": [place["code"]],
            "commune_names": [place["name"]],
            "provinces": [place["province"]],
            "province_names": [place["province_name"]],
            "ocop_stars": rng.choice([None, None, 3, 3, 4, 5]),
            "certifications": rng.sample(["ocop", "vietgap", "globalgap", "organic"], rng.randint(0, 2)),
            "price": rng.randrange(20, 800) * 1000,
            "in_stock": rng.random() > 0.1,
            "season_months": sorted(rng.sample(range(1, 13), 3)),
            "rating": round(rng.uniform(3, 5), 1) if n % 2 else None,
            "rating_count": rng.randint(1, 40) if n % 2 else 0,  # buyers' reviews (#17)
            "popularity": rng.randint(0, 500),
            "is_featured": rng.random() > 0.98,
            "created": (start + timedelta(minutes=n)).isoformat(),
            "location": {"lat": place["lat"], "lon": place["lon"]},
        }


def run_queries(backend, rng: random.Random, count: int, communes: int) -> dict[str, list[float]]:
    from search.requests import SearchRequest

    timings = {"text + facets": [], "suggest": [], "deep page": []}
    for _ in range(count):
        filters = {}
        roll = rng.random()
        if roll < 0.3:
            filters["province"] = [str(10 + rng.randrange(12))]
        elif roll < 0.5:
            filters["stars"] = [rng.choice(["3", "4", "5"])]
        elif roll < 0.6:
            filters["price"] = ["100000-200000"]
        request = SearchRequest(text=rng.choice(TEXT_QUERIES), filters=filters)
        started = time.perf_counter()
        backend.search(request)
        timings["text + facets"].append((time.perf_counter() - started) * 1000)

        prefix = rng.choice(PREFIXES)
        started = time.perf_counter()
        backend.suggest(prefix, communes=None if rng.random() < 0.5 else [50_000 + rng.randrange(communes)])
        timings["suggest"].append((time.perf_counter() - started) * 1000)

        deep = SearchRequest(text=rng.choice(TEXT_QUERIES[:6]), page=rng.randint(30, 42))
        started = time.perf_counter()
        backend.search(deep)
        timings["deep page"].append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--communes", type=int, default=50)
    parser.add_argument("--queries", type=int, default=300, help="of each kind, per backend")
    parser.add_argument("--only", choices=["engine", "database"], help="measure one backend only")
    parser.add_argument("--engine-url", default=os.environ.get("SEARCH_URL") or "http://127.0.0.1:9250")
    args = parser.parse_args()

    import django

    django.setup()
    rows = []
    if args.only != "database":
        rows.append(bench_engine(args))
    if args.only != "engine":
        rows.append(bench_database(args))
    print_table(rows, args)


def bench_engine(args):
    from search.engine_search import EngineBackend
    from search.engines import EngineError, engine_for

    try:
        engine = engine_for(args.engine_url)
        engine.health()
    except EngineError as error:
        sys.exit(f"No search engine at {args.engine_url} (services/opensearch/opensearch.sh start): {error}")

    backend = EngineBackend(engine, "bench-products")
    backend.drop()
    started = time.perf_counter()
    backend.rebuild(generate(args.products, args.communes))
    indexing = args.products / (time.perf_counter() - started)
    try:
        run_queries(backend, random.Random(1), 20, args.communes)  # warm-up
        return engine.kind, indexing, run_queries(backend, random.Random(7), args.queries, args.communes)
    finally:
        backend.drop()


def bench_database(args):
    from django.db import connection, transaction

    from search.database_search import DatabaseBackend
    from search.models import ProductEntry

    database = DatabaseBackend()
    with transaction.atomic():
        started = time.perf_counter()
        database.rebuild(generate(args.products, args.communes))
        indexing = args.products / (time.perf_counter() - started)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ProductEntry._meta.db_table}")
        run_queries(database, random.Random(1), 20, args.communes)
        timings = run_queries(database, random.Random(7), args.queries, args.communes)
        transaction.set_rollback(True)  # the demo's own entries come back
    return "database", indexing, timings


def print_table(rows, args) -> None:
    print(f"{'backend':<12} {'index /s':>9}  {'query kind':<14} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, rate, timings in rows:
        shown = f"{rate:,.0f}"
        for kind, values in timings.items():
            print(
                f"{name:<12} {shown:>9}  {kind:<14} {statistics.median(values):>7.1f} "
                f"{percentile(values, 0.95):>7.1f} {percentile(values, 0.99):>7.1f}"
            )
            name, shown = "", ""
    print(
        f"\n{args.products:,} products across {args.communes} communes; {args.queries} queries of each kind per "
        f"backend, one at a time, measured in the calling process (query built with the DSL, engine on "
        f"loopback). Deep pages are pages 30-42 of 24 (the deepest allowed is {1000 // 24 + 1})."
    )


if __name__ == "__main__":
    main()
