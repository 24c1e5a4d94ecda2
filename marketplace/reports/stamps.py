"""Trace stamps: issued, activated, scanned (by day, by region), looking copied; recalled lots.

Four tables, one SQL statement each. A lot belongs to the commune of the stall that owns it. A stamp's
serial is a secret (whoever knows it can print a copy), so no statement here ever reads one.

The days already added up by the daily rollup (marketplace.reports.rollup) are read from its tables, the
later ones (today, or more when the rollup is behind) from the stamps and scans, in the same statement:
the figures are the same whether the rollup ran or not.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from ground.models import Commune
from marketplace.reports import rollup
from marketplace.reports.models import ScanRegionDay, StampCommuneDay, StampDay
from marketplace.reports.tables import (
    DATE,
    PERCENT,
    TEXT,
    Chart,
    Column,
    Figure,
    Panel,
    Period,
    Scope,
    Table,
)
from sellers.models import Stall
from traceability.models import HarvestLot, Scan, Stamp, StampRun

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")

# How many regions the region table names; the others share its last row.
TOP_REGIONS = 12

TABLES = {
    "commune": Commune._meta.db_table,
    "lot": HarvestLot._meta.db_table,
    "partner": Partner._meta.db_table,
    "product": Product._meta.db_table,
    "run": StampRun._meta.db_table,
    "scan": Scan._meta.db_table,
    "stall": Stall._meta.db_table,
    "stamp": Stamp._meta.db_table,
    "stamp_day": StampDay._meta.db_table,
    "commune_day": StampCommuneDay._meta.db_table,
    "region_day": ScanRegionDay._meta.db_table,
}


def stamps_panel(scope: Scope, period: Period) -> Panel:
    stamps = stamps_table(scope, period)
    total = stamps.total
    return Panel(
        key="stamps",
        title=_("Trace stamps"),
        headline=[
            Figure(_("Stamps issued"), total["issued"]),
            Figure(_("Stamps activated"), total["activated"]),
            Figure(_("Scans"), total["scans"]),
            Figure(_("Stamps that look copied"), total["copied"]),
            Figure(_("Lots recalled"), total["recalled_lots"]),
        ],
        tables=[stamps, scans_by_day(scope, period), scans_by_region(scope, period), recalls(scope, period)],
        note="" if stamps.rows else _("No stamps were issued, activated or scanned in this period."),
    )


def _params(scope: Scope, period: Period, **more) -> dict:
    return {
        "communes": list(scope.commune_ids or ()),
        "since": period.since,
        "until": period.until,
        "start": period.start,
        "stop": period.end + timedelta(days=1),
        "tz": timezone.get_current_timezone_name(),
        "rollup": rollup.NAME,
        **more,
    }


def _in_scope(scope: Scope, stall: str = "st") -> str:
    """The commune condition on a stall's alias; nothing at all for the whole platform."""
    return "TRUE" if scope.commune_ids is None else f"{stall}.commune_id = ANY(%(communes)s)"


def _in_period(column: str) -> str:
    return f"({column} >= %(since)s AND {column} < %(until)s)"


# The rollup's days (StampDay, ScanRegionDay) end where RollupState says, read in the same statement (one
# snapshot: the rolled rows and the state agree); what happened from that day's midnight on is read from
# the raw tables. Without a rollup, everything is.
_ROLLED_UNTIL = (
    f"(SELECT coalesce(max(rs.rolled_until), '-infinity'::date) FROM {rollup.TABLES['state']} rs "  # noqa: S608 (names from the code)
    "WHERE rs.name = %(rollup)s)"
)


def _rolled(day: str) -> str:
    """The period's days that are added up already, on a rollup table's day column."""
    return f"({day} >= %(start)s AND {day} < %(stop)s AND {day} < {_ROLLED_UNTIL})"


def _live(column: str) -> str:
    """The period's instants after the rollup's days, on a raw table's timestamp column."""
    return (
        f"({column} >= greatest(%(since)s, {_ROLLED_UNTIL}::timestamp AT TIME ZONE %(tz)s) "
        f"AND {column} < %(until)s)"
    )


