"""The demo's codes: Bắc Ninh's 10 % for the season, and the Lục Ngạn lychee stall's own 2027 code."""

from datetime import date, timedelta

from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.promotions import services
from marketplace.promotions.models import Funder, VoucherFunding
from sellers.models import Stall

Voucher = get_model("voucher", "Voucher")
BAC_NINH = 24
LYCHEE_STALL = "htx-luc-ngan-xanh"  # sells "Vải thiều Lục Ngạn" (marketplace/demo_data.py)


def seed_vouchers(*, lychee_stall: str = LYCHEE_STALL) -> list[VoucherFunding]:
    """BACNINH10 (10 % off, paid by Bắc Ninh province) and VAI2027 (20.000 ₫ off from 300.000 ₫, paid by
    the lychee stall, until the 2027 season ends). Running it again changes nothing."""
    today = timezone.localdate()
    stall = Stall.objects.filter(slug=lychee_stall).first()
    wanted = [
        {
            "code": "BACNINH10",
            "funder": Funder.PROVINCE,
            "province_code": BAC_NINH,
            "province_name": "Bắc Ninh",
            "discount": VoucherFunding.Discount.PERCENT,
            "value": 10,
            "starts_on": today,
            "ends_on": today + timedelta(days=120),
        }
    ]
    if stall is not None:
        wanted.append(
            {
                "code": "VAI2027",
                "funder": Funder.STALL,
                "stall": stall,
                "discount": VoucherFunding.Discount.AMOUNT,
                "value": 20000,
                "min_spend": 300000,
                "starts_on": today,
                "ends_on": max(date(2027, 7, 31), today + timedelta(days=30)),
            }
        )
    made = []
    for fields in wanted:
        funding = VoucherFunding.objects.filter(voucher__code=fields["code"]).first()
        made.append(funding or services.voucher_create(**fields, created_by=None))
    return made
