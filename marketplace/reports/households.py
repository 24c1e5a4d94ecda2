"""Stalls and their products: opened, verified, active, suspended; households helped; OCOP stars.

The figures are added up in the database, by raw SQL: grouping sets give the rows per place and their
total (and, for products, the counts by OCOP stars too) in one pass, so a panel makes one query a table or
fewer, whatever the number of stalls. The helpers here that group by place (commune or stall) are shared
by the other panels of the report (sales, trust).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from marketplace.reports.tables import INT, TEXT, Chart, Column, Figure, Panel, Period, Scope, Table
from sellers.models import HelperConsent, Stall, StallAuditEntry
from traceability.models import HarvestLot

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Partner = get_model("partner", "Partner")
Commune = get_model("marketplace", "Commune")
Order = get_model("order", "Order")
OrderPayment = get_model("payments", "OrderPayment")
User = get_user_model()

# A stall is active when it was verified and, in these days up to the end of the period, got an order
# or was changed by its household, its helper or the commune.
ACTIVE_DAYS = 30
OCOP_STARS = (3, 4, 5)


def table(model) -> str:
    """A model's table name, quoted, for raw SQL (names come from the models, never from a request)."""
    return connection.ops.quote_name(model._meta.db_table)


def fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def share(part, whole) -> float | None:
    """``part`` as a percentage of ``whole`` (one decimal), None when there is nothing to share."""
    return round(100 * part / whole, 1) if whole else None


def in_scope(scope: Scope, column: str = "s.commune_id", placeholder: str = "%s") -> tuple[str, list]:
    """The scope as a SQL condition on a commune column: nothing at all for the whole platform."""
    if scope.commune_ids is None:
        return "", []
    return f"AND {column} = ANY({placeholder})", [list(scope.commune_ids)]


@dataclass(frozen=True)
class Places:
    """How a query groups its figures: by commune for a wide scope, else by stall (``s`` is the stall).
    The names are looked up once per row of the result (subqueries on the grouped key), not joined to
    every row that is added up."""

    column: Column  # the "place" column of the table
    key: str  # SQL: what a row groups by
    label: str  # SQL: the place's name
    province: str  # SQL: the commune's province (to tell communes of the same name apart)


def places(scope: Scope) -> Places:
    if scope.wide:
        commune = f"FROM {table(Commune)} c WHERE c.id = s.commune_id"
        return Places(
            Column("place", _("Commune"), TEXT),
            key="s.commune_id",
            label=f"(SELECT c.name {commune})",
            province=f"(SELECT c.province_name {commune})",
        )
    partner = f"{table(Stall)} st JOIN {table(Partner)} pt ON pt.id = st.partner_id"
    return Places(
        Column("place", _("Stall"), TEXT),
        key="s.id",
        label=f"(SELECT pt.name FROM {partner} WHERE st.id = s.id)",  # noqa: S608 (names from the models)
        province="''",
    )


def grouped_by(places: Places, *others: str) -> str:
    """The GROUP BY of a query whose rows are places, with one more row for all of them together
    (``GROUPING(key)`` is 1 on that row), and ``others`` grouping sets if any."""
    return f"GROUP BY GROUPING SETS (({places.key}), {''.join(f'{o}, ' for o in others)}())"


def place_rows(sql: str, params, names: tuple[str, ...]) -> tuple[list[dict], dict]:
    """Run a query selecting ``key, label, province, *names, GROUPING(key)``; the rows by place name
    and the total row (zeros when there was nothing to add up)."""
    return named_places(fetch(sql, params), names)


def named_places(results, names: tuple[str, ...]) -> tuple[list[dict], dict]:
    """Rows ``(key, label, province, *names, is_total)`` as the rows of places, by name, and the total."""
    rows, total = [], dict.fromkeys(names, 0)
    for key, label, province, *values, is_total in results:
        row = dict(zip(names, values, strict=True))
        if is_total:
            total = row
        else:
            rows.append({"key": key, "place": label, "province": province, **row})
    if len({row["province"] for row in rows}) > 1:  # the whole platform: "Kép, Bắc Ninh"
        for row in rows:
            row["place"] = f"{row['place']}, {row['province']}"
    rows.sort(key=lambda row: row["place"] or "")
    total["place"] = gettext("Total")
    return rows, total


# Stalls and helpers -------------------------------------------------------------------------------


