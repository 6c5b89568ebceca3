"""The information centre's unit screens (public-schema admin only)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from govplatform.admin_views import AdminPageView

from .admin import InformationCentreMixin
from .forms import ProvisionForm, UnitProfileForm
from .hosts import unit_base_url
from .models import Unit
from .services import UNIT_PROFILE_FIELDS, DomainRefused, ProvisioningError, UnitNameTaken, provision_unit, update_unit

UNITS_ONLY_MESSAGE = "仅市信息中心管理员可以管理单位"


class UnitListView(InformationCentreMixin, AdminPageView):
    centre_only_message = UNITS_ONLY_MESSAGE
    page_title = "单位子站"
    header_icon = "site"
    template_name = "tenants/unit_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [(unit, unit_base_url(unit)) for unit in Unit.objects.sites().prefetch_related("domains", "aliases")]
        return context


class UnitEditView(InformationCentreMixin, WagtailAdminTemplateMixin, FormView):
    """单位信息: rename (the former name stays an alias), contacts, site identity and aliases."""

    centre_only_message = UNITS_ONLY_MESSAGE
    header_icon = "site"
    template_name = "tenants/unit_edit.html"
    form_class = UnitProfileForm

    def dispatch(self, request, *args, **kwargs):
        self.unit = get_object_or_404(Unit.objects.sites(), code=kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"单位信息：{self.unit.name}"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.get_page_title()}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Unit.objects.get(pk=self.unit.pk)}

    def form_valid(self, form):
        profile = {name: form.cleaned_data[name] for name in UNIT_PROFILE_FIELDS}
        try:
            unit = update_unit(unit=self.unit, profile=profile, aliases=form.cleaned_data["aliases"])
        except UnitNameTaken as exc:
            form.add_error("name" if exc.name == profile["name"] else "aliases", str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"已保存「{unit.name}」的单位信息")
        return redirect("tenants:units")


class ProvisionView(InformationCentreMixin, WagtailAdminTemplateMixin, FormView):
    centre_only_message = UNITS_ONLY_MESSAGE
    page_title = "开通单位子站"
    header_icon = "plus"
    template_name = "tenants/provision.html"
    form_class = ProvisionForm

    def form_valid(self, form):
        data = form.cleaned_data
        domains = (data["extra_domain"],) if data["extra_domain"] else ()
        external = data.get("extra_domain_external", False)
        try:
            result = provision_unit(
                code=data["code"],
                name=data["name"],
                full_name=data["full_name"],
                unit_type=data["unit_type"],
                extra_domains=() if external else domains,
                external_domains=domains if external else (),
            )
        except DomainRefused as exc:
            # Taken between the form's check and the write: say so on the field.
            field = "extra_domain" if exc.hostname in domains else "code"
            form.add_error(field, exc.message)
            return self.form_invalid(form)
        except ProvisioningError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"已开通「{result.unit.name}」：{unit_base_url(result.unit)}/ ，单位管理员 {result.admin_username}，初始密码 {result.admin_password}（仅显示一次），用时 {result.seconds:.2f} 秒",
        )
        return redirect("tenants:units")
