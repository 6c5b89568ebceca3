"""The deadline check of 互动交流: every 30 minutes in the public schema, fanned out to one task per unit."""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("interaction", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [interval_schedule(name="互动交流：办理期限提醒与超期通报（每 30 分钟）", func="interaction.tasks.check_all_units", minutes=30)]
