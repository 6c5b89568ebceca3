"""The minute schedule that checks the outbox for a backlog and alerts the information centre.

It runs apart from the drain, so a drain that is stuck or failing still gets reported.
"""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("portalsearch", "0005_outbox_parking_truncation"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [interval_schedule(name="门户索引：积压告警检查", func="search.tasks.check_outbox_backlog", minutes=1)]