def stalls_panel(scope: Scope, period: Period) -> Panel:
    stalls = _stalls_table(scope, period)
    helpers = _helpers_table(scope, period)
    headline = [
        Figure(_("Stalls verified now"), stalls.total["verified_total"]),
        Figure(_("Stalls opened"), stalls.total["opened"]),
        Figure(_("Active stalls"), stalls.total["active"]),
        Figure(_("Households helped by a digital helper"), helpers.total["households_helped"]),
        Figure(_("Households a helper may help now"), helpers.total["households_now"]),
    ]
    return Panel("stalls", _("Stalls and households"), headline=headline, tables=[stalls, helpers])


def _stalls_table(scope: Scope, period: Period) -> Table:
    if scope.wide:
        by = places(scope)
    else:  # one commune: by village
        by = Places(Column("place", _("Village"), TEXT), "s.village", "s.village", "''")
    where, scope_params = in_scope(scope, placeholder="%(communes)s")
    active_since = period.until - timedelta(days=ACTIVE_DAYS)
    sql = f"""
        WITH busy AS (
            SELECT p.stall_id FROM {table(OrderPayment)} p JOIN {table(Order)} o ON o.id = p.order_id
            WHERE o.date_placed >= %(active_since)s AND o.date_placed < %(until)s
            UNION
            SELECT a.stall_id FROM {table(StallAuditEntry)} a
            WHERE a.created_at >= %(active_since)s AND a.created_at < %(until)s
        )
        SELECT {by.key}, {by.label}, {by.province},
            COUNT(*) FILTER (WHERE s.created_at >= %(since)s AND s.created_at < %(until)s),
            COUNT(*) FILTER (WHERE s.verified_at >= %(since)s AND s.verified_at < %(until)s),
            COUNT(*) FILTER (WHERE s.status = %(verified)s AND (busy.stall_id IS NOT NULL
                OR (s.updated_at >= %(active_since)s AND s.updated_at < %(until)s))),
            COUNT(*) FILTER (WHERE s.status = %(suspended)s),
            COUNT(*) FILTER (WHERE s.status = %(verified)s),
            GROUPING({by.key})
        FROM {table(Stall)} s
        LEFT JOIN busy ON busy.stall_id = s.id
        WHERE TRUE {where}
        {grouped_by(by)}
    """  # noqa: S608 (table names from the models; every value is a parameter)
    params = {
        "since": period.since,
        "until": period.until,
        "active_since": active_since,
        "verified": Stall.Status.VERIFIED,
        "suspended": Stall.Status.SUSPENDED,
        "communes": scope_params[0] if scope_params else None,
    }
    names = ("opened", "verified", "active", "suspended", "verified_total")
    rows, total = place_rows(sql, params, names)
    if not scope.wide:
        for row in rows:
            row["place"] = row["place"] or gettext("No village given")
        rows.sort(key=lambda row: row["place"])
    return Table(
        "stalls",
        _("Stalls"),
        [
            by.column,
            Column("opened", _("Opened")),
            Column("verified", _("Verified")),
            Column("active", _("Active (30 days)")),
            Column("suspended", _("Suspended now")),
            Column("verified_total", _("Verified now")),
        ],
        rows,
        total=total,
        chart=Chart("bars", "place", ("verified_total", "active")) if len(rows) > 1 else None,
        note=_(
            "Opened and verified count the stalls opened or verified in these days; a verified stall is "
            "active when it had an order or a change in the 30 days up to the last day."
        ),
    )


def _helpers_table(scope: Scope, period: Period) -> Table:
    where, scope_params = in_scope(scope)
    sql = f"""
        SELECT c.helper_id, u.first_name, u.last_name, u.username,
            COUNT(DISTINCT c.household_id) FILTER (WHERE c.granted_at >= %s AND c.granted_at < %s),
            COUNT(DISTINCT c.household_id) FILTER (WHERE c.revoked_at IS NULL),
            MAX(acts.n),
            GROUPING(c.helper_id)
        FROM {table(HelperConsent)} c
        JOIN {table(Stall)} s ON s.id = c.stall_id
        JOIN {table(User)} u ON u.id = c.helper_id
        LEFT JOIN (
            SELECT a.actor_id, COUNT(*) AS n FROM {table(StallAuditEntry)} a
            JOIN {table(Stall)} s ON s.id = a.stall_id
            WHERE a.on_behalf_of_id IS NOT NULL AND a.created_at >= %s AND a.created_at < %s {where}
            GROUP BY a.actor_id
        ) acts ON acts.actor_id = c.helper_id
        WHERE TRUE {where}
        GROUP BY GROUPING SETS ((c.helper_id, u.first_name, u.last_name, u.username), ())
    """  # noqa: S608 (table names from the models; every value is a parameter)
    params = [period.since, period.until, period.since, period.until, *scope_params, *scope_params]
    rows, total = [], {"households_helped": 0, "households_now": 0}
    for _pk, first, last, username, helped, now, actions, is_total in fetch(sql, params):
        if is_total:
            total = {"households_helped": helped, "households_now": now}
            continue
        row = {"helper": _helper_name(first, last, username), "households_helped": helped}
        rows.append({**row, "actions": actions or 0, "households_now": now})
    rows.sort(key=lambda row: row["helper"])
    total = {"helper": gettext("Total"), "actions": sum(row["actions"] for row in rows), **total}
    return Table(
        "helpers",
        _("Digital helpers"),
        [
            Column("helper", _("Helper"), TEXT),
            Column("households_helped", _("Households helped")),
            Column("actions", _("Things done for a household")),
            Column("households_now", _("Households helped now")),
        ],
        rows,
        total=total,
        note=_(
            "A household is helped when it gave its helper its consent with its own code in these days; "
            "helped now counts the consents not withdrawn."
        ),
    )


