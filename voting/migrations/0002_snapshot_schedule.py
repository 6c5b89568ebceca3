"""The daily snapshot and the anomaly checks of the public vote: every hour in the public schema.

Each run recounts the completed days only (never today's votes while voting runs), so what the
portal shows changes once a day, after midnight, and when the centre annuls votes.
"""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(name="网站考评：每日票数快照与异常检查（每小时）", func="voting.tasks.run_scheduled", minutes=60)
    ]
