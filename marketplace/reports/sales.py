"""Orders, units and value; the share paid without cash; how long delivery takes.

An order here is one stall's order (a checkout makes one per stall), placed in the period, by a stall in
scope, not cancelled: neither the order nor every one of its lines. The days the nightly rollup counted
(marketplace.reports.order_rollup: OrderDay, DeliveryDay) are read from it, the later days (today at
least) from the orders themselves, with the same SQL: the figures are the same whether the rollup ran or
not. The orders are added up in one SQL query, grouped by day, by place and by payment method at once;
delivery is a second query.
"""

from datetime import timedelta

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.payments.models import OrderPayment
from marketplace.reports import order_rollup
from marketplace.reports.households import (
    fetch,
    grouped_by,
    in_scope,
    named_places,
    place_rows,
    places,
    share,
)
from marketplace.reports.tables import (
    DATE,
    HOURS,
    PERCENT,
    TEXT,
    VND,
    Chart,
    Column,
    Figure,
    Panel,
    Period,
    Scope,
    Table,
)


def orders_panel(scope: Scope, period: Period) -> Panel:
    by_day, by_place, methods = _orders_tables(scope, period)
    delivery = _delivery_table(scope, period)
    total = by_place.total
    headline = [
        Figure(_("Orders"), total["orders"]),
        Figure(_("Value of the orders"), total["value"], VND),
        Figure(_("Paid without cash, by number of orders"), total["cashless_count_share"], PERCENT),
        Figure(_("Paid without cash, by value"), total["cashless_value_share"], PERCENT),
        Figure(_("Time from order to delivery (median)"), delivery.total["median_hours"], HOURS),
    ]
    return Panel(
        "orders",
        _("Orders and payments"),
        headline=headline,
        tables=[by_day, by_place, methods, delivery],
        note="" if total["orders"] else _("No orders in these days."),
    )


# What each grouping of the orders adds up, after its place (or day, or method).
SUMS = order_rollup.FIGURES

# The rollup's days (OrderDay, DeliveryDay) end where its RollupState says, read in the same statement (one
# snapshot: the rolled rows and the state agree); the orders placed (the deliveries made) from that day's
# midnight on are read from the raw tables. Without a rollup, everything is.
_ROLLED_UNTIL = (
    f"(SELECT coalesce(max(rs.rolled_until), '-infinity'::date) FROM {order_rollup.TABLES['state']} rs "  # noqa: S608 (names from the code)
    "WHERE rs.name = %(rollup)s)"
)
# ``d.day + 0``: the planner estimates the period's range from the statistics alone, and the rollup's end
# (unknown when it plans) as a third of it, not the whole as a narrow range of a few hundred rows (it
# would then sort a year's rows on disk rather than hash them).
_ROLLED = f"d.day >= %(start)s AND d.day < %(stop)s AND d.day + 0 < {_ROLLED_UNTIL}"
_LIVE = (
    f"{{column}} >= greatest(%(since)s, {_ROLLED_UNTIL}::timestamp AT TIME ZONE %(tz)s) "
    "AND {column} < %(until)s"
)


def _params(scope: Scope, period: Period) -> dict:
    return order_rollup.params(
        communes=list(scope.commune_ids or ()),
        since=period.since,
        until=period.until,
        start=period.start,
        stop=period.end + timedelta(days=1),
        rollup=order_rollup.NAME,
    )


