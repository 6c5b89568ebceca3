"""Page views per site and day, without anything personal (public schema).

A visitor is known only by a digest of (site, day, IP address, user agent) keyed with a salt
derived from SECRET_KEY and the day; the salt is never stored and changes every day, so a
digest says nothing about the visitor and cannot be linked to the same visitor on another day.
The digests of a day are kept only while that day runs (to count each visitor once); the
roll-up (services.roll_up) deletes them once the day is over, leaving the day's totals.
"""

from __future__ import annotations

from django.db import models


class DailyVisits(models.Model):
    """The views and unique visitors of one site (a unit's, or the portal's) on one day."""

    unit = models.ForeignKey("tenants.Unit", verbose_name="网站", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    views = models.PositiveBigIntegerField("浏览次数", default=0)
    unique_visitors = models.PositiveIntegerField("独立访客数", default=0)
    # When the day's visitor digests were collapsed into this row and deleted.
    rolled_up_at = models.DateTimeField("汇总时间", null=True, blank=True)

    class Meta:
        verbose_name = "每日访问量"
        verbose_name_plural = "每日访问量"
        ordering = ["unit", "day"]
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="visits_daily_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.views}/{self.unique_visitors}"


class VisitorDigest(models.Model):
    """One visitor of one site on the running day: a keyed digest, and nothing else."""

    pk = models.CompositePrimaryKey("unit", "day", "digest")
    unit = models.ForeignKey("tenants.Unit", verbose_name="网站", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    # 16 bytes of the keyed digest, in hex (a text key sorts, which Django needs to delete rows by primary key).
    digest = models.CharField("访客摘要", max_length=32)

    class Meta:
        verbose_name = "当日访客摘要"
        verbose_name_plural = "当日访客摘要"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"
