"""The centre's 抓取来源 and 转载栏目 (public schema, information centre only; the supervisor has no screen here)."""

from __future__ import annotations

from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.urls import reverse
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from tenants.admin import PublicOnlyPolicy

from . import services
from .models import HarvestSection, HarvestSource

register_permission_policy(HarvestSection, PublicOnlyPolicy(HarvestSection))
register_permission_policy(HarvestSource, PublicOnlyPolicy(HarvestSource))

SOURCE_FIELDS = [
    "name",
    "kind",
    "url",
    "section",
    "interval_minutes",
    "requires_review",
    "active",
    "item_selector",
    "title_selector",
    "date_selector",
    "date_format",
    "summary_selector",
]


def _source_detail_url(source: HarvestSource) -> str:
    return reverse("harvest:source_detail", args=[source.pk])


class SourceCreateView(CreateView):
    def get_success_url(self):
        return _source_detail_url(self.object)


class SourceEditView(EditView):
    def save_instance(self):
        instance = super().save_instance()
        # A changed address or selector is tried at the next tick, without the old failures' back-off.
        services.reschedule(source=instance)
        return instance

    def get_success_url(self):
        return _source_detail_url(self.object)


class SourceViewSet(ModelViewSet):
    model = HarvestSource
    name = "harvest_sources"
    url_prefix = "harvest/sources"
    icon = "link-external"
    menu_label = "抓取来源"
    add_to_admin_menu = False
    form_fields = SOURCE_FIELDS
    list_display = [
        TitleColumn("name", label="来源名称", get_url=_source_detail_url),
        Column("section", label="门户栏目"),
        Column("kind", label="类型", accessor="get_kind_display"),
        Column("interval_minutes", label="间隔（分钟）"),
        Column("requires_review", label="需审核", accessor=lambda s: "是" if s.requires_review else "否"),
        Column("active", label="启用", accessor=lambda s: "是" if s.active else "否"),
        Column("next_run_at", label="下次抓取"),
    ]
    list_filter = ["section", "kind", "active"]
    search_fields = ["name", "url"]
    add_view_class = SourceCreateView
    edit_view_class = SourceEditView


class SectionDeleteView(DeleteView):
    """A section that still has sources or items is kept, with a message (not a server error)."""

    def form_valid(self, form):
        if self.object.sources.exists() or self.object.items.exists():
            messages.error(self.request, f"栏目「{self.object}」下还有抓取来源或信息，不能删除；请先删除这些来源或改选其他栏目")
            return redirect(self.get_success_url())
        try:
            return super().form_valid(form)
        except ProtectedError:
            # Used meanwhile by a new source.
            messages.error(self.request, f"栏目「{self.object}」正在使用，不能删除")
            return redirect(self.get_success_url())


class SectionViewSet(ModelViewSet):
    model = HarvestSection
    name = "harvest_sections"
    url_prefix = "harvest/sections"
    icon = "list-ul"
    menu_label = "转载栏目"
    add_to_admin_menu = False
    form_fields = ["name", "slug", "description", "sort_order"]
    list_display = ["name", "slug", "description", "sort_order"]
    delete_view_class = SectionDeleteView


source_viewset = SourceViewSet()
section_viewset = SectionViewSet()
