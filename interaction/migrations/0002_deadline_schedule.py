"""The deadline check of 互动交流: every 30 minutes in the public schema, fanned out to one task per unit."""

from django.db import migrations

SCHEDULE_NAME = "互动交流：办理期限提醒与超期通报（每 30 分钟）"
FUNC = "interaction.tasks.check_all_units"


def create_schedule(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=SCHEDULE_NAME, defaults={"func": FUNC, "schedule_type": "I", "minutes": 30, "repeats": -1}
    )


def remove_schedule(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interaction", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
