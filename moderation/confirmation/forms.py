from __future__ import annotations

from django import forms

from .models import DEFAULT_CONFIRMATION_WORKING_DAYS


class ConfirmationTargetsForm(forms.Form):
    units = forms.MultipleChoiceField(label="会签单位", required=False, widget=forms.CheckboxSelectMultiple)
    working_days = forms.IntegerField(
        label="答复期限（工作日）",
        min_value=1,
        max_value=30,
        initial=DEFAULT_CONFIRMATION_WORKING_DAYS,
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
