"""Forms of 通报, with Chinese labels and messages."""

from __future__ import annotations

from django import forms

from .models import DEFAULT_ANSWER_WORKING_DAYS, MAX_ANSWER_WORKING_DAYS


class ChineseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


def _required(label: str) -> dict[str, str]:
    return {"required": f"请填写{label}"}


class ProposeForm(ChineseForm):
    period = forms.RegexField(
        label="月份",
        regex=r"^\d{4}-\d{1,2}$",
        error_messages={"required": "请选择月份", "invalid": "月份格式应为 2026-11"},
    )

    def clean_period(self) -> tuple[int, int]:
        year, month = (int(part) for part in self.cleaned_data["period"].split("-", 1))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError("月份无效")
        return year, month


class ConfirmForm(ChineseForm):
    serious = forms.TypedChoiceField(
        label="是否造成严重影响",
        choices=[("yes", "造成严重影响（列入通报）"), ("no", "未造成严重影响（不列入通报）")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "请判断是否造成严重影响", "invalid_choice": "请判断是否造成严重影响"},
    )
    judgement = forms.CharField(
        label="影响判断说明",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={**_required("影响判断说明"), "max_length": "说明不超过 5000 个字"},
    )
    answer_working_days = forms.IntegerField(
        label="单位答复期限（工作日）",
        initial=DEFAULT_ANSWER_WORKING_DAYS,
        required=False,
        help_text=f"留空为 {DEFAULT_ANSWER_WORKING_DAYS} 个工作日",
        min_value=1,
        max_value=MAX_ANSWER_WORKING_DAYS,
        error_messages={
            "invalid": "答复期限须为整数",
            "min_value": "答复期限至少 1 个工作日",
            "max_value": f"答复期限不超过 {MAX_ANSWER_WORKING_DAYS} 个工作日",
        },
    )

    def clean_answer_working_days(self) -> int:
        value = self.cleaned_data.get("answer_working_days")
        return DEFAULT_ANSWER_WORKING_DAYS if value is None else value


class DismissForm(ChineseForm):
    reason = forms.CharField(
        label="不予认定的理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "不予认定时必须填写理由", "max_length": "理由不超过 5000 个字"},
    )


class AnswerForm(ChineseForm):
    text = forms.CharField(
        label="单位说明",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="每宗情形只能答复一次，提交后不能修改；说明将随通报一并公布",
        error_messages={**_required("答复内容"), "max_length": "答复不超过 5000 个字"},
    )


class BulletinForm(ChineseForm):
    title = forms.CharField(
        label="标题", max_length=200, error_messages={**_required("标题"), "max_length": "标题不超过 200 个字"}
    )
    number = forms.CharField(label="文号", max_length=60, required=False, error_messages={"max_length": "文号不超过 60 个字"})
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        error_messages={**_required("正文"), "max_length": "正文不超过 20000 个字"},
    )
    cases = forms.MultipleChoiceField(
        label="列入通报的情形",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一宗情形", "invalid_choice": "所选情形无效"},
    )

    def __init__(self, *args, case_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(str(case.pk), _case_label(case)) for case in case_choices]


class ApproveForm(ChineseForm):
    comment = forms.CharField(
        label="审批意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"max_length": "意见不超过 5000 个字"},
    )


class ReturnForm(ChineseForm):
    reason = forms.CharField(
        label="退回理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "退回时必须填写理由", "max_length": "理由不超过 5000 个字"},
    )


def _case_label(case) -> str:
    answered = "已答复" if case.answered_at else "未答复"
    return f"{case.unit.name}　{case.period_label}　{case.clause}（{answered}）"
