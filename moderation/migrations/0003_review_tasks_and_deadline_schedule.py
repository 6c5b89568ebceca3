"""Existing units' approval steps become ReviewTask (separation of duties); the 会签 deadline check is scheduled.

A GroupApprovalTask row keeps its id, name and groups and becomes a ReviewTask:
the workflows, task states and history that point at the task stay as they are.
"""

from django.db import migrations

SCHEDULE_NAME = "会签：答复期限检查"
FUNC = "moderation.services.check_confirmation_deadlines"


def convert_group_tasks(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="moderation", model="reviewtask")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT task_ptr_id FROM wagtailcore_groupapprovaltask")
        task_ids = [row[0] for row in cursor.fetchall()]
        for task_id in task_ids:
            cursor.execute("INSERT INTO moderation_reviewtask (task_ptr_id) VALUES (%s)", [task_id])
            cursor.execute(
                "INSERT INTO moderation_reviewtask_groups (reviewtask_id, group_id) "
                "SELECT groupapprovaltask_id, group_id FROM wagtailcore_groupapprovaltask_groups WHERE groupapprovaltask_id = %s",
                [task_id],
            )
            cursor.execute("DELETE FROM wagtailcore_groupapprovaltask_groups WHERE groupapprovaltask_id = %s", [task_id])
            cursor.execute("DELETE FROM wagtailcore_groupapprovaltask WHERE task_ptr_id = %s", [task_id])
            cursor.execute("UPDATE wagtailcore_task SET content_type_id = %s WHERE id = %s", [content_type.pk, task_id])


def create_schedule(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=SCHEDULE_NAME, defaults={"func": FUNC, "schedule_type": "I", "minutes": 15, "repeats": -1}
    )


def remove_schedule(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_review_task_and_deadlines"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(convert_group_tasks, migrations.RunPython.noop),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
