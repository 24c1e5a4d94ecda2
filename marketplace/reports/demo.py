"""The demo's figures that no other seeding makes: households a digital helper looks after (with their
consent) and what the helper did for them, and scans of the lychee lot's stamps."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sellers import services
from sellers.models import HelperConsent, OneTimeCode, PhoneAccount, Stall
from traceability.models import HarvestLot, Scan, Stamp
from traceability.services import scan_record


def seed_demo(*, helper, households: list[dict], scan_regions: list[str], copied_regions: list[str]) -> None:
    """``households``: {stall (slug), name, phone, pickup_point}; ``scan_regions``: one scan a day going
    back from today, each of another stamp of the lychee lot; ``copied_regions``: one stamp's scans from
    that many networks in the last hours."""
    _helped_households(helper=helper, households=households)
    _scans(scan_regions=scan_regions, copied_regions=copied_regions)


@transaction.atomic
def _helped_households(*, helper, households: list[dict]) -> None:
    if HelperConsent.objects.filter(helper=helper).exists():
        return
    User = get_user_model()
    for household in households:
        stall = Stall.objects.get(slug=household["stall"])
        user, _ = User.objects.get_or_create(
            username=household["phone"].removeprefix("+"), defaults={"first_name": household["name"]}
        )
        PhoneAccount.objects.get_or_create(user=user, defaults={"phone": household["phone"]})
        Stall.objects.filter(pk=stall.pk).update(owner=user)
        stall.refresh_from_db()
        stall.partner.users.add(user)
        # The household read its code out to the helper (what ``assisted_confirm`` checks).
        code = OneTimeCode.objects.create(
            phone=household["phone"],
            purpose=OneTimeCode.Purpose.CONSENT,
            code_hash="demo",
            expires_at=timezone.now(),
            used_at=timezone.now(),
        )
        HelperConsent.objects.create(stall=stall, helper=helper, household=user, confirmed_with=code)
        services.audit(stall=stall, actor=user, action="helper_consent_given", helper=str(helper))
        services.stall_update(stall=stall, actor=helper, pickup_point=household["pickup_point"])


def _scans(*, scan_regions: list[str], copied_regions: list[str]) -> None:
    lot = HarvestLot.objects.get(code="LN2026-06A")
    if Scan.objects.filter(stamp__lot=lot).exists():
        return
    stamps = list(Stamp.objects.filter(lot=lot, status=Stamp.Status.ACTIVE).order_by("number"))
    now = timezone.now()
    for days_ago, (stamp, region) in enumerate(zip(stamps, scan_regions, strict=False), start=1):
        _scan(
            stamp, region=region, network=f"demo-{days_ago % 4}", at=now - datetime.timedelta(days=days_ago)
        )
    copied = stamps[-1]
    for hours, region in enumerate(copied_regions, start=1):
        _scan(
            copied, region=region, network=f"demo-far-{hours}", at=now - datetime.timedelta(hours=hours * 7)
        )


def _scan(stamp: Stamp, *, region: str, network: str, at: datetime.datetime) -> None:
    scan_record(stamp_id=stamp.pk, region=region, network=network, agent=Scan.Agent.PHONE)
    Scan.objects.filter(pk=Scan.objects.filter(stamp=stamp).latest("pk").pk).update(scanned_at=at)
    first = Scan.objects.filter(stamp=stamp).earliest("scanned_at").scanned_at
    Stamp.objects.filter(pk=stamp.pk).update(first_scanned_at=first)
