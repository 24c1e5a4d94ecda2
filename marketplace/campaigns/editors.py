"""Who edits a storefront's pages in the Wagtail admin (/cms/): the staff of its communes.

Each storefront bound to communes or to a province gets one Wagtail group (``EditorGroup``) with the
right to reach the admin, to add, edit and publish pages under that storefront
(``GroupPagePermission``), and to add and choose photos in the site's own collection. Its members are:

- for a commune site: the commune staff assigned (``CommuneAssignment``, role staff) to every commune
  of the site;
- for a province site: the province staff of that province (``ProvinceAssignment``).

``page_editors_sync`` sets that from the assignments; a change of assignment calls it for the sites
concerned (``signals.py``), ``manage.py sync_page_editors`` for all. What such an editor may do on
those pages is narrowed to campaign and guide pages by ``wagtail_hooks.py``: the storefront itself
(its communes), the stalls' pages and the platform stay out of reach.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from ground.models import HomePage
from marketplace.campaigns.models import EditorGroup
from sellers.models import CommuneAssignment

PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
IMAGE_PERMISSIONS = ("add_image", "change_image", "choose_image")


def site_editors(*, home: HomePage):
    """The users who should edit this storefront's pages."""
    users = get_user_model().objects.filter(is_active=True)
    if home.province_code:
        return users.filter(province_assignments__province_code=home.province_code).distinct()
    communes = list(home.communes.values_list("pk", flat=True))
    if not communes:
        return users.none()
    for commune in communes:
        users = users.filter(
            pk__in=CommuneAssignment.objects.filter(
                commune_id=commune, role=CommuneAssignment.Role.STAFF
            ).values("user_id")
        )
    return users


@transaction.atomic
def page_editors_sync(*, homes=None) -> int:
    """Sets the editor group of each storefront (all by default) from the assignments; returns how
    many storefronts it looked at. Running it again changes nothing."""
    homes = list(HomePage.objects.all() if homes is None else homes)
    for home in homes:
        if home.province_code or home.communes.exists():
            _editor_group(home).group.user_set.set(site_editors(home=home))
        else:  # a storefront that lost its communes: nobody edits it through a group any more
            for editors in EditorGroup.objects.filter(home=home).select_related("group"):
                editors.group.user_set.clear()
    return len(homes)


def _editor_group(home: HomePage) -> EditorGroup:
    existing = EditorGroup.objects.select_related("group").filter(home=home).first()
    if existing is not None:
        return existing
    name = f"Biên tập trang: {home.title}"[:140] + f" #{home.pk}"
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=home,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )
    # Made by Wagtail's migrations; made again if a test flushed the tables.
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    collection = root.add_child(name=f"Ảnh: {home.title} #{home.pk}")
    for codename in IMAGE_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=collection,
            permission=Permission.objects.get(content_type__app_label="wagtailimages", codename=codename),
        )
    return EditorGroup.objects.create(home=home, group=group, collection=collection)


def homes_of_assignment(*, commune_id=None, province_code=None):
    """The storefronts an assignment to this commune (or province) may make someone an editor of."""
    if province_code is not None:
        return HomePage.objects.filter(province_code=province_code)
    return HomePage.objects.filter(communes=commune_id, province_code__isnull=True)


def is_site_editor_only(user) -> bool:
    """An editor who reaches the admin through a site's editor group only (not a superuser): their
    pages are narrowed to campaign and guide pages."""
    return (
        user.is_authenticated
        and not user.is_superuser
        and user.groups.filter(editor_of__isnull=False).exists()
        and not user.groups.filter(editor_of__isnull=True, page_permissions__isnull=False).exists()
    )
