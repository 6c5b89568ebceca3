from __future__ import annotations

from django import forms
from wagtail.forms import TaskStateCommentForm


class OverrideReasonForm(TaskStateCommentForm):
    comment = forms.CharField(label="放行理由", widget=forms.Textarea(attrs={"rows": 4}), required=True)


class PageOverrideForm(forms.Form):
    reason = forms.CharField(label="放行理由", widget=forms.Textarea(attrs={"rows": 4}), required=True)
