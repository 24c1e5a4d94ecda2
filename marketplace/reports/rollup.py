"""The daily rollup of the stamp facts (marketplace.reports.models): each local day is added up once.

rollup_refresh adds up, a batch of days per transaction, every local day (settings.TIME_ZONE, so a scan at
23:30 belongs to its own day) from where the rollup stands (RollupState "stamps") to ``until`` (excluded,
today by default: today is still changing, the reports read it live). One INSERT … SELECT … GROUP BY per
table and batch (the communes' days from the stalls' days just added); the rows and the new
``rolled_until`` are written in one transaction, under an advisory lock, so two workers never add up the
same day twice.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from marketplace.reports.models import RollupState, ScanRegionDay, StampCommuneDay, StampDay
from sellers.models import Stall
from traceability.models import HarvestLot, Scan, Stamp

NAME = "stamps"
# Days added up per transaction: a month of a province's scans is a few seconds of work.
BATCH_DAYS = 31

TABLES = {
    "lot": HarvestLot._meta.db_table,
    "scan": Scan._meta.db_table,
    "stall": Stall._meta.db_table,
    "stamp": Stamp._meta.db_table,
    "stamp_day": StampDay._meta.db_table,
    "commune_day": StampCommuneDay._meta.db_table,
    "region_day": ScanRegionDay._meta.db_table,
    "state": RollupState._meta.db_table,
}

# The first day with any stamp fact: where a rollup that never ran begins (each is an index's first row).
_FIRST_SQL = """
    SELECT least(
        (SELECT min(scanned_at) FROM {scan}),
        (SELECT min(activated_at) FROM {stamp} WHERE activated_at IS NOT NULL),
        (SELECT min(first_scanned_at) FROM {stamp} WHERE first_scanned_at IS NOT NULL),
        (SELECT min(copied_at) FROM {stamp} WHERE copied_at IS NOT NULL)
    )
""".format(**TABLES)  # noqa: S608 (table names come from the models)


def _local_day(column: str) -> str:
    return f"({column} AT TIME ZONE %(tz)s)::date"


def _between(column: str) -> str:
    return f"{column} >= %(since)s AND {column} < %(until)s"


def _stamp_facts(column: str, position: int) -> str:
    """Stamps whose ``column`` happened in the batch, per local day and owning stall; the count goes to
    figure ``position`` (0 activated, 1 first scanned, 4 copied)."""
    figures = ", ".join("count(*)" if n == position else "0" for n in range(5))
    return (
        f"SELECT {_local_day('s.' + column)}, l.owner_id, {figures} "  # noqa: S608 (names from the code)
        f"FROM {TABLES['stamp']} s JOIN {TABLES['lot']} l ON l.id = s.lot_id "
        f"WHERE {_between('s.' + column)} GROUP BY 1, 2"
    )


_STAMP_DAYS_SQL = f"""
    INSERT INTO {TABLES["stamp_day"]}
           (day, commune_id, stall_id, activated, first_scanned, scans, phone_scans, copied)
    SELECT f.day, st.commune_id, f.stall_id, sum(f.activated), sum(f.first_scanned), sum(f.scans),
           sum(f.phone_scans), sum(f.copied)
      FROM (
        {_stamp_facts("activated_at", 0)}
        UNION ALL
        {_stamp_facts("first_scanned_at", 1)}
        UNION ALL
        {_stamp_facts("copied_at", 4)}
        UNION ALL
        SELECT {_local_day("sc.scanned_at")}, l.owner_id, 0, 0, count(*),
               count(*) FILTER (WHERE sc.agent = %(phone)s), 0
          FROM {TABLES["scan"]} sc
          JOIN {TABLES["stamp"]} s ON s.id = sc.stamp_id
          JOIN {TABLES["lot"]} l ON l.id = s.lot_id
         WHERE {_between("sc.scanned_at")}
         GROUP BY 1, 2
      ) f (day, stall_id, activated, first_scanned, scans, phone_scans, copied)
      JOIN {TABLES["stall"]} st ON st.id = f.stall_id
     GROUP BY f.day, st.commune_id, f.stall_id
"""  # noqa: S608 (table and column names come from the code; values are parameters)

_COMMUNE_DAYS_SQL = f"""
    INSERT INTO {TABLES["commune_day"]}
           (day, commune_id, activated, first_scanned, scans, phone_scans, copied)
    SELECT d.day, d.commune_id, sum(d.activated), sum(d.first_scanned), sum(d.scans), sum(d.phone_scans),
           sum(d.copied)
      FROM {TABLES["stamp_day"]} d
     WHERE d.day >= %(first_day)s AND d.day < %(stop_day)s
     GROUP BY d.day, d.commune_id
"""  # noqa: S608 (table names come from the models; values are parameters)

_REGION_DAYS_SQL = f"""
    INSERT INTO {TABLES["region_day"]} (day, commune_id, region, scans)
    SELECT {_local_day("sc.scanned_at")}, st.commune_id, sc.region, count(*)
      FROM {TABLES["scan"]} sc
      JOIN {TABLES["stamp"]} s ON s.id = sc.stamp_id
      JOIN {TABLES["lot"]} l ON l.id = s.lot_id
      JOIN {TABLES["stall"]} st ON st.id = l.owner_id
     WHERE {_between("sc.scanned_at")}
     GROUP BY 1, 2, 3
"""  # noqa: S608 (table and column names come from the code; values are parameters)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def rolled_until() -> date | None:
    """The first day not added up yet (None: the rollup never ran)."""
    return RollupState.objects.filter(name=NAME).values_list("rolled_until", flat=True).first()


def rollup_behind(today: date | None = None) -> bool:
    """Whether some day before today (that has stamp facts) is not added up yet."""
    until = rolled_until()
    return until is None or until < (today or timezone.localdate())


def _start(cursor) -> date | None:
    """Where this batch begins: where the rollup stands, else the first day with any fact (None: none)."""
    until = rolled_until()
    if until is not None:
        return until
    cursor.execute(_FIRST_SQL)
    (first,) = cursor.fetchone()
    return None if first is None else timezone.localtime(first, timezone.get_default_timezone()).date()


def _roll_batch(until: date) -> int:
    """Adds up the next batch of days before ``until``, in one transaction; the number of days."""
    with transaction.atomic(), connection.cursor() as cursor:
        # One rollup at a time; the second waits, then sees where the first left off.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reports.rollup.{NAME}"])
        start = _start(cursor)
        if start is None or start >= until:
            return 0
        end = min(until, start + timedelta(days=BATCH_DAYS))
        params = {
            "since": _midnight(start),
            "until": _midnight(end),
            "tz": settings.TIME_ZONE,
            "phone": Scan.Agent.PHONE.value,
            "first_day": start,
            "stop_day": end,
        }
        cursor.execute(_STAMP_DAYS_SQL, params)
        cursor.execute(_COMMUNE_DAYS_SQL, params)
        cursor.execute(_REGION_DAYS_SQL, params)
        RollupState.objects.update_or_create(name=NAME, defaults={"rolled_until": end})
        return (end - start).days


def rollup_refresh(*, until: date | None = None) -> int:
    """Adds up every local day before ``until`` (default: today) not added up yet; the number of days."""
    until = until or timezone.localdate()
    rolled = 0
    while days := _roll_batch(until):
        rolled += days
    return rolled
