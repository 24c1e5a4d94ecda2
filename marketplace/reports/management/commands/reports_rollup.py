"""Adds up the stamp facts of the days not added up yet and counts the recent orders again, now (for
cron, a deployment or the demo)."""

from datetime import date

from django.core.management.base import BaseCommand

from marketplace.reports.order_rollup import RECOMPUTE_DAYS, orders_rolled_until, orders_rollup_refresh
from marketplace.reports.rollup import rolled_until, rollup_refresh


class Command(BaseCommand):
    help = "Add up the stamp facts of every day before today (or --until) that is not added up yet."

    def add_arguments(self, parser):
        parser.add_argument("--until", type=date.fromisoformat, help="first day left out (YYYY-MM-DD)")

    def handle(self, *args, until: date | None = None, **options):
        days = rollup_refresh(until=until)
        self.stdout.write(f"Stamps: {days} day(s) added up; the reports read from {rolled_until()} on live.")
        days = orders_rollup_refresh(until=until)
        self.stdout.write(
            f"Orders: {days} day(s) counted (the last {RECOMPUTE_DAYS} again); "
            f"the reports read from {orders_rolled_until()} on live."
        )
