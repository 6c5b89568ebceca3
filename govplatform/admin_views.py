"""The base of the platform's own admin screens."""

from __future__ import annotations

from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


class AdminPageView(WagtailAdminTemplateMixin, TemplateView):
    """A Wagtail admin page whose header breadcrumbs end with its own title.

    Wagtail's header shows the breadcrumbs instead of the title once there are any,
    and its base list holds only 首页: without this every screen would be titled 首页.
    """

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.get_page_title()}]
