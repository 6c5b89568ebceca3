"""The unit dashboard's 待我处理 panel."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from .views import my_tasks_context


class MyTasksPanel(Component):
    name = "moderation_my_tasks"
    order = 50
    template_name = "moderation/workflow/panels/my_tasks.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return my_tasks_context(self.request.user)
