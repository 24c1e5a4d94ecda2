"""The dashboard /bao-cao/ (issue #18) with a year of activity for a province of 100 communes: server time
and SQL queries per panel, the whole page as production serves it, its exports, and Oscar's own
dashboard on the same data.

    .venv/bin/python bench/reports.py [--communes 100] [--days 365] [--reseed]

Data. Its own PostgreSQL database (ocop_bench_reports, on the project's embedded server under var/pgdata):
``migrate``, the demo (``seed_demo --no-images``: its three communes, stalls, orders and stamps), then,
in bulk (INSERT … SELECT over generate_series, never the ORM row by row), a province (Phú Thọ, named from
the national registry) of ``--communes`` communes with coordinates in northern Vietnam (three without),
20 stalls each (mostly verified, some suspended, submitted, draft or rejected; an Oscar Partner each),
50 products a stall (one stock record each, OCOP stars for ~15 %), ~150,000 orders over ``--days`` days
(weekly rhythm, the lychee and Tết peaks, growth; one stall an order, 1-3 lines, a checkout and an
OrderPayment each: ~60 % cash on delivery, 30 % VietQR, 10 % card; confirmed, shipped and delivered
shipping events, ~5 % cancelled), reviews and satisfaction answers (~20,000 each), ~500 complaints,
~1,500 helpers' consents, ~20,000 audit entries, ~2,000 harvest lots (~50 recalled), ~2,500 stamp runs
of 200 stamps (most activated), ~1,000,000 scans (a few hundred stamps scanned from many networks and
regions: "looks copied"); then ``VACUUM ANALYZE``. A marker (the database's comment) keeps a seeded
database for the next run (``migrate`` brings it up to the code; seeded more than two days ago, "this
month" would be thin: it is seeded again); ``--reseed`` forces a new one. The seeding time is printed.
Then the nightly rollup (marketplace/reports/rollup.py, when the code has one) adds up every day before
today, timed: the reports then read it, and today live, as in production after the nightly job.

Measured, in the bench process with the production settings (DEBUG off): each panel function of
marketplace/reports/figures.PANELS (median and max of 7 runs after a warm-up, and its SQL queries, with
its slowest query) for one commune this month, the province this month, the province over the whole
period, and the whole platform this month; a panel that still raises NotImplementedError is "not built".
Then the page: in the bench process (Django's test client: the server's own work, no network) and as
production serves it (tests/servers.py ``production_server``: gunicorn, production settings), logged in
as a province staff member (a session made in the bench), 20 requests each for this month and the whole
period (median and p95 of the whole response, on loopback); the XLSX and PDF exports once each; and
Oscar's dashboard home (/shop/dashboard/, as a superuser), the page a platform admin would otherwise open
for figures, on the same data. A row stops repeating after 60 s (at least 3 runs; the tables say how
many ran). The slowest query of each panel over 300 ms is printed, its plan (EXPLAIN ANALYZE, BUFFERS)
written to var/bench/reports/explain-*.txt. Last, the issue's target: the page ≤ 300 ms server time with a
year of data for 100 communes. Logs: var/bench/reports/.
"""

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK = ROOT / "var" / "bench" / "reports"
DATABASE = "ocop_bench_reports"
SEED_VERSION = 1  # bump when the generated data changes: a seeded database is then made again
HOST = "cho-ocop.test"  # tests/servers.py HOST
TARGET_MS = 300  # the target: the page's server time with a year of data for 100 communes
RUNS, PAGE_REQUESTS = 7, 20
# A row stops repeating once it has used this many seconds (at least MIN_RUNS times): a slow panel or
# page on a loaded machine would otherwise hold the bench for an hour. The tables say how many ran.
BUDGET_SECONDS, MIN_RUNS = 60, 3

# The generated province: Phú Thọ, in the north (the demo's communes are in Bắc Ninh and Đồng Nai).
PROVINCE_CODE = 25
LATITUDES, LONGITUDES = (20.9, 21.9), (104.8, 105.6)
UNPLACED = 3  # communes without coordinates (the map lists them, cannot draw them)
STALLS_PER_COMMUNE = 20
PRODUCTS_PER_STALL = 50
ORDERS = 150_000
REVIEWS = SATISFACTION = 20_000
COMPLAINTS = 500
CONSENTS = 1_500
AUDIT_ENTRIES = 20_000
LOTS, RECALLED_LOTS = 2_000, 50
RUNS_OF_STAMPS, STAMPS_PER_RUN = 2_500, 200
SCANS = 1_000_000
COPIED_STAMPS, SCANS_PER_COPIED = 300, 150
HELPERS_PER_COMMUNE = 2

STALL_WORDS = ["vải", "bưởi", "cam", "nhãn", "chè", "mật ong", "gạo", "miến", "măng", "nấm", "na", "ổi"]
PEOPLE = ["ông Thành", "bà Lan", "anh Hùng", "chị Mai", "ông Bảy", "bà Hoa", "anh Dũng", "chị Hằng"]
PRODUCT_WORDS = [
    "Vải thiều",
    "Bưởi Đoan Hùng",
    "Cam Cao Phong",
    "Nhãn lồng",
    "Chè búp Long Cốc",
    "Mật ong hoa rừng",
    "Gạo nếp cái hoa vàng",
    "Miến dong",
    "Măng khô",
    "Nấm hương",
    "Na dai",
    "Ổi lê",
    "Thịt chua Thanh Sơn",
    "Bánh tai",
]
REGIONS = ["VN-68", "VN-HN", "VN-SG", "VN-13", "VN-56", "VN-54", "VN-DN", "VN-HP", "VN-71", "VN-69"]
AUDIT_ACTIONS = [
    "product_created",
    "product_updated",
    "product_updated",
    "order_confirm",
    "order_ship",
    "order_deliver",
    "stall_updated",
    "photo_added",
    "lot_created",
    "stamps_ordered",
    "stamps_activated",
]
COMPLAINT_REASONS = ["damaged", "missing", "not_as_described", "late", "other"]


# ------------------------------------------------------------------------------------------ the database


class Postgres:
    """The project's embedded PostgreSQL server (var/pgdata), started if needed and left running."""

    def __init__(self):
        from marketplace.database import embedded_server  # starts it or finds it running

        self.server = embedded_server()

    def url(self, database: str) -> str:
        return self.server.get_uri(database=database)

    def _admin(self):
        import psycopg  # the project's driver

        return psycopg.connect(self.url("postgres"), autocommit=True)

    def marker(self) -> dict | None:
        """What the bench wrote on its database when it finished seeding it; None: no such database."""
        with self._admin() as connection:
            row = connection.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [DATABASE]
            ).fetchone()
        if row is None:
            return None
        try:
            return json.loads(row[0] or "{}")
        except ValueError:
            return {}

    def recreate(self) -> None:
        from psycopg import sql  # the project's driver

        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
            )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))

    def mark(self, marker: dict) -> None:
        from psycopg import sql  # the project's driver

        with self._admin() as connection:
            connection.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(DATABASE), sql.Literal(json.dumps(marker))
                )
            )


def bench_env(postgres: Postgres) -> dict:
    """Production settings on the bench's database (the bench process and its children)."""
    from tests.servers import SECRET_KEY  # no Django needed to import it

    return {
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": f"{HOST},testserver",
        "DATABASE_URL": postgres.url(DATABASE),
        "CACHE_URL": "",  # no shared cache: every figure is computed
        "SEARCH_URL": "",
        "STATIC_ROOT": str(ROOT / "var" / "servers-static"),
        "MEDIA_ROOT": str(WORK / "media"),
        "PRIVATE_MEDIA_ROOT": str(WORK / "private-media"),
    }


def manage(*args: str) -> None:
    done = subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=os.environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-4000:]}{done.stderr[-4000:]}")


# ------------------------------------------------------------------------------------------ seeding: SQL
# Every statement reads its numbers from parameters; the temporary bench_* tables hold the generated
# rows with ids taken from the real tables' sequences, so the final INSERTs link rows without lookups.

SQL_SEQUENCES = """
    SELECT pg_get_serial_sequence(%(table)s, 'id')
"""

SQL_USERS = """
    INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                           is_active, date_joined)
    SELECT '!', FALSE, %(prefix)s || n, %(first_name)s || ' ' || n, '', '', FALSE, TRUE,
           %(now)s - interval '420 days'
      FROM generate_series(1, %(count)s) n
"""

