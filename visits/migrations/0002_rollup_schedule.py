"""The roll-up of finished days: hourly in the public schema, so a day's visitor digests outlive it by an hour at most."""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="访问统计：汇总已结束日期的访问量并删除访客摘要（每小时）", func="visits.tasks.roll_up", minutes=60
        )
    ]
