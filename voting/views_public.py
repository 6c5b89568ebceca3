"""网站考评专栏 on the portal: the landing page with the published snapshot, the vote in two steps, results.

While a period runs the portal shows only the daily snapshot (completed days), never the live counts.
Every refusal is a Chinese message on the same page, with what the voter chose kept.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from accounts.network import client_ip

from . import identity, selectors, services
from .forms import BallotForm, CodeForm
from .models import PeriodStatus

# Codes asked for per address, and per number; code entries per address.
DEFAULT_RATE_PER_IP = "20/h"
DEFAULT_RATE_PER_PHONE = "5/h"
DEFAULT_RATE_CONFIRM = "60/h"


def _rate(name: str, default: str) -> str:
    return getattr(settings, name, None) or default


def _phone_key(group, request) -> str:
    number = identity.normalise_mobile(str(request.POST.get("phone") or "")[:40])
    return identity.keyed_hash("ratelimit", number) if number else "invalid"


def _per(rate: str) -> str:
    return rate.split("/")[0]


def landing(request):
    today = timezone.localdate()
    period = selectors.open_period()
    current = None
    if period is not None and period.starts_on <= today:
        rows = selectors.published_results(period=period)
        current = {
            "period": period,
            "accepting": period.accepts_votes_on(today),
            "rows": rows,
            "totals": selectors.published_totals(rows),
        }
    return render(
        request,
        "voting/portal/landing.html",
        {"current": current, "upcoming": period if current is None else None, "past": selectors.past_periods()[:20]},
    )


def results(request, period_id: int):
    period = selectors.get_period(period_id=period_id)
    if period is None or period.status == PeriodStatus.DRAFT:
        raise Http404("该投票期不存在")
    rows = selectors.published_results(period=period)
    return render(
        request,
        "voting/portal/results.html",
        {
            "period": period,
            "rows": rows,
            "totals": selectors.published_totals(rows),
            "final": period.status == PeriodStatus.CLOSED,
        },
    )


def _ballot_context(period, form, **extra):
    return {"period": period, "form": form, **extra}


def vote(request):
    """Step 1: GET the ballot (optionally for ?unit=<id>); POST it to get the SMS code."""
    today = timezone.localdate()
    period = selectors.open_period()
    if period is None or not period.accepts_votes_on(today):
        return render(request, "voting/portal/closed.html", {"period": period}, status=200 if request.method == "GET" else 409)
    units = list(selectors.ballot_units())
    if request.method != "POST":
        initial = {}
        unit_param = request.GET.get("unit", "")
        if unit_param.isdigit() and any(unit.pk == int(unit_param) for unit in units):
            initial["unit"] = int(unit_param)
        return render(request, "voting/portal/vote.html", _ballot_context(period, BallotForm(units=units, initial=initial)))
    form = BallotForm(request.POST, units=units)
    rate_ip = _rate("VOTING_RATE_PER_IP", DEFAULT_RATE_PER_IP)
    if is_ratelimited(request, group="voting.code.ip", key="ip", rate=rate_ip, method="POST", increment=True):
        form.is_valid()
        form.add_error(None, f"操作过于频繁：同一网络地址每小时最多获取 {_per(rate_ip)} 次验证码，请稍后再试")
        return render(request, "voting/portal/vote.html", _ballot_context(period, form), status=429)
    if not form.is_valid():
        return render(request, "voting/portal/vote.html", _ballot_context(period, form), status=400)
    rate_phone = _rate("VOTING_RATE_PER_PHONE", DEFAULT_RATE_PER_PHONE)
    if is_ratelimited(request, group="voting.code.phone", key=_phone_key, rate=rate_phone, method="POST", increment=True):
        form.add_error("phone", f"该手机号码获取验证码过于频繁（每小时最多 {_per(rate_phone)} 次），请稍后再试")
        return render(request, "voting/portal/vote.html", _ballot_context(period, form), status=429)
    data = form.cleaned_data
    try:
        sent = services.request_code(
            period_id=period.pk,
            unit_id=data["unit"],
            answer=data["answer"],
            comment=data["comment"],
            phone=data["phone"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        field = {"already_voted": "unit", "unknown_unit": "unit", "bad_answer": "answer", "bad_phone": "phone"}.get(exc.code)
        for message in exc.messages:
            form.add_error(field, message)
        status = 409 if exc.code in ("already_voted", "period_not_open") else 400
        return render(request, "voting/portal/vote.html", _ballot_context(period, form), status=status)
    code_form = CodeForm(initial={"token": sent.token})
    return render(request, "voting/portal/code.html", {"period": period, "form": code_form, "sent": sent})


RESTART_CODES = ("unknown_token", "used", "expired", "too_many_attempts", "period_not_open", "already_voted")


def confirm(request):
    """Step 2: POST the SMS code; the vote is recorded."""
    if request.method != "POST":
        return redirect("voting_portal:vote")
    period = selectors.open_period()
    form = CodeForm(request.POST)
    context = {"period": period, "form": form}
    rate = _rate("VOTING_RATE_CONFIRM", DEFAULT_RATE_CONFIRM)
    if is_ratelimited(request, group="voting.confirm.ip", key="ip", rate=rate, method="POST", increment=True):
        form.is_valid()
        form.add_error(None, "输入验证码过于频繁，请稍后再试")
        return render(request, "voting/portal/code.html", context, status=429)
    if not form.is_valid():
        restart = "token" in form.errors
        return render(request, "voting/portal/code.html", {**context, "restart": restart}, status=400)
    try:
        recorded = services.confirm_vote(token=form.cleaned_data["token"], code=form.cleaned_data["code"])
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None if exc.code in RESTART_CODES else "code", message)
        status = 409 if exc.code in ("already_voted", "period_not_open", "used") else 400
        return render(request, "voting/portal/code.html", {**context, "restart": exc.code in RESTART_CODES}, status=status)
    return render(request, "voting/portal/done.html", {"period": recorded.period, "vote": recorded})