SQL_BENCH_USERS = """
    CREATE TEMP TABLE bench_user AS
    SELECT id, split_part(username, '-', 2) AS kind, split_part(username, '-', 3)::int AS n
      FROM auth_user WHERE username LIKE 'rb-%%'
"""

SQL_BENCH_STALLS = """
    CREATE TEMP TABLE bench_stall AS
    WITH draw AS (
        SELECT n, random() AS r_status, random() AS r_kind, random() AS r_created
          FROM generate_series(0, %(stalls)s - 1) n
    ), dated AS (
        SELECT d.*, c.id AS commune_id, c.code AS commune_code, o.id AS owner_id,
               CASE WHEN r_status < 0.85 THEN 'verified' WHEN r_status < 0.90 THEN 'suspended'
                    WHEN r_status < 0.95 THEN 'submitted' WHEN r_status < 0.98 THEN 'draft'
                    ELSE 'rejected' END AS status,
               CASE WHEN r_kind < 0.75 THEN 'household' WHEN r_kind < 0.9 THEN 'cooperative'
                    ELSE 'shop' END AS kind,
               -- a quarter opened before the period, the others over it
               %(now)s - (r_created * 1.3 * %(days)s) * interval '1 day' AS created_at
          FROM draw d
          JOIN bench_commune c ON c.rank = d.n / %(per_commune)s
          JOIN bench_user o ON o.kind = 'owner' AND o.n = d.n
    )
    SELECT nextval(%(partner_seq)s) AS partner_id, nextval(%(stall_seq)s) AS stall_id, dated.*,
           CASE WHEN status <> 'draft' THEN created_at + interval '1 day' * (0.2 + random() * 3) END
               AS submitted_at,
           CASE WHEN status IN ('verified', 'suspended')
                THEN created_at + interval '1 day' * (1.5 + random() * 6) END AS verified_at
      FROM dated
"""

SQL_PARTNERS = """
    INSERT INTO partner_partner (id, code, name)
    SELECT partner_id, 'rb-stall-' || n,
           CASE WHEN kind = 'cooperative' THEN 'HTX ' || (%(words)s::text[])[1 + n %% 12] || ' ' || n
                ELSE 'Vườn ' || (%(words)s::text[])[1 + n %% 12] || ' nhà '
                     || (%(people)s::text[])[1 + (n / 12) %% 8] || ' ' || n END
      FROM bench_stall
"""

SQL_STALLS = """
    INSERT INTO sellers_stall (id, kind, slug, village, story, created_at, updated_at, commune_id, partner_id,
                               bank_account_name, bank_account_number, bank_bin, owner_id, phone, show_phone,
                               status, status_reason, submitted_at, verified_at, delivery_fee,
                               free_delivery_from, pickup_point, rating_count)
    SELECT stall_id, kind, 'rb-stall-' || n, 'Thôn ' || (1 + n %% 12), 'Gian hàng của bench.', created_at,
           LEAST(%(now)s, greatest(created_at, verified_at) + interval '1 day' * random() * 30),
           commune_id, partner_id, 'HO KINH DOANH ' || n, lpad((150720500000 + n)::text, 13, '0'), '970405',
           owner_id, '', FALSE, status, '', LEAST(submitted_at, %(now)s), LEAST(verified_at, %(now)s),
           20000, 300000, '', 0
      FROM bench_stall
"""

# Products: 50 a stall (product p belongs to stall p % stalls), prices and titles derived from p.
SQL_BENCH_PRODUCTS = """
    CREATE TEMP TABLE bench_product AS
    SELECT p, nextval(%(product_seq)s) AS product_id, nextval(%(record_seq)s) AS record_id,
           s.stall_id, s.partner_id, s.owner_id, s.created_at AS stall_created,
           'RB' || lpad(p::text, 7, '0') AS upc,
           (%(products)s::text[])[1 + p %% 14] || ' loại ' || (1 + p %% 5) || ' (' || p || ')' AS title,
           ((20 + (p * 7919) %% 780) * 1000)::numeric AS price,
           CASE WHEN (p * 13) %% 100 < 15 THEN 3 + (p %% 3) END AS ocop_stars
      FROM generate_series(0, %(count)s - 1) p
      JOIN bench_stall s ON s.n = p %% %(stalls)s
"""

SQL_PRODUCTS = """
    INSERT INTO catalogue_product (id, structure, upc, title, slug, description, date_created, date_updated,
                                   is_discountable, product_class_id, is_public, priority, is_featured,
                                   ocop_certificate_expiry, ocop_certificate_number, ocop_stars, season_months,
                                   unit, available_for_preorder, gtin, rating_count)
    SELECT product_id, 'standalone', upc, title, 'rb-' || p, title || ': trồng tại vườn.',
           LEAST(%(now)s, stall_created + interval '1 day' * random() * 60),
           LEAST(%(now)s, stall_created + interval '1 day' * (60 + random() * 60)),
           TRUE, %(product_class)s, TRUE, 0, FALSE,
           CASE WHEN ocop_stars IS NOT NULL THEN DATE '2027-06-30' END,
           CASE WHEN ocop_stars IS NOT NULL THEN 'OCOP-RB-' || p ELSE '' END,
           ocop_stars, ARRAY[1 + p %% 12]::smallint[], 'kg', FALSE, '', 0
      FROM bench_product
"""

SQL_STOCKRECORDS = """
    INSERT INTO partner_stockrecord (id, partner_sku, price_currency, price, num_in_stock, num_allocated,
                                     date_created, date_updated, partner_id, product_id)
    SELECT record_id, upc, 'VND', price, 5 + (p * 31) %% 500, 0, %(now)s, %(now)s, partner_id, product_id
      FROM bench_product
"""

# Orders: a weight per day (the week's rhythm, the lychee season in June, Tết, growth over the period),
# that many orders placed at random daytime hours, each to one stall that sells (verified or suspended).
SQL_BENCH_ORDERS = """
    CREATE TEMP TABLE bench_order AS
    WITH days AS (
        SELECT d, (%(today)s::date - %(days)s + 1 + d) AS day
          FROM generate_series(0, %(days)s - 1) d
    ), weights AS (
        SELECT day, (1 + 0.25 * sin(2 * pi() * d / 7))
                    * (1 + 0.8 * exp(-power((extract(doy FROM day) - 170) / 20.0, 2)))
                    * (1 + 0.6 * exp(-power((extract(doy FROM day) - 30) / 12.0, 2)))
                    * (0.6 + 0.8 * d / %(days)s) * (0.85 + 0.3 * random()) AS w
          FROM days
    ), counts AS (
        SELECT day, round(%(orders)s * w / sum(w) OVER ())::int AS n FROM weights
    ), placed AS (
        SELECT ((day + interval '6 hours' + random() * interval '16 hours')::timestamp
                AT TIME ZONE %(tz)s) AS placed_at,
               floor(random() * (SELECT count(*) FROM bench_stall WHERE status IN ('verified', 'suspended')))::int
                   AS seller_rank,
               random() AS r_method, random() AS r_fate, random() AS r_pay, random() AS r_lines,
               random() AS r_product
          FROM counts, generate_series(1, counts.n)
    ), sellers AS (
        SELECT row_number() OVER (ORDER BY n) - 1 AS seller_rank, n, stall_id, partner_id, commune_code
          FROM bench_stall WHERE status IN ('verified', 'suspended')
    ), timed AS (
        SELECT p.*, s.n AS stall_n, s.stall_id, s.partner_id, s.commune_code,
               p.placed_at + interval '1 hour' * (0.5 + random() * 11.5) AS confirmed_at,
               interval '1 hour' * (4 + random() * 40) AS to_ship,
               interval '1 hour' * (18 + random() * 80) AS to_deliver,
               p.placed_at + interval '1 hour' * (1 + random() * 30) AS cancelled_at
          FROM placed p JOIN sellers s USING (seller_rank)
         WHERE p.placed_at < %(now)s
    )
    SELECT nextval(%(order_seq)s) AS order_id, nextval(%(checkout_seq)s) AS checkout_id,
           nextval(%(payment_seq)s) AS payment_id, t.placed_at, t.stall_n, t.stall_id, t.partner_id,
           t.commune_code, t.r_pay, t.r_product,
           CASE WHEN t.r_lines < 0.5 THEN 1 WHEN t.r_lines < 0.85 THEN 2 ELSE 3 END AS lines,
           CASE WHEN t.r_method < 0.6 THEN 'cod' WHEN t.r_method < 0.9 THEN 'vietqr' ELSE 'card' END AS method,
           t.r_fate < 0.05 AS cancelled,
           CASE WHEN t.r_fate < 0.05 AND t.cancelled_at < %(now)s THEN t.cancelled_at END AS cancelled_at,
           CASE WHEN t.r_fate >= 0.05 AND t.confirmed_at < %(now)s THEN t.confirmed_at END AS confirmed_at,
           CASE WHEN t.r_fate >= 0.05 AND t.confirmed_at + t.to_ship < %(now)s
                THEN t.confirmed_at + t.to_ship END AS shipped_at,
           CASE WHEN t.r_fate >= 0.05 AND t.confirmed_at + t.to_ship + t.to_deliver < %(now)s
                THEN t.confirmed_at + t.to_ship + t.to_deliver END AS delivered_at
      FROM timed t
"""

