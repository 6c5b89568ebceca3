"""Logins of every admin, through the real Wagtail 8 login view: lockout per schema and its unlocking,
page-password throttling, password rules, the second factor (TOTP and backup codes), idle sessions
and the login audit."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import ModelLogEntry, Page, PageViewRestriction, Site

from accounts import services
from accounts.middleware import LAST_SEEN_KEY
from tenants.roles import UnitRole
from tests.support.clients import PublicSchemaClient, centre_client, unit_admin_client, unit_client

PASSWORD = "Zh-login-2026!"
LOGIN_URL = "/admin/login/"


def make_user(schema_name: str, username: str, *groups: str, password: str = PASSWORD, **extra):
    with schema_context(schema_name):
        user = get_user_model().objects.create_user(username=username, password=password, is_staff=True, **extra)
        user.groups.add(*Group.objects.filter(name__in=groups or (UnitRole.EDITOR,)))
        return user


def post_login(client, username: str, password: str, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}, **extra)


def logged_in(client, schema_name: str) -> bool:
    with schema_context(schema_name):
        return "_auth_user_id" in client.session


def actions_for(schema_name: str, user) -> list[str]:
    with schema_context(schema_name):
        return list(
            ModelLogEntry.objects.for_instance(user)
            .filter(action__startswith="accounts.")
            .order_by("id")
            .values_list("action", flat=True)
        )


def lock_out(client, username: str) -> list:
    return [post_login(client, username, f"wrong-{i}") for i in range(5)]


# --- lockout -------------------------------------------------------------------------------------


def test_lockout_after_five_failures_refuses_even_the_right_password(unit_a, host_a):
    user = make_user(unit_a.schema_name, "lock_editor")
    client = PublicSchemaClient(HTTP_HOST=host_a)
    responses = lock_out(client, "lock_editor")
    # The first four are Wagtail's own form errors; the fifth locks the account.
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert "账号已暂时锁定" in responses[-1].content.decode()
    refused = post_login(client, "lock_editor", PASSWORD)
    assert refused.status_code == 429 and "30 分钟" in refused.content.decode()
    assert not logged_in(client, unit_a.schema_name)
    # Audit: five failures, one lockout, the refused right password as a failure in the locked period.
    actions = actions_for(unit_a.schema_name, user)
    assert actions.count("accounts.login_failed") == 6
    assert actions.count("accounts.locked_out") == 1
    assert "accounts.login" not in actions


def test_a_successful_login_clears_earlier_failures(unit_a, host_a):
    make_user(unit_a.schema_name, "lock_clear")
    client = PublicSchemaClient(HTTP_HOST=host_a)
    for i in range(4):
        post_login(client, "lock_clear", f"wrong-{i}")
    assert post_login(client, "lock_clear", PASSWORD).status_code == 302
    with schema_context(unit_a.schema_name):
        assert not AccessAttempt.objects.filter(username="lock_clear").exists()


def test_cool_off_ends_the_lockout(unit_a, host_a):
    make_user(unit_a.schema_name, "lock_cool")
    client = PublicSchemaClient(HTTP_HOST=host_a)
    lock_out(client, "lock_cool")
    assert post_login(client, "lock_cool", PASSWORD).status_code == 429
    with schema_context(unit_a.schema_name):
        AccessAttempt.objects.filter(username="lock_cool").update(attempt_time=timezone.now() - timedelta(minutes=31))
    response = post_login(client, "lock_cool", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert logged_in(client, unit_a.schema_name)


def test_the_lockout_is_per_address(unit_a, host_a):
    make_user(unit_a.schema_name, "lock_addr")
    client = PublicSchemaClient(HTTP_HOST=host_a)
    lock_out(client, "lock_addr")
    other = PublicSchemaClient(HTTP_HOST=host_a, REMOTE_ADDR="10.20.30.40")
    assert post_login(other, "lock_addr", PASSWORD).status_code == 302


def test_the_unit_administrator_unlocks(unit_a, host_a):
    user = make_user(unit_a.schema_name, "lock_unlock")
    client = PublicSchemaClient(HTTP_HOST=host_a)
    lock_out(client, "lock_unlock")
    admin = unit_admin_client(unit_a)
    screen = admin.get(reverse("accounts:logins"))
    assert screen.status_code == 200
    page = screen.content.decode()
    assert "lock_unlock" in page and "解除锁定" in page
    with schema_context(unit_a.schema_name):
        attempt = AccessAttempt.objects.get(username="lock_unlock")
    # An editor may not unlock anyone.
    make_user(unit_a.schema_name, "lock_other_editor")
    editor = unit_client(unit_a, username="lock_other_editor", password=PASSWORD)
    # (Wagtail answers a refused admin screen with a redirect to the dashboard and a message.)
    assert editor.get(reverse("accounts:logins")).status_code in (302, 403)
    assert editor.post(reverse("accounts:logins"), {"unlock": attempt.pk}).status_code in (302, 403)
    with schema_context(unit_a.schema_name):
        assert AccessAttempt.objects.filter(pk=attempt.pk).exists()

    response = admin.post(reverse("accounts:logins"), {"unlock": attempt.pk}, follow=True)
    assert "已解除 lock_unlock 的登录锁定" in response.content.decode()
    assert post_login(client, "lock_unlock", PASSWORD).status_code == 302
    with schema_context(unit_a.schema_name):
        entry = ModelLogEntry.objects.for_instance(user).get(action="accounts.unlocked")
        assert entry.user.username == "ta_admin"


def test_the_centre_has_the_same_screen_for_the_public_schema(unit_a):
    make_user("public", "lock_centre_staff")
    client = PublicSchemaClient(HTTP_HOST="localhost")
    lock_out(client, "lock_centre_staff")
    response = centre_client().get(reverse("accounts:logins"))
    assert response.status_code == 200 and "lock_centre_staff" in response.content.decode()
    # A unit's administrator does not see the centre's lockouts, nor the centre a unit's.
    assert "lock_centre_staff" not in unit_admin_client(unit_a).get(reverse("accounts:logins")).content.decode()


def test_lockout_is_isolated_per_schema(unit_a, unit_b, host_a, host_b):
    for schema in (unit_a.schema_name, unit_b.schema_name, "public"):
        make_user(schema, "same_name")
    lock_out(PublicSchemaClient(HTTP_HOST=host_a), "same_name")
    assert post_login(PublicSchemaClient(HTTP_HOST=host_a), "same_name", PASSWORD).status_code == 429
    # The same user name, from the same address, in unit B and in the centre: not locked.
    in_b = PublicSchemaClient(HTTP_HOST=host_b)
    assert post_login(in_b, "same_name", PASSWORD).status_code == 302
    assert logged_in(in_b, unit_b.schema_name)
    assert post_login(PublicSchemaClient(HTTP_HOST="localhost"), "same_name", PASSWORD).status_code == 302
    for schema, expected in ((unit_a.schema_name, 1), (unit_b.schema_name, 0), ("public", 0)):
        with schema_context(schema):
            assert AccessAttempt.objects.filter(username="same_name", failures_since_start__gte=5).count() == expected


def test_unknown_user_names_are_counted_and_audited_too(unit_a, host_a):
    client = PublicSchemaClient(HTTP_HOST=host_a)
    responses = lock_out(client, "nobody_here")
    assert responses[-1].status_code == 429
    with schema_context(unit_a.schema_name):
        entries = ModelLogEntry.objects.filter(action="accounts.login_failed", label="nobody_here")
        assert entries.count() == 5
        assert ModelLogEntry.objects.filter(action="accounts.locked_out", label="nobody_here").count() == 1


def test_client_login_without_a_request_still_works(unit_a):
    # Django's test client authenticates without a request: the lockout backend leaves it to ModelBackend.
    make_user(unit_a.schema_name, "lock_plain")
    client = unit_client(unit_a, username="lock_plain", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


# --- page passwords -------------------------------------------------------------------------------


@pytest.fixture
def protected_page(unit_a):
    """A page of unit A behind a view password: (the password form's URL, the page's URL)."""
    caches["ratelimit"].clear()
    with schema_context(unit_a.schema_name):
        root = Site.objects.get(is_default_site=True).root_page
        page = root.get_children().live().first() or root
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password="Door-2026!"
        )
        url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk])
        page_url = page.url
    yield url, page_url
    caches["ratelimit"].clear()


def test_page_password_attempts_are_throttled_per_address(unit_a, host_a, protected_page):
    url, page_url = protected_page
    client = PublicSchemaClient(HTTP_HOST=host_a)
    form = client.get(page_url)
    assert form.status_code == 200 and url in form.content.decode()
    statuses = [client.post(url, {"password": f"guess-{i}", "return_url": page_url}).status_code for i in range(10)]
    assert statuses == [200] * 10  # the form again, each time
    throttled = client.post(url, {"password": "guess-11", "return_url": page_url})
    assert throttled.status_code == 429 and "密码尝试次数过多" in throttled.content.decode()
    # Even the right password waits out the window, from this address.
    assert client.post(url, {"password": "Door-2026!", "return_url": page_url}).status_code == 429
    other = PublicSchemaClient(HTTP_HOST=host_a, REMOTE_ADDR="10.1.1.1")
    response = other.post(url, {"password": "Door-2026!", "return_url": page_url})
    assert response.status_code == 302 and response["Location"] == page_url


def test_right_page_passwords_do_not_count(unit_a, host_a, protected_page):
    url, page_url = protected_page
    client = PublicSchemaClient(HTTP_HOST=host_a)
    for _ in range(12):
        assert client.post(url, {"password": "Door-2026!", "return_url": page_url}).status_code == 302


# --- passwords ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!xyz", "至少需要 10 个字符"),
        ("abcdefghijk1", "至少 3 类"),
        ("Wang.Xiaoming2026", "不能包含用户名"),
        ("gnimoaix.gnaw9A", "不能包含用户名"),
        ("20261201", "不能只是一个日期"),
        ("Ab#20261201", "不能只是一个日期"),
        ("2026-12-01", "不能只是一个日期"),
        ("13812345678", "不能只是一个电话号码"),
        ("+86 138-1234-5678", "不能只是一个电话号码"),
    ],
)
def test_each_password_rule(db, password, message):
    user = get_user_model()(username="wang.xiaoming", first_name="晓明", last_name="王", email="wxm@zhuhai.gov.cn")
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    assert any(message in text for text in caught.value.messages), caught.value.messages


@pytest.mark.parametrize("password", ["Zh-login-2026!", "珠海Gov#2026net", "Tq7-mW2p-Xr9"])
def test_good_passwords_pass(db, password):
    user = get_user_model()(username="wang.xiaoming", email="wxm@zhuhai.gov.cn")
    validate_password(password, user)


def test_the_password_change_form_applies_the_rules_in_chinese(unit_a):
    user = make_user(unit_a.schema_name, "pw_changer")
    with schema_context(unit_a.schema_name):
        form = PasswordChangeForm(
            user, {"old_password": PASSWORD, "new_password1": "pwchanger12", "new_password2": "pwchanger12"}
        )
        assert not form.is_valid()
        errors = " ".join(form.errors["new_password2"])
        assert "至少 3 类" in errors and "不能包含用户名" in errors
        form = PasswordChangeForm(
            user, {"old_password": PASSWORD, "new_password1": "Qz-9rT-pL4x", "new_password2": "Qz-9rT-pL4x"}
        )
        assert form.is_valid(), form.errors


# --- the second factor ----------------------------------------------------------------------------


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def enrolled_user(schema_name: str, username: str):
    user = make_user(schema_name, username)
    with schema_context(schema_name):
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    return user, device


def test_real_login_then_the_second_factor(unit_a, host_a):
    user, device = enrolled_user(unit_a.schema_name, "otp_editor")
    client = PublicSchemaClient(HTTP_HOST=host_a)
    login = client.get(LOGIN_URL)
    assert login.status_code == 200
    response = post_login(client, "otp_editor", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    # Password accepted, but no admin screen before the code.
    verify_url = reverse("accounts:otp_verify")
    for path in ("/admin/", "/admin/pages/", reverse("moderation:my_tasks")):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked["Location"].startswith(verify_url), path
    screen = client.get(f"{verify_url}?next=/admin/pages/")
    assert screen.status_code == 200 and "第二步：输入验证码" in screen.content.decode()
    wrong = client.post(
        verify_url, {"token": "000000" if current_code(device) != "000000" else "111111", "next": "/admin/pages/"}
    )
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    with schema_context(unit_a.schema_name):
        device.refresh_from_db()
        device.throttling_failure_count = 0
        device.throttling_failure_timestamp = None
        device.save()
        code = current_code(device)
    done = client.post(verify_url, {"token": code, "next": "/admin/pages/"})
    assert done.status_code == 302 and done["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200
    assert actions_for(unit_a.schema_name, user) == ["accounts.login", "accounts.otp_failed", "accounts.otp_verified"]


def test_when_required_the_admin_leads_to_enrolment_first(unit_a, host_a, settings):
    settings.OTP_REQUIRED = True
    user = make_user(unit_a.schema_name, "otp_new")
    client = PublicSchemaClient(HTTP_HOST=host_a)
    assert post_login(client, "otp_new", PASSWORD).status_code == 302
    blocked = client.get("/admin/")
    enrol_url = reverse("accounts:otp_enrol")
    assert blocked.status_code == 302 and blocked["Location"].startswith(enrol_url)
    # The verify screen without an authenticator sends to enrolment too.
    assert client.get(reverse("accounts:otp_verify"))["Location"].startswith(enrol_url)
    screen = client.get(blocked["Location"])
    page = screen.content.decode()
    assert screen.status_code == 200 and "绑定身份验证器" in page and "data:image/svg+xml" in page and "密钥" in page
    with schema_context(unit_a.schema_name):
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        code = current_code(device)
    assert "验证码不正确" in client.post(enrol_url, {"token": "12345", "next": "/admin/"}).content.decode()
    done = client.post(enrol_url, {"token": code, "next": "/admin/"})
    assert done.status_code == 302 and done["Location"].startswith(reverse("accounts:otp_backup_codes"))
    codes_page = client.get(done["Location"])
    with schema_context(unit_a.schema_name):
        tokens = list(StaticDevice.objects.get(user=user).token_set.values_list("token", flat=True))
        assert TOTPDevice.objects.get(user=user).confirmed
    assert len(tokens) == 10 and all(token in codes_page.content.decode() for token in tokens)
    # Shown once.
    assert client.get(reverse("accounts:otp_backup_codes"))["Location"] == reverse("accounts:otp_status")
    assert client.get("/admin/").status_code == 200
    assert actions_for(unit_a.schema_name, user) == ["accounts.login", "accounts.otp_enrolled"]


def test_a_backup_code_works_once(unit_a, host_a):
    user, _ = enrolled_user(unit_a.schema_name, "otp_backup")
    with schema_context(unit_a.schema_name):
        codes = services.regenerate_backup_codes(user=user, request=None)
    verify_url = reverse("accounts:otp_verify")
    first = PublicSchemaClient(HTTP_HOST=host_a)
    post_login(first, "otp_backup", PASSWORD)
    assert first.post(verify_url, {"token": codes[0].upper(), "next": "/admin/"})["Location"] == "/admin/"
    assert first.get("/admin/").status_code == 200
    second = PublicSchemaClient(HTTP_HOST=host_a)
    post_login(second, "otp_backup", PASSWORD)
    reused = second.post(verify_url, {"token": codes[0], "next": "/admin/"})
    assert reused.status_code == 200 and "验证码不正确" in reused.content.decode()
    assert second.get("/admin/").status_code == 302
    with schema_context(unit_a.schema_name):
        assert StaticDevice.objects.get(user=user).token_set.count() == 9


def test_an_unverified_session_is_nobody_outside_the_admin(unit_a, host_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES}
    settings.OTP_REQUIRED = True
    make_user(unit_a.schema_name, "otp_outside")
    # The unit's staff may read its original images; a session without the second factor may not.
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "white").save(buffer, "PNG")
    with schema_context(unit_a.schema_name):
        image = Image.objects.create(title="内部照片", file=ImageFile(io.BytesIO(buffer.getvalue()), name="neibu.png"))
        path = f"/media/{unit_a.schema_name}/{image.file.name}"
    client = PublicSchemaClient(HTTP_HOST=host_a)
    post_login(client, "otp_outside", PASSWORD)
    assert client.get(path).status_code == 404
    settings.OTP_REQUIRED = False
    assert client.get(path).status_code == 200


def test_the_unit_administrator_resets_a_lost_authenticator(unit_a, host_a):
    user, _ = enrolled_user(unit_a.schema_name, "otp_lost")
    admin = unit_admin_client(unit_a)
    assert "otp_lost" in admin.get(reverse("accounts:logins")).content.decode()
    response = admin.post(reverse("accounts:logins"), {"reset_otp": user.pk}, follow=True)
    assert "已重置 otp_lost 的双因素认证" in response.content.decode()
    with schema_context(unit_a.schema_name):
        assert not TOTPDevice.objects.filter(user=user).exists()
    client = PublicSchemaClient(HTTP_HOST=host_a)
    post_login(client, "otp_lost", PASSWORD)
    assert client.get("/admin/").status_code == 200


# --- sessions and audit -----------------------------------------------------------------------------


def test_idle_sessions_end(unit_a, host_a, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    user = make_user(unit_a.schema_name, "idle_editor")
    client = PublicSchemaClient(HTTP_HOST=host_a)
    post_login(client, "idle_editor", PASSWORD)
    assert client.get("/admin/").status_code == 200
    with schema_context(unit_a.schema_name):
        session = client.session
        assert isinstance(session[LAST_SEEN_KEY], int)
        session[LAST_SEEN_KEY] = int(time.time()) - 29 * 60
        session.save()
    # An open editor's own pings are not activity: they do not restart the clock.
    client.post(reverse("wagtailadmin_editing_sessions:release", args=[0]))
    with schema_context(unit_a.schema_name):
        assert int(time.time()) - client.session[LAST_SEEN_KEY] >= 29 * 60
    assert client.get("/admin/").status_code == 200  # 29 minutes: still in, and the clock restarts
    with schema_context(unit_a.schema_name):
        session = client.session
        assert int(time.time()) - session[LAST_SEEN_KEY] < 5
        session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
        session.save()
    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=%2Fadmin%2Fpages%2F"
    assert not logged_in(client, unit_a.schema_name)
    login_page = client.get(response["Location"])
    assert "30 分钟未操作" in login_page.content.decode()
    assert actions_for(unit_a.schema_name, user) == ["accounts.login", "accounts.idle_logout"]


def test_login_logout_and_failures_reach_the_audit_export(unit_a, host_a):
    user = make_user(unit_a.schema_name, "audit_editor")
    client = PublicSchemaClient(HTTP_HOST=host_a, REMOTE_ADDR="10.8.8.8")
    post_login(client, "audit_editor", "not-the-password")
    post_login(client, "audit_editor", PASSWORD)
    assert client.post("/admin/logout/").status_code == 302
    assert not logged_in(client, unit_a.schema_name)
    assert actions_for(unit_a.schema_name, user) == ["accounts.login_failed", "accounts.login", "accounts.logout"]
    today = timezone.localdate().isoformat()
    export = unit_admin_client(unit_a).get(reverse("moderation:audit_export"), {"start": today, "end": today, "format": "csv"})
    rows = [row for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig"))) if "audit_editor" in ",".join(row)]
    messages = [row[3] for row in rows]
    assert messages == ["登录失败", "登录后台", "退出后台"]
    assert all("10.8.8.8" in row[7] for row in rows)
    assert rows[1][2] == "audit_editor" and rows[0][2] != "audit_editor"  # a failure has no actor


def test_the_account_page_links_to_the_second_factor(unit_a):
    response = unit_admin_client(unit_a).get(reverse("wagtailadmin_account"))
    assert reverse("accounts:otp_status") in response.content.decode()
    status = unit_admin_client(unit_a).get(reverse("accounts:otp_status"))
    assert status.status_code == 200 and "尚未绑定身份验证器" in status.content.decode()


def test_the_page_tree_still_works_for_a_logged_in_editor(unit_a):
    # Smoke: the added middleware leaves a normal admin session alone.
    admin = unit_admin_client(unit_a)
    with schema_context(unit_a.schema_name):
        root = Site.objects.get(is_default_site=True).root_page
        assert Page.objects.filter(pk=root.pk).exists()
    assert admin.get(reverse("wagtailadmin_explore", args=[root.pk])).status_code == 200
