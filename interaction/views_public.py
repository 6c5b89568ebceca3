"""Public pages of 互动交流: the form (on the unit's 互动渠道 page, or the portal's city-wide entry),
tracking with the 查询码, rating and follow-up, and the published replies and 常见问题.

Unit hosts and the portal share these views; the templates differ (`site/`, `portal/`).
Every refusal is a Chinese message on the same page, with what the citizen typed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django_ratelimit.core import is_ratelimited

from accounts.network import client_ip
from tenants.context import in_public_schema

from . import selectors, services
from .forms import CitizenForm, FollowupForm, QueryForm, RatingForm
from .models import ANSWERED_STATUSES, Case, Source, Status

PER_PAGE = 15


def _template(name: str) -> str:
    return f"interaction/{'portal' if in_public_schema() else 'site'}/{name}"


def _page_context() -> dict:
    """The page the unit site's base template is drawn around (the 互动渠道 column, else the home page)."""
    if in_public_schema():
        return {}
    from wagtail.models import Site

    page = selectors.channel_page()
    if page is None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        page = site.root_page.specific if site else None
    return {"page": page, "channel": selectors.channel_page()}


def _phone_key(group, request) -> str:
    return (request.POST.get("phone") or "").strip()


def _submission(request, *, source: str) -> tuple[CitizenForm, Case | None, int]:
    """Validate and store a citizen's message; (form, case or None, HTTP status)."""
    form = CitizenForm(request.POST, request.FILES)
    if form.is_bot:
        form.is_valid()
        form.add_error(None, "提交未成功，请刷新页面后重新填写")
        return form, None, 400
    if is_ratelimited(
        request, group="interaction.submit.ip", key="ip", rate=settings.INTERACTION_RATE_PER_IP, method="POST", increment=True
    ):
        form.is_valid()
        form.add_error(
            None,
            f"提交过于频繁：同一网络地址在规定时间内最多提交 {settings.INTERACTION_RATE_PER_IP.split('/')[0]} 条留言，请稍后再试",
        )
        return form, None, 429
    if not form.is_valid():
        return form, None, 400
    if is_ratelimited(
        request,
        group="interaction.submit.phone",
        key=_phone_key,
        rate=settings.INTERACTION_RATE_PER_PHONE,
        method="POST",
        increment=True,
    ):
        form.add_error(
            "phone",
            f"该手机号码提交过于频繁：每个号码每天最多提交 {settings.INTERACTION_RATE_PER_PHONE.split('/')[0]} 条留言，请明天再试",
        )
        return form, None, 429
    data = form.cleaned_data
    uploads = [services.Upload(name=f.name, data=f.read()) for f in data["attachments"]]
    try:
        case = services.submit_case(
            kind=data["kind"],
            subject=data["subject"],
            content=data["content"],
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
            agree_publish=data["agree_publish"],
            source=source,
            uploads=uploads,
            problem_url=data["problem_url"],
            client_ip=client_ip(request),
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error("attachments" if "附件" in message else None, message)
        return form, None, 400
    return form, case, 200


def write(request, *, page=None):
    """GET the form; POST a message. On a unit this is the 互动渠道 page itself (before_serve_page hook)."""
    context = _page_context() if page is None else {"page": page, "channel": page}
    status = 200
    if request.method == "POST":
        form, case, status = _submission(request, source=Source.PORTAL if in_public_schema() else Source.SITE)
        if case is not None:
            return render(request, _template("submitted.html"), {**context, "case": case, "query_url": reverse(_name("query"))})
    else:
        form = CitizenForm(initial={"kind": request.GET.get("kind", ""), "problem_url": request.GET.get("url", "")})
    latest = selectors.portal_replies()[:5] if in_public_schema() else selectors.published_cases()[:5]
    return render(request, _template("write.html"), {**context, "form": form, "latest": latest}, status=status)


def _name(view: str) -> str:
    return f"{'interaction_portal' if in_public_schema() else 'interaction_site'}:{view}"


def channel_redirect(request):
    """/hudong/ on a unit: the form is on the unit's 互动渠道 page."""
    page = selectors.channel_page()
    if page is None:
        raise Http404("本站尚未开设互动渠道")
    return redirect(page.url)


def query(request):
    """The writer's own case: state, reply, rating, one follow-up (查询码 and mobile number)."""
    context = _page_context()
    form = QueryForm(request.POST or None)
    case, status, notice = None, 200, ""
    if request.method == "POST":
        if is_ratelimited(
            request, group="interaction.query.ip", key="ip", rate=settings.INTERACTION_RATE_LOOKUP, method="POST", increment=True
        ):
            form.is_valid()
            form.add_error(None, "查询过于频繁，请稍后再试")
            status = 429
        elif form.is_valid():
            case = selectors.find_for_writer(number=form.cleaned_data["number"], phone=form.cleaned_data["phone"])
            if case is None:
                form.add_error(None, "查询码或手机号码不正确，请核对后重新输入")
                status = 404
            else:
                status, notice = _writer_action(request, case, context)
                case.refresh_from_db()
        else:
            status = 400
    error = ""
    if notice.startswith("错误："):
        error, notice = notice.removeprefix("错误："), ""
    return render(
        request,
        _template("query.html"),
        {
            **context,
            "form": form,
            "case": case,
            "notice": notice,
            "error": error,
            "rating_form": RatingForm(),
            "followup_form": FollowupForm(),
            "answered": case is not None and case.status in ANSWERED_STATUSES,
            "handed_to_url": _handed_to_url(case),
        },
        status=status,
    )


def _handed_to_url(case) -> str:
    if case is None or case.status not in (Status.TRANSFERRED, Status.RETURNED) or not case.handed_to_code:
        return ""
    from tenants.hosts import portal_base_url, unit_base_url
    from tenants.selectors import unit_by_code

    if case.status == Status.RETURNED:
        return portal_base_url() + reverse("interaction_portal:query", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    unit = unit_by_code(code=case.handed_to_code)
    return unit_base_url(unit) + reverse("interaction_site:query", urlconf=settings.ROOT_URLCONF) if unit else ""


def _writer_action(request, case: Case, context: dict) -> tuple[int, str]:
    action = request.POST.get("action", "")
    try:
        if action == "rate":
            form = RatingForm(request.POST)
            if not form.is_valid():
                return 400, "错误：请选择评价"
            services.rate_case(case_id=case.pk, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
            return 200, "感谢您的评价"
        if action == "followup":
            form = FollowupForm(request.POST)
            if not form.is_valid():
                return 400, "错误：" + "；".join(form.errors.get("followup", ["请填写追问内容"]))
            services.follow_up(case_id=case.pk, text=form.cleaned_data["followup"])
            return 200, "追问已提交，我们将尽快答复"
    except ValidationError as exc:
        return 400, "错误：" + "；".join(exc.messages)
    return 200, ""


def _paginate(request, items):
    paginator = Paginator(items, PER_PAGE)
    try:
        return paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        return paginator.page(1)


def replies(request, *, faq: bool = False):
    """The published replies: 受理日期, 答复日期, 答复单位, question and reply (no personal data)."""
    context = _page_context()
    if in_public_schema():
        unit_code = request.GET.get("unit", "")
        items = selectors.portal_replies(faq_only=faq, unit_code=unit_code)
    else:
        items = selectors.published_cases(faq_only=faq)
    return render(request, _template("replies.html"), {**context, "page_obj": _paginate(request, items), "faq": faq})


def faq(request):
    return replies(request, faq=True)


def reply(request, case_id: int):
    context = _page_context()
    if in_public_schema():
        # The portal's own (desk) replies; a unit's replies are on the unit's site (PublishedReply.url).
        item = selectors.portal_replies().filter(schema_name="public", case_id=case_id).first()
    else:
        item = selectors.published_cases().filter(pk=case_id).first()
    if item is None:
        raise Http404("该答复不存在或未公开")
    return render(request, _template("reply.html"), {**context, "item": item})