def _orders_tables(scope: Scope, period: Period) -> tuple[Table, Table, Table]:
    """Orders by day, by place and by payment method: one pass over the orders of the period (the rolled
    days' rows, then the orders and lines of the days after them), grouped three ways at once (grouping
    sets), so that the three tables hold the same orders."""
    by = places(scope)
    where = in_scope(scope, placeholder="%(communes)s")[0]
    rolled_where = in_scope(scope, "d.commune_id", placeholder="%(communes)s")[0]
    figures = ", ".join(SUMS)
    # The facts are named ``s`` with the stall's columns ``id`` and ``commune_id``: what ``by`` groups by.
    sql = f"""
        SELECT GROUPING(s.day), GROUPING({by.key}), GROUPING(s.method),
            s.day, s.method, {by.key}, {by.label}, {by.province},
            {", ".join(f"sum(s.{name})" for name in SUMS)}
        FROM (
            SELECT d.day, d.stall_id, d.commune_id, d.method, {", ".join(f"d.{name}" for name in SUMS)}
              FROM {order_rollup.TABLES["order_day"]} d
             WHERE {_ROLLED} {rolled_where}
            UNION ALL
            {order_rollup.order_facts_sql(_LIVE, where)}
        ) s (day, id, commune_id, method, {figures})
        {grouped_by(by, "(s.day)", "(s.method)")}
    """  # noqa: S608 (table names from the models; every value is a parameter)
    days, place_results, methods, total = {}, [], {}, None
    for no_day, no_place, no_method, day, method, key, label, province, *sums in fetch(
        sql, _params(scope, period)
    ):
        values = {name: int(value or 0) for name, value in zip(SUMS, sums, strict=True)}
        if not no_day:
            days[day] = values
        elif not no_place:
            place_results.append((key, label, province, *values.values(), 0))
        elif not no_method:
            methods[method] = values
        else:
            total = values
    place_results.append((None, None, None, *(total or dict.fromkeys(SUMS, 0)).values(), 1))
    return (
        _by_day_table(period, days),
        _by_place_table(scope, by, place_results),
        _methods_table(methods),
    )


def _by_day_table(period: Period, days: dict) -> Table:
    rows = []
    for n in range(period.days):
        day = period.start + timedelta(days=n)
        sums = days.get(day, {})
        rows.append({"day": day, **{key: sums.get(key, 0) for key in ("orders", "units", "value")}})
    total = {
        "day": gettext("Total"),
        **{key: sum(row[key] for row in rows) for key in ("orders", "units", "value")},
    }
    return Table(
        "orders-by-day",
        _("Orders by day"),
        [
            Column("day", _("Day"), DATE),
            Column("orders", _("Orders")),
            Column("units", _("Units")),
            Column("value", _("Value"), VND),
        ],
        rows,
        total=total,
        chart=Chart("line", "day", ("orders",)),
        note=_(
            "Each stall's order placed that day and not cancelled counts once; its value is what the buyer "
            "was asked to pay, delivery included, before any refund."
        ),
    )


def _by_place_table(scope: Scope, by, results: list) -> Table:
    rows, total = named_places(results, SUMS)
    for row in [*rows, total]:
        row["cashless_count_share"] = share(row["paid_cashless"], row["paid"])
        row["cashless_value_share"] = share(row["paid_cashless_value"], row["paid_value"])
    rows.sort(key=lambda row: -row["value"])
    return Table(
        "orders-by-place",
        _("Orders by commune") if scope.wide else _("Orders by stall"),
        [
            by.column,
            Column("orders", _("Orders")),
            Column("units", _("Units")),
            Column("value", _("Value"), VND),
            Column("cashless_count_share", _("Paid without cash (orders)"), PERCENT),
            Column("cashless_value_share", _("Paid without cash (value)"), PERCENT),
        ],
        rows,
        total=total,
        note=_(
            "Paid without cash: among the orders whose money the stall received, the share paid by "
            "VietQR transfer or by card rather than in cash on delivery."
        ),
    )


