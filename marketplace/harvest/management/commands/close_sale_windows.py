from django.core.management.base import BaseCommand

from marketplace.harvest.services import close_due


class Command(BaseCommand):
    help = "Close the sale windows whose closing date has passed (run once a day, e.g. from cron)."

    def handle(self, *args, **options):
        closed = close_due()
        self.stdout.write(f"{closed} sale window(s) closed.")
