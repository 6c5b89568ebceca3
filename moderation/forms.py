from __future__ import annotations

from datetime import date, timedelta

from django import forms

from wagtail.forms import TaskStateCommentForm


class OverrideReasonForm(TaskStateCommentForm):
    comment = forms.CharField(label="放行理由", widget=forms.Textarea(attrs={"rows": 4}), required=True)


class PageOverrideForm(forms.Form):
    reason = forms.CharField(label="放行理由", widget=forms.Textarea(attrs={"rows": 4}), required=True)


class ConfirmationTargetsForm(forms.Form):
    units = forms.MultipleChoiceField(label="会签单位", required=False, widget=forms.CheckboxSelectMultiple)
    working_days = forms.IntegerField(
        label="答复期限（工作日）",
        min_value=1,
        max_value=30,
        initial=3,
        required=False,
        help_text="会签单位须在发出请求后的这些工作日内答复；过半时提醒，超期通知双方分管领导",
    )

    def clean_working_days(self):
        return self.cleaned_data.get("working_days") or self.fields["working_days"].initial

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(unit.code, unit.name) for unit in units]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="意见", choices=[("confirm", "确认"), ("object", "提出异议")], widget=forms.RadioSelect)
    comment = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "object" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "提出异议时必须填写说明")
        return cleaned


class AuditExportForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(label="格式", choices=[("xlsx", "Excel（XLSX）"), ("csv", "CSV")], initial="xlsx")

    MAX_DAYS = 366

    @classmethod
    def defaults(cls) -> dict:
        today = date.today()
        return {"start": today - timedelta(days=30), "end": today, "format": "xlsx"}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError("开始日期不能晚于结束日期")
            if (end - start).days > self.MAX_DAYS:
                raise forms.ValidationError(f"一次最多导出 {self.MAX_DAYS} 天的记录")
        return cleaned