# Every figure of the "stamps" table, per place (commune or stall), from one statement over the lots of
# the scope: stamps issued from the runs ordered in the period (a run's serials are all issued with it);
# activated, first scanned, scans and began to look copied from the rollup's days and, after them, from
# the stamps (each instant has its own index) and scans; lots recalled.
_STAMPS_SQL = """
    WITH lots AS MATERIALIZED (
        SELECT l.id, {place} AS place
          FROM {lot} l JOIN {stall} st ON st.id = l.owner_id
         WHERE {in_scope}
    ),
    figures (place, issued, activated, first_scanned, scans, copied, recalled_lots) AS (
        SELECT lots.place, sum(r.count), 0, 0, 0, 0, 0
          FROM {run} r JOIN lots ON lots.id = r.lot_id
         WHERE {run_created}
         GROUP BY lots.place
        UNION ALL
        SELECT {rolled_place}, 0, sum(d.activated), sum(d.first_scanned), sum(d.scans), sum(d.copied), 0
          FROM {rolled_table} d
         WHERE {rolled} AND {rolled_in_scope}
         GROUP BY 1
        UNION ALL
        SELECT lots.place, 0, count(*) FILTER (WHERE {activated}), count(*) FILTER (WHERE {first_scanned}),
               0, count(*) FILTER (WHERE {copied}), 0
          FROM {stamp} s JOIN lots ON lots.id = s.lot_id
         WHERE {activated} OR {first_scanned} OR {copied}
         GROUP BY lots.place
        UNION ALL
        SELECT lots.place, 0, 0, 0, count(*), 0, 0
          FROM {scan} sc JOIN {stamp} s ON s.id = sc.stamp_id JOIN lots ON lots.id = s.lot_id
         WHERE {scanned}
         GROUP BY lots.place
        UNION ALL
        SELECT lots.place, 0, 0, 0, 0, 0, count(*)
          FROM {lot} l JOIN lots ON lots.id = l.id
         WHERE {recalled}
         GROUP BY lots.place
    )
    SELECT {name}, sum(f.issued)::bigint, sum(f.activated)::bigint, sum(f.first_scanned)::bigint,
           sum(f.scans)::bigint, sum(f.copied)::bigint, sum(f.recalled_lots)::bigint
      FROM figures f {names}
     GROUP BY f.place, {name}
     ORDER BY {name}, f.place
"""  # noqa: S608 (table and column names come from the code; values are parameters)

_STAMP_FIGURES = ("issued", "activated", "first_scanned", "scans", "copied", "recalled_lots")


def _stamps_sql(scope: Scope) -> str:
    rolled_table = TABLES["commune_day"] if scope.wide else TABLES["stamp_day"]
    if scope.wide:
        place, rolled_place = "st.commune_id", "d.commune_id"
        name, names = "c.name", f"JOIN {TABLES['commune']} c ON c.id = f.place"
    else:
        place, rolled_place, name = "l.owner_id", "d.stall_id", "pa.name"
        names = (
            f"JOIN {TABLES['stall']} st ON st.id = f.place "
            f"JOIN {TABLES['partner']} pa ON pa.id = st.partner_id"
        )
    return _STAMPS_SQL.format(
        place=place,
        rolled_place=rolled_place,
        rolled_table=rolled_table,
        name=name,
        names=names,
        in_scope=_in_scope(scope),
        rolled=_rolled("d.day"),
        rolled_in_scope=_in_scope(scope, "d"),
        scanned=_live("sc.scanned_at"),
        run_created=_in_period("r.created_at"),
        activated=_live("s.activated_at"),
        first_scanned=_live("s.first_scanned_at"),
        copied=_live("s.copied_at"),
        recalled=_in_period("l.recalled_at"),
        **TABLES,
    )


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def stamps_table(scope: Scope, period: Period) -> Table:
    params = _params(scope, period)
    rows = [
        {"place": name, **dict(zip(_STAMP_FIGURES, figures, strict=True))}
        for name, *figures in _fetch(_stamps_sql(scope), params)
    ]
    total = {"place": _("Total")} | {key: sum(row[key] for row in rows) for key in _STAMP_FIGURES}
    return Table(
        key="stamps",
        title=_("Stamps by commune") if scope.wide else _("Stamps by stall"),
        columns=[
            Column("place", _("Commune") if scope.wide else _("Stall"), TEXT),
            Column("issued", _("Stamps issued")),
            Column("activated", _("Stamps activated")),
            Column("first_scanned", _("Stamps scanned for the first time")),
            Column("scans", _("Scans")),
            Column("copied", _("Stamps that look copied")),
            Column("recalled_lots", _("Lots recalled")),
        ],
        rows=rows,
        total=total,
        note=_(
            "Stamps issued were ordered in this period, the other figures happened in it; a stamp is "
            "counted as looking copied in the period when it was first seen from more than "
            "%(networks)s networks or %(regions)s regions."
        )
        % {"networks": settings.STAMP_NETWORK_WARNING, "regions": settings.STAMP_REGION_WARNING},
    )


def _scans_sql(key: str, counts: tuple[str, ...], scope: Scope, rolled_table: str, rolled_select: str) -> str:
    """The period's scans counted by ``key``: the rollup's days from ``rolled_table``, and the scans after
    them, joined to their lot's stall only when communes must be told apart. (Adding the scans up per
    stamp before the join misleads the planner into reading every stamp.)"""
    joins = ""
    if scope.commune_ids is not None:
        joins = (
            f"JOIN {TABLES['stamp']} s ON s.id = sc.stamp_id JOIN {TABLES['lot']} l ON l.id = s.lot_id "
            f"JOIN {TABLES['stall']} st ON st.id = l.owner_id"
        )
    return (
        f"SELECT {key}, {', '.join(counts)} FROM {TABLES['scan']} sc {joins} "  # noqa: S608 (names from the code; values are parameters)
        f"WHERE {_live('sc.scanned_at')} AND {_in_scope(scope)} GROUP BY 1 "
        f"UNION ALL SELECT {rolled_select} FROM {rolled_table} d "
        f"WHERE {_rolled('d.day')} AND {_in_scope(scope, 'd')} GROUP BY 1"
    )


