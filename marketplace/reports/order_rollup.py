"""The daily rollup of the orders (marketplace.reports.models OrderDay, DeliveryDay).

Unlike a stamp's facts, an order changes after its day: it is paid, delivered, cancelled or refunded
later. So orders_rollup_refresh counts every local day (settings.TIME_ZONE: an order placed at 23:30
belongs to its own day) from where the rollup stands, or from RECOMPUTE_DAYS days before ``until`` if that
is earlier, to ``until`` (excluded, today by default: today is read live): a change to an order of the last
RECOMPUTE_DAYS days shows the next morning; older days are final. Each batch of days is deleted and added
up again (one INSERT … SELECT … GROUP BY per table) with the new RollupState "orders", in one transaction
under an advisory lock: two refreshes at once count each order once.

The facts are the same SQL the report (marketplace.reports.sales) reads live for the days after the
rollup, so the figures are the same whether the rollup ran or not: an order is one stall's order (one
OrderPayment) not cancelled, neither the order nor every one of its lines; its units are added line by line
(no grouping per order first: a year of lines never has to be sorted).
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from oscar.core.loading import get_model

from ground import order_status
from marketplace.payments.models import OrderPayment
from marketplace.reports.models import DeliveryDay, OrderDay, RollupState
from sellers.models import Stall

Order = get_model("order", "Order")
Line = get_model("order", "Line")
ShippingEvent = get_model("order", "ShippingEvent")
ShippingEventType = get_model("order", "ShippingEventType")

NAME = "orders"
# A day's orders are counted again every night for this many days: an order is paid, delivered or
# cancelled within a few days, a complaint's refund within a month.
RECOMPUTE_DAYS = 35
# Days added up per transaction.
BATCH_DAYS = 31

TABLES = {
    "order": Order._meta.db_table,
    "line": Line._meta.db_table,
    "payment": OrderPayment._meta.db_table,
    "stall": Stall._meta.db_table,
    "event": ShippingEvent._meta.db_table,
    "event_type": ShippingEventType._meta.db_table,
    "order_day": OrderDay._meta.db_table,
    "delivery_day": DeliveryDay._meta.db_table,
    "state": RollupState._meta.db_table,
}

# The figures of an OrderDay row, in its columns' order.
FIGURES = ("orders", "units", "value", "paid", "paid_cashless", "paid_value", "paid_cashless_value")


def params(**more) -> dict:
    """The values the facts' SQL needs (named parameters), and ``more``."""
    return {
        "tz": settings.TIME_ZONE,
        "cancelled": order_status.CANCELLED,
        "delivered": order_status.DELIVERED,
        "received": list(OrderPayment.MONEY_RECEIVED),
        "cashless": [OrderPayment.Method.VIETQR, OrderPayment.Method.CARD],
        **more,
    }


def order_facts_sql(when: str, in_scope: str = "") -> str:
    """Rows ``(day, stall_id, commune_id, method, *FIGURES)``: one per order placed when ``when`` says (a
    condition on a timestamp column, ``{column}`` in it), its units 0, and one per line of it, with its
    quantity as units and every other figure 0. ``in_scope``: more conditions on the stall ``s``."""
    placed = when.format(column="o.date_placed")
    received = "p.status = ANY(%(received)s)"
    cashless = f"{received} AND p.method = ANY(%(cashless)s)"
    return f"""
        SELECT (o.date_placed AT TIME ZONE %(tz)s)::date, p.stall_id, s.commune_id, p.method,
               1, 0, p.amount, ({received})::int, ({cashless})::int,
               CASE WHEN {received} THEN p.amount ELSE 0 END,
               CASE WHEN {cashless} THEN p.amount ELSE 0 END
          FROM {TABLES["order"]} o
          JOIN {TABLES["payment"]} p ON p.order_id = o.id
          JOIN {TABLES["stall"]} s ON s.id = p.stall_id
         WHERE {placed} AND o.status <> %(cancelled)s {in_scope}
           AND EXISTS (
               SELECT 1 FROM {TABLES["line"]} l WHERE l.order_id = o.id AND l.status <> %(cancelled)s
           )
        UNION ALL
        SELECT (o.date_placed AT TIME ZONE %(tz)s)::date, p.stall_id, s.commune_id, p.method,
               0, l.quantity, 0, 0, 0, 0, 0
          FROM {TABLES["line"]} l
          JOIN {TABLES["order"]} o ON o.id = l.order_id
          JOIN {TABLES["payment"]} p ON p.order_id = o.id
          JOIN {TABLES["stall"]} s ON s.id = p.stall_id
         WHERE {placed} AND o.status <> %(cancelled)s AND l.status <> %(cancelled)s {in_scope}
    """  # noqa: S608 (table and column names come from the code; values are parameters)


