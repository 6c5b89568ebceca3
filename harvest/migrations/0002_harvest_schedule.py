"""The harvest tick: every 5 minutes in the public schema, running the sources that are due."""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("harvest", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [interval_schedule(name="网上抓取：抓取到期的来源（每 5 分钟）", func="harvest.tasks.run_due_sources", minutes=5)]
