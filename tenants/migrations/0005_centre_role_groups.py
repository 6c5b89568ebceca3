"""The public schema's groups beside the centre's superusers: 监察, 政务公开领导小组, 考评专家 (tenants.roles.CentreRole)."""

from django.db import migrations

CENTRE_ROLES = ("监察", "政务公开领导小组", "考评专家")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    for name in CENTRE_ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=CENTRE_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_supervisor_read"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