def delivery_facts_sql(when: str, in_scope: str = "") -> str:
    """Rows ``(day, stall_id, commune_id, hours)``: one per order not cancelled delivered when ``when``
    says (on ``{column}``), on the local day of its delivery, with the whole hours from its order to its
    delivery. An order is delivered once (the stall's "deliver" step records a shipping event only for
    the lines it moved), so its delivery event in these days is its first."""
    delivered = when.format(column="e.date_created")
    return f"""
        SELECT (d.at AT TIME ZONE %(tz)s)::date, p.stall_id, s.commune_id,
               floor(EXTRACT(EPOCH FROM d.at - o.date_placed) / 3600)::int
          FROM (
              SELECT e.order_id, MIN(e.date_created) AS at
                FROM {TABLES["event"]} e JOIN {TABLES["event_type"]} t ON t.id = e.event_type_id
               WHERE t.code = %(delivered)s AND {delivered}
               GROUP BY e.order_id
          ) d
          JOIN {TABLES["order"]} o ON o.id = d.order_id
          JOIN {TABLES["payment"]} p ON p.order_id = o.id
          JOIN {TABLES["stall"]} s ON s.id = p.stall_id
         WHERE o.status <> %(cancelled)s {in_scope}
    """  # noqa: S608 (table and column names come from the code; values are parameters)


_BETWEEN = "{column} >= %(since)s AND {column} < %(until)s"

_ORDER_DAYS_SQL = f"""
    INSERT INTO {TABLES["order_day"]} (day, stall_id, commune_id, method, {", ".join(FIGURES)})
    SELECT f.day, f.stall_id, f.commune_id, f.method, {", ".join(f"sum(f.{name})" for name in FIGURES)}
      FROM ({order_facts_sql(_BETWEEN)}) f (day, stall_id, commune_id, method, {", ".join(FIGURES)})
     GROUP BY f.day, f.stall_id, f.commune_id, f.method
"""  # noqa: S608 (table and column names come from the code; values are parameters)

_DELIVERY_DAYS_SQL = f"""
    INSERT INTO {TABLES["delivery_day"]} (day, stall_id, commune_id, hours, orders)
    SELECT f.day, f.stall_id, f.commune_id, f.hours, count(*)
      FROM ({delivery_facts_sql(_BETWEEN)}) f (day, stall_id, commune_id, hours)
     GROUP BY f.day, f.stall_id, f.commune_id, f.hours
"""  # noqa: S608 (table and column names come from the code; values are parameters)

_DELETE_SQL = [
    f"DELETE FROM {TABLES[name]} WHERE day >= %(start)s AND day < %(stop)s"  # noqa: S608 (names from the code)
    for name in ("order_day", "delivery_day")
]

# The first order ever placed: where a rollup that never ran begins (date_placed is indexed).
_FIRST_SQL = f"SELECT min(date_placed) FROM {TABLES['order']}"  # noqa: S608 (names from the code)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def orders_rolled_until() -> date | None:
    """The first day not added up (None: the rollup never ran)."""
    return RollupState.objects.filter(name=NAME).values_list("rolled_until", flat=True).first()


def orders_rollup_behind(today: date | None = None) -> bool:
    """Whether tonight's refresh is due: some day before today not counted yet (after a refresh, the
    next day; its run also counts the last RECOMPUTE_DAYS days again)."""
    until = orders_rolled_until()
    return until is None or until < (today or timezone.localdate())


def _start(until: date) -> date | None:
    """The first day to count: where the rollup stands or RECOMPUTE_DAYS before ``until``, whichever is
    earlier; the first order's day when the rollup never ran (None: no order at all)."""
    rolled = orders_rolled_until()
    if rolled is not None:
        return min(rolled, until - timedelta(days=RECOMPUTE_DAYS))
    with connection.cursor() as cursor:
        cursor.execute(_FIRST_SQL)
        (first,) = cursor.fetchone()
    return None if first is None else timezone.localtime(first, timezone.get_default_timezone()).date()


def _roll_batch(start: date, stop: date) -> None:
    """Counts the days from ``start`` to ``stop`` (excluded) again, in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        # One refresh at a time: the second waits, then deletes what the first wrote and counts it again.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reports.rollup.{NAME}"])
        values = params(start=start, stop=stop, since=_midnight(start), until=_midnight(stop))
        for sql in _DELETE_SQL:
            cursor.execute(sql, values)
        cursor.execute(_ORDER_DAYS_SQL, values)
        cursor.execute(_DELIVERY_DAYS_SQL, values)
        # Never backwards: the days after ``stop`` counted by an earlier refresh stay counted.
        state, created = RollupState.objects.select_for_update().get_or_create(
            name=NAME, defaults={"rolled_until": stop}
        )
        if not created and state.rolled_until < stop:
            state.rolled_until = stop
            state.save(update_fields=["rolled_until"])


def orders_rollup_refresh(*, until: date | None = None) -> int:
    """Counts the orders of every local day before ``until`` (default: today) not counted yet, and those
    of the last RECOMPUTE_DAYS days again; the number of days counted."""
    until = until or timezone.localdate()
    start = _start(until)
    if start is None:
        return 0
    counted = 0
    while start < until:
        stop = min(until, start + timedelta(days=BATCH_DAYS))
        _roll_batch(start, stop)
        counted += (stop - start).days
        start = stop
    return counted
