"""会签 screens: a page's 会签单位, the unit's incoming and outgoing requests, answering one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from wagtail.admin import messages
from wagtail.models import Page

from tenants.context import current_unit

from ..base_views import AdminView, require
from ..permissions import user_can_decide_confirmations
from . import selectors, services
from .forms import ConfirmationTargetsForm, DecisionForm


class PageTargetsView(AdminView):
    page_title = "会签单位"
    template_name = "moderation/confirmation/page_targets.html"
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = get_object_or_404(Page, pk=kwargs["page_id"]).specific

    def check_permission(self, user) -> None:
        require(self.page.permissions_for_user(user).can_edit())

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def _units(self):
        unit = current_unit()
        return selectors.other_units(exclude_code=unit.code if unit else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = current_unit()
        targets = selectors.confirmation_targets(page_id=self.page.pk)
        days = selectors.confirmation_working_days(page_id=self.page.pk)
        form = kwargs.get("form") or ConfirmationTargetsForm(
            units=self._units(), initial={"units": targets, "working_days": days}
        )
        latest = selectors.latest_requests(source_schema=unit.schema_name, page_id=self.page.pk)
        names = selectors.unit_names(targets)
        context.update(
            page=self.page,
            form=form,
            rows=[{"code": code, "name": names.get(code, code), "request": latest.get(code)} for code in targets],
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ConfirmationTargetsForm(request.POST, units=self._units())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.set_confirmation_targets(
                page=self.page,
                unit_codes=form.cleaned_data["units"],
                user=request.user,
                working_days=form.cleaned_data["working_days"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("moderation:page_targets", self.page.pk)
        if request.POST.get("send"):
            revision = self.page.get_latest_revision()
            created = services.send_confirmation_requests(page=self.page, revision=revision, user=request.user)
            messages.success(request, f"已发出 {len(created)} 份会签请求" if created else "会签单位已保存，无需重新发出请求")
        else:
            messages.success(request, "会签单位已保存；提交审核时将自动发出会签请求")
        return redirect("moderation:page_targets", self.page.pk)


class ConfirmationListView(AdminView):
    page_title = "会签请求"
    template_name = "moderation/confirmation/confirmation_list.html"
    header_icon = "group"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = current_unit()
        incoming = selectors.incoming_requests(unit_code=unit.code)
        outgoing = selectors.outgoing_requests(source_schema=unit.schema_name)
        names = selectors.unit_names({r.target_unit_code for r in outgoing})
        for request in outgoing:
            request.target_unit_name = names.get(request.target_unit_code, request.target_unit_code)
        context.update(incoming=incoming, outgoing=outgoing)
        return context


class ConfirmationDetailView(AdminView):
    page_title = "会签请求"
    template_name = "moderation/confirmation/confirmation_detail.html"
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.confirmation = selectors.get_request(request_id=kwargs["request_id"])

    def check_permission(self, user) -> None:
        unit = current_unit()
        request = self.confirmation
        if request is None or unit is None:
            raise Http404
        # A request is visible only to the two units it connects.
        if request.target_unit_code == unit.code:
            self.side = "target"
        elif request.source_schema == unit.schema_name:
            self.side = "source"
        else:
            raise Http404

    def get_page_subtitle(self):
        return self.confirmation.page_title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        pending = self.confirmation.status == "pending"
        context.update(
            confirmation=self.confirmation,
            side=self.side,
            can_decide=self.side == "target" and pending and user_can_decide_confirmations(user=user),
            can_withdraw=self.side == "source" and pending,
            form=kwargs.get("form") or DecisionForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        withdraw = bool(request.POST.get("withdraw"))
        if withdraw:
            require(self.side == "source")
        else:
            require(self.side == "target" and user_can_decide_confirmations(user=request.user))
        try:
            if withdraw:
                services.withdraw_confirmation(request_id=self.confirmation.pk, user=request.user)
                messages.success(request, "会签请求已撤回")
                return redirect("moderation:confirmations")
            form = DecisionForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form))
            confirmed = form.cleaned_data["decision"] == "confirm"
            services.decide_confirmation(
                request_id=self.confirmation.pk, user=request.user, confirmed=confirmed, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("moderation:confirmation_detail", self.confirmation.pk)
        except PermissionDenied as exc:
            # The services' own refusals (e.g. the author answering for the other unit) say why.
            messages.error(request, str(exc) or "您没有执行此操作的权限")
            return redirect("moderation:confirmation_detail", self.confirmation.pk)
        messages.success(request, "已确认" if confirmed else "已提出异议")
        return redirect("moderation:confirmations")
