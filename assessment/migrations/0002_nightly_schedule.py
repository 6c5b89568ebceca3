"""The nightly computation of the yearly assessment's computed indicators (public schema)."""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="年度考评：重新计算平台数据指标（每天）", func="assessment.tasks.refresh_nightly", minutes=24 * 60
        )
    ]
