from django.db import migrations


def create_schedules(apps, schema_editor):
    from oversight.services import setup_schedules

    setup_schedules(schedule_model=apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, migrations.RunPython.noop)]
