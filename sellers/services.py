"""Writes for stalls: sign-up, the stall's life from draft to verified, helpers and their consent,
and new payout details after verification (confirmed by the household's own code).

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

from ground.messaging import send_text
from ground.models import Commune, HomePage
from sellers import otp, roles
from sellers.access import acting_for, helper_communes, needs_password, staff_communes
from sellers.models import (
    PAYOUT_FIELDS,
    STALL_FORM_FIELDS,
    CommuneAssignment,
    HelperConsent,
    OneTimeCode,
    PayoutChange,
    PhoneAccount,
    Stall,
    StallAuditEntry,
    StallPage,
    StallPhoto,
    payout_summary,
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


def seller_signup(*, phone: str, code: str, name: str = "") -> User:
    if PhoneAccount.objects.filter(phone=phone).exists():
        raise ValidationError(_("This number is already registered. Log in instead."), code="registered")
    otp.otp_verify(phone=phone, purpose=OneTimeCode.Purpose.SIGNUP, code=code)  # its own transaction
    with transaction.atomic():
        user, _created = _user_for_phone(phone=phone, name=name)
    return user


def seller_login(*, phone: str, code: str) -> User:
    otp.otp_verify(phone=phone, purpose=OneTimeCode.Purpose.LOGIN, code=code)
    account = PhoneAccount.objects.select_related("user").filter(phone=phone).first()
    if account is None or not account.user.is_active:
        raise ValidationError(_("No stall is registered with this number. Sign up first."), code="unknown")
    if needs_password(account.user):
        # A code alone must never open a staff account: its password comes first, then the code.
        raise ValidationError(_("Staff accounts log in with their password."), code="staff")
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
def stall_update(
    *, stall: Stall, actor, name: str | None = None, ip_address: str | None = None, **fields
) -> Stall:
    """Save what the household changed. Once the stall is verified, new payout details do not apply
    here: they wait for the household's code (``payout_change_request``)."""
    payout = {}
    if stall.payout_change_needs_code:
        payout = {field: fields.pop(field) for field in PAYOUT_FIELDS if field in fields}
        # The details in force change only with the code: never written back from this instance.
        in_force = Stall.objects.select_for_update().only(*PAYOUT_FIELDS).get(pk=stall.pk)
        for field in PAYOUT_FIELDS:
            setattr(stall, field, getattr(in_force, field))
    changed = [field for field in STALL_FIELDS if field in fields and getattr(stall, field) != fields[field]]
    old_payout = payout_summary(*(getattr(stall, field) for field in PAYOUT_FIELDS))
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
        # The log names what changed; a new bank account is shown old and new, masked.
        payout_detail = {}
        if any(field in PAYOUT_FIELDS for field in changed):
            new_payout = payout_summary(*(getattr(stall, field) for field in PAYOUT_FIELDS))
            payout_detail = {"old": old_payout, "new": new_payout}
        audit(
            stall=stall,
            actor=actor,
            action="stall_updated",
            on_behalf_of=acting_for(actor, stall),
            fields=changed,
            **payout_detail,
        )
    if payout:
        wanted = {field: getattr(stall, field) for field in PAYOUT_FIELDS} | payout
        payout_change_request(stall=stall, actor=actor, ip_address=ip_address, **wanted)
    return stall


# New payout details after verification --------------------------------------------------------


def _household_phone(stall: Stall) -> str:
    """The household's own number (its sign-in phone): codes for its bank details go only there."""
    phone = (
        PhoneAccount.objects.filter(user_id=stall.owner_id).values_list("phone", flat=True).first()
        if stall.owner_id
        else None
    )
    if not phone:
        raise ValidationError(
            _("The household has no phone number to confirm new bank details. Ask the commune."),
            code="no_phone",
        )
    return phone


def _account_words(summary: dict) -> str:
    """New payout details in a text message: plain letters, only the account's last 4 digits."""
    if not summary["account"]:
        return _("no bank account (cash only)")
    return _("%(bank)s, account number ending in %(last4)s, %(holder)s") % {
        "bank": summary["bank"],
        "last4": summary["account"][-4:],
        "holder": summary["holder"],
    }


