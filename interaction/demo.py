"""Demo data of 互动交流 (called by the demo app's seed_demo): a handler and cases in every state per unit.

Every case goes through the real services (so the audit log, the publication scan,
the portal list and index and the handovers are as in use); afterwards its dates are
moved into the past so that the dashboards show real figures: some answered in
time, some late, some open past their deadline, and, for one unit, a message
unanswered for more than 3 months (the 互动回应差 veto).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.utils import timezone
from wagtail.models import ModelLogEntry, Site

from . import selectors, services
from .models import Case, Status

# Writers are invented; phone numbers are in the 139 0000 range, e-mails at example.com.
WRITERS = [
    ("王建国", "13900000001"),
    ("李秀英", "13900000002"),
    ("陈志强", "13900000003"),
    ("刘芳", "13900000004"),
    ("黄伟", "13900000005"),
    ("周敏", "13900000006"),
    ("吴婷", "13900000007"),
    ("郑浩", "13900000008"),
]
QUESTIONS = [
    (
        "consult",
        "企业投资项目备案需要哪些材料",
        "我公司计划在高新区投资建设一个厂房项目，请问备案需要提交哪些材料？多长时间能办好？",
        "企业投资项目备案需提交项目备案申请表和营业执照复印件，可通过广东省投资项目在线审批监管平台网上申报，材料齐全的 3 个工作日内办结。",
    ),
    (
        "consult",
        "高新技术企业认定的申报时间",
        "请问今年高新技术企业认定什么时候开始申报？有没有线上的申报指南？",
        "高新技术企业认定每年分批组织，申报通知在本网站“通知公告”栏目发布，申报指南可在“办事指南”栏目下载。",
    ),
    (
        "complaint",
        "政务服务大厅窗口排队时间过长",
        "上周三上午到政务服务大厅办理业务，排队两个多小时，窗口只开了一个，希望增加窗口。",
        "经核查，当日因系统升级导致部分窗口暂停服务。我们已增设两个综合窗口，并开通网上预约，预约群众可优先办理。",
    ),
    (
        "suggestion",
        "建议延长周末预约办理时间",
        "很多上班族工作日没时间，建议周六全天提供预约办理服务。",
        "感谢您的建议。自下月起，政务服务大厅周六上午提供预约办理服务，我们将根据预约情况研究延长服务时间。",
    ),
    (
        "help",
        "小微企业贷款贴息政策咨询求助",
        "我们是一家小微企业，受原材料涨价影响资金紧张，想了解有没有贷款贴息政策。",
        "本市对符合条件的小微企业贷款给予贴息支持，具体条件和申报方式见《珠海市中小微企业贷款贴息实施办法》，也可致电 0756-2121888 咨询。",
    ),
    (
        "correction",
        "网站“办事指南”页面链接无法打开",
        "贵单位网站办事指南栏目中“节能审查申请表”的下载链接无法打开。",
        "感谢您的指正，下载链接已修复，请重新访问该页面下载。",
    ),
    (
        "consult",
        "固定资产投资项目节能审查的条件",
        "年综合能耗多少以上的项目需要做节能审查？审查时限是多少？",
        "年综合能源消费量 1000 吨标准煤以上的固定资产投资项目需进行节能审查，审查时限为 15 个工作日。",
    ),
    (
        "complaint",
        "工地夜间施工噪音扰民",
        "小区旁边的工地每天晚上十一点以后还在施工，噪音很大，严重影响休息。",
        "已会同住建部门到现场核查，责令施工单位夜间 22 时后停止高噪音作业，并将加强巡查。",
    ),
]


def ensure_handler(*, unit, password: str):
    """The unit's named 互动处理人 (`<code>_handler`), and the group itself."""
    group = services.ensure_handler_group()
    User = get_user_model()
    username = f"{unit.code}_handler"
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            username=username,
            password=password,
            first_name="互动处理人",
            last_name=unit.name,
            email=f"{username}@zhuhai.gov.cn",
        )
    user.groups.add(group)
    return user, created


