"""Chinese names for what Wagtail's own migrations create with English names and editors see by name.

The tree's root page and the root collection appear in the explorer and the collection choosers; the
public schema (the information centre's admin) also keeps Wagtail's welcome page, its default groups and
its default workflow. New units get Chinese names at provisioning (tenants.services); this renames them
in the schemas that exist already (public, the template, every unit). Only rows that still carry
Wagtail's default name are renamed.
"""

from django.db import migrations

RENAMES = (
    # model, field, Wagtail's name, ours, where
    ("Page", "title", "Root", "根页面", {"depth": 1}),
    ("Page", "title", "Welcome to your new Wagtail site!", "默认首页（未使用）", {"depth": 2}),
    ("Collection", "name", "Root", "根集合", {"depth": 1}),
    ("Workflow", "name", "Moderators approval", "审核人员审批", {}),
    ("Task", "name", "Moderators approval", "审核人员审批", {}),
)
# Only in the public schema: provisioning deletes these groups from a unit by their English names.
GROUPS = {"Moderators": "审核人员", "Editors": "编辑人员"}


def _rename(apps, schema_editor, *, reverse: bool) -> None:
    for model_name, field, old, new, where in RENAMES:
        if reverse:
            old, new = new, old
        values = {field: new, **({"draft_title": new} if model_name == "Page" else {})}
        apps.get_model("wagtailcore", model_name).objects.filter(**where, **{field: old}).update(**values)
    if getattr(schema_editor.connection, "schema_name", "public") != "public":
        return
    Group = apps.get_model("auth", "Group")
    for old, new in GROUPS.items():
        if reverse:
            old, new = new, old
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)


def rename(apps, schema_editor):
    _rename(apps, schema_editor, reverse=False)


def restore(apps, schema_editor):
    _rename(apps, schema_editor, reverse=True)


class Migration(migrations.Migration):
    dependencies = [("wagtailcore", "0098_apitoken"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(rename, restore)]