@transaction.atomic
def payout_change_request(
    *,
    stall: Stall,
    actor,
    bank_bin: str,
    bank_account_number: str,
    bank_account_name: str,
    ip_address: str | None = None,
) -> PayoutChange | None:
    """New payout details for a verified stall. They are kept apart, the stall's new orders are paid
    in cash only meanwhile, a code goes to the household's own phone (also when a helper asked),
    the commune is told, and the log keeps old and new, masked. Returns the change now waiting, or
    None when the details asked for are the ones in force (a change waiting is then dropped)."""
    new = (bank_bin, bank_account_number, bank_account_name)
    current = (stall.bank_bin, stall.bank_account_number, stall.bank_account_name)
    waiting = PayoutChange.objects.select_for_update().pending().filter(stall=stall).first()
    if waiting is not None:
        if (waiting.bank_bin, waiting.bank_account_number, waiting.bank_account_name) == new:
            return waiting  # the same details again (the form shows them): nothing new to confirm
        waiting.status = PayoutChange.Status.CANCELLED
        waiting.decided_at, waiting.decided_by = timezone.now(), actor
        waiting.save(update_fields=["status", "decided_at", "decided_by"])
    if new == current:
        if waiting is not None:
            audit(
                stall=stall,
                actor=actor,
                action="payout_change_cancelled",
                on_behalf_of=acting_for(actor, stall),
                old=payout_summary(*current),
                new=waiting.new_summary(),
            )
        return None
    change = PayoutChange(
        stall=stall,
        bank_bin=bank_bin,
        bank_account_number=bank_account_number,
        bank_account_name=bank_account_name,
        old_bank_bin=stall.bank_bin,
        old_bank_account_number=stall.bank_account_number,
        old_bank_account_name=stall.bank_account_name,
        phone=_household_phone(stall),
        requested_by=actor,
    )
    change.full_clean()
    change.save()
    audit(
        stall=stall,
        actor=actor,
        action="payout_change_requested",
        on_behalf_of=acting_for(actor, stall),
        old=change.old_summary(),
        new=change.new_summary(),
    )
    try:
        _payout_code_send(change, ip_address=ip_address)
    except otp.CodeError:
        # Too many codes for now: the change waits (cash only) and the stall's page offers to resend.
        logger.warning("No code sent for the payout change of stall %s", stall.pk)
    _commune_tell(change)
    return change


def _payout_code_send(change: PayoutChange, *, ip_address: str | None) -> OneTimeCode:
    """What the code is for, then the code, both to the household's own phone (raises CodeError)."""
    phone = change.phone
    text = _(
        "Cho OCOP: new bank details were entered for %(stall)s: %(account)s. If you asked for this, "
        "enter the code from the next message. If not, give the code to no one and tell the commune."
    ) % {"stall": change.stall.name, "account": _account_words(change.new_summary())}
    with transaction.atomic():  # a code refused takes its explanation with it
        transaction.on_commit(lambda: send_text(phone=phone, text=text))
        code = otp.otp_send(phone=phone, purpose=OneTimeCode.Purpose.PAYOUT, ip_address=ip_address)
    change.code = code
    change.save(update_fields=["code"])
    return code


def _commune_tell(change: PayoutChange) -> None:
    """A text to each commune staff member of the stall's commune who has a phone (after commit)."""
    stall = change.stall
    phones = list(
        PhoneAccount.objects.filter(
            user__is_active=True,
            user__commune_assignments__commune_id=stall.commune_id,
            user__commune_assignments__role=CommuneAssignment.Role.STAFF,
        )
        .values_list("phone", flat=True)
        .distinct()
    )
    text = _(
        "Cho OCOP: %(stall)s (%(commune)s) changed its payout bank details to %(account)s. The household "
        "must confirm with a code sent to its own phone. See the commune's stall page."
    ) % {"stall": stall.name, "commune": stall.commune.name, "account": _account_words(change.new_summary())}
    for phone in phones:
        transaction.on_commit(lambda phone=phone: send_text(phone=phone, text=text))


@transaction.atomic
def payout_code_resend(*, stall: Stall, ip_address: str | None) -> PayoutChange:
    """A new code for the change waiting, to the household's own phone (raises CodeError)."""
    change = PayoutChange.objects.select_for_update().pending().filter(stall=stall).first()
    if change is None:
        raise ValidationError(_("No new bank details are waiting for a code."), code="nothing_waiting")
    _payout_code_send(change, ip_address=ip_address)
    return change


def payout_change_confirm(*, stall: Stall, actor, code: str) -> PayoutChange:
    """The household typed its code: the new details are in force for the stall's new orders (orders
    already placed keep theirs). A wrong code raises CodeError and changes nothing."""
    change = PayoutChange.objects.pending().filter(stall=stall).first()
    if change is None:
        raise ValidationError(_("No new bank details are waiting for a code."), code="nothing_waiting")
    # Outside the transaction below: a wrong try stays counted when the error is raised.
    confirmation = otp.otp_verify(phone=change.phone, purpose=OneTimeCode.Purpose.PAYOUT, code=code)
    if confirmation.pk != change.code_id:
        raise otp.CodeError(_("This code was sent for other bank details. Ask for a new code."))
    return _payout_change_apply(stall_pk=stall.pk, change_pk=change.pk, actor=actor)


