"""A daily rollup of the stamp facts, so that a year of scans is read as a few rows per day.

A day's facts never change once it is over (scans are only added; a stamp's activation, first scan and
the moment it began to look copied are set once), so each local day (settings.TIME_ZONE) is added up once,
by marketplace.reports.rollup.rollup_refresh, and the reports read the days before
RollupState.rolled_until from here and the later ones from the raw tables.
"""

from django.db import models


def _loose_key(to: str) -> models.ForeignKey:
    """The commune or stall a rollup row counts for: no constraint and no index of its own (the rows are
    read through the tables' own indexes, and a rollup never blocks deleting what it counted)."""
    return models.ForeignKey(to, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False)


class StampDay(models.Model):
    """One stall's stamp facts on one local day (the stall that owns the lots)."""

    day = models.DateField()
    commune = _loose_key("marketplace.Commune")
    stall = _loose_key("sellers.Stall")
    activated = models.PositiveIntegerField(default=0)
    first_scanned = models.PositiveIntegerField(default=0)
    scans = models.PositiveIntegerField(default=0)
    phone_scans = models.PositiveIntegerField(default=0)
    copied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "stall"], name="stamp_day_stall")]
        # The reports read a period's days of some communes: from this index alone (the figures are in it).
        indexes = [
            models.Index(
                fields=["day", "commune"],
                name="stamp_day_commune",
                include=["stall", "activated", "first_scanned", "scans", "phone_scans", "copied"],
            )
        ]

    def __str__(self):
        return f"{self.day} {self.stall_id}"


class StampCommuneDay(models.Model):
    """StampDay added up per commune: what a province's or the platform's report reads (a year of a
    province is then 100 communes × 365 days of rows, not one per stall)."""

    day = models.DateField()
    commune = _loose_key("marketplace.Commune")
    activated = models.PositiveIntegerField(default=0)
    first_scanned = models.PositiveIntegerField(default=0)
    scans = models.PositiveIntegerField(default=0)
    phone_scans = models.PositiveIntegerField(default=0)
    copied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "commune"],
                name="stamp_commune_day",
                include=["activated", "first_scanned", "scans", "phone_scans", "copied"],
            )
        ]

    def __str__(self):
        return f"{self.day} {self.commune_id}"


class ScanRegionDay(models.Model):
    """The scans of one commune's stamps from one region on one local day ("" when it is unknown)."""

    day = models.DateField()
    commune = _loose_key("marketplace.Commune")
    region = models.CharField(max_length=64, blank=True)
    scans = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Read by the reports alone, the scans included.
            models.UniqueConstraint(
                fields=["day", "commune", "region"], name="scan_region_day_place", include=["scans"]
            )
        ]

    def __str__(self):
        return f"{self.day} {self.commune_id} {self.region}"


class RollupState(models.Model):
    """How far a rollup has gone: every local day before ``rolled_until`` is added up."""

    name = models.CharField(max_length=32, unique=True)
    rolled_until = models.DateField()

    def __str__(self):
        return f"{self.name} < {self.rolled_until}"


class OrderDay(models.Model):
    """One stall's orders of one local day paid (or to be paid) one way: the orders placed that day and
    not cancelled, their units and value, and those whose money the stall received. Unlike the stamps, an
    order changes after its day (paid, delivered, cancelled, refunded): marketplace.reports.order_rollup
    counts each day again every night for RECOMPUTE_DAYS days."""

    day = models.DateField()
    commune = _loose_key("marketplace.Commune")
    stall = _loose_key("sellers.Stall")
    method = models.CharField(max_length=10)
    orders = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    value = models.PositiveBigIntegerField(default=0)
    paid = models.PositiveIntegerField(default=0)
    paid_cashless = models.PositiveIntegerField(default=0)
    paid_value = models.PositiveBigIntegerField(default=0)
    paid_cashless_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "stall", "method"], name="order_day_stall_method")
        ]
        # The reports read a period's days of some communes: from this index alone (the figures are in it).
        indexes = [
            models.Index(
                fields=["day", "commune"],
                name="order_day_commune",
                include=[
                    "stall",
                    "method",
                    "orders",
                    "units",
                    "value",
                    "paid",
                    "paid_cashless",
                    "paid_value",
                    "paid_cashless_value",
                ],
            )
        ]

    def __str__(self):
        return f"{self.day} {self.stall_id} {self.method}"


class DeliveryDay(models.Model):
    """The orders of one stall delivered on one local day that took ``hours`` whole hours from the order
    to the delivery: the median of a period is read from the running total of orders per hour."""

    day = models.DateField()
    commune = _loose_key("marketplace.Commune")
    stall = _loose_key("sellers.Stall")
    hours = models.IntegerField()
    orders = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "stall", "hours"], name="delivery_day_stall_hours", include=["orders"]
            )
        ]
        indexes = [
            models.Index(
                fields=["day", "commune"], name="delivery_day_commune", include=["stall", "hours", "orders"]
            )
        ]

    def __str__(self):
        return f"{self.day} {self.stall_id} {self.hours} h"
