"""Forms of the assessment screens (all labels and errors in Chinese)."""

from __future__ import annotations

from django import forms

from .presets import PRESETS


class CreateSchemeForm(forms.Form):
    year = forms.IntegerField(label="考评年度", min_value=2000, max_value=2100, error_messages={"required": "请填写年度"})
    preset = forms.ChoiceField(label="方案模板", choices=list(PRESETS.items()))


class SelfAssessmentForm(forms.Form):
    points = forms.DecimalField(label="自评分", min_value=0, decimal_places=2, error_messages={"required": "请填写自评分"})
    text = forms.CharField(label="自评说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    url = forms.URLField(label="证明材料网址", required=False, assume_scheme="https")
    file = forms.FileField(label="证明材料附件（PDF、图片、Word、Excel，不超过 10 MB）", required=False)


class ContestForm(forms.Form):
    reason = forms.CharField(
        label="申请复核的理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=5,
        error_messages={"required": "请写明理由", "min_length": "理由不少于 5 个字"},
    )


class ExpertScoreForm(forms.Form):
    """Defects (with how often) from the library, points (bonus or self-assessed), and a reason."""

    points = forms.DecimalField(label="评定分数", required=False, decimal_places=2)
    reason = forms.CharField(label="评分说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, defects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.defect_codes = [defect.code for defect in defects]
        for defect in defects:
            self.fields[f"defect_{defect.code}"] = forms.IntegerField(
                label=str(defect), required=False, min_value=0, max_value=99, initial=0
            )

    def chosen(self) -> list[tuple[str, int]]:
        return [
            (code, self.cleaned_data[f"defect_{code}"]) for code in self.defect_codes if self.cleaned_data.get(f"defect_{code}")
        ]


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label="复核结论", choices=[("upheld", "维持原评分"), ("changed", "调整评分")], widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label="复核答复", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "请填写复核答复"}
    )
    new_points = forms.DecimalField(label="调整后的得分", required=False, decimal_places=2)


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(
        label="审定意见", choices=[("approve", "同意公布"), ("return", "退回复核")], widget=forms.RadioSelect
    )
    opinion = forms.CharField(label="意见或退回理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))
