from __future__ import annotations

from wagtail.admin.menu import MenuItem

from . import selectors


class SchemaMenuItem(MenuItem):
    """A menu item shown only in unit admins (or only in the public admin) to the right users."""

    def __init__(self, *args, public: bool = False, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = public
        self.allowed = allowed

    def is_shown(self, request):
        if selectors.in_public_schema() != self.public:
            return False
        return self.allowed is None or self.allowed(request.user)
