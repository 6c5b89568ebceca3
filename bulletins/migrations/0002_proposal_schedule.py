"""The monitoring's register of last month proposed as 第十一条 cases: daily, idempotent (public schema)."""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="通报：登记上月第十一条情形（每天）", func="bulletins.tasks.propose_last_month", minutes=24 * 60
        )
    ]
