"""The minute schedule that runs Wagtail's scheduled publishing in every unit (fanned out per unit)."""

from django.db import migrations

SCHEDULE_NAME = "定时发布：到期上线与下线（每分钟）"
FUNC = "scheduling.tasks.run_for_all_units"


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
        ("scheduling", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