@transaction.atomic
def _payout_change_apply(*, stall_pk: int, change_pk: int, actor) -> PayoutChange:
    stall = Stall.objects.select_for_update().get(pk=stall_pk)
    change = PayoutChange.objects.select_for_update().get(pk=change_pk)
    if change.status != PayoutChange.Status.PENDING:
        raise ValidationError(_("These bank details were replaced meanwhile."), code="not_waiting")
    old = payout_summary(stall.bank_bin, stall.bank_account_number, stall.bank_account_name)
    for field in PAYOUT_FIELDS:
        setattr(stall, field, getattr(change, field))
    stall.save(update_fields=[*PAYOUT_FIELDS, "updated_at"])
    change.status = PayoutChange.Status.CONFIRMED
    change.decided_at, change.decided_by = timezone.now(), actor
    change.save(update_fields=["status", "decided_at", "decided_by"])
    audit(
        stall=stall,
        actor=actor,
        action="payout_change_confirmed",
        on_behalf_of=acting_for(actor, stall),
        old=old,
        new=change.new_summary(),
    )
    return change


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
    _household_tell(
        stall,
        _(
            "Cho OCOP: %(commune)s has verified your stall %(stall)s. Buyers can now see and buy your "
            "products."
        )
        % {"commune": stall.commune.name, "stall": stall.name},
    )
    return stall


def _household_tell(stall: Stall, text: str) -> None:
    """A text to the household's own phone (its sign-in number, else the stall's), after commit."""
    phone = (
        PhoneAccount.objects.filter(user_id=stall.owner_id).values_list("phone", flat=True).first()
        if stall.owner_id
        else None
    ) or stall.phone
    if phone:
        transaction.on_commit(lambda: send_text(phone=phone, text=text))


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
    words = {"commune": stall.commune.name, "stall": stall.name, "reason": reason.rstrip(". ")}
    if was_verified:
        text = _("Cho OCOP: %(commune)s has suspended your stall %(stall)s. The reason: %(reason)s.") % words
    else:
        text = (
            _(
                "Cho OCOP: %(commune)s sent your stall %(stall)s back. What to change: %(reason)s. Fix it, "
                "then send it again from your stall page."
            )
            % words
        )
    _household_tell(stall, text)
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


def helper_display_name(helper) -> str:
    return helper.get_full_name() or helper.username


def _escape_percent(value: str) -> str:
    return value.replace("%", "%%")


def assisted_start(
    *, helper, household_phone: str, commune: Commune, ip_address: str | None, stall_name: str = ""
) -> OneTimeCode:
    """A helper asks for the household's consent: a code goes to the household's own phone, in a text
    that names the helper and what the code allows, and says to give it to that helper only."""
    if not helper_communes(helper).filter(pk=commune.pk).exists():
        raise PermissionDenied(_("You can only help households of your own commune."))
    # Written without diacritics in Vietnamese too (like every code text); the names stay as written.
    text = _(
        "Cho OCOP: %(helper)s (digital helper of %(commune)s) asks your permission to open the stall "
        "%(stall)s for you. If you agree, give the code %(code)s to %(helper)s only, no one else. It works "
        "for 5 minutes. If you did not ask for this, give the code to no one."
    ) % {
        "helper": _escape_percent(helper_display_name(helper)),
        "commune": _escape_percent(commune.name),
        "stall": _escape_percent(f"“{stall_name}”" if stall_name else ""),
        "code": "%(code)s",  # otp_send puts the code here
    }
    return otp.otp_send(
        phone=household_phone, purpose=OneTimeCode.Purpose.CONSENT, ip_address=ip_address, text=text
    )


def assisted_confirm(
    *, helper, household_phone: str, household_name: str, stall_name: str, commune: Commune, code: str
) -> Stall:
    """The household typed its code on the helper's phone: open its stall, record the consent."""
    if not helper_communes(helper).filter(pk=commune.pk).exists():
        raise PermissionDenied(_("You can only help households of your own commune."))
    # Its own transaction, before ours: a wrong try stays counted when the error is raised.
    confirmation = otp.otp_verify(phone=household_phone, purpose=OneTimeCode.Purpose.CONSENT, code=code)
    with transaction.atomic():
        return assisted_stall_open(
            helper=helper,
            household_phone=household_phone,
            household_name=household_name,
            stall_name=stall_name,
            commune=commune,
            confirmation=confirmation,
        )


def assisted_stall_open(*, helper, household_phone, household_name, stall_name, commune, confirmation):
    """The stall a helper opens for a household once its code confirmed the consent (also the demo's)."""
    household, _created = _user_for_phone(phone=household_phone, name=household_name)
    stall = stall_create(
        owner=household, actor=helper, name=stall_name, commune=commune, phone=household_phone
    )
    HelperConsent.objects.create(stall=stall, helper=helper, household=household, confirmed_with=confirmation)
    audit(
        stall=stall,
        actor=household,
        action="helper_consent_given",
        helper=helper_display_name(helper),
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