SQL_BENCH_ORDER_STATUS = """
    ALTER TABLE bench_order ADD COLUMN status text;
    UPDATE bench_order SET status = CASE
        WHEN cancelled_at IS NOT NULL THEN 'cancelled' WHEN delivered_at IS NOT NULL THEN 'delivered'
        WHEN shipped_at IS NOT NULL THEN 'shipped' WHEN confirmed_at IS NOT NULL THEN 'confirmed'
        ELSE 'placed' END;
"""

# Lines: distinct products of the order's stall (product p = stall + stalls × k).
SQL_BENCH_LINES = """
    CREATE TEMP TABLE bench_line AS
    WITH chosen AS (
        SELECT o.order_id, o.status, o.stall_n + %(stalls)s
                   * ((floor(o.r_product * %(per_stall)s)::int + 7 * k) %% %(per_stall)s) AS p,
               1 + floor(random() * random() * 5)::int AS quantity
          FROM bench_order o, generate_series(0, o.lines - 1) k
    )
    SELECT nextval(%(line_seq)s) AS line_id, c.order_id, c.status, c.quantity, bp.product_id, bp.record_id,
           bp.partner_id, bp.upc, bp.title, bp.price, bp.price * c.quantity AS line_price
      FROM chosen c JOIN bench_product bp USING (p)
"""

SQL_CHECKOUTS = """
    INSERT INTO payments_checkout (id, reference, name, phone, email, delivery, province_code, commune_code,
                                   address, created_at)
    SELECT checkout_id, 'RB' || lpad(to_hex(checkout_id), 8, '0'), 'Người mua ' || checkout_id,
           '+8490' || lpad((checkout_id %% 10000000)::text, 7, '0'), '',
           CASE WHEN r_pay < 0.1 THEN 'pickup' ELSE 'delivery' END, %(province)s, commune_code,
           'Thôn ' || (1 + checkout_id %% 12), placed_at
      FROM bench_order
"""

SQL_ORDERS = """
    INSERT INTO order_order (id, number, currency, total_incl_tax, total_excl_tax, shipping_incl_tax,
                             shipping_excl_tax, shipping_method, shipping_code, status, guest_email, date_placed,
                             site_id, analytics_tracked)
    SELECT o.order_id, (10000000 + o.order_id)::text, 'VND', t.total + 20000, t.total + 20000, 20000, 20000,
           'Giao hàng tận nơi', 'stall-delivery', 'placed', '', o.placed_at, %(site)s, FALSE
      FROM bench_order o
      JOIN (SELECT order_id, sum(line_price) AS total FROM bench_line GROUP BY order_id) t USING (order_id)
"""

SQL_LINES = """
    INSERT INTO order_line (id, partner_name, partner_sku, partner_line_reference, partner_line_notes, title,
                            upc, quantity, line_price_incl_tax, line_price_excl_tax,
                            line_price_before_discounts_incl_tax, line_price_before_discounts_excl_tax,
                            unit_price_incl_tax, unit_price_excl_tax, status, order_id, partner_id, product_id,
                            stockrecord_id, allocation_cancelled, num_allocated)
    SELECT l.line_id, pa.name, l.upc, '', '', l.title, l.upc, l.quantity, l.line_price, l.line_price,
           l.line_price, l.line_price, l.price, l.price, l.status, l.order_id, l.partner_id, l.product_id,
           l.record_id, FALSE, l.quantity
      FROM bench_line l JOIN partner_partner pa ON pa.id = l.partner_id
"""

SQL_EVENT_TYPES = """
    INSERT INTO order_shippingeventtype (name, code)
    SELECT 'Stall: ' || code, code FROM unnest(ARRAY['confirmed', 'shipped', 'delivered', 'cancelled']) code
    ON CONFLICT (code) DO NOTHING
"""

# Each step is Oscar's shipping event with the quantities of the lines it moved (orders/actions.py).
SQL_SHIPPING_EVENTS = """
    WITH steps AS (
        SELECT order_id, 'confirmed' AS code, confirmed_at AS at FROM bench_order WHERE confirmed_at IS NOT NULL
        UNION ALL
        SELECT order_id, 'shipped', shipped_at FROM bench_order WHERE shipped_at IS NOT NULL
        UNION ALL
        SELECT order_id, 'delivered', delivered_at FROM bench_order WHERE delivered_at IS NOT NULL
        UNION ALL
        SELECT order_id, 'cancelled', cancelled_at FROM bench_order WHERE cancelled_at IS NOT NULL
    ), events AS (
        INSERT INTO order_shippingevent (notes, date_created, event_type_id, order_id)
        SELECT '', s.at, t.id, s.order_id FROM steps s JOIN order_shippingeventtype t USING (code)
        RETURNING id, order_id
    )
    INSERT INTO order_shippingeventquantity (quantity, event_id, line_id)
    SELECT l.quantity, e.id, l.line_id FROM events e JOIN bench_line l USING (order_id)
"""

# Cash on delivery is paid when the parcel arrives; VietQR and card minutes after the order (3 % never).
SQL_PAYMENTS = """
    INSERT INTO payments_orderpayment (id, method, amount, status, paid_at, reference, announced, checkout_id,
                                       order_id, stall_id, payee_account_name, payee_account_number,
                                       payee_bank_bin, refunded)
    SELECT o.payment_id, o.method, oo.total_incl_tax::bigint, x.status,
           CASE WHEN x.status = 'paid' THEN
               CASE WHEN o.method = 'cod' THEN o.delivered_at
                    ELSE o.placed_at + interval '1 minute' * (2 + o.r_pay * 30) END END,
           CASE WHEN o.method = 'cod' THEN 'stall' ELSE oo.number END, FALSE, o.checkout_id, o.order_id,
           o.stall_id, st.bank_account_name, st.bank_account_number, st.bank_bin, 0
      FROM bench_order o
      JOIN order_order oo ON oo.id = o.order_id
      JOIN sellers_stall st ON st.id = o.stall_id
      CROSS JOIN LATERAL (SELECT CASE
           WHEN o.method = 'cod' THEN CASE WHEN o.delivered_at IS NOT NULL THEN 'paid' ELSE 'pending' END
           WHEN o.cancelled OR o.r_pay > 0.97 THEN CASE WHEN o.method = 'card' THEN 'failed' ELSE 'pending' END
           ELSE 'paid' END AS status) x
"""

SQL_REVIEWS = """
    WITH chosen AS MATERIALIZED (
        SELECT l.line_id, l.product_id, o.payment_id, o.stall_id, random() AS x, random() AS y,
               LEAST(%(now)s, o.delivered_at + interval '1 day' * random() * 5) AS at
          FROM bench_line l JOIN bench_order o USING (order_id)
         WHERE l.status = 'delivered'
           AND random() < %(count)s::float / (SELECT count(*) FROM bench_line WHERE status = 'delivered')
    ), rated AS (
        SELECT *, CASE WHEN x < 0.55 THEN 5 WHEN x < 0.85 THEN 4 WHEN x < 0.94 THEN 3 WHEN x < 0.98 THEN 2
                       ELSE 1 END AS stars
          FROM chosen
    )
    INSERT INTO feedback_review (stars, stall_stars, text, author_name, answer, hidden_at, hidden_reason,
                                 created_at, updated_at, line_id, payment_id, product_id, stall_id)
    SELECT stars, LEAST(5, stars + (y < 0.3)::int), 'Hàng tươi, đóng gói cẩn thận.', 'Khách', '',
           CASE WHEN y > 0.98 THEN at END, '', at, at, line_id, payment_id, product_id, stall_id
      FROM rated
"""

