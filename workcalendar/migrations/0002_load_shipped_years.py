"""The shipped 放假安排 (workcalendar/data.py: 2025 and 2026; no 2027 in the source package)."""

from datetime import date

from django.db import migrations


def load(apps, schema_editor):
    from workcalendar.data import HOLIDAY_ROWS

    HolidayDay = apps.get_model("workcalendar", "HolidayDay")
    for iso, kind, note in HOLIDAY_ROWS:
        HolidayDay.objects.get_or_create(date=date.fromisoformat(iso), defaults={"kind": kind, "note": note})


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
