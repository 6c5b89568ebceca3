"""The minute schedule that runs Wagtail's scheduled publishing in every unit (fanned out per unit)."""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [interval_schedule(name="定时发布：到期上线与下线（每分钟）", func="scheduling.tasks.run_for_all_units", minutes=1)]
