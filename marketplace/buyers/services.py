"""Writes for buyers: signing in with a one-time code to the phone, buying an order again."""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_class

from ground.limits import lock_keys
from sellers import otp, roles
from sellers.access import needs_password
from sellers.models import OneTimeCode, PhoneAccount

User = get_user_model()
Selector = get_class("partner.strategy", "Selector")


def buyer_login(*, phone: str, code: str):
    """The account of this phone, after its code: the one that owns it (a seller's phone opens the
    seller's own account: one person, one account), else a new buyer account. Raises otp.CodeError
    for a wrong, expired or used code and ValidationError for an account a code may not open."""
    otp.otp_verify(phone=phone, purpose=OneTimeCode.Purpose.LOGIN, code=code)  # its own transaction
    user = buyer_account(phone=phone)
    if not user.is_active:
        raise ValidationError(_("This account is closed. Ask the commune office for help."), code="inactive")
    if needs_password(user):
        # A code alone must never open a staff account: its password comes first, then the code.
        raise ValidationError(_("Staff accounts log in with their password."), code="staff")
    return user


@transaction.atomic
def buyer_account(*, phone: str):
    """The account that owns ``phone``, made (a user without a password, and its PhoneAccount) when
    there is none. Under a lock per number: a parallel burst for a new number makes one account."""
    lock_keys(f"phone-account:{phone}")
    account = PhoneAccount.objects.select_related("user").filter(phone=phone).first()
    if account is not None:
        return account.user
    username = phone
    if User.objects.filter(username=username).exists():  # an older account took this name
        username = f"{phone}-{secrets.token_hex(3)}"
    user = User(username=username)
    user.set_unusable_password()
    user.save()
    PhoneAccount.objects.create(user=user, phone=phone)
    user.groups.add(roles.role_group(roles.BUYER))
    return user


# Buying again ---------------------------------------------------------------------------------


@dataclass
class BuyAgain:
    added: list[str] = field(default_factory=list)  # "2 × Vải thiều"
    problems: list[str] = field(default_factory=list)  # why a product was left out, or fewer


def buy_again(*, basket, order) -> BuyAgain:
    """Put the order's products in ``basket`` as they are sold now: from a verified stall with stock,
    at most the stock (counting what the basket already holds). Says what could not be added and why."""
    result = BuyAgain()
    strategy = basket.strategy if getattr(basket, "strategy", None) else Selector().strategy()
    for line in order.lines.all():
        title = line.title
        product = line.product
        if product is None or not product.is_public:
            result.problems.append(_("%(product)s: no longer sold.") % {"product": title})
            continue
        info = strategy.fetch_for_product(product)
        if info.stockrecord is None or info.price is None or not info.price.exists:
            result.problems.append(_("%(product)s: no stall sells it now.") % {"product": title})
            continue
        in_basket = basket.line_quantity(product, info.stockrecord) if basket.id else 0
        stock = info.stockrecord.net_stock_level
        room = max(stock - in_basket, 0) if stock is not None else line.quantity
        quantity = min(line.quantity, room)
        if quantity <= 0 or not info.availability.is_purchase_permitted(in_basket + quantity)[0]:
            result.problems.append(_("%(product)s: out of stock.") % {"product": title})
            continue
        basket.add_product(product, quantity)
        result.added.append(f"{quantity} × {title}")
        if quantity < line.quantity:
            result.problems.append(
                _("%(product)s: only %(count)s left, %(count)s added.")
                % {"product": title, "count": quantity}
            )
    return result
