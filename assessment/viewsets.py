"""考评方案, 考评指标, 单位类别 and 缺陷库 in the information centre's admin (public schema).

Editable until the assessed year starts (1 January), frozen after: every save and delete goes
through `services.save_scheme_part` / `services.delete_scheme_part`, which refuse with a Chinese
message once the year has begun. The supervisor (监察) reads these screens (`PublicOnlyPolicy`
grants it "view"); `tenants.middleware.SupervisorMiddleware` refuses its writes.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from tenants.admin import PublicOnlyPolicy
from tenants.models import UnitType

from . import services
from .models import AssessmentScheme, Defect, Indicator, IndicatorKind, UnitClass
from .presets import PRESETS
from .scoring import METRICS

for _model in (AssessmentScheme, Indicator, UnitClass, Defect):
    register_permission_policy(_model, PublicOnlyPolicy(_model, supervised=True))


class _FrozenAwareForm(WagtailAdminModelForm):
    """Refuses a save once the scheme's year has started, on the form, with the service's message."""

    def clean(self):
        cleaned = super().clean()
        if isinstance(self.instance, AssessmentScheme):
            return cleaned
        stored = self.instance.scheme if self.instance.pk else None
        for candidate in (cleaned.get("scheme"), stored):
            if candidate is not None:
                try:
                    services.assert_editable(candidate)
                except services.SchemeFrozen as exc:
                    raise forms.ValidationError(str(exc)) from exc
        return cleaned


class SchemeForm(_FrozenAwareForm):
    class Meta:
        model = AssessmentScheme
        fields = [
            "year",
            "title",
            "description",
            "pass_score",
            "good_score",
            "excellent_score",
            "bonus_threshold",
            "bonus_cap",
            "vote_cap_share",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = AssessmentScheme.objects.get(pk=self.instance.pk)
            try:
                services.assert_editable(stored)
            except services.SchemeFrozen as exc:
                raise forms.ValidationError(str(exc)) from exc
        year = cleaned.get("year")
        if year:
            probe = AssessmentScheme(year=year)
            if probe.is_frozen():
                raise forms.ValidationError(f"{year}年度已经开始，不能新建或改为该年度的方案；请用“从模板建立方案”")
        pass_score, good, excellent = cleaned.get("pass_score"), cleaned.get("good_score"), cleaned.get("excellent_score")
        if None not in (pass_score, good, excellent) and not pass_score <= good <= excellent:
            raise forms.ValidationError("等次分数线须满足：合格线 ≤ 良好线 ≤ 优秀线")
        return cleaned


RULE_HELP = (
    "仅“平台数据计算”的指标填写，JSON 格式，例如 "
    '{"type": "deduct", "terms": [{"metric": "broken_links", "per": 0.5}]}。'
    "可用的数据项：" + "；".join(f"{key}（{label}）" for key, (label, _kind) in METRICS.items())
)


class IndicatorForm(_FrozenAwareForm):
    rule_text = forms.CharField(label="计算规则", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=RULE_HELP)

    class Meta:
        model = Indicator
        fields = ["scheme", "parent", "code", "name", "description", "role", "kind", "max_points", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Indicator.objects.filter(kind=IndicatorKind.GROUP).select_related("scheme")
        self.fields["parent"].label_from_instance = lambda node: f"{node.scheme.year}年度 {node.code} {node.name}"
        if self.instance.pk:
            self.initial["rule_text"] = json.dumps(self.instance.rule, ensure_ascii=False) if self.instance.rule else ""

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("rule_text") or "").strip()
        try:
            rule = json.loads(text) if text else {}
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"计算规则不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列") from exc
        parent = cleaned.get("parent")
        if parent is not None:
            cleaned["role"] = parent.role
            if cleaned.get("scheme") is not None and parent.scheme_id != cleaned["scheme"].pk:
                raise forms.ValidationError("上级指标须属于同一考评方案")
        candidate = Indicator(
            pk=self.instance.pk,
            scheme=cleaned.get("scheme"),
            parent=parent,
            code=cleaned.get("code") or "",
            name=cleaned.get("name") or "",
            role=cleaned.get("role") or "",
            kind=cleaned.get("kind") or IndicatorKind.GROUP,
            max_points=cleaned.get("max_points") or 0,
            rule=rule,
        )
        if candidate.scheme_id is not None:
            try:
                services.check_indicator(candidate)
            except services.AssessmentError as exc:
                raise forms.ValidationError(str(exc)) from exc
        cleaned["rule"] = rule
        return cleaned

    def save(self, commit=True):
        self.instance.rule = self.cleaned_data.get("rule") or {}
        self.instance.role = self.cleaned_data.get("role") or self.instance.role
        return super().save(commit=commit)


class UnitClassForm(_FrozenAwareForm):
    unit_types = forms.MultipleChoiceField(
        label="包含的单位类型",
        choices=[c for c in UnitType.choices if c[0] not in (UnitType.PORTAL, UnitType.TEMPLATE)],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = UnitClass
        fields = ["scheme", "name", "unit_types", "sort_order"]


class DefectForm(_FrozenAwareForm):
    class Meta:
        model = Defect
        fields = ["scheme", "indicator", "code", "description", "points", "veto"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(
            kind__in=(IndicatorKind.ENTERED, IndicatorKind.SELF_ASSESSED)
        ).select_related("scheme")
        self.fields["indicator"].label_from_instance = lambda node: f"{node.scheme.year}年度 {node.code} {node.name}"

    def clean(self):
        cleaned = super().clean()
        indicator, scheme = cleaned.get("indicator"), cleaned.get("scheme")
        if indicator is not None and scheme is not None and indicator.scheme_id != scheme.pk:
            raise forms.ValidationError("适用指标须属于同一考评方案")
        return cleaned


class _SavesThroughServices:
    def save_instance(self):
        instance = self.form.save(commit=False)
        return services.save_scheme_part(instance=instance)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)


class PartCreateView(_SavesThroughServices, CreateView):
    pass


class PartEditView(_SavesThroughServices, EditView):
    pass


class PartDeleteView(DeleteView):
    def form_valid(self, form):
        try:
            services.delete_scheme_part(instance=self.object)
        except services.AssessmentError as exc:
            messages.error(self.request, str(exc))
            return HttpResponseRedirect(self.get_success_url())
        messages.success(self.request, self.get_success_message())
        return HttpResponseRedirect(self.get_success_url())


class _PartViewSet(ModelViewSet):
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    add_view_class = PartCreateView
    edit_view_class = PartEditView
    delete_view_class = PartDeleteView
    part_form: type[WagtailAdminModelForm]

    def get_form_class(self, for_update=False):
        return self.part_form


class SchemeViewSet(_PartViewSet):
    model = AssessmentScheme
    name = "assessment_schemes"
    icon = "list-ol"
    menu_label = "考评方案"
    part_form = SchemeForm
    list_display = [
        "year",
        "title",
        Column("preset", label="来源模板", accessor=lambda r: PRESETS.get(r.preset, "自定义")),
        "pass_score",
        "good_score",
        "excellent_score",
        "updated_at",
    ]
    search_fields = ["title"]


class IndicatorViewSet(_PartViewSet):
    model = Indicator
    name = "assessment_indicators"
    icon = "list-ul"
    menu_label = "考评指标"
    part_form = IndicatorForm
    list_display = [
        Column("scheme", label="年度", accessor=lambda r: f"{r.scheme.year}年度"),
        "code",
        "name",
        Column("role", label="性质", accessor=lambda r: r.get_role_display()),
        Column("kind", label="评分方式", accessor=lambda r: r.get_kind_display()),
        "max_points",
    ]
    list_filter = ["scheme", "role", "kind"]
    search_fields = ["code", "name"]


class UnitClassViewSet(_PartViewSet):
    model = UnitClass
    name = "assessment_classes"
    icon = "group"
    menu_label = "单位类别"
    part_form = UnitClassForm
    list_display = [
        Column("scheme", label="年度", accessor=lambda r: f"{r.scheme.year}年度"),
        "name",
        Column(
            "unit_types",
            label="单位类型",
            accessor=lambda r: "、".join(UnitType(t).label for t in r.unit_types if t in UnitType.values),
        ),
        "sort_order",
    ]
    list_filter = ["scheme"]


class DefectViewSet(_PartViewSet):
    model = Defect
    name = "assessment_defects"
    icon = "warning"
    menu_label = "缺陷库"
    part_form = DefectForm
    list_display = [
        Column("scheme", label="年度", accessor=lambda r: f"{r.scheme.year}年度"),
        "code",
        "description",
        Column("indicator", label="适用指标", accessor=lambda r: str(r.indicator) if r.indicator else "全部"),
        "points",
        Column("veto", label="单项否决", accessor=lambda r: "是" if r.veto else "否"),
    ]
    list_filter = ["scheme", "veto"]
    search_fields = ["code", "description"]


scheme_viewset = SchemeViewSet()
indicator_viewset = IndicatorViewSet()
class_viewset = UnitClassViewSet()
defect_viewset = DefectViewSet()
VIEWSETS = (scheme_viewset, indicator_viewset, class_viewset, defect_viewset)
