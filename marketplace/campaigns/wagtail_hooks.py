"""Wagtail admin: the product and stall choosers of the campaign blocks, and the narrowing of a site's
editors (``editors.py``) to campaign and guide pages. Wagtail's page permissions already keep them
under their own storefront; these hooks keep them off the storefront page itself (its communes
decide what the site shows), the stalls' pages and content pages."""

from wagtail import hooks
from wagtail.admin.auth import permission_denied

from marketplace.campaigns.choosers import product_chooser, stall_chooser
from marketplace.campaigns.editors import is_site_editor_only
from marketplace.campaigns.models import CampaignPage, GuidePage

EDITABLE = (CampaignPage, GuidePage)


@hooks.register("register_admin_viewset")
def register_choosers():
    return [product_chooser, stall_chooser]


def _refuse(request, page_class) -> bool:
    return not issubclass(page_class, EDITABLE) and is_site_editor_only(request.user)


@hooks.register("before_create_page")
def only_campaigns_created(request, parent_page, page_class):
    if _refuse(request, page_class):
        return permission_denied(request)


@hooks.register("before_edit_page")
@hooks.register("before_delete_page")
@hooks.register("before_unpublish_page")
@hooks.register("before_convert_alias_page")
def only_campaigns_changed(request, page):
    if _refuse(request, page.specific_class or type(page)):
        return permission_denied(request)


@hooks.register("before_copy_page")
@hooks.register("before_move_page")
def only_campaigns_moved(request, page, *args):
    if _refuse(request, page.specific_class or type(page)):
        return permission_denied(request)


@hooks.register("before_bulk_action")
def only_campaigns_in_bulk(request, action_type, objects, action_class_instance):
    classes = {getattr(obj, "specific_class", None) or type(obj) for obj in objects}
    if any(_refuse(request, page_class) for page_class in classes if hasattr(page_class, "get_url_parts")):
        return permission_denied(request)
