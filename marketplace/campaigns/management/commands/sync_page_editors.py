from django.core.management.base import BaseCommand

from marketplace.campaigns.editors import page_editors_sync


class Command(BaseCommand):
    help = (
        "Gives each commune's and province's staff the right to edit their own storefront's campaign and "
        "guide pages in the Wagtail admin (/cms/), and takes it from those no longer assigned."
    )

    def handle(self, *args, **options):
        count = page_editors_sync()
        self.stdout.write(f"{count} storefronts: page editors in step with the assignments.")
