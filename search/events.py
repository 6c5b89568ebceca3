from django.dispatch import Signal

# Sent (after commit) once a drain has written documents into the portal index or removed them;
# pages built from the index (the portal's home) forget what they cached. Arguments: indexed, removed.
portal_index_changed = Signal()
