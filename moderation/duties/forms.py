from __future__ import annotations

from datetime import date, timedelta

from django import forms


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
