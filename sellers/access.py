"""Who may touch which stall. Every seller view goes through here; the answer for others is 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse_lazy

from ground.models import Commune
from sellers import roles
from sellers.models import CommuneAssignment, HelperConsent, ProvinceAssignment, Stall


def managed_stalls(user):
    """Stalls the user owns, and stalls whose household currently allows the user to help."""
    if not user.is_authenticated:
        return Stall.objects.none()
    helping = HelperConsent.objects.filter(stall=OuterRef("pk"), helper=user, revoked_at__isnull=True)
    return Stall.objects.filter(Q(owner=user) | Exists(helping)).select_related("partner", "commune", "owner")


def managed_stall_or_404(user, pk) -> Stall:
    try:
        return managed_stalls(user).get(pk=pk)
    except (Stall.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


seller_login_required = login_required(login_url=reverse_lazy("sellers:login"))


def with_stall(view):
    """Loads the stall named in the URL if this user may manage it; 404 for anyone else."""

    @seller_login_required
    @wraps(view)
    def wrapper(request, stall_pk, *args, **kwargs):
        stall = managed_stall_or_404(request.user, stall_pk)
        return view(request, stall, *args, **kwargs)

    return wrapper


def acting_for(user, stall: Stall):
    """The household a helper acts for (None when the owner acts for themselves)."""
    return stall.owner if stall.owner_id and stall.owner_id != user.pk else None


def needs_password(user) -> bool:
    """Staff accounts (Django staff, platform admins, commune and province staff) log in with their
    password, then a code: a one-time code to their phone alone never opens them, whichever page asks."""
    if user.is_staff or user.is_superuser:
        return True
    if user.groups.filter(
        name__in=(roles.PLATFORM_ADMIN, roles.COMMUNE_STAFF, roles.PROVINCE_STAFF)
    ).exists():
        return True
    if ProvinceAssignment.objects.filter(user=user).exists():
        return True
    return CommuneAssignment.objects.filter(user=user, role=CommuneAssignment.Role.STAFF).exists()


def _assigned_communes(user, role: str):
    if not user.is_authenticated:
        return Commune.objects.none()
    if user.is_superuser:
        return Commune.objects.all()
    return Commune.objects.filter(assignments__user=user, assignments__role=role)


def staff_communes(user):
    """Communes whose stalls this commune staff member may verify."""
    if user.is_authenticated and not user.has_perm("sellers.verify_stall"):
        return Commune.objects.none()
    return _assigned_communes(user, CommuneAssignment.Role.STAFF)


def helper_communes(user):
    """Communes where this digital helper may open stalls for households."""
    if user.is_authenticated and not user.has_perm("sellers.help_households"):
        return Commune.objects.none()
    return _assigned_communes(user, CommuneAssignment.Role.HELPER)


def report_communes(user):
    """Communes whose figures this user may see on /bao-cao/: all of them for platform admins, their
    province's for province staff, their own for commune staff; none for anyone else."""
    if not user.is_authenticated:
        return Commune.objects.none()
    if sees_every_commune(user):
        return Commune.objects.all()
    provinces = ProvinceAssignment.objects.none()
    if user.groups.filter(name=roles.PROVINCE_STAFF).exists():
        provinces = ProvinceAssignment.objects.filter(user=user).values("province_code")
    return Commune.objects.filter(
        Q(pk__in=staff_communes(user).values("pk")) | Q(province_code__in=provinces)
    )


def sees_every_commune(user) -> bool:
    """Platform admins: the whole platform's figures."""
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name=roles.PLATFORM_ADMIN).exists()
    )
