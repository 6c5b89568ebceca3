"""The page's 保密审查 screen: what the scan finds in the latest revision, releases, 人工放行."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from wagtail.admin import messages
from wagtail.models import Page

from ..base_views import AdminView, require
from ..permissions import user_can_override_secrecy, user_can_review
from . import selectors, services
from .forms import PageOverrideForm


class PageSecrecyView(AdminView):
    page_title = "保密审查"
    template_name = "moderation/secrecy/page_secrecy.html"
    header_icon = "warning"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = get_object_or_404(Page, pk=kwargs["page_id"]).specific

    def check_permission(self, user) -> None:
        require(self.page.permissions_for_user(user).can_edit() or user_can_review(user=user))

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        revision = self.page.get_latest_revision()
        obj = revision.as_object() if revision else self.page
        inspection = selectors.inspect_page(obj)
        context.update(
            page=self.page,
            revision=revision,
            inspection=inspection,
            overridden=selectors.override_exists(
                page_id=self.page.pk, revision_id=getattr(revision, "pk", None), content_hash=inspection.content_hash
            ),
            overrides=selectors.overrides_for_page(page_id=self.page.pk)[:20],
            can_override=user_can_override_secrecy(user=self.request.user),
            form=kwargs.get("form") or PageOverrideForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        require(user_can_override_secrecy(user=request.user), "只有具备放行权限的审核员可以人工放行")
        form = PageOverrideForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        services.override_page_secrecy(page=self.page, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"已记录对《{self.page.title}》的人工放行")
        return redirect("moderation:page_secrecy", self.page.pk)
