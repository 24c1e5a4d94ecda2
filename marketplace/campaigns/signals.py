"""Keeps each storefront's page editors in step with the staff's assignments (``editors.py``): the
group membership is part of the same change, so it is written in the same transaction."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from ground.models import HomePage
from marketplace.campaigns.editors import homes_of_assignment, page_editors_sync
from sellers.models import CommuneAssignment, ProvinceAssignment


@receiver(post_save, sender=CommuneAssignment, dispatch_uid="campaigns.commune_assignment_saved")
@receiver(post_delete, sender=CommuneAssignment, dispatch_uid="campaigns.commune_assignment_deleted")
def commune_assignment_changed(sender, instance, **kwargs):
    homes = list(homes_of_assignment(commune_id=instance.commune_id))
    if homes:
        page_editors_sync(homes=homes)


@receiver(post_save, sender=ProvinceAssignment, dispatch_uid="campaigns.province_assignment_saved")
@receiver(post_delete, sender=ProvinceAssignment, dispatch_uid="campaigns.province_assignment_deleted")
def province_assignment_changed(sender, instance, **kwargs):
    homes = list(homes_of_assignment(province_code=instance.province_code))
    if homes:
        page_editors_sync(homes=homes)


@receiver(page_published, sender=HomePage, dispatch_uid="campaigns.storefront_published")
def storefront_published(sender, instance, **kwargs):
    """A storefront's communes or province may have changed: its editors with them."""
    page_editors_sync(homes=[instance])
