"""网站考评专栏 (第八条) through real HTTP on the portal host: the two-step vote with an SMS code, one vote
per number per unit per day, captcha and rate limits, counts hidden while voting runs and the daily
snapshot, the anomaly checks, annulment and its publication, the assessment's figures, the supervisor."""

from __future__ import annotations

import logging
import random
import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from wagtail.models import ModelLogEntry

from tenants.models import SupervisorRead
from tenants.roles import CentreRole
from tests.support.clients import PublicSchemaClient, centre_client, logged_in_client
from tests.support.units import CENTRE_USERNAME
from voting import demo, identity, selectors, services
from voting.anomalies import BURST, SEQUENCE, SHARED_IP, SHARED_NETWORK, Thresholds, VoteRecord, find_anomalies
from voting.figures import SatisfactionFigures
from voting.models import Annulment, PendingVote, PeriodStatus, Vote, VotePeriod, VoteTally

PORTAL = "localhost"
PHONE = "13812345678"
CODE_RE = re.compile(r"验证码为 (\d{6})")
PASSWORD = "pw-jiancha-12345"


# --- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


@pytest.fixture
def period(db):
    today = timezone.localdate()
    return VotePeriod.objects.create(
        title="测试期网站考评",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
        status=PeriodStatus.OPEN,
    )


def citizen(ip: str = "203.0.113.5") -> PublicSchemaClient:
    return PublicSchemaClient(HTTP_HOST=PORTAL, REMOTE_ADDR=ip)


def ballot(client, *, unit, phone: str = PHONE, answer: str = "satisfied", **overrides):
    """The first step as a browser posts it: the captcha key from the rendered page, the test mode's answer."""
    page = client.get(f"/kaoping/toupiao/?unit={unit.pk}")
    assert page.status_code == 200
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page.content.decode())
    assert key, "the ballot carries a captcha"
    data = {"unit": unit.pk, "answer": answer, "comment": "", "phone": phone, "captcha_0": key.group(1), "captcha_1": "PASSED"}
    data.update(overrides)
    return client.post("/kaoping/toupiao/", data)


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)


def last_code(caplog) -> str:
    codes = [CODE_RE.search(record.getMessage()) for record in caplog.records if record.name == "voting.sms"]
    codes = [match.group(1) for match in codes if match]
    assert codes, "the log backend wrote the code"
    return codes[-1]


def vote_on_portal(client, caplog, *, unit, phone: str = PHONE, answer: str = "satisfied", **overrides):
    first = ballot(client, unit=unit, phone=phone, answer=answer, **overrides)
    assert first.status_code == 200, first.content.decode()[:3000]
    return client.post("/kaoping/queren/", {"token": token_of(first), "code": last_code(caplog)})


def at(day, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class RecordingBackend:
    """An SMS backend for the tests that drive the services with their own clock: keeps the codes it is given."""

    sent: list[tuple[str, str]] = []

    def send_code(self, *, phone: str, code: str) -> None:
        RecordingBackend.sent.append((phone, code))


def send(*, period, unit, phone: str, answer: str = "satisfied", when: datetime, ip: str | None = None, comment: str = ""):
    """The first step through the services at a given time; (what was sent, the code the phone received)."""
    with override_settings(VOTING_SMS_BACKEND="tests.test_voting.RecordingBackend"):
        sent = services.request_code(
            period_id=period.pk, unit_id=unit.pk, answer=answer, comment=comment, phone=phone, ip=ip, now=when
        )
    number, code = RecordingBackend.sent[-1]
    assert number == identity.normalise_mobile(phone)
    return sent, code


def cast(*, period, unit, phone: str, answer: str = "satisfied", when: datetime, ip: str = "198.51.100.7") -> Vote:
    """A vote through the services at a given time (the same two steps as the portal, with the clock given)."""
    sent, code = send(period=period, unit=unit, phone=phone, answer=answer, when=when, ip=ip)
    return services.confirm_vote(token=sent.token, code=code, now=when + timedelta(seconds=30))


def published_row(html: str, unit_name: str) -> tuple[int, int, int, int, str, int]:
    match = re.search(
        rf'<th scope="row">{unit_name}</th>\s*<td class="num">(\d+)</td><td class="num">(\d+)</td>'
        rf'<td class="num">(\d+)</td><td class="num">(\d+)</td>\s*<td class="num">([^<]+)</td>\s*<td class="num">(\d+)</td>',
        html,
    )
    assert match, html[:4000]
    valid, satisfied, basic, unsatisfied, score, annulled = match.groups()
    return int(valid), int(satisfied), int(basic), int(unsatisfied), score, int(annulled)


def supervisor_client() -> PublicSchemaClient:
    user = get_user_model().objects.create_user(username="jiancha", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CentreRole.SUPERVISOR))
    return logged_in_client(schema_name="public", host=PORTAL, username="jiancha", password=PASSWORD)


