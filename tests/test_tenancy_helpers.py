"""tenants/ owns tenancy: which unit is active, who sees the centre's screens, mail on the right host;
and the dotted paths stored outside the code (settings, django-q2 rows) still import."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from columns.models import ColumnRequirement
from moderation.models import SensitiveWord
from tenants.admin import PublicOnlyPolicy, is_information_centre
from tenants.context import current_unit, in_public_schema, public_schema, unit_schema
from tenants.mail import admin_url, send_to_centre, send_to_roles
from tenants.roles import UnitRole


def test_current_unit_in_each_kind_of_context(unit_a, unit_b):
    assert in_public_schema() and current_unit() is None
    with schema_context(unit_a.schema_name):
        # Entered by name: looked up once, in the public schema, without leaving the unit's.
        assert current_unit() == unit_a and not in_public_schema()
        assert connection.schema_name == unit_a.schema_name
        with public_schema():
            assert current_unit() is None
        assert current_unit() == unit_a
    with unit_schema(unit_b), CaptureQueriesContext(connection) as queries:
        # Entered with the unit itself (as a request is): no query at all.
        assert current_unit() is unit_b
    assert len(queries) == 0
    assert in_public_schema()


def test_public_only_policy_is_the_centre_in_the_public_schema(unit_a):
    User = get_user_model()
    policy = PublicOnlyPolicy(SensitiveWord)
    limited = PublicOnlyPolicy(ColumnRequirement, actions=("change", "view"))
    with public_schema():
        centre = User.objects.get(username="centre")
        staff = User.objects.create_user(username="policy_staff", password="pw-policy-12345", is_staff=True)
        assert is_information_centre(centre) and not is_information_centre(staff)
        assert policy.user_has_permission(centre, "add") and not policy.user_has_permission(staff, "add")
        assert limited.user_has_permission(centre, "change") and not limited.user_has_permission(centre, "add")
        assert limited.user_has_any_permission(centre, ["add", "view"]) and not limited.user_has_any_permission(
            centre, ["delete"]
        )
        assert list(policy.users_with_permission("add")) == [centre]
        assert not limited.users_with_any_permission(["delete"]).exists()
    with unit_schema(unit_a):
        root = User.objects.create_superuser(username="policy_unit_root", password="pw-policy-12345")
        assert not is_information_centre(root)
        assert not policy.user_has_any_permission(root, ["add", "change", "delete", "view"])
        assert not policy.users_with_any_permission(["view"]).exists()


def test_mail_goes_to_the_unit_with_links_on_its_host(unit_a):
    User = get_user_model()
    with unit_schema(unit_a):
        editor = User.objects.create_user(username="mail_editor", password="pw-mail-12345", email="mail_editor@example.gov.cn")
        editor.groups.add(Group.objects.get(name=UnitRole.EDITOR))
        User.objects.create_user(username="mail_other", password="pw-mail-12345", email="mail_other@example.gov.cn")
        assert admin_url("/admin/").startswith("http://ta.localhost")
    assert admin_url("/admin/").startswith(f"http://{settings.PORTAL_DOMAIN}")
    # From the public schema, into the unit's.
    assert send_to_roles(unit=unit_a, roles=(UnitRole.EDITOR,), subject="测试", body="正文") == 1
    assert in_public_schema()
    assert [m.to for m in mail.outbox] == [["mail_editor@example.gov.cn"]]
    assert mail.outbox[0].subject == "【政府网站群】测试" and mail.outbox[0].body.startswith("mail_editor，您好")
    with public_schema():
        get_user_model().objects.filter(username="centre").update(email="centre@example.gov.cn")
    assert send_to_centre(subject="中心", body="正文") == 1
    assert mail.outbox[-1].to == ["centre@example.gov.cn"]


def test_dotted_paths_stored_outside_the_code_still_import(db):
    # Wagtail imports the finishing action while its models load.
    assert callable(import_string(settings.WAGTAIL_FINISH_WORKFLOW_ACTION))
    # Every django-q2 Schedule row the migrations wrote (the 会签 deadline check among them) and
    # the tasks queued before the split.
    from django_q.models import Schedule

    funcs = list(Schedule.objects.values_list("func", flat=True))
    assert "moderation.services.check_confirmation_deadlines" in funcs
    for func in funcs:
        assert callable(import_string(func)), func
    for name in (
        "receive_confirmation_request",
        "apply_confirmation_decision",
        "receive_withdrawal",
        "send_confirmation_reminder",
        "send_confirmation_overdue",
        "check_confirmation_deadlines",
    ):
        assert import_string(f"moderation.services.{name}") is import_string(f"moderation.confirmation.services.{name}")
