from django.core.management.base import BaseCommand

from marketplace import demo_data
from marketplace.demo import demo_seed


class Command(BaseCommand):
    help = "Create (or bring back) the demo communes, stalls, products, sites and users. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--no-images", action="store_true", help="Skip generating product photos.")

    def handle(self, *args, no_images=False, **options):
        counts = demo_seed(with_images=not no_images)
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))
        accounts = (
            ("Staff", demo_data.STAFF_USER),
            ("Seller", demo_data.SELLER_USER),
            ("Cooperative manager", demo_data.COOPERATIVE_MANAGER_USER),
            ("Commune staff", demo_data.COMMUNE_STAFF_USER),
            ("Digital helper", demo_data.HELPER_USER),
            ("Province staff (figures at /bao-cao/)", demo_data.PROVINCE_STAFF_USER),
        )
        for role, user in accounts:
            self.stdout.write(f"{role}: {user['username']} / {user['password']} ({user['email']})")
        self.stdout.write(
            "The admin types a code after the password: the demo server prints every text message it sends."
        )