def menu_of(user) -> list[str] | None:
    """The 网站考评专栏 submenu the admin shows `user` (None: not shown)."""
    from django.test import RequestFactory
    from wagtail.admin.menu import SubmenuMenuItem, admin_menu

    reverse("wagtailadmin_home")
    request = RequestFactory().get("/admin/")
    request.user = user
    for item in admin_menu.menu_items_for_request(request):
        if isinstance(item, SubmenuMenuItem) and str(item.label) == "网站考评专栏":
            return [str(child.label) for child in sorted(item.menu.menu_items_for_request(request), key=lambda i: i.order)]
    return None


def plant_votes(*, period, unit, count: int, start: datetime, step_seconds: int, ip: str | None = None, base: int = 0):
    """Votes written as the service writes them (hashes only), for the checks and the log."""
    votes = []
    rng = random.Random(base or count)
    for index in range(count):
        mobile = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}" if not base else str(base + index)
        keys = identity.voter_keys(
            mobile=mobile, ip=ip or f"198.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        )
        moment = start + timedelta(seconds=index * step_seconds)
        votes.append(
            Vote(
                period=period,
                unit=unit,
                answer="satisfied",
                voted_on=timezone.localdate(moment),
                created_at=moment,
                identity_hash=keys.identity_hash,
                block_hash=keys.block_hash,
                block_suffix=keys.block_suffix,
                ip_hash=keys.ip_hash,
                network_hash=keys.network_hash,
            )
        )
    return Vote.objects.bulk_create(votes)


# --- the vote through the portal ------------------------------------------------------------------


def test_vote_with_an_sms_code_keeps_no_number(period, unit_a, caplog):
    client = citizen()
    landing = client.get("/kaoping/")
    text = landing.content.decode()
    assert landing.status_code == 200 and "网站考评专栏" in text and period.title in text and unit_a.name in text
    assert f"/kaoping/toupiao/?unit={unit_a.pk}" in text and 'aria-label="为测试甲局投票"' in text
    with caplog.at_level(logging.WARNING, logger="voting.sms"):
        first = ballot(client, unit=unit_a, comment="很好")
        assert first.status_code == 200
        page = first.content.decode()
        assert "138****5678" in page and "输入短信验证码" in page and PHONE not in page
        code = last_code(caplog)
    assert PHONE not in caplog.text  # the log backend writes the code and the last four digits only
    pending = PendingVote.objects.get()
    assert pending.code_hash != code and code not in pending.code_hash and pending.token_hash != token_of(first)
    done = client.post("/kaoping/queren/", {"token": token_of(first), "code": code})
    assert done.status_code == 200 and "投票成功" in done.content.decode()
    vote = Vote.objects.get()
    assert (vote.unit, vote.answer, vote.period, vote.comment) == (unit_a, "satisfied", period, "很好")
    stored = " ".join(str(value) for value in Vote.objects.values_list().get())
    assert PHONE not in stored and PHONE[:9] not in stored and "203.0.113.5" not in stored and "203.0.113" not in stored
    assert vote.identity_hash == identity.voter_keys(mobile=PHONE, ip="203.0.113.5").identity_hash
    assert vote.block_suffix == 78 and vote.ip_hash and vote.network_hash
    # The same code cannot record a second vote.
    again = client.post("/kaoping/queren/", {"token": token_of(first), "code": code})
    assert again.status_code == 409 and "已经使用过" in again.content.decode()
    assert Vote.objects.count() == 1


def test_one_vote_per_number_per_unit_per_day(period, unit_a, unit_b, caplog):
    client = citizen()
    with caplog.at_level(logging.WARNING, logger="voting.sms"):
        assert "投票成功" in vote_on_portal(client, caplog, unit=unit_a).content.decode()
        # Written differently (spaces, +86, full-width digits), it is the same number.
        second = ballot(client, unit=unit_a, phone="+86 １３８ 1234 5678")
        assert second.status_code == 409
        assert "该手机号码今天已为测试甲局投过票" in second.content.decode()
        # Another unit, the same day: allowed.
        other = vote_on_portal(client, caplog, unit=unit_b)
        assert "投票成功" in other.content.decode()
    assert Vote.objects.filter(unit=unit_a).count() == 1 and Vote.objects.filter(unit=unit_b).count() == 1
    # The next day the same number votes again for the same unit.
    tomorrow = timezone.localdate() + timedelta(days=1)
    vote = cast(period=period, unit=unit_a, phone=PHONE, when=at(tomorrow, 9), answer="basic")
    assert vote.voted_on == tomorrow and Vote.objects.filter(unit=unit_a).count() == 2
    with pytest.raises(ValidationError) as refused:
        cast(period=period, unit=unit_a, phone=PHONE, when=at(tomorrow, 18))
    assert refused.value.code == "already_voted"
    # A code confirmed after another vote of the same number got in first (two codes, two tabs) is refused too.
    day = timezone.localdate() + timedelta(days=2)
    sent, code = send(period=period, unit=unit_a, phone=PHONE, when=at(day, 10))
    keys = identity.voter_keys(mobile=PHONE, ip=None)
    Vote.objects.create(
        period=period, unit=unit_a, answer="unsatisfied", voted_on=day, created_at=at(day, 10, 1),
        identity_hash=keys.identity_hash, block_hash=keys.block_hash, block_suffix=keys.block_suffix,
    )  # fmt: skip
    with pytest.raises(ValidationError) as late:
        services.confirm_vote(token=sent.token, code=code, now=at(day, 10, 2))
    assert late.value.code == "already_voted"
    assert Vote.objects.filter(unit=unit_a, voted_on=day).count() == 1


def test_captcha_is_required(period, unit_a):
    client = citizen()
    missing = ballot(client, unit=unit_a, captcha_1="")
    assert missing.status_code == 400 and "请输入图形验证码" in missing.content.decode()
    wrong = ballot(client, unit=unit_a, captcha_1="WXYZ")
    text = wrong.content.decode()
    assert wrong.status_code == 400 and "图形验证码不正确" in text
    assert PHONE in text  # what was typed is kept
    no_key = client.post("/kaoping/toupiao/", {"unit": unit_a.pk, "answer": "satisfied", "phone": PHONE})
    assert no_key.status_code == 400 and "请输入图形验证码" in no_key.content.decode()
    assert not PendingVote.objects.exists() and not Vote.objects.exists()


def test_ip_and_number_rate_limits(period, unit_a, unit_b, settings):
    settings.VOTING_RATE_PER_IP = "3/h"
    client = citizen("203.0.113.9")
    for index in range(3):
        assert ballot(client, unit=unit_a, phone=f"1390000{index:04d}").status_code == 200
    limited = ballot(client, unit=unit_a, phone="13900009999")
    text = limited.content.decode()
    assert limited.status_code == 429 and "操作过于频繁" in text and "3 次" in text
    assert PendingVote.objects.count() == 3
    # Another address is not held back.
    assert ballot(citizen("198.51.100.20"), unit=unit_a, phone="13900008888").status_code == 200
    # Codes per number: a fresh address does not help a number asking again and again.
    caches["ratelimit"].clear()
    settings.VOTING_RATE_PER_IP = "100/h"
    settings.VOTING_RATE_PER_PHONE = "2/h"
    for index in range(2):
        assert ballot(citizen(f"192.0.2.{index + 1}"), unit=unit_b, phone="13700001234").status_code == 200
    by_number = ballot(citizen("192.0.2.50"), unit=unit_b, phone="13700001234")
    assert by_number.status_code == 429 and "该手机号码获取验证码过于频繁" in by_number.content.decode()


def test_sms_code_expiry_attempts_and_only_the_newest(period, unit_a, caplog):
    now = timezone.now()
    sent, code = send(period=period, unit=unit_a, phone=PHONE, answer="basic", when=now)
    pending = PendingVote.objects.get(token_hash=identity.token_hash(sent.token))
    assert pending.code_hash != code and pending.expires_at == now + timedelta(minutes=5)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as refused:
            services.confirm_vote(token=sent.token, code=wrong, now=now)
        assert refused.value.code == "wrong_code" and f"还可以再输入 {left} 次" in refused.value.messages[0]
    with pytest.raises(ValidationError) as fifth:
        services.confirm_vote(token=sent.token, code=wrong, now=now)
    assert fifth.value.code == "too_many_attempts"
    # Even the right code is refused now.
    with pytest.raises(ValidationError) as blocked:
        services.confirm_vote(token=sent.token, code=code, now=now)
    assert blocked.value.code == "too_many_attempts"
    assert PendingVote.objects.get(pk=pending.pk).attempts == 5 and not Vote.objects.exists()

    # Five minutes: then expired.
    sent, code = send(period=period, unit=unit_a, phone=PHONE, answer="basic", when=now)
    with pytest.raises(ValidationError) as expired:
        services.confirm_vote(token=sent.token, code=code, now=now + timedelta(minutes=5, seconds=1))
    assert expired.value.code == "expired" and "已过期" in expired.value.messages[0]

    # A newer code for the same number and unit voids the older one.
    older, older_code = send(period=period, unit=unit_a, phone=PHONE, answer="basic", when=now)
    newer, newer_code = send(period=period, unit=unit_a, phone=PHONE, answer="satisfied", when=now)
    with pytest.raises(ValidationError) as voided:
        services.confirm_vote(token=older.token, code=older_code, now=now + timedelta(seconds=5))
    assert voided.value.code == "expired"
    # Codes typed with spaces or full-width digits are read as digits.
    typed = " ".join(chr(ord(digit) + 0xFEE0) for digit in newer_code)
    assert services.confirm_vote(token=newer.token, code=typed, now=now + timedelta(seconds=6)).answer == "satisfied"

    # On the portal: the messages of a wrong and of an expired code.
    client = citizen()
    with caplog.at_level(logging.WARNING, logger="voting.sms"):
        first = ballot(client, unit=unit_a, phone="13900001111")
        code = last_code(caplog)
    bad = client.post("/kaoping/queren/", {"token": token_of(first), "code": "000000" if code != "000000" else "111111"})
    assert bad.status_code == 400 and "验证码不正确，还可以再输入 4 次" in bad.content.decode()
    PendingVote.objects.filter(token_hash=identity.token_hash(token_of(first))).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    late = client.post("/kaoping/queren/", {"token": token_of(first), "code": code})
    assert late.status_code == 400 and "验证码已过期" in late.content.decode() and "重新投票" in late.content.decode()


def test_a_failing_gateway_records_nothing(period, unit_a, settings):
    settings.VOTING_SMS_BACKEND = "voting.sms.FailingBackend"
    response = ballot(citizen(), unit=unit_a)
    assert response.status_code == 400 and "验证码短信发送失败" in response.content.decode()
    assert not PendingVote.objects.exists()


def test_period_not_open(db, unit_a, caplog):
    today = timezone.localdate()
    draft = VotePeriod.objects.create(title="草稿期", starts_on=today, ends_on=today + timedelta(days=5))
    client = citizen()
    page = client.get("/kaoping/toupiao/")
    assert page.status_code == 200 and "当前没有进行中的网站考评投票" in page.content.decode()
    assert client.post("/kaoping/toupiao/", {"unit": unit_a.pk}).status_code == 409
    assert client.get(f"/kaoping/jieguo/{draft.pk}/").status_code == 404
    # Open, but the dates have passed.
    draft.status = PeriodStatus.OPEN
    draft.starts_on, draft.ends_on = today - timedelta(days=9), today - timedelta(days=1)
    draft.save()
    page = client.get("/kaoping/toupiao/")
    assert "当前不在投票时间内" in page.content.decode()
    # Closed between the code and its entry.
    draft.ends_on = today + timedelta(days=3)
    draft.save()
    with caplog.at_level(logging.WARNING, logger="voting.sms"):
        first = ballot(client, unit=unit_a)
        code = last_code(caplog)
    VotePeriod.objects.filter(pk=draft.pk).update(status=PeriodStatus.CLOSED)
    late = client.post("/kaoping/queren/", {"token": token_of(first), "code": code})
    assert late.status_code == 409 and "投票已经结束" in late.content.decode()
    assert not Vote.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.request_code(period_id=draft.pk, unit_id=unit_a.pk, answer="satisfied", phone=PHONE, ip=None)
    assert refused.value.code == "period_not_open"


def test_bad_input_is_a_chinese_message_never_a_500(period, unit_a):
    client = citizen()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', client.get("/kaoping/toupiao/").content.decode()).group(1)
    base = {"unit": unit_a.pk, "answer": "satisfied", "phone": PHONE, "captcha_0": key, "captcha_1": "PASSED"}
    cases = [
        {"unit": "abc"},
        {"unit": "99999999999999999999999"},
        {"unit": "-1"},
        {"unit": "\x00"},
        {"answer": "excellent"},
        {"answer": "\x00"},
        {"phone": "1381234567\x00"},
        {"phone": "1" * 5000},
        {"comment": "好" * 5000},
        {"comment": "ok\x00"},
        {"captcha_0": "\x00", "captcha_1": "\x00"},
        {"captcha_0": "x" * 5000, "captcha_1": "abcd"},
    ]
    for override in cases:
        response = client.post("/kaoping/toupiao/", {**base, **override})
        assert response.status_code == 400, (override, response.status_code)
        assert 'class="form-errors"' in response.content.decode() or 'class="field-error"' in response.content.decode()
    for data in ({"token": "\x00", "code": "123456"}, {"token": "x" * 5000, "code": "1"}, {"token": "abc", "code": "\x00"}, {}):
        response = client.post("/kaoping/queren/", data)
        assert response.status_code == 400, data
        assert "验证" in response.content.decode()
    assert client.get("/kaoping/queren/").status_code == 302
    assert client.get("/kaoping/toupiao/?unit=%00").status_code == 200
    assert client.get("/kaoping/toupiao/?unit=99999999999999999999").status_code == 200
    assert client.get("/kaoping/jieguo/99999999/").status_code == 404
    assert client.get("/kaoping/jieguo/abc/").status_code == 404
    assert not Vote.objects.exists()
    centre = centre_client()
    for query in ("?period=abc&unit=%00&page=xyz", "?period=999999999999999999999&flagged=1&annulled=%00", "?page=-1"):
        assert centre.get(reverse("voting:log") + query).status_code == 200
        assert centre.get(reverse("voting:counts") + query).status_code == 200
    bad_annul = centre.post(reverse("voting:log"), {"period": period.pk, "action": "annul", "votes": ["x\x00"], "reason": "测试"})
    assert bad_annul.status_code == 200 and "所选投票不存在" in bad_annul.content.decode()


def test_comment_is_cleaned_and_never_published(period, unit_a, caplog):
    client = citizen()
    comment = "网站不错\x07，有问题请打我电话13912345678\u202e" + "很" * 400
    with caplog.at_level(logging.WARNING, logger="voting.sms"):
        first = ballot(client, unit=unit_a, comment=comment[:300])
        assert first.status_code == 200
        client.post("/kaoping/queren/", {"token": token_of(first), "code": last_code(caplog)})
    vote = Vote.objects.get()
    assert "\x07" not in vote.comment and "\u202e" not in vote.comment
    assert "13912345678" not in vote.comment and vote.comment.startswith("网站不错，有问题请打我电话139")
    assert len(vote.comment) <= 300
    services.take_snapshot(period_id=period.pk, now=timezone.now() + timedelta(days=1))
    for url in ("/kaoping/", f"/kaoping/jieguo/{period.pk}/"):
        assert "有问题请打我电话" not in client.get(url).content.decode()


# --- counts hidden while voting runs; the daily snapshot ----------------------------------------------


def test_counts_are_hidden_while_open_and_the_daily_snapshot_is_shown(period, unit_a, unit_b, caplog):
    yesterday = timezone.localdate() - timedelta(days=1)
    cast(period=period, unit=unit_a, phone="13900000001", answer="satisfied", when=at(yesterday, 9))
    cast(period=period, unit=unit_a, phone="13900000002", answer="unsatisfied", when=at(yesterday, 10))
    client = citizen()
    with caplog.at_level(logging.WARNING, logger="voting.sms"):
        vote_on_portal(client, caplog, unit=unit_a, phone="13900000003", answer="basic")
    # No snapshot yet: nothing is counted on the portal, although three votes exist.
    landing = client.get("/kaoping/").content.decode()
    assert "首日投票结束后公布统计" in landing
    assert published_row(landing, unit_a.name)[0] == 0
    # The schedule's run: completed days only (yesterday's two votes), never today's.
    assert Schedule.objects.filter(func="voting.tasks.run_scheduled", schedule_type="I", minutes=60).exists()
    from voting.tasks import run_scheduled

    assert run_scheduled()["periods"] == 1
    landing = client.get("/kaoping/").content.decode()
    assert f"截至 {yesterday:%Y}年{yesterday.month}月{yesterday.day}日 24 时" in landing
    assert published_row(landing, unit_a.name) == (2, 1, 0, 1, "50.0", 0)
    assert published_row(landing, unit_b.name)[0] == 0
    assert VoteTally.objects.filter(period=period, day=yesterday, unit=unit_a).exists()
    assert not VoteTally.objects.filter(period=period, day=timezone.localdate()).exists()
    # The centre sees the live counts.
    counts = centre_client().get(reverse("voting:counts") + f"?period={period.pk}").content.decode()
    assert re.search(rf'class="unit-{unit_a.code}">.*?<td>3</td><td>1</td><td>1</td><td>1</td>', counts, re.S)
    # When the period closes, the next snapshot is the final result with every vote.
    period.status = PeriodStatus.CLOSED
    period.save()
    services.run_scheduled()
    results = client.get(f"/kaoping/jieguo/{period.pk}/").content.decode()
    assert "最终结果" in results and published_row(results, unit_a.name)[:4] == (3, 1, 1, 1)
    landing = client.get("/kaoping/").content.decode()
    assert "当前没有进行中的投票" in landing and f"/kaoping/jieguo/{period.pk}/" in landing


# --- anomaly checks -------------------------------------------------------------------------------


def _record(vote_id, *, unit_id, moment, mobile, ip):
    keys = identity.voter_keys(mobile=mobile, ip=ip)
    return VoteRecord(
        id=vote_id, unit_id=unit_id, at=moment, identity=keys.identity_hash, block=keys.block_hash,
        suffix=keys.block_suffix, ip=keys.ip_hash, network=keys.network_hash,
    )  # fmt: skip


def test_anomaly_checks_find_what_was_planted_and_flag_no_clean_vote(db):
    rng = random.Random(8)
    start = at(timezone.localdate() - timedelta(days=30), 0)
    clean = []
    for vote_id in range(1, 20001):
        mobile = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        ip = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        moment = start + timedelta(seconds=rng.randrange(30 * 86400))
        clean.append(_record(vote_id, unit_id=rng.randrange(1, 60), moment=moment, mobile=mobile, ip=ip))
    report = find_anomalies(clean)
    assert report.checked == 20000 and report.flagged_ids == frozenset()

    planted: dict[str, set[int]] = {}
    next_id = 100000
    day = start + timedelta(days=12)

    def plant(rule, specs):
        nonlocal next_id
        ids = set()
        for unit_id, moment, mobile, ip in specs:
            next_id += 1
            ids.add(next_id)
            clean.append(_record(next_id, unit_id=unit_id, moment=moment, mobile=mobile, ip=ip))
        planted[rule] = ids

    # 25 votes for one unit in 6 minutes (fresh numbers, fresh addresses).
    plant(
        BURST,
        [(7, day + timedelta(hours=15, seconds=15 * i), f"1860000{1000 + i * 37:04d}", f"61.{i}.9.{i + 1}") for i in range(25)],
    )
    # 8 numbers from one address over a day, for different units (no burst).
    plant(SHARED_IP, [(10 + i, day + timedelta(hours=8 + i), f"1597{rng.randrange(10**7):07d}", "120.7.7.7") for i in range(8)])
    # 35 numbers from one /24, each its own address.
    plant(
        SHARED_NETWORK,
        [
            (20 + i % 30, day + timedelta(hours=1, minutes=20 * i), f"1355{rng.randrange(10**7):07d}", f"183.9.4.{i + 1}")
            for i in range(35)
        ],
    )
    # 9 consecutive numbers (…41 to …49), days apart, different units and addresses.
    plant(SEQUENCE, [(30 + i, start + timedelta(days=2 * i, hours=10), f"136001234{41 + i}", f"222.{i}.{i}.8") for i in range(9)])

    rng.shuffle(clean)
    report = find_anomalies(clean)
    for rule, ids in planted.items():
        assert report.flagged[rule] == frozenset(ids), rule
    assert report.flagged_ids == frozenset().union(*planted.values())
    assert {finding.rule for finding in report.findings} == {BURST, SHARED_IP, SHARED_NETWORK, SEQUENCE}
    sequence = next(finding for finding in report.findings if finding.rule == SEQUENCE)
    assert sequence.suffixes == (41, 49) and sequence.numbers == 9 and "41–49" in sequence.description
    # Thresholds are parameters: stricter ones flag more, looser ones nothing.
    assert (
        find_anomalies(
            clean, thresholds=Thresholds(burst_min_votes=30, ip_min_numbers=9, network_min_numbers=40, sequence_min_run=10)
        ).flagged_ids
        == frozenset()
    )


def test_flags_in_the_vote_log_annulment_recorded_and_published(period, unit_a, unit_b):
    yesterday = timezone.localdate() - timedelta(days=1)
    normal = plant_votes(period=period, unit=unit_a, count=6, start=at(yesterday, 8), step_seconds=3000)
    burst = plant_votes(period=period, unit=unit_b, count=22, start=at(yesterday, 15), step_seconds=20)
    sequence = plant_votes(
        period=period, unit=unit_a, count=6, start=at(yesterday - timedelta(days=3), 9), step_seconds=7200, base=13600012340
    )
    report = services.check_anomalies(period_id=period.pk)
    assert report.flagged[BURST] == {vote.pk for vote in burst}
    assert report.flagged[SEQUENCE] == {vote.pk for vote in sequence}
    assert not Vote.objects.filter(pk__in=[vote.pk for vote in normal]).exclude(flags=[]).exists()
    assert set(Vote.objects.filter(flags__contains=[BURST]).values_list("pk", flat=True)) == {vote.pk for vote in burst}

    centre = centre_client()
    log_page = centre.get(reverse("voting:log") + f"?period={period.pk}&flagged=1").content.decode()
    assert "短时集中投票" in log_page and "连号投票" in log_page and "作废勾选的投票" in log_page
    assert f"vote-{burst[0].pk}" in log_page and f"vote-{normal[0].pk}" not in log_page
    # No reason: refused, nothing annulled.
    refused = centre.post(reverse("voting:log"), {"period": period.pk, "action": "annul", "rule": BURST, "reason": ""})
    assert "请填写作废理由" in refused.content.decode() and not Annulment.objects.exists()
    # All the burst, by its rule, plus one ticked sequence vote.
    done = centre.post(
        reverse("voting:log"),
        {
            "period": period.pk,
            "action": "annul",
            "rule": BURST,
            "votes": [sequence[0].pk],
            "reason": "15 时集中投票，号码与地址均为新出现",
        },
        follow=True,
    )
    assert "已作废 23 票" in done.content.decode()
    annulment = Annulment.objects.get()
    assert annulment.by.username == CENTRE_USERNAME and annulment.count == 23 and annulment.at
    assert annulment.reason == "15 时集中投票，号码与地址均为新出现" and set(annulment.rules) == {BURST, SEQUENCE}
    assert Vote.objects.filter(annulment=annulment).count() == 23
    entry = ModelLogEntry.objects.get(action="voting.annulled")
    assert entry.user_id == annulment.by_id and entry.data["count"] == 23
    # Published: the annulled counts per unit in the snapshot, excluded from the valid votes.
    landing = citizen().get("/kaoping/").content.decode()
    assert published_row(landing, unit_b.name)[0] == 0 and published_row(landing, unit_b.name)[5] == 22
    assert published_row(landing, unit_a.name)[0] == 11 and published_row(landing, unit_a.name)[5] == 1
    figures = selectors.satisfaction_by_unit(start=yesterday - timedelta(days=5), end=yesterday)
    assert figures[unit_b.pk] == SatisfactionFigures(
        valid_votes=0, satisfied=0, basically_satisfied=0, unsatisfied=0, annulled=22
    )
    # Annulled votes cannot be annulled again.
    with pytest.raises(ValidationError):
        services.annul_votes(user=annulment.by, period_id=period.pk, vote_ids=[burst[0].pk], reason="再次")


# --- the assessment's figures ---------------------------------------------------------------------


def test_satisfaction_by_unit(period, unit_a, unit_b):
    day = timezone.localdate() - timedelta(days=3)
    for index, answer in enumerate(["satisfied", "satisfied", "satisfied", "basic", "unsatisfied", "basic"]):
        cast(period=period, unit=unit_a, phone=f"1390000{index:04d}", answer=answer, when=at(day, 9 + index))
    outside = cast(period=period, unit=unit_a, phone="13900009999", answer="unsatisfied", when=at(day - timedelta(days=5), 9))
    annulled = Vote.objects.get(unit=unit_a, answer="basic", created_at__gte=at(day, 14))
    user = get_user_model().objects.get(username=CENTRE_USERNAME)
    services.annul_votes(user=user, period_id=period.pk, vote_ids=[annulled.pk], reason="核查为重复投票")

    figures = selectors.satisfaction_by_unit(start=day - timedelta(days=1), end=day)
    a = figures[unit_a.pk]
    assert a == SatisfactionFigures(valid_votes=5, satisfied=3, basically_satisfied=1, unsatisfied=1, annulled=1)
    assert a.score == pytest.approx((3 * 100 + 60) / 5) and a.satisfaction_rate == pytest.approx(0.8)
    assert figures[unit_b.pk] == SatisfactionFigures() and figures[unit_b.pk].score is None
    assert set(figures) >= {unit_a.pk, unit_b.pk}
    wider = selectors.satisfaction_by_unit(start=outside.voted_on, end=day)[unit_a.pk]
    assert wider.valid_votes == 6 and wider.unsatisfied == 2
    with pytest.raises(AttributeError):
        a.valid_votes = 0  # frozen


# --- the centre's screens and the supervisor ---------------------------------------------------------


def test_supervisor_reads_the_log_but_cannot_annul(period, unit_a):
    yesterday = timezone.localdate() - timedelta(days=1)
    votes = plant_votes(period=period, unit=unit_a, count=21, start=at(yesterday, 11), step_seconds=10)
    services.check_anomalies(period_id=period.pk)
    supervisor = supervisor_client()
    log_page = supervisor.get(reverse("voting:log") + f"?period={period.pk}")
    text = log_page.content.decode()
    assert log_page.status_code == 200 and f"vote-{votes[0].pk}" in text and "短时集中投票" in text
    assert "作废勾选的投票" not in text and "立即生成快照并检查" not in text
    assert supervisor.get(reverse("voting:counts")).status_code == 200
    assert supervisor.get(reverse("wagtailadmin_home")).status_code == 200
    assert menu_of(get_user_model().objects.get(username="jiancha")) == ["投票期", "投票记录与异常", "各单位票数"]
    assert menu_of(get_user_model().objects.get(username=CENTRE_USERNAME)) == ["投票期", "投票记录与异常", "各单位票数"]
    assert SupervisorRead.objects.filter(path=reverse("voting:log")).exists()
    refused = supervisor.post(
        reverse("voting:log"), {"period": period.pk, "action": "annul", "rule": BURST, "reason": "监察试图作废"}
    )
    assert refused.status_code == 403
    assert supervisor.post(reverse("voting:log"), {"period": period.pk, "action": "check"}).status_code == 403
    assert not Annulment.objects.exists() and not Vote.objects.filter(annulment__isnull=False).exists()
    supervisor_user = get_user_model().objects.get(username="jiancha")
    with pytest.raises(PermissionDenied):
        services.annul_votes(user=supervisor_user, period_id=period.pk, vote_ids=[votes[0].pk], reason="监察试图作废")
    # A unit's admin has no such screen.
    from tests.support.clients import unit_admin_client

    assert unit_admin_client(unit_a).get(reverse("voting:log")).status_code == 404
    staff = get_user_model().objects.create_user(username="public_staff", password=PASSWORD, is_staff=True)
    assert menu_of(staff) is None


def test_centre_creates_and_opens_periods(db, unit_a):
    from voting.viewsets import period_viewset

    centre = centre_client()
    today = timezone.localdate()
    add_url = reverse(period_viewset.get_url_name("add"))
    assert centre.get(add_url).status_code == 200
    data = {
        "title": "第二季度网站考评",
        "question": "您对该单位政府网站是否满意？",
        "note": "",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
        "status": "open",
    }
    created = centre.post(add_url, data)
    assert created.status_code == 302, created.content.decode()[:3000]
    assert VotePeriod.objects.get(title="第二季度网站考评").status == PeriodStatus.OPEN
    second = centre.post(add_url, {**data, "title": "另一期"})
    assert second.status_code == 200 and "同一时间只能有一个投票中的投票期" in second.content.decode()
    reversed_dates = centre.post(
        add_url, {**data, "title": "日期颠倒", "status": "draft", "ends_on": (today - timedelta(days=1)).isoformat()}
    )
    assert "结束日期不能早于开始日期" in reversed_dates.content.decode()
    assert not VotePeriod.objects.filter(title__in=["另一期", "日期颠倒"]).exists()
    # The supervisor sees the list, cannot add.
    supervisor = supervisor_client()
    assert supervisor.get(reverse(period_viewset.get_url_name("index"))).status_code == 200
    assert supervisor.post(add_url, {**data, "title": "监察新建"}).status_code == 403
    assert not VotePeriod.objects.filter(title="监察新建").exists()


def test_demo_seed(db, unit_a, unit_b):
    now = timezone.now()
    period = demo.seed(now=now)
    assert period.status == PeriodStatus.OPEN and period.accepts_votes_on(timezone.localdate(now))
    votes = Vote.objects.filter(period=period)
    assert votes.count() >= 2 * 8 * 6
    burst = set(votes.filter(flags__contains=[BURST]).values_list("pk", flat=True))
    assert len(burst) >= demo.BURST_SIZE
    assert not votes.exclude(flags=[]).exclude(flags__contains=[BURST]).exists()
    assert VoteTally.objects.filter(period=period).exists()
    assert not VoteTally.objects.filter(period=period, day=timezone.localdate(now)).exists()
    assert demo.seed(now=now) == period and Vote.objects.filter(period=period).count() == votes.count()