SQL_STALL_RATINGS = """
    UPDATE sellers_stall st SET rating = r.rating, rating_count = r.count
      FROM (SELECT stall_id, avg(stall_stars) AS rating, count(*) AS count
              FROM feedback_review WHERE hidden_at IS NULL GROUP BY stall_id) r
     WHERE st.id = r.stall_id AND st.slug LIKE 'rb-%%'
"""

SQL_SATISFACTION = """
    INSERT INTO feedback_satisfaction (answer, created_at, updated_at, payment_id)
    SELECT CASE WHEN x < 0.58 THEN 'very_satisfied' WHEN x < 0.91 THEN 'satisfied' ELSE 'unsatisfied' END,
           at, at, payment_id
      FROM (SELECT payment_id, random() AS x,
                   LEAST(%(now)s, delivered_at + interval '1 hour' * random() * 48) AS at
              FROM bench_order
             WHERE delivered_at IS NOT NULL
               AND random() < %(count)s::float / (SELECT count(*) FROM bench_order WHERE delivered_at IS NOT NULL)
           ) s
"""

SQL_COMPLAINTS = """
    WITH chosen AS (
        SELECT o.payment_id, o.stall_id, o.order_id, random() AS x, (%(reasons)s::text[])[1 + floor(random() * 5)::int]
                   AS reason, LEAST(%(now)s, o.delivered_at + interval '1 hour' * (2 + random() * 70)) AS at,
               p.amount
          FROM bench_order o JOIN payments_orderpayment p ON p.id = o.payment_id
         WHERE o.delivered_at IS NOT NULL
           AND random() < %(count)s::float / (SELECT count(*) FROM bench_order WHERE delivered_at IS NOT NULL)
    ), complaints AS (
        INSERT INTO complaints_complaint (reason, words, state, value, refunded, created_at, updated_at,
                                          payment_id, stall_id)
        SELECT reason, 'Hàng không như mô tả, mong gian hàng xem lại.',
               CASE WHEN x < 0.1 THEN 'open' WHEN x < 0.45 THEN 'refunded' WHEN x < 0.65 THEN 'replaced'
                    WHEN x < 0.75 THEN 'declined' WHEN x < 0.85 THEN 'escalated' ELSE 'decided' END,
               amount / 2, CASE WHEN x >= 0.1 AND x < 0.45 THEN amount / 2 ELSE 0 END, at,
               LEAST(%(now)s, at + interval '1 day'), payment_id, stall_id
          FROM chosen
        RETURNING id, payment_id, refunded
    ), refunds AS (
        UPDATE payments_orderpayment p SET refunded = c.refunded, status = 'partly_refunded'
          FROM complaints c WHERE p.id = c.payment_id AND c.refunded > 0 AND p.status = 'paid'
    )
    INSERT INTO complaints_complaint_lines (complaint_id, line_id)
    SELECT c.id, min(l.line_id) FROM complaints c
      JOIN bench_order o ON o.payment_id = c.payment_id JOIN bench_line l ON l.order_id = o.order_id
     GROUP BY c.id
"""

# A helper's consent is confirmed with the household's one-time code (sellers.models.OneTimeCode).
SQL_BENCH_CONSENTS = """
    CREATE TEMP TABLE bench_consent AS
    SELECT nextval(%(code_seq)s) AS code_id, s.stall_id, s.owner_id AS household_id, h.id AS helper_id,
           LEAST(%(now)s - interval '1 hour', s.verified_at + interval '1 day' * random() * 200) AS granted_at,
           random() < 0.1 AS revoked
      FROM (SELECT * FROM bench_stall
             WHERE status IN ('verified', 'suspended') AND kind = 'household'
             ORDER BY md5(n::text) LIMIT %(count)s) s
      JOIN bench_commune c ON c.id = s.commune_id
      JOIN bench_user h ON h.kind = 'helper' AND h.n = c.rank * %(helpers)s + s.n %% %(helpers)s
"""

SQL_CONSENT_CODES = """
    INSERT INTO sellers_onetimecode (id, phone, purpose, code_hash, attempts, expires_at, used_at, created_at)
    SELECT code_id, '+8498' || lpad(code_id::text, 7, '0'), 'consent', md5('rb' || code_id), 0,
           granted_at + interval '5 minutes', granted_at, granted_at - interval '1 minute'
      FROM bench_consent
"""

SQL_CONSENTS = """
    INSERT INTO sellers_helperconsent (granted_at, revoked_at, helper_id, household_id, stall_id,
                                       confirmed_with_id)
    SELECT granted_at,
           CASE WHEN revoked THEN LEAST(%(now)s, granted_at + interval '1 day' * (5 + random() * 100)) END,
           helper_id, household_id, stall_id, code_id
      FROM bench_consent
"""

# What stalls did over the period; on a stall a helper may act for, the helper did half of it.
SQL_AUDIT = """
    INSERT INTO sellers_stallauditentry (action, detail, created_at, actor_id, on_behalf_of_id, stall_id)
    SELECT a.action, '{}'::jsonb, a.at,
           CASE WHEN c.helper_id IS NOT NULL AND a.x < 0.5 THEN c.helper_id ELSE s.owner_id END,
           CASE WHEN c.helper_id IS NOT NULL AND a.x < 0.5 THEN s.owner_id END, s.stall_id
      FROM (SELECT floor(random() * (SELECT count(*) FROM bench_stall WHERE verified_at IS NOT NULL))::int AS rank,
                   (%(actions)s::text[])[1 + floor(random() * %(action_count)s)::int] AS action,
                   %(now)s - interval '1 day' * random() * %(days)s AS at, random() AS x
              FROM generate_series(1, %(count)s)) a
      JOIN (SELECT row_number() OVER (ORDER BY n) - 1 AS rank, * FROM bench_stall WHERE verified_at IS NOT NULL) s
           USING (rank)
      LEFT JOIN bench_consent c ON c.stall_id = s.stall_id
"""

# Lots: of OCOP products first, then others; a lot belongs to the stall of its product.
SQL_BENCH_LOTS = """
    CREATE TEMP TABLE bench_lot AS
    SELECT nextval(%(lot_seq)s) AS lot_id, k, product_id, stall_id, owner_id, harvest_date,
           LEAST(%(now)s, harvest_date + interval '1 day' * (1 + random())) AS created_at,
           k %% 40 = 3 AND k / 40 < %(recalled)s AS recalled
      FROM (SELECT *, %(today)s::date - floor(random() * %(days)s)::int AS harvest_date
              FROM (SELECT row_number() OVER (ORDER BY ocop_stars IS NULL, md5(p::text)) - 1 AS k, *
                      FROM bench_product
                     WHERE stall_id IN (SELECT stall_id FROM bench_stall WHERE verified_at IS NOT NULL)) ranked
             WHERE k < %(count)s) dated
"""

SQL_LOTS = """
    INSERT INTO traceability_harvestlot (id, code, harvest_date, quantity, unit, best_before, recalled_at,
                                         recall_reason, created_at, updated_at, created_by_id, owner_id,
                                         product_id)
    SELECT lot_id, 'L' || to_char(harvest_date, 'YYMM') || '-' || k, harvest_date, 100 + (k * 37) %% 1900, 'kg',
           harvest_date + 30,
           CASE WHEN recalled THEN created_at + (%(now)s - created_at) * random() END,
           CASE WHEN recalled THEN 'Phát hiện dư lượng thuốc bảo vệ thực vật vượt ngưỡng.' ELSE '' END,
           created_at, created_at, owner_id, stall_id, product_id
      FROM bench_lot
"""

