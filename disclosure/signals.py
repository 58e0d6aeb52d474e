"""Cache invalidation of the public pages: any save of a model a cached page shows renews that page."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .cache import bump_for_model


@receiver(post_save, dispatch_uid="disclosure.cache.post_save")
@receiver(post_delete, dispatch_uid="disclosure.cache.post_delete")
def renew_public_pages(sender, **kwargs):
    bump_for_model(sender._meta.label_lower)
