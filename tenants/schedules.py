"""django-q2 schedules: their rows live in the public schema only.

Apps that are installed in unit schemas too run their migrations once per schema;
the schedule is written only when the public schema migrates, and each schedule's
task fans out one task per unit (see govplatform.tasking).
"""

from __future__ import annotations

from django.db import migrations

DJANGO_Q_MIGRATION = ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")


def interval_schedule(*, name: str, func: str, minutes: int) -> migrations.RunPython:
    """A migration operation that creates (and on reversal removes) a repeating schedule."""

    def create(apps, schema_editor) -> None:
        if schema_editor.connection.schema_name != "public":
            return
        apps.get_model("django_q", "Schedule").objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1}
        )

    def remove(apps, schema_editor) -> None:
        if schema_editor.connection.schema_name != "public":
            return
        apps.get_model("django_q", "Schedule").objects.filter(name=name).delete()

    return migrations.RunPython(create, remove)