SQL_BENCH_RUNS = """
    CREATE TEMP TABLE bench_run AS
    SELECT nextval(%(run_seq)s) AS run_id, l.lot_id, l.owner_id,
           LEAST(%(now)s, l.created_at + interval '1 day' * random() * 20) AS created_at,
           random() < 0.9 AS activated
      FROM generate_series(0, %(count)s - 1) AS g(k)
      JOIN bench_lot l ON l.k = g.k %% %(lots)s
"""

SQL_RUNS = """
    INSERT INTO traceability_stamprun (id, count, layout, cut_marks, status, progress, pdf, error, created_at,
                                       finished_at, created_by_id, lot_id)
    SELECT run_id, %(per_run)s, 'a4-3x8', FALSE, 'ready', %(per_run)s, '', '', created_at,
           created_at + interval '2 minutes', owner_id, lot_id
      FROM bench_run
"""

# Stamps of a run are activated together, days after printing (2 % voided); a run not yet: inactive.
SQL_STAMPS = """
    INSERT INTO traceability_stamp (number, serial, status, activated_at, voided_at, void_reason, scan_count,
                                    lot_id, run_id)
    SELECT n, upper(substr(md5('rb-' || r.run_id || '-' || n), 1, 16)),
           CASE WHEN NOT r.activated OR a.at >= %(now)s THEN 'inactive'
                WHEN n %% 50 = 7 THEN 'voided' ELSE 'active' END,
           CASE WHEN r.activated AND a.at < %(now)s THEN a.at END,
           CASE WHEN r.activated AND a.at < %(now)s AND n %% 50 = 7 THEN a.at + interval '1 day' END,
           CASE WHEN r.activated AND a.at < %(now)s AND n %% 50 = 7 THEN 'Tem in hỏng.' ELSE '' END,
           0, r.lot_id, r.run_id
      FROM bench_run r
      CROSS JOIN LATERAL (SELECT r.created_at + interval '1 day' * (1 + random() * 9) AS at) a
      CROSS JOIN generate_series(1, %(per_run)s) n
"""

SQL_BENCH_ACTIVE = """
    CREATE TEMP TABLE bench_active AS
    SELECT row_number() OVER (ORDER BY md5(s.id::text)) - 1 AS rank, s.id AS stamp_id, s.activated_at
      FROM traceability_stamp s JOIN bench_run r ON r.run_id = s.run_id
     WHERE s.status = 'active';
    CREATE INDEX ON bench_active (rank);
    ANALYZE bench_active;
"""

# A bought package is scanned by its buyer, from one or two networks of one region: it never looks
# copied. Scans go to few stamps often and to many stamps rarely (power of the draw).
SQL_SCANS_NORMAL = """
    WITH draws AS MATERIALIZED (
        SELECT floor(power(random(), 1.7) * (SELECT count(*) FROM bench_active))::bigint AS rank, random() AS x
          FROM generate_series(1, %(count)s)
    )
    INSERT INTO traceability_scan (scanned_at, region, network, agent, stamp_id)
    SELECT a.activated_at + (%(now)s - a.activated_at) * random(),
           CASE WHEN a.stamp_id %% 10 < 6 THEN 'VN-68' ELSE (%(regions)s::text[])[1 + a.stamp_id %% 10] END,
           substr(md5('net-' || a.stamp_id || '-' || (d.x < 0.8)::int), 1, 16),
           CASE WHEN d.x < 0.85 THEN 'phone' WHEN d.x < 0.95 THEN 'desktop' ELSE 'bot' END,
           a.stamp_id
      FROM draws d JOIN bench_active a USING (rank)
"""

# A copied stamp: the same serial printed again and scanned from many networks and regions.
SQL_SCANS_COPIED = """
    INSERT INTO traceability_scan (scanned_at, region, network, agent, stamp_id)
    SELECT a.activated_at + (%(now)s - a.activated_at) * random(),
           (%(regions)s::text[])[1 + floor(random() * 10)::int], substr(md5(random()::text), 1, 16), 'phone',
           a.stamp_id
      FROM (SELECT * FROM bench_active ORDER BY rank DESC LIMIT %(stamps)s) a, generate_series(1, %(per_stamp)s)
"""

SQL_STAMP_COUNTERS = """
    UPDATE traceability_stamp s SET scan_count = x.scans, first_scanned_at = x.first
      FROM (SELECT stamp_id, count(*) AS scans, min(scanned_at) AS first FROM traceability_scan GROUP BY stamp_id) x
     WHERE s.id = x.stamp_id
"""

# When stamps keep the moment they began to look copied (traceability 0006), the generated copies get it as
# that migration's backfill gives it: their latest scan.
SQL_HAS_COPIED_AT = """
    SELECT count(*) FROM information_schema.columns
     WHERE table_name = 'traceability_stamp' AND column_name = 'copied_at'
"""

SQL_STAMP_COPIED = """
    UPDATE traceability_stamp s SET copied_at = seen.latest
      FROM (SELECT sc.stamp_id, max(sc.scanned_at) AS latest
              FROM traceability_scan sc
             WHERE sc.stamp_id IN (SELECT id FROM traceability_stamp WHERE scan_count > %(spread)s)
             GROUP BY sc.stamp_id
            HAVING count(DISTINCT sc.network) FILTER (WHERE sc.network <> '') > %(networks)s
                OR count(DISTINCT sc.region) FILTER (WHERE sc.region <> '') > %(regions)s) seen
     WHERE s.id = seen.stamp_id AND s.copied_at IS NULL
"""

SQL_COUNTS = """
    SELECT (SELECT count(*) FROM marketplace_commune WHERE province_code = %(province)s),
           (SELECT count(*) FROM sellers_stall), (SELECT count(*) FROM catalogue_product),
           (SELECT count(*) FROM order_order), (SELECT count(*) FROM order_line),
           (SELECT count(*) FROM order_shippingevent), (SELECT count(*) FROM payments_orderpayment),
           (SELECT count(*) FROM feedback_review), (SELECT count(*) FROM feedback_satisfaction),
           (SELECT count(*) FROM complaints_complaint), (SELECT count(*) FROM sellers_helperconsent),
           (SELECT count(*) FROM sellers_stallauditentry), (SELECT count(*) FROM traceability_harvestlot),
           (SELECT count(*) FROM traceability_harvestlot WHERE recalled_at IS NOT NULL),
           (SELECT count(*) FROM traceability_stamprun), (SELECT count(*) FROM traceability_stamp),
           (SELECT count(*) FROM traceability_stamp WHERE status = 'active'),
           (SELECT count(*) FROM traceability_scan)
"""
COUNT_LABELS = [
    "communes in the province",
    "stalls",
    "products",
    "orders",
    "order lines",
    "shipping events",
    "order payments",
    "reviews",
    "satisfaction answers",
    "complaints",
    "helpers' consents",
    "stall audit entries",
    "harvest lots",
    "recalled lots",
    "stamp runs",
    "stamps",
    "active stamps",
    "scans",
]


# ------------------------------------------------------------------------------------------ seeding: steps


