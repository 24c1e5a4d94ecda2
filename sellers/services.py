"""Writes for stalls: sign-up, the stall's life from draft to verified, helpers and their consent.

Each business action is one transaction with its audit row inside; side effects run after commit.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from ground.models import Commune, HomePage
from sellers import otp, roles
from sellers.access import acting_for, helper_communes, staff_communes
from sellers.models import (
    STALL_FORM_FIELDS,
    HelperConsent,
    OneTimeCode,
    PhoneAccount,
    Stall,
    StallAuditEntry,
    StallPage,
    StallPhoto,
)

Partner = get_model("partner", "Partner")
logger = logging.getLogger(__name__)
User = get_user_model()

# The stall's own columns among what the household fills in.
STALL_FIELDS = tuple(name for name in STALL_FORM_FIELDS if name not in ("name", "commune"))


def audit(*, stall: Stall, actor, action: str, on_behalf_of=None, **detail) -> StallAuditEntry:
    return StallAuditEntry.objects.create(
        stall=stall, actor=actor, on_behalf_of=on_behalf_of, action=action, detail=detail
    )


# Accounts -------------------------------------------------------------------------------------


def _user_for_phone(*, phone: str, name: str = "") -> tuple[User, bool]:
    account = PhoneAccount.objects.select_related("user").filter(phone=phone).first()
    if account:
        return account.user, False
    user = User.objects.create(username=phone, first_name=name[:150])
    user.set_unusable_password()
    user.save(update_fields=["password"])
    PhoneAccount.objects.create(user=user, phone=phone)
    user.groups.add(roles.role_group(roles.SELLER))
    return user, True


@transaction.atomic
def seller_signup(*, phone: str, code: str, name: str = "") -> User:
    if PhoneAccount.objects.filter(phone=phone).exists():
        raise ValidationError(_("This number is already registered. Log in instead."), code="registered")
    otp.otp_verify(phone=phone, purpose=OneTimeCode.Purpose.SIGNUP, code=code)
    user, _created = _user_for_phone(phone=phone, name=name)
    return user


def seller_login(*, phone: str, code: str) -> User:
    otp.otp_verify(phone=phone, purpose=OneTimeCode.Purpose.LOGIN, code=code)
    account = PhoneAccount.objects.select_related("user").filter(phone=phone).first()
    if account is None or not account.user.is_active:
        raise ValidationError(_("No stall is registered with this number. Sign up first."), code="unknown")
    return account.user


# The stall ------------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name.replace("đ", "d").replace("Đ", "D"))[:100] or "gian-hang"
    slug, n = base, 1
    while Stall.objects.filter(slug=slug).exists() or Partner.objects.filter(code=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def stall_create(*, owner, actor, name: str, commune: Commune, phone: str = "", **fields) -> Stall:
    slug = _unique_slug(name)
    partner = Partner.objects.create(name=name, code=slug)
    partner.users.add(owner)
    stall = Stall(partner=partner, owner=owner, commune=commune, slug=slug, phone=phone)
    for field in STALL_FIELDS:
        if field in fields:
            setattr(stall, field, fields[field])
    stall.full_clean()
    stall.save()
    audit(stall=stall, actor=actor, action="stall_created", on_behalf_of=acting_for(actor, stall), name=name)
    return stall


@transaction.atomic
def stall_update(*, stall: Stall, actor, name: str | None = None, **fields) -> Stall:
    changed = [field for field in STALL_FIELDS if field in fields and getattr(stall, field) != fields[field]]
    for field in changed:
        setattr(stall, field, fields[field])
    if name is not None and name != stall.partner.name:
        stall.partner.name = name
        stall.partner.save(update_fields=["name"])
        changed.append("name")
    if stall.status == Stall.Status.REJECTED and changed:
        stall.status = Stall.Status.DRAFT
    stall.full_clean()
    stall.save()
    if changed:
        audit(
            stall=stall,
            actor=actor,
            action="stall_updated",
            on_behalf_of=acting_for(actor, stall),
            fields=changed,
        )
    return stall


def stall_photo_add(*, stall: Stall, actor, photo) -> bool:
    """Store a checked photo of the stall; False (and nothing half-saved) if the storage fails."""
    try:
        with transaction.atomic():
            StallPhoto.objects.create(
                stall=stall, image=photo, caption=stall.name, display_order=stall.photos.count()
            )
            audit(stall=stall, actor=actor, action="photo_added", on_behalf_of=acting_for(actor, stall))
    except Exception:  # storage errors come from boto3 or the filesystem alike
        logger.exception("Could not store a photo for stall %s", stall.pk)
        return False
    return True


@transaction.atomic
def stall_submit(*, stall: Stall, actor) -> Stall:
    if stall.status not in (Stall.Status.DRAFT, Stall.Status.REJECTED):
        raise ValidationError(_("This stall has already been sent to the commune."), code="not_draft")
    stall.status = Stall.Status.SUBMITTED
    stall.status_reason = ""
    stall.submitted_at = timezone.now()
    stall.save(update_fields=["status", "status_reason", "submitted_at", "updated_at"])
    audit(stall=stall, actor=actor, action="stall_submitted", on_behalf_of=acting_for(actor, stall))
    return stall


def _check_staff_scope(*, stall: Stall, staff) -> None:
    if not staff_communes(staff).filter(pk=stall.commune_id).exists():
        raise PermissionDenied(_("You can only review stalls of your own commune."))


@transaction.atomic
def stall_verify(*, stall: Stall, staff) -> Stall:
    _check_staff_scope(stall=stall, staff=staff)
    if stall.status != Stall.Status.SUBMITTED:
        raise ValidationError(
            _("Only a stall waiting for the commune can be verified."), code="not_submitted"
        )
    stall.status = Stall.Status.VERIFIED
    stall.status_reason = ""
    stall.verified_at = timezone.now()
    stall.verified_by = staff
    stall.save(update_fields=["status", "status_reason", "verified_at", "verified_by", "updated_at"])
    stall_page_publish(stall=stall)
    audit(stall=stall, actor=staff, action="stall_verified")
    return stall


@transaction.atomic
def stall_reject(*, stall: Stall, staff, reason: str) -> Stall:
    _check_staff_scope(stall=stall, staff=staff)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Write the reason, so the household knows what to change."), code="no_reason")
    if stall.status not in (Stall.Status.SUBMITTED, Stall.Status.VERIFIED):
        raise ValidationError(_("This stall is not waiting for a decision."), code="not_submitted")
    was_verified = stall.status == Stall.Status.VERIFIED
    stall.status = Stall.Status.SUSPENDED if was_verified else Stall.Status.REJECTED
    stall.status_reason = reason
    stall.save(update_fields=["status", "status_reason", "updated_at"])
    if was_verified and hasattr(stall, "page"):
        stall.page.unpublish()
    audit(
        stall=stall,
        actor=staff,
        action="stall_suspended" if was_verified else "stall_rejected",
        reason=reason,
    )
    return stall


def stall_page_publish(*, stall: Stall) -> StallPage | None:
    """Publish the stall's page under the storefront of its commune (the commune's own site)."""
    existing = StallPage.objects.filter(stall=stall).first()
    if existing:
        if not existing.live:
            existing.save_revision().publish()
        return existing
    parent = HomePage.objects.filter(communes=stall.commune).order_by("depth", "pk").first()
    if parent is None:
        parent = HomePage.objects.filter(province_code=stall.commune.province_code).order_by("depth").first()
    if parent is None:
        return None
    page = StallPage(title=stall.name, slug=stall.slug, stall=stall)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


# Digital helpers ------------------------------------------------------------------------------


def assisted_start(*, helper, household_phone: str, commune: Commune, ip_address: str | None) -> OneTimeCode:
    """A helper asks for the household's consent: a code goes to the household's own phone."""
    if not helper_communes(helper).filter(pk=commune.pk).exists():
        raise PermissionDenied(_("You can only help households of your own commune."))
    return otp.otp_send(phone=household_phone, purpose=OneTimeCode.Purpose.CONSENT, ip_address=ip_address)


@transaction.atomic
def assisted_confirm(
    *, helper, household_phone: str, household_name: str, stall_name: str, commune: Commune, code: str
) -> Stall:
    """The household typed its code on the helper's phone: open its stall, record the consent."""
    if not helper_communes(helper).filter(pk=commune.pk).exists():
        raise PermissionDenied(_("You can only help households of your own commune."))
    confirmation = otp.otp_verify(phone=household_phone, purpose=OneTimeCode.Purpose.CONSENT, code=code)
    household, _created = _user_for_phone(phone=household_phone, name=household_name)
    stall = stall_create(
        owner=household, actor=helper, name=stall_name, commune=commune, phone=household_phone
    )
    HelperConsent.objects.create(stall=stall, helper=helper, household=household, confirmed_with=confirmation)
    audit(
        stall=stall,
        actor=household,
        action="helper_consent_given",
        helper=helper.get_full_name() or helper.username,
    )
    return stall


@transaction.atomic
def helper_consent_revoke(*, stall: Stall, household) -> int:
    if stall.owner_id != household.pk:
        raise PermissionDenied(_("Only the household can change who helps with its stall."))
    revoked = HelperConsent.objects.filter(stall=stall, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit(stall=stall, actor=household, action="helper_consent_revoked")
    return revoked