def _helper_name(first: str, last: str, username: str) -> str:
    """The helper's name (Django's ``get_full_name``), else their user name, but never a phone number:
    accounts opened by phone are named by it."""
    name = f"{first} {last}".strip() or username
    digits = "".join(ch for ch in name if ch.isdigit())
    if len(digits) >= 6:
        return gettext("Helper with a phone ending in %(last)s") % {"last": digits[-3:]}
    return name


# Products ---------------------------------------------------------------------------------------------


def products_panel(scope: Scope, period: Period) -> Panel:
    products, stars = _products_tables(scope)
    headline = [
        Figure(_("Products listed"), products.total["listed"]),
        Figure(_("OCOP products"), products.total["ocop"]),
        Figure(_("Products with a traceable lot"), products.total["traceable"]),
    ]
    return Panel(
        "products",
        _("Products"),
        headline=headline,
        tables=[products, stars],
        note=_("The products are counted as the catalogue is today, whatever the dates chosen."),
    )


def _products_tables(scope: Scope) -> tuple[Table, Table]:
    """Listed products (public, with a stock record of a verified stall in scope) by place and by OCOP
    stars: one pass over the catalogue, grouped both ways at once. A product sold by two stalls is
    counted once in the total."""
    by = places(scope)
    where, params = in_scope(scope)
    sql = f"""
        SELECT GROUPING({by.key}), GROUPING(p.ocop_stars), p.ocop_stars, {by.key}, {by.label}, {by.province},
            COUNT(DISTINCT p.id),
            COUNT(DISTINCT p.id) FILTER (WHERE p.ocop_stars >= 3),
            COUNT(DISTINCT p.id) FILTER (WHERE lots.product_id IS NOT NULL)
        FROM {table(StockRecord)} sr
        JOIN {table(Product)} p ON p.id = sr.product_id
        JOIN {table(Stall)} s ON s.partner_id = sr.partner_id
        LEFT JOIN (SELECT DISTINCT product_id FROM {table(HarvestLot)}) lots ON lots.product_id = p.id
        WHERE p.is_public AND s.status = %s {where}
        {grouped_by(by, "(p.ocop_stars)")}
    """  # noqa: S608 (table names from the models; every value is a parameter)
    results, by_stars = [], {}
    for no_place, no_stars, stars, key, label, province, listed, ocop, traceable in fetch(
        sql, [Stall.Status.VERIFIED, *params]
    ):
        if not no_stars:
            by_stars[stars] = listed
        else:
            results.append((key, label, province, listed, ocop, traceable, no_place))
    rows, total = named_places(results, ("listed", "ocop", "traceable"))
    products = Table(
        "products",
        _("Products on sale"),
        [
            by.column,
            Column("listed", _("Products listed")),
            Column("ocop", _("OCOP products")),
            Column("traceable", _("With a traceable lot")),
        ],
        rows,
        total=total,
        note=_(
            "A product is listed when it is shown to buyers by a verified stall; OCOP products have 3 stars "
            "or more; traceable ones have at least one harvest lot."
        ),
    )
    star_rows = [
        {"stars": gettext("%(stars)s stars") % {"stars": n}, "products": by_stars.get(n, 0)}
        for n in OCOP_STARS
    ]
    stars = Table(
        "ocop-stars",
        _("OCOP products by stars"),
        [Column("stars", _("OCOP stars"), TEXT), Column("products", _("Products"), INT)],
        star_rows,
        total={"stars": gettext("Total"), "products": sum(row["products"] for row in star_rows)},
        chart=Chart("bars", "stars", ("products",)),
        note=_("Each listed product is counted once, with the stars of its OCOP certificate."),
    )
    return products, stars
