"""The holiday calendar of the whole platform (public schema only): 放假 days and 调休 working days."""

from __future__ import annotations

from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class HolidayDay(models.Model):
    """One day that differs from the Monday–Friday rule, after the State Council's 放假安排."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    note = models.CharField("说明", max_length=60, blank=True, help_text="例如：春节、国庆节")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}{f'（{self.note}）' if self.note else ''}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.date is None:
            return
        weekend = self.date.weekday() >= 5
        if self.kind == DayKind.WORKDAY and not weekend:
            raise ValidationError({"kind": f"{self.date:%Y-%m-%d} 是工作日（周一至周五），无需登记为“调休上班”"})
        if self.kind == DayKind.HOLIDAY and weekend and not self.note:
            raise ValidationError({"note": "周末登记为放假时请注明节日（例如：春节）"})