class Seeder:
    """Runs the statements above in order on the bench process's connection, timing each step."""

    def __init__(self, communes: int, days: int):
        from django.db import connection  # Django is set up by then
        from django.utils import timezone  # the same

        self.connection = connection
        self.communes = communes
        self.days = days
        self.stalls = communes * STALLS_PER_COMMUNE
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.steps: list[tuple[str, float]] = []
        # Counts grow with the province (the figures are for 100 communes).
        self.scale = communes / 100 * days / 365

    def sql(self, statement: str, **params) -> None:
        base = {"now": self.now, "today": self.today, "days": self.days, "stalls": self.stalls}
        with self.connection.cursor() as cursor:
            cursor.execute(statement, {**base, **params})

    def step(self, label: str, function) -> None:
        started = time.perf_counter()
        function()
        self.steps.append((label, time.perf_counter() - started))
        print(f"  {label}: {self.steps[-1][1]:.1f} s", flush=True)

    def sequence(self, table: str) -> str:
        with self.connection.cursor() as cursor:
            cursor.execute(SQL_SEQUENCES, {"table": table})
            return cursor.fetchone()[0]

    def scaled(self, count: int) -> int:
        return max(1, round(count * self.scale))

    def run(self) -> None:
        self.step("communes", self.communes_rows)
        self.step("users (owners, helpers)", self.users)
        self.step("stalls and partners", self.stalls_rows)
        self.step("products and stock records", self.products)
        self.step("orders, lines, checkouts", self.orders)
        self.step("shipping events", self.shipping_events)
        self.step("payments", self.payments)
        self.step("reviews, satisfaction, complaints", self.feedback)
        self.step("helpers' consents, audit entries", self.helpers)
        self.step("lots, stamp runs, stamps", self.stamps)
        self.step("scans", self.scans)

    def communes_rows(self) -> None:
        """Real names (the national registry's communes of the province), coordinates in the north."""
        from vietnam_provinces import Province, ProvinceCode, Ward  # the registry marketplace/demo.py reads

        from ground.models import Commune  # Django is set up by then

        province = Province.from_code(ProvinceCode(PROVINCE_CODE))
        wards = sorted(
            (
                w
                for w in Ward.iter_all()
                if int(w.province_code) == PROVINCE_CODE and w.name.startswith("Xã ")
            ),
            key=lambda w: int(w.code),
        )
        rng = random.Random(2026)
        rows = []
        for rank in range(self.communes):
            ward = wards[rank] if rank < len(wards) else None
            code = int(ward.code) if ward else 990000 + rank
            name = ward.name if ward else f"Xã Thử {rank}"
            placed = rank < self.communes - UNPLACED
            rows.append(
                Commune(
                    code=code,
                    name=name,
                    province_code=PROVINCE_CODE,
                    province_name=province.name,
                    slug=f"rb-{code}",
                    latitude=round(rng.uniform(*LATITUDES), 5) if placed else None,
                    longitude=round(rng.uniform(*LONGITUDES), 5) if placed else None,
                )
            )
        Commune.objects.bulk_create(rows)
        self.sql(
            "CREATE TEMP TABLE bench_commune AS SELECT id, code, row_number() OVER (ORDER BY code) - 1 AS rank "
            "FROM marketplace_commune WHERE slug LIKE 'rb-%%'"
        )

    def users(self) -> None:
        self.sql(SQL_USERS, prefix="rb-owner-", first_name="Chủ hộ", count=self.stalls)
        self.sql(
            SQL_USERS,
            prefix="rb-helper-",
            first_name="Người hỗ trợ",
            count=self.communes * HELPERS_PER_COMMUNE,
        )
        self.sql(SQL_BENCH_USERS)
        # Owners are numbered from 1 by generate_series: the stall n has the owner n + 1.
        self.sql("UPDATE bench_user SET n = n - 1")

    def stalls_rows(self) -> None:
        self.sql(
            SQL_BENCH_STALLS,
            per_commune=STALLS_PER_COMMUNE,
            partner_seq=self.sequence("partner_partner"),
            stall_seq=self.sequence("sellers_stall"),
        )
        self.sql(SQL_PARTNERS, words=STALL_WORDS, people=PEOPLE)
        self.sql(SQL_STALLS)

    def products(self) -> None:
        from catalogue.models import ProductClass  # Django is set up by then

        self.sql(
            SQL_BENCH_PRODUCTS,
            count=self.stalls * PRODUCTS_PER_STALL,
            products=PRODUCT_WORDS,
            product_seq=self.sequence("catalogue_product"),
            record_seq=self.sequence("partner_stockrecord"),
        )
        self.sql("CREATE INDEX ON bench_product (p); ANALYZE bench_product")
        self.sql(SQL_PRODUCTS, product_class=ProductClass.objects.get(slug="nong-san").pk)
        self.sql(SQL_STOCKRECORDS)

    def orders(self) -> None:
        from django.contrib.sites.models import Site  # Django is set up by then
        from django.utils import timezone  # the same

        self.sql(
            SQL_BENCH_ORDERS,
            orders=self.scaled(ORDERS),
            tz=timezone.get_current_timezone_name(),
            order_seq=self.sequence("order_order"),
            checkout_seq=self.sequence("payments_checkout"),
            payment_seq=self.sequence("payments_orderpayment"),
        )
        self.sql(SQL_BENCH_ORDER_STATUS)
        self.sql(SQL_BENCH_LINES, per_stall=PRODUCTS_PER_STALL, line_seq=self.sequence("order_line"))
        self.sql(
            "CREATE INDEX ON bench_order (order_id); CREATE INDEX ON bench_line (order_id); ANALYZE bench_order; ANALYZE bench_line"
        )
        self.sql(SQL_CHECKOUTS, province=PROVINCE_CODE)
        self.sql(SQL_ORDERS, site=Site.objects.get_current().pk)
        self.sql(SQL_LINES)

    def shipping_events(self) -> None:
        self.sql(SQL_EVENT_TYPES)
        self.sql(SQL_SHIPPING_EVENTS)

    def payments(self) -> None:
        self.sql(SQL_PAYMENTS)

    def feedback(self) -> None:
        self.sql(SQL_REVIEWS, count=self.scaled(REVIEWS))
        self.sql(SQL_STALL_RATINGS)
        self.sql(SQL_SATISFACTION, count=self.scaled(SATISFACTION))
        self.sql(SQL_COMPLAINTS, count=self.scaled(COMPLAINTS), reasons=COMPLAINT_REASONS)

    def helpers(self) -> None:
        self.sql(
            SQL_BENCH_CONSENTS,
            count=self.scaled(CONSENTS),
            helpers=HELPERS_PER_COMMUNE,
            code_seq=self.sequence("sellers_onetimecode"),
        )
        self.sql(SQL_CONSENT_CODES)
        self.sql(SQL_CONSENTS)
        self.sql(
            SQL_AUDIT,
            count=self.scaled(AUDIT_ENTRIES),
            actions=AUDIT_ACTIONS,
            action_count=len(AUDIT_ACTIONS),
        )

    def stamps(self) -> None:
        lots = self.scaled(LOTS)
        self.sql(
            SQL_BENCH_LOTS,
            count=lots,
            recalled=self.scaled(RECALLED_LOTS),
            lot_seq=self.sequence("traceability_harvestlot"),
        )
        self.sql(SQL_LOTS)
        self.sql(
            SQL_BENCH_RUNS,
            count=self.scaled(RUNS_OF_STAMPS),
            lots=lots,
            run_seq=self.sequence("traceability_stamprun"),
        )
        self.sql(SQL_RUNS, per_run=STAMPS_PER_RUN)
        self.sql(SQL_STAMPS, per_run=STAMPS_PER_RUN)

    def scans(self) -> None:
        self.sql(SQL_BENCH_ACTIVE)
        copied = self.scaled(COPIED_STAMPS)
        self.sql(SQL_SCANS_NORMAL, count=self.scaled(SCANS) - copied * SCANS_PER_COPIED, regions=REGIONS)
        self.sql(SQL_SCANS_COPIED, stamps=copied, per_stamp=SCANS_PER_COPIED, regions=REGIONS)
        self.sql(SQL_STAMP_COUNTERS)
        with self.connection.cursor() as cursor:
            cursor.execute(SQL_HAS_COPIED_AT)
            has_copied_at = cursor.fetchone()[0]
        if has_copied_at:
            from django.conf import settings  # Django is set up by then

            networks, regions = settings.STAMP_NETWORK_WARNING, settings.STAMP_REGION_WARNING
            self.sql(SQL_STAMP_COPIED, spread=min(networks, regions), networks=networks, regions=regions)

    def counts(self) -> dict:
        with self.connection.cursor() as cursor:
            cursor.execute(SQL_COUNTS, {"province": PROVINCE_CODE})
            return dict(zip(COUNT_LABELS, cursor.fetchone(), strict=True))


def refresh_rollup() -> dict | None:
    """The nightly rollup (marketplace/reports/rollup.py), when the project has one: every day before
    today not added up yet (all of them after a seeding). None: no rollup."""
    import importlib.util  # the rollup may not exist in every version of the code measured

    if importlib.util.find_spec("marketplace.reports.rollup") is None:
        return None
    from marketplace.reports import rollup  # found above

    started = time.perf_counter()
    days = rollup.rollup_refresh()
    if importlib.util.find_spec("marketplace.reports.order_rollup") is not None:
        from marketplace.reports import order_rollup  # found above

        days += order_rollup.orders_rollup_refresh()
    return {"days": days, "seconds": time.perf_counter() - started, "until": rollup.rolled_until()}


