"""The minute schedule that hands kept tasks to the broker once it answers again."""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [interval_schedule(name="后台任务：重新入队", func="handoff.tasks.resend_unsent", minutes=1)]
