"""The minute schedule that drains the portal outbox even when no commit triggered it
(a worker was down, a write failed and is waiting for its back-off)."""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("portalsearch", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [interval_schedule(name="门户索引：处理待办", func="search.tasks.drain_outbox", minutes=1)]
