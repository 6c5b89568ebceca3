from django.dispatch import Signal

# Sent after commit when harvested items were shown or withdrawn in bulk (the review queue), which
# saves no model instance: pages that cache the sections (the portal's home) forget them.
items_reviewed = Signal()
