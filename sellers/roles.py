"""The roles of the marketplace, as Django groups (created by migration sellers.0003_roles).

Groups carry permissions; ``CommuneAssignment`` scopes commune staff and digital helpers to the communes
they serve, ``ProvinceAssignment`` province staff to their province. A seller's reach is its own stall:
``sellers.access`` decides that.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PLATFORM_ADMIN = "platform_admin"
COMMUNE_STAFF = "commune_staff"
COOPERATIVE_MANAGER = "cooperative_manager"
SELLER = "seller"
DIGITAL_HELPER = "digital_helper"
PROVINCE_STAFF = "province_staff"
BUYER = "buyer"

ROLE_LABELS = {
    PLATFORM_ADMIN: _("Platform admin"),
    COMMUNE_STAFF: _("Commune staff"),
    COOPERATIVE_MANAGER: _("Cooperative manager"),
    SELLER: _("Seller"),
    DIGITAL_HELPER: _("Digital helper"),
    PROVINCE_STAFF: _("Province staff"),
    BUYER: _("Buyer"),
}

# Codenames of sellers.Stall permissions each group holds.
ROLE_PERMISSIONS = {
    PLATFORM_ADMIN: ["manage_own_stall", "verify_stall", "help_households", "manage_cooperative"],
    COMMUNE_STAFF: ["verify_stall"],
    COOPERATIVE_MANAGER: ["manage_own_stall", "manage_cooperative"],
    SELLER: ["manage_own_stall"],
    DIGITAL_HELPER: ["help_households"],
    PROVINCE_STAFF: [],  # the province's figures (/bao-cao/): scoped by ProvinceAssignment
    BUYER: [],
}
# And what platform admins need in Django admin to see and lift login lockouts (migration 0007).
LOCKOUT_PERMISSIONS = ["view_accessattempt", "delete_accessattempt", "view_accesslog"]


def role_group(name: str):
    """The role's group, made again with its permissions if missing (tests that flush tables)."""
    group, created = Group.objects.get_or_create(name=name)
    if created:
        permissions = Q(content_type__app_label="sellers", codename__in=ROLE_PERMISSIONS[name])
        if name == PLATFORM_ADMIN:
            permissions |= Q(content_type__app_label="axes", codename__in=LOCKOUT_PERMISSIONS)
        group.permissions.set(Permission.objects.filter(permissions))
    return group
