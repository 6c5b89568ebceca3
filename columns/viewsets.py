"""栏目责任 in the information centre's admin: every required column of every unit, in Chinese.

The centre adds a requirement, edits it, retires it (its page and published content stay; it is
no longer required nor judged) or brings it back, and sets the update period of every column of
one type at once. Rows otherwise come from imports of the 责任分解表 (导入责任分解表).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView, WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from tenants.admin import PublicOnlyPolicy, require_information_centre
from tenants.models import Unit

from .models import PAGE_TYPE_CHOICES, ColumnRequirement
from .services import add_requirement, reinstate_requirement, retire_requirement, set_type_policy, update_requirement
from .table.rows import TableFormatError, check_categories, check_text, split_categories
from .types import ColumnKind, column_type

# Only the information centre, in the public schema: the viewset's menu item and views ask this
# policy, so a unit's admin has no screen for it. Nothing is ever deleted: a requirement retires.
register_permission_policy(ColumnRequirement, PublicOnlyPolicy(ColumnRequirement, actions=("add", "change", "view")))

_EDITED = ("level1", "level2", "level3", "content", "guarantee", "page_type")


def kind_label(value: str) -> str:
    try:
        return ColumnKind(value).label
    except ValueError:
        return value


def policy_label(days: int | None) -> str:
    return "不设期限" if days is None else f"{days} 天"


class RequirementForm(WagtailAdminModelForm):
    categories = forms.CharField(
        label="政务公开类别", widget=forms.Textarea(attrs={"rows": 2}), help_text="一个或多个类别，以“、”“；”或换行分隔"
    )

    class Meta:
        model = ColumnRequirement
        fields = ["unit", "level1", "level2", "level3", "content", "guarantee", "categories", "page_type", "policy_days"]
        help_texts = {
            "page_type": "决定栏目页面的类型、栏目类型（动态类、政策文件类……）和默认更新期限",
            "policy_days": "空白：新增时取该类型的默认期限，编辑时表示不设期限",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].queryset = Unit.objects.sites()
        if self.instance.pk:
            self.initial["categories"] = "、".join(self.instance.categories)

    def _check(self, name: str, value: str) -> str:
        try:
            check_text(value, field=name, line=1, column=1)
        except TableFormatError as exc:
            raise forms.ValidationError(exc.reason) from exc
        return value

    def clean_level1(self):
        return self._check("level1", self.cleaned_data["level1"].strip())

    def clean_level2(self):
        return self._check("level2", self.cleaned_data["level2"].strip())

    def clean_level3(self):
        return self._check("level3", self.cleaned_data["level3"].strip())

    def clean_content(self):
        return self._check("content", self.cleaned_data["content"].strip())

    def clean_guarantee(self):
        return self._check("guarantee", self.cleaned_data["guarantee"].strip())

    def clean_categories(self):
        categories = split_categories(self.cleaned_data["categories"])
        if not categories:
            raise forms.ValidationError("至少填写一个政务公开类别")
        try:
            check_categories(categories, line=1, column=1)
        except TableFormatError as exc:
            raise forms.ValidationError(exc.reason) from exc
        return list(categories)


class RequirementEditForm(RequirementForm):
    class Meta(RequirementForm.Meta):
        fields = [name for name in RequirementForm.Meta.fields if name != "unit"]


def _fields(form) -> dict:
    data = form.cleaned_data
    return {name: data[name] for name in _EDITED} | {"categories": data["categories"]}


class RequirementIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        buttons.append(HeaderButton("按类型设置更新期限", url=reverse("column_requirements:type_policy"), icon_name="time"))
        return buttons


class RequirementCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return add_requirement(unit=data["unit"], policy_days=data["policy_days"], **_fields(self.form))


class RequirementEditView(EditView):
    def save_instance(self):
        return update_requirement(
            requirement=self.object, policy_days=self.form.cleaned_data["policy_days"], **_fields(self.form)
        )

    @cached_property
    def header_more_buttons(self):
        buttons = [button for button in super().header_more_buttons if button.label not in ("Copy", "复制")]
        retired = self.object.retired_at is not None
        buttons.append(
            Button(
                "恢复为必备栏目" if retired else "停用（保留栏目页面和已发布信息）",
                url=reverse("column_requirements:retire", args=[self.object.pk]),
                icon_name="undo" if retired else "cross",
                priority=30,
            )
        )
        return buttons


class RetireView(WagtailAdminTemplateMixin, FormView):
    """停用 (or 恢复) one requirement: asks first, then POST; nothing is deleted."""

    template_name = "columns/requirement_retire.html"
    header_icon = "list-ul"
    form_class = forms.Form

    def dispatch(self, request, *args, **kwargs):
        require_information_centre(request, "仅市信息中心管理员可以维护栏目责任")
        self.requirement = get_object_or_404(ColumnRequirement.objects.select_related("unit"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return "恢复栏目责任" if self.requirement.retired_at else "停用栏目责任"

    def get_context_data(self, **kwargs):
        return super().get_context_data(requirement=self.requirement, **kwargs)

    def form_valid(self, form):
        requirement = self.requirement
        if requirement.retired_at is None:
            retire_requirement(requirement=requirement)
            messages.success(
                self.request, f"已停用「{requirement.unit.name}：{requirement}」：栏目页面和已发布信息保留，不再作为必备栏目监测"
            )
        else:
            reinstate_requirement(requirement=requirement)
            messages.success(self.request, f"已恢复「{requirement.unit.name}：{requirement}」为必备栏目")
        return redirect("column_requirements:index")


class TypePolicyForm(forms.Form):
    page_type = forms.ChoiceField(label="页面类型", choices=PAGE_TYPE_CHOICES)
    policy_days = forms.IntegerField(
        label="更新期限（天）",
        min_value=1,
        required=False,
        help_text="空白表示不设期限；对所有单位该类型的在用栏目生效，以后导入也保留",
    )


class TypePolicyView(WagtailAdminTemplateMixin, FormView):
    """The update period of all columns of one type at once."""

    page_title = "按类型设置更新期限"
    header_icon = "time"
    template_name = "columns/type_policy.html"
    form_class = TypePolicyForm

    def dispatch(self, request, *args, **kwargs):
        require_information_centre(request, "仅市信息中心管理员可以维护栏目责任")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        page_type, days = form.cleaned_data["page_type"], form.cleaned_data["policy_days"]
        count = set_type_policy(page_type=page_type, policy_days=days)
        messages.success(self.request, f"已将 {count} 个「{column_type(page_type).label}」栏目的更新期限设为{policy_label(days)}")
        return redirect("column_requirements:index")


class ColumnRequirementViewSet(ModelViewSet):
    model = ColumnRequirement
    name = "column_requirements"
    icon = "list-ul"
    menu_label = "栏目责任"
    add_to_admin_menu = True
    menu_order = 890
    copy_view_enabled = False
    list_display = [
        "unit",
        Column("path", label="栏目", accessor=str),
        Column("page_type", label="页面类型", accessor=lambda r: column_type(r.page_type).label),
        Column("column_kind", label="栏目类型", accessor=lambda r: kind_label(r.column_kind)),
        Column("policy_days", label="更新期限", accessor=lambda r: policy_label(r.policy_days)),
        Column("policy_overridden", label="期限由信息中心调整", accessor=lambda r: "是" if r.policy_overridden else "否"),
        Column(
            "retired_at",
            label="状态",
            accessor=lambda r: f"已停用（{r.retired_at:%Y-%m-%d}）" if r.retired_at else "在用",
        ),
    ]
    list_filter = ["unit", "page_type", "column_kind", "policy_overridden"]
    search_fields = ["level1", "level2", "level3", "content"]
    index_view_class = RequirementIndexView
    add_view_class = RequirementCreateView
    edit_view_class = RequirementEditView

    def get_form_class(self, for_update=False):
        return RequirementEditForm if for_update else RequirementForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("retire/<int:pk>/", RetireView.as_view(), name="retire"),
            path("policy/", TypePolicyView.as_view(), name="type_policy"),
        ]


column_requirement_viewset = ColumnRequirementViewSet()