def seed(postgres: Postgres, communes: int, days: int) -> dict:
    """The demo, then the province in bulk; VACUUM ANALYZE; the marker."""
    started = time.perf_counter()
    postgres.recreate()
    print("  migrate, seed_demo --no-images ...", flush=True)
    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", "--no-images")
    demo = time.perf_counter() - started
    print(f"  the demo: {demo:.1f} s", flush=True)
    seeder = Seeder(communes, days)
    bulk = time.perf_counter()
    seeder.run()
    bulk = time.perf_counter() - bulk
    vacuum = time.perf_counter()
    from django.db import connection  # Django is set up by then

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    vacuum = time.perf_counter() - vacuum
    marker = {
        "version": SEED_VERSION,
        "communes": communes,
        "days": days,
        "seeded_on": str(seeder.today),
        "counts": seeder.counts(),
        "steps": [(label, round(seconds, 1)) for label, seconds in seeder.steps],
        "demo_seconds": round(demo, 1),
        "bulk_seconds": round(bulk, 1),
        "vacuum_seconds": round(vacuum, 1),
        "seed_seconds": round(time.perf_counter() - started, 1),
    }
    postgres.mark(marker)
    return marker


# ------------------------------------------------------------------------------------------ measuring


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def repeat(call, times: int) -> list[float]:
    """Seconds of each of ``times`` calls, or fewer once BUDGET_SECONDS are used (at least MIN_RUNS)."""
    timings: list[float] = []
    while len(timings) < times and (len(timings) < MIN_RUNS or sum(timings) < BUDGET_SECONDS):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return timings


def scopes_and_periods(days: int) -> list[tuple[str, object, object]]:
    """(label, scope, period): one commune this month, the province this month and over the whole
    period, the platform this month."""
    from ground.models import Commune  # Django is set up by then
    from marketplace.reports.periods import this_month  # the same
    from marketplace.reports.tables import Period, Scope  # the same

    month = this_month()
    year = Period(month.end - timedelta(days=days - 1), month.end)
    province = list(Commune.objects.filter(province_code=PROVINCE_CODE).order_by("code"))
    commune = province[0]
    province_scope = Scope(province[0].province_name, tuple(c.pk for c in province))
    return [
        (f"one commune ({commune.name}), this month", Scope(str(commune), (commune.pk,)), month),
        (f"province ({len(province)} communes), this month", province_scope, month),
        (f"province ({len(province)} communes), {days} days", province_scope, year),
        ("whole platform, this month", Scope("Toàn nền tảng", None), month),
    ]


def time_panel(panel, scope, period) -> dict:
    """Median and max of RUNS calls after a warm-up, the queries of one call and its slowest one."""
    from django.db import connection, reset_queries  # Django is set up by then
    from django.test.utils import CaptureQueriesContext  # the same

    try:
        panel(scope, period)
    except NotImplementedError:
        return {"state": "not built"}
    except Exception as error:  # noqa: BLE001 (a panel being written may fail: the bench goes on)
        return {"state": f"error: {type(error).__name__}: {str(error)[:80]}"}
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        panel(scope, period)
    timings = repeat(lambda: panel(scope, period), RUNS)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default=None)
    return {
        "state": "ok",
        "median": statistics.median(timings),
        "max": max(timings),
        "runs": len(timings),
        "queries": len(queries),
        "slowest": slowest,
    }


def measure_panels(days: int) -> list[dict]:
    from marketplace.reports import figures  # Django is set up by then

    results = []
    for label, scope, period in scopes_and_periods(days):
        print(f"  panels: {label} ...", flush=True)
        for panel in figures.PANELS:
            result = time_panel(panel, scope, period)
            results.append({"scope": label, "panel": panel.__name__, "period": period, **result})
    return results


def bench_users():
    """A province staff member of the generated province, and a superuser (Oscar's dashboard)."""
    from django.contrib.auth import get_user_model  # Django is set up by then

    from sellers import roles  # the same
    from sellers.models import ProvinceAssignment  # the same

    User = get_user_model()
    staff, _ = User.objects.get_or_create(
        username="bench-province", defaults={"first_name": "Sở Công Thương"}
    )
    staff.groups.add(roles.role_group(roles.PROVINCE_STAFF))
    ProvinceAssignment.objects.get_or_create(user=staff, province_code=PROVINCE_CODE)
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True, "email": "admin@bench.test"}
    )
    return staff, admin


def session_cookie(user) -> str:
    """A logged-in session made in the bench (saved in the database the servers read): its cookie value."""
    from django.conf import settings  # Django is set up by then
    from django.test import Client  # the same

    client = Client()
    client.force_login(user)  # no password checked: no second factor asked (sellers/second_factor.py)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def in_process(user, path: str) -> dict:
    """The page's own server time in the bench process (Django's test client, no network)."""
    from django.db import connection  # Django is set up by then
    from django.test import Client  # the same

    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    response = client.get(path, secure=True)
    if response.status_code != 200:
        return {"state": f"HTTP {response.status_code}"}
    queries = []  # counted by a wrapper: the query log of a long-lived connection may be full

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path, secure=True)
    timings = repeat(lambda: client.get(path, secure=True), RUNS)
    return {
        "state": "ok",
        "median": statistics.median(timings),
        "max": max(timings),
        "runs": len(timings),
        "queries": len(queries),
    }


def over_http(base: str, cookie: str, path: str, requests_count: int) -> dict:
    """A first request, then ``requests_count`` more (fewer past the budget): whole response times."""
    import requests  # the benches' HTTP client
    from django.conf import settings  # Django is set up by then

    session = requests.Session()
    session.headers.update({"Host": HOST, "X-Forwarded-Proto": "https"})
    session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
    started = time.perf_counter()
    first = session.get(base + path, allow_redirects=False, timeout=300)
    first_seconds = time.perf_counter() - started
    if first.status_code != 200:
        return {"state": f"HTTP {first.status_code}"}
    statuses = set()

    def get() -> None:
        statuses.add(session.get(base + path, allow_redirects=False, timeout=300).status_code)

    timings = repeat(get, requests_count)
    if statuses != {200}:
        return {"state": f"HTTP {sorted(statuses)}"}
    return {
        "state": "ok",
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "runs": len(timings),
        "first": first_seconds,
        "bytes": len(first.content),
        "type": first.headers.get("Content-Type", "").split(";")[0],
    }


def measure_pages(days: int, workers: int) -> dict:
    from marketplace.reports.periods import this_month  # Django is set up by then
    from tests.servers import production_server  # the same

    staff, admin = bench_users()
    month = this_month()
    start = month.end - timedelta(days=days - 1)
    year_query = f"?tu={start:%Y-%m-%d}&den={month.end:%Y-%m-%d}"
    pages = {
        "this month": ("/bao-cao/", staff),
        f"{days} days": (f"/bao-cao/{year_query}", staff),
        "Oscar dashboard (superuser)": ("/shop/dashboard/", admin),
    }
    exports = {
        f"XLSX, {days} days": f"/bao-cao/xuat/bao-cao.xlsx{year_query}",
        "PDF, this month": f"/bao-cao/bao-cao-thang.pdf?thang={month.end:%Y-%m}",
    }
    results = {"in_process": {}, "http": {}, "exports": {}}
    for label, (path, user) in pages.items():
        print(f"  page in the bench process: {label} ...", flush=True)
        results["in_process"][label] = in_process(user, path)
    cookies = {user.pk: session_cookie(user) for user in (staff, admin)}
    WORK.mkdir(parents=True, exist_ok=True)
    with production_server(workers=workers, log=WORK / "gunicorn.log") as base:
        for label, (path, user) in pages.items():
            print(f"  page over HTTP (gunicorn, {workers} workers): {label} ...", flush=True)
            results["http"][label] = over_http(base, cookies[user.pk], path, PAGE_REQUESTS)
        for label, path in exports.items():
            print(f"  export: {label} ...", flush=True)
            results["exports"][label] = over_http(base, cookies[staff.pk], path, 1)
    return results


# ------------------------------------------------------------------------------------------ printing


