"""The 使用手册 of each role and the 常见问题, in both admins (the 帮助 menu leads here)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from govplatform.admin_views import AdminPageView
from tenants.context import in_public_schema

from . import guide


def _public_schema() -> bool:
    return in_public_schema()


class HelpView(AdminPageView):
    header_icon = "help"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("training:index"), "label": "使用手册"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            roles=guide.ROLES,
            my_roles=guide.roles_of(self.request.user, public_schema=_public_schema()),
            public_schema=_public_schema(),
        )
        return context


class IndexView(HelpView):
    page_title = "使用手册"
    template_name = "training/index.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "使用手册"}]


class ManualView(HelpView):
    template_name = "training/manual.html"

    def dispatch(self, request, *args, **kwargs):
        self.role = guide.ROLES_BY_SLUG.get(kwargs["role"])
        if self.role is None:
            raise Http404("没有这个角色的使用手册")
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.role.name}使用手册"

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": self.role.name}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            role=self.role,
            sections=[
                {"id": name, "title": guide.SECTION_TITLES[name], "template": f"training/sections/{name}.html"}
                for name in self.role.sections
            ],
            page_types=guide.page_type_guides(),
            shared_fields=guide.shared_field_rows(),
            column_days=_column_days(),
            weights=_scoring_weights(),
            other_roles=[role for role in guide.ROLES if role != self.role],
        )
        return context


class FaqView(HelpView):
    page_title = "常见问题"
    template_name = "training/faq.html"

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": "常见问题"}]


def _column_days() -> list[tuple[str, int | None]]:
    """The column kinds and their default update periods, as the platform applies them."""
    from columns.types import ColumnKind

    return [(kind.label, kind.default_days) for kind in ColumnKind]


def _scoring_weights():
    """The scorer's points and thresholds (the manual falls back to the published defaults without them)."""
    try:
        from oversight.freshness import ScoringWeights
    except ImportError:  # pragma: no cover - the scorer moved
        return None
    return ScoringWeights()
