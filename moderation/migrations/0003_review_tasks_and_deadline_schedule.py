"""Existing units' approval steps become ReviewTask (separation of duties); the 会签 deadline check is scheduled.

A GroupApprovalTask row keeps its id, name and groups and becomes a ReviewTask:
the workflows, task states and history that point at the task stay as they are.
"""

from django.db import migrations

from tenants.schedules import DJANGO_Q_MIGRATION, interval_schedule



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


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_review_task_and_deadlines"),
        ("contenttypes", "0002_remove_content_type_name"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        migrations.RunPython(convert_group_tasks, migrations.RunPython.noop),
        interval_schedule(name="会签：答复期限检查", func="moderation.services.check_confirmation_deadlines", minutes=15),
    ]