def print_seed(marker: dict, seeded_now: bool) -> None:
    print(f"\nData ({'seeded in this run' if seeded_now else 'kept from ' + marker['seeded_on']}):")
    print("| rows | count |\n|---|---:|")
    for label, count in marker["counts"].items():
        print(f"| {label} | {count:,} |")
    print(
        f"\nSeeding: {marker['seed_seconds']:.0f} s in all: the demo (migrate, seed_demo) "
        f"{marker['demo_seconds']:.0f} s, bulk {marker['bulk_seconds']:.0f} s, VACUUM ANALYZE "
        f"{marker['vacuum_seconds']:.0f} s."
    )
    print("| step | seconds |\n|---|---:|")
    for label, seconds in marker["steps"]:
        print(f"| {label} | {seconds:.1f} |")


def print_panels(results: list[dict]) -> None:
    print(
        f"\nPanels (server time, ms: median / max of {RUNS} runs after a warm-up, fewer past {BUDGET_SECONDS} s;"
        " SQL queries; the slowest query, ms):"
    )
    scope, total = None, [0.0, 0.0, 0]
    for n, row in enumerate(results):
        if row["scope"] != scope:
            scope, period = row["scope"], row["period"]
            print(f"\n{scope} ({period.start} to {period.end}, {period.days} days)")
            print("| panel | median ms | max ms | runs | queries | slowest query ms |")
            print("|---|---:|---:|---:|---:|---:|")
            total = [0.0, 0.0, 0]
        if row["state"] != "ok":
            print(f"| {row['panel']} | {row['state']} | | | | |")
        else:
            slowest = float(row["slowest"]["time"]) if row["slowest"] else 0.0
            flag = " ⚠" if row["median"] * 1000 > TARGET_MS else ""
            print(
                f"| {row['panel']}{flag} | {ms(row['median'])} | {ms(row['max'])} | {row['runs']} | "
                f"{row['queries']} | {slowest * 1000:,.0f} |"
            )
            total = [total[0] + row["median"], total[1] + row["max"], total[2] + row["queries"]]
        if n + 1 == len(results) or results[n + 1]["scope"] != scope:
            print(f"| all panels | {ms(total[0])} | {ms(total[1])} | | {total[2]} | |")


def print_slow_queries(results: list[dict]) -> None:
    """The slowest query of each panel over the target, and its plan (EXPLAIN ANALYZE) in WORK."""
    from django.db import connection  # Django is set up by then

    for old in WORK.glob("explain-*.txt"):  # plans of an earlier run
        old.unlink()
    slow = [r for r in results if r["state"] == "ok" and r["median"] * 1000 > TARGET_MS and r["slowest"]]
    if not slow:
        return
    print(
        f"\nSlowest query of each panel over {TARGET_MS} ms (plans: {WORK.relative_to(ROOT)}/explain-*.txt):"
    )
    WORK.mkdir(parents=True, exist_ok=True)
    for n, row in enumerate(slow, 1):
        sql = row["slowest"]["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)  # no parameters: no % escaping
            plan = "\n".join(line for (line,) in cursor.fetchall())
        path = WORK / f"explain-{n}-{row['panel']}.txt"
        path.write_text(f"-- {row['panel']}, {row['scope']}\n{sql}\n\n{plan}\n", encoding="utf-8")
        flat = " ".join(sql.split())
        print(
            f"- {row['panel']}, {row['scope']}: {float(row['slowest']['time']) * 1000:,.0f} ms ({path.name}): {flat[:300]}…"
        )


def print_pages(results: dict, workers: int) -> None:
    print(
        f"\nThe page in the bench process (server time, ms: median / max of {RUNS} after a warm-up, fewer past "
        f"{BUDGET_SECONDS} s):"
    )
    print("| page | median ms | max ms | runs | queries |\n|---|---:|---:|---:|---:|")
    for label, row in results["in_process"].items():
        if row["state"] != "ok":
            print(f"| {label} | {row['state']} | | | |")
            continue
        print(f"| {label} | {ms(row['median'])} | {ms(row['max'])} | {row['runs']} | {row['queries']} |")
    print(
        f"\nThe page as production serves it (gunicorn, {workers} workers, loopback; whole response, ms; "
        f"{PAGE_REQUESTS} requests after a first one, fewer past {BUDGET_SECONDS} s):"
    )
    print(
        "| page | first ms | median ms | p95 ms | max ms | requests | bytes |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    for label, row in results["http"].items():
        if row["state"] != "ok":
            print(f"| {label} | {row['state']} | | | | | |")
            continue
        print(
            f"| {label} | {ms(row['first'])} | {ms(row['median'])} | {ms(row['p95'])} | {ms(row['max'])} | "
            f"{row['runs']} | {row['bytes']:,} |"
        )
    print("\nExports (gunicorn: the first request, and one more):")
    print("| export | first ms | second ms | bytes | type |\n|---|---:|---:|---:|---|")
    for label, row in results["exports"].items():
        if row["state"] != "ok":
            print(f"| {label} | {row['state']} | | | |")
            continue
        print(f"| {label} | {ms(row['first'])} | {ms(row['median'])} | {row['bytes']:,} | {row['type']} |")


def print_target(panels: list[dict], pages: dict, days: int, communes: int) -> None:
    year_label = f"{days} days"
    year_rows = [r for r in panels if year_label in r["scope"]]
    built = [r for r in year_rows if r["state"] == "ok"]
    panels_sum = sum(r["median"] for r in built)
    page = pages["in_process"].get(year_label, {})
    http = pages["http"].get(year_label, {})
    print(
        f"\nTarget (issue #18): the page ≤ {TARGET_MS} ms server time with {days} days of data for {communes} communes"
    )
    print(f"  panels built: {len(built)} of {len(year_rows)}; their sum (median): {ms(panels_sum)} ms")
    if page.get("state") == "ok":
        verdict = "met" if page["median"] * 1000 <= TARGET_MS else "NOT met"
        print(f"  the page, server time in the bench process (median): {ms(page['median'])} ms: {verdict}")
    else:
        print(f"  the page, server time in the bench process: {page.get('state', 'not measured')}")
    if http.get("state") == "ok":
        print(f"  the page over HTTP (gunicorn, median / p95): {ms(http['median'])} / {ms(http['p95'])} ms")
    if len(built) < len(year_rows):
        print("  (not every panel is built yet: the verdict covers the built ones only)")


# ------------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--reseed", action="store_true", help="seed the database again even if it is ready")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1))
    parser.add_argument("--skip-pages", action="store_true", help="measure the panels only")
    parser.add_argument("--skip-panels", action="store_true", help="measure the page only")
    args = parser.parse_args()
    began = time.perf_counter()

    postgres = Postgres()
    os.environ.update(bench_env(postgres))
    import django  # the environment names the bench's database and the production settings

    django.setup()
    from django.utils import timezone  # set up above
    from django.utils.translation import activate  # the same

    activate("vi")
    marker = postgres.marker() or {}
    wanted = {"version": SEED_VERSION, "communes": args.communes, "days": args.days}
    fresh = marker.get("seeded_on") and (timezone.localdate() - _day(marker["seeded_on"])).days <= 2
    seeded_now = args.reseed or not fresh or any(marker.get(k) != v for k, v in wanted.items())
    if seeded_now:
        print(f"Seeding {DATABASE}: {args.communes} communes, {args.days} days of activity ...", flush=True)
        marker = seed(postgres, args.communes, args.days)
    else:
        manage("migrate", "--noinput", "-v0")  # a kept database gets the code's new migrations
    print_seed(marker, seeded_now)
    rolled = refresh_rollup()
    if rolled is not None:
        print(
            f"\nRollup (the nightly job, marketplace/reports/rollup.py): {rolled['days']} day(s) added up in "
            f"{rolled['seconds']:.1f} s; the reports read from {rolled['until']} on live."
        )

    panels = []
    if not args.skip_panels:
        print("\nMeasuring the panels ...", flush=True)
        panels = measure_panels(args.days)
    pages = {"in_process": {}, "http": {}, "exports": {}}
    if not args.skip_pages:
        print("Measuring the page ...", flush=True)
        pages = measure_pages(args.days, args.workers)
    print_panels(panels)
    print_slow_queries(panels)
    if not args.skip_pages:
        print_pages(pages, args.workers)
    print_target(panels, pages, args.days, args.communes)
    print(f"\nWhole run: {time.perf_counter() - began:.0f} s.")


def _day(text: str):
    from datetime import date  # the marker keeps the seeding day as text

    return date.fromisoformat(text)


if __name__ == "__main__":
    main()
