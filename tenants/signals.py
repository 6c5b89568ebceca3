from django.dispatch import Signal

# Sent inside the new unit's schema once its Wagtail site, groups and first
# administrator exist; other apps build workflows and column trees on it.
# Arguments: unit (tenants.Unit), created (bool).
unit_provisioned = Signal()
