"""The minute schedule that checks the outbox for a backlog and alerts the information centre.

It runs apart from the drain, so a drain that is stuck or failing still gets reported.
"""

from django.db import migrations

SCHEDULE_NAME = "门户索引：积压告警检查"
FUNC = "search.tasks.check_outbox_backlog"


def create_schedule(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME, defaults={"func": FUNC, "schedule_type": "I", "minutes": 1, "repeats": -1}
    )


def remove_schedule(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portalsearch", "0005_outbox_parking_truncation"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