def _methods_table(methods: dict) -> Table:
    all_orders = sum(sums["paid"] for sums in methods.values())
    all_value = sum(sums["paid_value"] for sums in methods.values())
    rows = []
    for method, label in OrderPayment.Method.choices:
        sums = methods.get(method, {})
        n, value = sums.get("paid", 0), sums.get("paid_value", 0)
        rows.append(
            {
                "method": str(label),
                "key": method,
                "orders": n,
                "value": value,
                "count_share": share(n, all_orders),
                "value_share": share(value, all_value),
            }
        )
    total = {
        "method": gettext("Total"),
        "orders": all_orders,
        "value": all_value,
        "count_share": 100.0 if all_orders else None,
        "value_share": 100.0 if all_value else None,
    }
    return Table(
        "payment-methods",
        _("How the orders were paid"),
        [
            Column("method", _("Payment method"), TEXT),
            Column("orders", _("Orders")),
            Column("value", _("Value"), VND),
            Column("count_share", _("Share of orders"), PERCENT),
            Column("value_share", _("Share of value"), PERCENT),
        ],
        rows,
        total=total,
        chart=Chart("share", "method", ("orders", "value")),
        note=_("Only the orders of these days whose money the stall has received are counted here."),
    )


def _delivery_table(scope: Scope, period: Period) -> Table:
    """Orders delivered in the period, and the median time from order to delivery in whole hours: the
    rolled days' orders per hour, then the deliveries of the days after them, added up per place and hour;
    the median is read from the running total of the orders per hour (the middle one, or the mean of the
    middle two for an even count, as percentile_cont)."""
    by = places(scope)
    where = in_scope(scope, placeholder="%(communes)s")[0]
    rolled_where = in_scope(scope, "d.commune_id", placeholder="%(communes)s")[0]
    # The facts are named ``s`` with the stall's columns ``id`` and ``commune_id``: what ``by`` groups by.
    sql = f"""
        WITH per_place AS (
            SELECT {by.key} AS place, s.hours, sum(s.orders)::bigint AS n
            FROM (
                SELECT d.stall_id, d.commune_id, d.hours, d.orders
                  FROM {order_rollup.TABLES["delivery_day"]} d
                 WHERE {_ROLLED} {rolled_where}
                UNION ALL
                SELECT f.stall_id, f.commune_id, f.hours, 1
                  FROM ({order_rollup.delivery_facts_sql(_LIVE, where)}) f (day, stall_id, commune_id, hours)
            ) s (id, commune_id, hours, orders)
            GROUP BY {by.key}, s.hours
        ),
        -- Every place's orders per hour, and all of them together (added up from those few rows).
        per_hour AS (
            SELECT 0 AS is_total, place, hours, n FROM per_place
            UNION ALL
            SELECT 1, NULL, hours, sum(n)::bigint FROM per_place GROUP BY hours
        ),
        running AS (
            SELECT is_total, place, hours,
                sum(n) OVER (PARTITION BY is_total, place ORDER BY hours)::bigint AS upto,
                sum(n) OVER (PARTITION BY is_total, place)::bigint AS total
            FROM per_hour
        ),
        medians AS (
            SELECT is_total, place AS id, place AS commune_id, max(total) AS delivered,
                (min(hours) FILTER (WHERE upto >= (total + 1) / 2)
                 + min(hours) FILTER (WHERE upto >= total / 2 + 1)) / 2.0 AS median
            FROM running
            GROUP BY is_total, place
        )
        SELECT {by.key}, {by.label}, {by.province}, s.delivered, s.median, s.is_total
        FROM medians s
    """  # noqa: S608 (table names from the models; every value is a parameter)
    rows, total = place_rows(sql, _params(scope, period), ("delivered", "median_hours"))
    if not total["delivered"]:  # no delivery at all: no total row, no median
        total["median_hours"] = None
    for row in [*rows, total]:
        hours = row["median_hours"]
        row["median_hours"] = round(float(hours), 1) if hours is not None else None
    return Table(
        "delivery",
        _("Delivery"),
        [
            by.column,
            Column("delivered", _("Orders delivered")),
            Column("median_hours", _("Time to delivery (median)"), HOURS),
        ],
        rows,
        total=total,
        note=_(
            "Orders delivered in these days, and the time from the order to its delivery that half of "
            "them took at most, counted in whole hours."
        ),
    )