def ensure_channel(*, unit):
    """A live 互动渠道 page: the form's place (units whose table has none get 互动交流 under the home page)."""
    from sitepages.models import InteractionPage

    page = InteractionPage.objects.live().first()
    if page is not None:
        return page
    page = InteractionPage.objects.first()
    if page is None:
        home = Site.objects.get(is_default_site=True).root_page
        page = InteractionPage(title="互动交流", slug="hdjl", live=False)
        home.add_child(instance=page)
    page.channels = "<p>欢迎通过本栏目咨询、投诉、提出建议或求助。留言由本单位互动处理人办理，按规定时限答复。</p>"
    page.handler_name = page.handler_name or "陈敏"
    page.handler_phone = page.handler_phone or (unit.public_phone or "0756-2121888")
    page.save_revision().publish()
    return page


def _people(unit):
    User = get_user_model()
    names = {"dispatcher": f"{unit.code}_reviewer", "leader": f"{unit.code}_leader", "handler": f"{unit.code}_handler"}
    people = {role: User.objects.filter(username=name).first() for role, name in names.items()}
    if any(user is None for user in people.values()):
        return None
    return people


def _shift(case: Case, *, days_ago: float, answered_after: float | None = None) -> None:
    """Move a case (and its history) into the past: received `days_ago`, answered `answered_after` days later."""
    now = timezone.now()
    received = now - timedelta(days=days_ago)
    deadline = selectors.deadline_for(received_at=received, working_days=case.working_days)
    values = {"received_at": received, "submitted_at": received, "deadline": deadline}
    answered = None
    if answered_after is not None:
        answered = min(received + timedelta(days=answered_after), now - timedelta(hours=1))
        values.update(answered_at=answered)
        for field in ("published_at", "rated_at", "followup_at", "followup_replied_at", "reply_submitted_at"):
            if getattr(case, field):
                values[field] = answered + (timedelta(days=1) if field in ("rated_at", "followup_at") else timedelta())
        if case.followup_replied_at:
            values["followup_replied_at"] = answered + timedelta(days=2)
    for field in ("accepted_at", "assigned_at", "started_at"):
        if getattr(case, field):
            values[field] = received + timedelta(hours=4)
    Case.objects.filter(pk=case.pk).update(**values)
    entries = list(ModelLogEntry.objects.for_instance(case).order_by("timestamp", "id").values_list("pk", flat=True))
    end = answered or (received + timedelta(days=min(days_ago, 2)))
    for index, pk in enumerate(entries):
        step = (end - received) * (index / max(1, len(entries) - 1))
        ModelLogEntry.objects.filter(pk=pk).update(timestamp=received + step)


def seed_unit(*, unit, password: str, transfer_to=None, with_veto: bool = False) -> int:
    """Runs in `unit`'s schema: the handler, the channel page and cases in every state; returns cases created.

    The notifications the steps send are dropped (the demo's console would print dozens of them).
    """
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        return _seed_unit(unit=unit, password=password, transfer_to=transfer_to, with_veto=with_veto)


