"""The daily reminder of last year's 年度报表 (public schema): from 1 January until each unit has published it."""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("annualreport", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="年度报表：上一年度报表发布提醒（每天）", func="annualreport.tasks.send_reminders", minutes=24 * 60
        )
    ]
