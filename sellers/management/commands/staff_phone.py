"""Put a staff member's mobile number on file, for the code after their password (sellers.second_factor).

    manage.py staff_phone <user name> <phone> [--code-at-login | --no-code-at-login]

Platform admins always get the code; others (commune staff) get it with --code-at-login.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ground.phone import display_mobile, normalize_mobile
from sellers import second_factor
from sellers.models import PhoneAccount


class Command(BaseCommand):
    help = "Put a staff member's mobile number on file for the log-in code."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("phone", help="a Vietnamese mobile number, e.g. 0912345678")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument("--code-at-login", dest="code", action="store_true", default=None)
        choice.add_argument("--no-code-at-login", dest="code", action="store_false")

    def handle(self, *args, username, phone, code, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            phone = normalize_mobile(phone)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        taken = PhoneAccount.objects.filter(phone=phone).exclude(user=user).select_related("user").first()
        if taken is not None:
            raise CommandError(
                f"{display_mobile(phone)} is already the number of {taken.user.get_username()!r}."
            )
        account, _ = PhoneAccount.objects.get_or_create(user=user, defaults={"phone": phone})
        account.phone = phone
        account.verified_at = timezone.now()
        if code is not None:
            account.second_factor = code
        account.save()
        asked = second_factor.required(user) or account.second_factor
        self.stdout.write(
            f"{username}: {display_mobile(phone)}, code after the password: {'yes' if asked else 'no'}"
        )