def _seed_unit(*, unit, password: str, transfer_to=None, with_veto: bool = False) -> int:
    handler, _created = ensure_handler(unit=unit, password=password)
    ensure_channel(unit=unit)
    if Case.objects.exists():
        return 0
    people = _people(unit)
    if people is None:
        return 0
    dispatcher, leader = people["dispatcher"], people["leader"]
    writers = iter(WRITERS * 3)

    def new(index: int, **extra) -> Case:
        kind, subject, content, _reply = QUESTIONS[index % len(QUESTIONS)]
        name, phone = next(writers)
        return services.create_case(
            kind=kind, subject=subject, content=content, name=name, phone=phone, email=f"{phone}@example.com", **extra
        )

    def answer(case: Case, index: int, *, publish: bool = True) -> Case:
        services.accept_case(case_id=case.pk, user=dispatcher)
        services.assign_case(case_id=case.pk, user=dispatcher, handler_id=handler.pk)
        services.start_case(case_id=case.pk, user=handler)
        services.submit_reply(case_id=case.pk, user=handler, reply=QUESTIONS[index % len(QUESTIONS)][3])
        return services.review_reply(
            case_id=case.pk, user=leader, approve=True, publish=publish, not_public_reason="涉及具体地址，不宜公开"
        )

    created: list[tuple[Case, float, float | None]] = []
    # 已公开 (two rated, one followed up, one in 常见问题), answered in time or late.
    for index, (days_ago, after) in enumerate(((40, 3), (25, 5), (12, 2), (8, 9), (5, 1))):
        case = answer(new(index), index)
        if index == 0:
            services.set_faq(case_id=case.pk, user=leader, faq=True)
            services.rate_case(case_id=case.pk, rating="satisfied")
        if index == 1:
            services.rate_case(case_id=case.pk, rating="unsatisfied", comment="答复太笼统")
            services.follow_up(case_id=case.pk, text="能否说明具体办理窗口？")
            services.reply_followup(case_id=case.pk, user=handler, text="请到市政务服务中心二楼 12 号综合窗口办理。")
        if index == 2:
            services.rate_case(case_id=case.pk, rating="basic")
        created.append((case, days_ago, after))
    # 不公开, and 已答复 whose publication is still to decide.
    created.append((answer(new(7), 7, publish=False), 15, 6))
    # The writer put their phone number in the text: the reply is approved and told, its publication is
    # held by the PII scan until a reviewer edits the public version (已答复).
    held = services.create_case(
        kind="consult",
        subject=QUESTIONS[1][1],
        content=QUESTIONS[1][2] + "我的电话 13900000009。",
        name="孙丽",
        phone="13900000009",
        email="13900000009@example.com",
    )
    created.append((answer(held, 1), 6, 2))
    # 答复审核, 办理中 (one past its deadline, one with a 延期申请), 已交办, 已受理, 待受理.
    in_progress = new(2)
    services.accept_case(case_id=in_progress.pk, user=dispatcher)
    services.assign_case(case_id=in_progress.pk, user=dispatcher, handler_id=handler.pk)
    services.start_case(case_id=in_progress.pk, user=handler)
    created.append((in_progress, 30, None))
    extended = new(4)
    services.accept_case(case_id=extended.pk, user=dispatcher)
    services.assign_case(case_id=extended.pk, user=dispatcher, handler_id=handler.pk)
    services.start_case(case_id=extended.pk, user=handler)
    services.request_extension(case_id=extended.pk, user=handler, extra_days=5, reason="需协调财政部门确认贴息额度")
    created.append((extended, 4, None))
    assigned = new(3)
    services.accept_case(case_id=assigned.pk, user=dispatcher)
    services.assign_case(case_id=assigned.pk, user=dispatcher, handler_id=handler.pk)
    created.append((assigned, 2, None))
    accepted = new(6)
    services.accept_case(case_id=accepted.pk, user=dispatcher)
    created.append((accepted, 1, None))
    created.append((new(5, problem_url=f"http://{unit.code}.localhost/"), 0.2, None))
    # 不予受理.
    refused = new(0)
    services.refuse_case(case_id=refused.pk, user=dispatcher, reason="duplicate", note="与另一条留言内容相同")
    created.append((refused, 9, None))
    # 转办 to another unit, 退回 to the information centre's desk.
    if transfer_to is not None:
        moved = new(7)
        services.hand_over(case_id=moved.pk, user=dispatcher, target_code=transfer_to, reason="属于该单位职责")
        created.append((moved, 3, None))
    returned = new(4)
    services.hand_over(
        case_id=returned.pk, user=dispatcher, target_code="desk", reason="本单位不负责该事项，请受理台转交责任单位", type="return"
    )
    created.append((returned, 2, None))
    if with_veto:
        # A message nobody answered for more than 3 months: the national 互动回应差 veto.
        old = new(6)
        services.accept_case(case_id=old.pk, user=dispatcher)
        created.append((old, 100, None))
    review = new(3)
    services.accept_case(case_id=review.pk, user=dispatcher)
    services.assign_case(case_id=review.pk, user=dispatcher, handler_id=handler.pk)
    services.submit_reply(case_id=review.pk, user=handler, reply=QUESTIONS[3][3])
    created.append((review, 3, None))
    seen = set()
    for case, days_ago, after in created:
        if case.pk in seen:
            continue
        seen.add(case.pk)
        case.refresh_from_db()
        _shift(case, days_ago=days_ago, answered_after=after)
    # Published replies keep their (now past) answer dates on the portal too.
    for case in Case.objects.filter(status=Status.PUBLISHED):
        services._write_published_reply(case=case)
    return len(seen)


def seed_portal() -> int:
    """Runs in the public schema: two messages of the city-wide entry waiting at the desk."""
    if Case.objects.exists():
        return 0
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for index, (name, phone) in enumerate(WRITERS[:2]):
            kind, subject, content, _reply = QUESTIONS[(index + 3) % len(QUESTIONS)]
            services.create_case(kind=kind, subject=subject, content=content, name=name, phone=phone, source="portal")
    return 2