def scans_by_day(scope: Scope, period: Period) -> Table:
    parts = _scans_sql(
        "(sc.scanned_at AT TIME ZONE %(tz)s)::date",
        ("count(*)", f"count(*) FILTER (WHERE sc.agent = '{Scan.Agent.PHONE.value}')"),
        scope,
        rolled_table=TABLES["commune_day"],
        rolled_select="d.day, sum(d.scans), sum(d.phone_scans)",
    )
    sql = (
        f"SELECT day, sum(scans)::bigint, sum(phone)::bigint FROM ({parts}) x (day, scans, phone) "  # noqa: S608 (parts above)
        "GROUP BY day"
    )
    counted = {day: (scans, phone) for day, scans, phone in _fetch(sql, _params(scope, period))}
    days = (period.start + timedelta(days=n) for n in range(period.days))
    rows = [
        {"day": day, "scans": counted.get(day, (0, 0))[0], "phone_scans": counted.get(day, (0, 0))[1]}
        for day in days
    ]
    return Table(
        key="scans-by-day",
        title=_("Scans by day"),
        columns=[
            Column("day", _("Day"), DATE),
            Column("scans", _("Scans")),
            Column("phone_scans", _("Scans from a phone")),
        ],
        rows=rows,
        total={
            "day": _("Total"),
            "scans": sum(row["scans"] for row in rows),
            "phone_scans": sum(row["phone_scans"] for row in rows),
        },
        chart=Chart("line", x="day", series=("scans",)),
        note=_("Each opening of a stamp's trace page is one scan, on the day it was made."),
    )


def scans_by_region(scope: Scope, period: Period) -> Table:
    parts = _scans_sql(
        "sc.region",
        ("count(*)",),
        scope,
        rolled_table=TABLES["region_day"],
        rolled_select="d.region, sum(d.scans)",
    )
    sql = (
        f"SELECT region, sum(scans)::bigint FROM ({parts}) x (region, scans) "  # noqa: S608 (parts above)
        "GROUP BY region ORDER BY 2 DESC, 1"
    )
    counted = _fetch(sql, _params(scope, period))
    total = sum(scans for _region, scans in counted)

    def share(scans: int) -> float:
        return round(100 * scans / total, 1) if total else 0.0

    rows = [
        {"region": region or _("Unknown"), "scans": scans, "share": share(scans)}
        for region, scans in counted[:TOP_REGIONS]
    ]
    others = sum(scans for _region, scans in counted[TOP_REGIONS:])
    if others:
        rows.append({"region": _("Other regions"), "scans": others, "share": share(others)})
    return Table(
        key="scans-by-region",
        title=_("Scans by region"),
        columns=[
            Column("region", _("Region"), TEXT),
            Column("scans", _("Scans")),
            Column("share", _("Share of scans"), PERCENT),
        ],
        rows=rows,
        total={"region": _("Total"), "scans": total, "share": 100.0} if total else None,
        chart=Chart("bars", x="region", series=("scans",)),
        note=_(
            "The region is the one the scanning phone's network reports; the %(top)s regions with the "
            "most scans are named and the others are added up together."
        )
        % {"top": TOP_REGIONS},
    )


_RECALLS_SQL = """
    SELECT l.code, p.title, pa.name, (l.recalled_at AT TIME ZONE %(tz)s)::date, l.recall_reason,
           (SELECT count(*) FROM {stamp} s WHERE s.lot_id = l.id)
      FROM {lot} l
      JOIN {product} p ON p.id = l.product_id
      JOIN {stall} st ON st.id = l.owner_id
      JOIN {partner} pa ON pa.id = st.partner_id
     WHERE {recalled} AND {in_scope}
     ORDER BY l.recalled_at DESC, l.id DESC
"""  # noqa: S608 (table names come from the models; values are parameters)

_RECALL_COLUMNS = ("code", "product", "stall", "recalled", "reason", "stamps")


def recalls(scope: Scope, period: Period) -> Table:
    sql = _RECALLS_SQL.format(recalled=_in_period("l.recalled_at"), in_scope=_in_scope(scope), **TABLES)
    rows = [dict(zip(_RECALL_COLUMNS, row, strict=True)) for row in _fetch(sql, _params(scope, period))]
    return Table(
        key="recalls",
        title=_("Recalled lots"),
        columns=[
            Column("code", _("Lot code"), TEXT),
            Column("product", _("Product"), TEXT),
            Column("stall", _("Stall"), TEXT),
            Column("recalled", _("Recalled on"), DATE),
            Column("reason", _("Reason"), TEXT),
            Column("stamps", _("Stamps")),
        ],
        rows=rows,
        total={"code": _("Total"), "stamps": sum(row["stamps"] for row in rows)} if rows else None,
        note=_(
            "Lots recalled in this period with the number of stamps each carried; a stamp's own code is "
            "never shown, since anyone who knows it could print a copy."
        ),
    )
