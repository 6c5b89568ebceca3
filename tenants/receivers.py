"""Empty the tenancy caches (tenants/caches.py) when what they hold changes in this process."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .caches import domains, forget_content_types
from .models import Domain, Unit
from .signals import unit_provisioned


@receiver(post_save, sender=Domain)
@receiver(post_delete, sender=Domain)
@receiver(post_save, sender=Unit)
@receiver(post_delete, sender=Unit)
def forget_domains(sender, **kwargs) -> None:
    domains.clear()


@receiver(unit_provisioned)
@receiver(post_delete, sender=Unit)
def forget_schema_content_types(sender, **kwargs) -> None:
    # A new or dropped schema may reuse a name with other content type ids.
    forget_content_types()
