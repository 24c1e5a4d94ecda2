"""Whose figures a person may see: their commune, their province, or the whole platform; and the
narrower choice they made on the page (one province, one commune)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from ground.models import Commune
from marketplace.reports.tables import Scope
from sellers import roles
from sellers.access import report_communes, sees_every_commune
from sellers.models import ProvinceAssignment


@dataclass
class Reach:
    """What the page offers to choose from, and what was chosen."""

    scope: Scope
    communes: list[Commune]  # every commune within reach, for the chooser
    provinces: list[tuple[int, str]]  # (code, name) of the provinces within reach
    commune: Commune | None = None  # the one commune chosen, if any
    province_code: int | None = None  # the one province chosen, if any


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def _province_staff_of(user, code: int | None) -> bool:
    """The role and the assignment both: an assignment left over after the role was taken is nothing."""
    return (
        user.groups.filter(name=roles.PROVINCE_STAFF).exists()
        and ProvinceAssignment.objects.filter(user=user, province_code=code).exists()
    )


def report_reach(user, *, commune: str = "", province: str = "") -> Reach:
    """The scope of ``user``'s report, narrowed to ``commune`` (its code) or ``province`` (its code)
    when asked. No reach at all: PermissionDenied; a commune or province outside it: 404."""
    communes = list(
        report_communes(user)
        .only("pk", "code", "name", "province_code", "province_name")
        .order_by("province_name", "name")
    )
    if not communes:
        raise PermissionDenied
    provinces = sorted({(c.province_code, c.province_name) for c in communes}, key=lambda p: p[1])
    if commune and province:
        # The chooser sent a commune left over from the province chosen before: the province wins.
        inside = {c.code for c in communes if c.province_code == _number(province)}
        commune = commune if _number(commune) in inside else ""
    if commune:
        code = _number(commune)
        chosen = next((c for c in communes if c.code == code), None)
        if chosen is None:
            raise Http404
        return Reach(Scope(str(chosen), (chosen.pk,)), communes, provinces, commune=chosen)
    if province:
        # A whole province: the platform's admins, or its own staff (commune staff see one commune of
        # it, which must not be labelled as the province).
        code = _number(province)
        inside = [c for c in communes if c.province_code == code]
        if not inside or not (sees_every_commune(user) or _province_staff_of(user, code)):
            raise Http404
        scope = Scope(inside[0].province_name, tuple(c.pk for c in inside))
        return Reach(scope, communes, provinces, province_code=code)
    if sees_every_commune(user):
        return Reach(Scope(_("The whole platform"), None), communes, provinces)
    if len(provinces) == 1 and len(communes) > 1:
        label = provinces[0][1]
    else:
        label = ", ".join(str(c) for c in communes[:3]) + ("…" if len(communes) > 3 else "")
    return Reach(Scope(label, tuple(c.pk for c in communes)), communes, provinces)
