"""Writes of the oversight app: checks of one unit, recorded as CheckRun rows.

Every check of a unit runs inside a savepoint: a unit whose schema or site is
broken records a failed CheckRun and leaves the database usable for the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as dt_time

import aiohttp
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from tenants.context import schema_named
from tenants.hosts import unit_base_url

from .freshness import SHANGHAI, ScoringWeights, score_unit
from .linkcheck import BlockedAddress, CrawlReport, GuardedResolver, check_site
from .models import (
    AvailabilityProbe,
    BrokenLink,
    CheckKind,
    CheckOutcome,
    CheckRun,
    FreshnessSnapshot,
    SharedLinkResult,
)
from .notifications import notify_availability_level
from .selectors import (
    AVAILABILITY_LEVELS,
    availability_failure_ratio,
    availability_level,
    centre_unit,
    check_running,
    link_config,
    open_broken_links,
    static_column,
    unit_state,
)

# Errors a check of one unit may meet that must not stop the checks of the others.
CHECK_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, asyncio.TimeoutError, OSError, DatabaseError, ValueError)


class CheckFailed(Exception):
    """Raised after a failed check was recorded, for callers that report it."""

    def __init__(self, run: CheckRun):
        super().__init__(run.detail)
        self.run = run


@contextmanager
def _recorded(*, kind: str, unit) -> Iterator[CheckRun]:
    run = CheckRun.objects.create(kind=kind, unit=unit, started_at=timezone.now())
    try:
        with transaction.atomic():
            yield run
    except CHECK_ERRORS as exc:
        run.outcome = CheckOutcome.FAILED
        run.detail = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "detail", "finished_at"])
        raise CheckFailed(run) from exc
    run.outcome = CheckOutcome.OK
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "detail", "finished_at"])


# --- freshness ------------------------------------------------------------------


def score_and_record(*, unit) -> FreshnessSnapshot:
    with _recorded(kind=CheckKind.FRESHNESS, unit=unit) as run:
        state = unit_state(unit=unit)
        now = timezone.now()
        score = score_unit(state, now=now)
        failure = state.availability_failure_ratio
        snapshot = FreshnessSnapshot.objects.create(
            unit=unit,
            taken_at=now,
            score=score.score,
            passed=score.passed,
            stale_columns=score.stale_count,
            empty_columns=score.empty_count,
            broken_links=state.broken_links,
            availability_ratio=None if failure is None else 1.0 - failure,
            detail=score.as_dict(),
        )
        run.detail = f"得分 {score.score}" + ("" if score.passed else "，单项否决")
    return snapshot


def confirm_column(*, unit, page_id: int, user) -> None:
    """The editor's “已核查，内容准确”: a static column's content was checked today."""
    with schema_named(unit.schema_name):
        page = static_column(page_id=page_id)
        if not page.permissions_for_user(user).can_edit():
            raise PermissionDenied("您没有编辑该栏目的权限")
        page.last_confirmed_at = timezone.now()
        page.last_confirmed_by = user.get_username()
        page.save(update_fields=["last_confirmed_at", "last_confirmed_by"])


# --- links ----------------------------------------------------------------------


MAX_SOURCES = 200


def _upsert_broken(*, owner, url: str, result, sources: list[dict], now, open_row, merge: bool) -> None:
    if merge and open_row is not None:
        # The centre's row gathers the pages of every unit's crawl where the link appears.
        seen = {(s["page"], s["text"]) for s in sources}
        sources = sources + [s for s in open_row.sources if (s["page"], s["text"]) not in seen]
    values = {
        "status": result.status,
        "error": (result.error or "")[:500],
        "sources": sources[:MAX_SOURCES],
        "last_seen": now,
    }
    if open_row is None:
        BrokenLink.objects.create(unit=owner, url=url, first_seen=now, **values)
    else:
        for name, value in values.items():
            setattr(open_row, name, value)
        open_row.save(update_fields=[*values])


def record_broken_links(*, unit, report: CrawlReport, homepage_only: bool) -> tuple[int, int]:
    """Upsert the open BrokenLink rows from a crawl; returns (the unit's open, newly resolved).

    Blame goes where the link can be fixed (第十一条（三））: a link found only in the platform's
    shared templates (header, footer; ``LinkSource.platform``) is the information centre's, recorded
    once under the portal's unit with every page it appears on; a unit's row lists only the pages
    of its own content.
    """
    now = timezone.now()
    centre = centre_unit()
    own: dict[str, tuple] = {}
    platform: dict[str, tuple] = {}
    for result in report.broken:
        unit_sources = [{"page": s.page_url, "text": s.link_text} for s in result.sources if not s.platform]
        platform_sources = [{"page": s.page_url, "text": s.link_text} for s in result.sources if s.platform]
        if unit_sources or not platform_sources or centre is None:
            own[result.url] = (result, unit_sources or platform_sources)
        if platform_sources and centre is not None:
            platform[result.url] = (result, platform_sources)
    open_rows = {row.url: row for row in open_broken_links(unit=unit)}
    for url, (result, sources) in own.items():
        _upsert_broken(owner=unit, url=url, result=result, sources=sources, now=now, open_row=open_rows.get(url), merge=False)
    # A homepage-only check says nothing of links it did not see.
    fixed = [row.pk for url, row in open_rows.items() if url not in own and (url in report.links or not homepage_only)]
    if centre is not None:
        centre_rows = {row.url: row for row in open_broken_links(unit=centre)}
        for url, (result, sources) in platform.items():
            _upsert_broken(
                owner=centre, url=url, result=result, sources=sources, now=now, open_row=centre_rows.get(url), merge=True
            )
        # The centre's link is fixed once a check saw it open again.
        fixed += [
            row.pk
            for url, row in centre_rows.items()
            if url not in platform and url in report.links and not report.links[url].broken
        ]
    BrokenLink.objects.filter(pk__in=fixed).update(resolved_at=now)
    return len(own), len(fixed)


def record_shared_link_results(*, report: CrawlReport) -> int:
    """Keep what this crawl learnt of the shared templates' links for the other units' crawls; returns
    how many of them it took from an earlier crawl instead of requesting them."""
    now = timezone.now()
    checked = [
        result
        for result in report.links.values()
        if not result.reused and not result.skipped and any(source.platform for source in result.sources)
    ]
    for result in checked:
        SharedLinkResult.objects.update_or_create(
            url=result.url[:2000],
            defaults={"status": result.status, "error": (result.error or "")[:500], "checked_at": now},
        )
    return sum(1 for result in report.links.values() if result.reused)


def check_unit_links(*, unit, homepage_only: bool = False) -> CheckRun:
    kind = CheckKind.LINKS_HOME if homepage_only else CheckKind.LINKS_FULL
    with _recorded(kind=kind, unit=unit) as run:
        config = link_config(unit=unit, homepage_only=homepage_only)
        report = check_site(config)
        start = report.links.get(report.start_url)
        if start is not None and start.skipped:
            # A homepage the checker may not fetch means nothing was checked.
            raise ValueError(f"首页 {config.start_url} 未能检查：{start.error}")
        found, fixed = record_broken_links(unit=unit, report=report, homepage_only=homepage_only)
        reused = record_shared_link_results(report=report)
        run.detail = f"检查页面 {report.pages_crawled} 个、链接 {len(report.links)} 个，无法打开 {found} 个，已修复 {fixed} 个"
        if reused:
            run.detail += f"；公共模板链接 {reused} 个沿用本轮已检查的结果"
    # The score counts the links just recorded: the dashboard, the list and the report agree.
    # A failure is recorded as a failed 更新及时性评分 run; the link check itself succeeded.
    with contextlib.suppress(CheckFailed):
        score_and_record(unit=unit)
    return run


# --- availability ---------------------------------------------------------------


async def _probe(url: str, timeout_s: float, *, allowed_private_hosts: frozenset[str]) -> tuple[int | None, str]:
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    # The link checker's resolver: the same address rules, and *.localhost
    # answered as loopback where the system resolver does not know it.
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allowed_private_hosts))
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout, connector=connector) as session,
            session.get(url, allow_redirects=True) as response,
        ):
            await response.read()
            return response.status, ""
    except TimeoutError:
        return None, "超时"
    except BlockedAddress as exc:
        return None, f"禁止访问内网地址：{exc}"[:500]
    except (aiohttp.ClientError, OSError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]


def probe_availability(*, unit, timeout_s: float = 15) -> AvailabilityProbe:
    with _recorded(kind=CheckKind.AVAILABILITY, unit=unit) as run:
        before = availability_level(availability_failure_ratio(unit=unit))
        started = time.perf_counter()
        allowed = link_config(unit=unit, homepage_only=True).allowed_private_hosts
        status, error = asyncio.run(_probe(unit_base_url(unit) + "/", timeout_s, allowed_private_hosts=allowed))
        elapsed = int((time.perf_counter() - started) * 1000)
        ok = status is not None and status < 400
        probe = AvailabilityProbe.objects.create(
            unit=unit, checked_at=timezone.now(), ok=ok, status=status, elapsed_ms=elapsed, error=error
        )
        run.detail = "首页可访问" if ok else f"首页无法访问：{error or f'HTTP {status}'}"
        failure = availability_failure_ratio(unit=unit)
        after = availability_level(failure)
        # Alert once when the ratio rises past a line, not at every probe above it.
        if AVAILABILITY_LEVELS.index(after) > AVAILABILITY_LEVELS.index(before) and after in ("warning", "veto"):
            weights = ScoringWeights()
            transaction.on_commit(
                lambda: notify_availability_level(
                    unit=unit,
                    level=after,
                    failure_percent=f"{failure * 100:.1f}%",
                    warning=f"{weights.availability_warning_ratio:.0%}",
                    veto=f"{weights.availability_veto_ratio:.0%}",
                )
            )
            run.detail += f"；近 7 天失败率 {failure * 100:.1f}%，已发出{'否决' if after == 'veto' else '预警'}通知"
    return probe


# --- fan-out and schedules --------------------------------------------------------

CHECKS: dict[str, Callable] = {
    CheckKind.LINKS_FULL: lambda unit: check_unit_links(unit=unit),
    CheckKind.LINKS_HOME: lambda unit: check_unit_links(unit=unit, homepage_only=True),
    CheckKind.AVAILABILITY: lambda unit: probe_availability(unit=unit),
    CheckKind.FRESHNESS: lambda unit: score_and_record(unit=unit),
}


def run_unit_check(*, kind: str, unit_id: int) -> str:
    """One check of one unit; a failure is recorded (CheckRun failed) and returned, never raised."""
    from tenants.models import Unit

    unit = Unit.objects.get(pk=unit_id)
    try:
        CHECKS[kind](unit)
    except CheckFailed as failed:
        return f"{unit.code}: {failed.run.detail}"
    return f"{unit.code}: ok"


def run_for_all_units(*, kind: str) -> int:
    """Queue one task per unit (after commit); returns how many were queued."""
    from govplatform.tasking import enqueue
    from tenants.selectors import directory_units

    if kind not in CHECKS:
        raise ValueError(f"unknown check kind {kind!r}")
    unit_ids = list(directory_units().values_list("pk", flat=True))
    for unit_id in unit_ids:
        enqueue(
            "oversight.tasks.run_unit_check",
            schema_name="public",
            task_name=f"oversight:{kind}:{unit_id}",
            kind=kind,
            unit_id=unit_id,
        )
    return len(unit_ids)


# A check asked for from the admin while the same check of the unit started
# this recently and has not finished is refused rather than queued twice.
ON_DEMAND_GUARD = timedelta(minutes=10)


def request_check(*, unit, kind: str) -> None:
    """Queue one check of one unit now (the admin's “立即检查”), after commit."""
    from govplatform.tasking import enqueue

    if kind not in CHECKS:
        raise ValidationError(f"未知的检查类型：{kind}")
    if check_running(unit=unit, kind=kind, since=timezone.now() - ON_DEMAND_GUARD):
        raise ValidationError(f"{unit.name}的{CheckKind(kind).label}正在进行，请稍后查看结果")
    enqueue(
        "oversight.tasks.run_unit_check",
        schema_name="public",
        task_name=f"oversight:{kind}:{unit.pk}:on-demand",
        kind=kind,
        unit_id=unit.pk,
    )


def schedule_first_checks(*, delay: timedelta) -> list:
    """One-off schedules that run every check of every unit once, `delay` from now.

    The demo seeds its units before its web server listens; the link and
    availability checks must wait for the server, so they are scheduled
    rather than run inline. Each schedule deletes itself after it has run.
    """
    from django_q.models import Schedule

    next_run = timezone.now() + delay
    schedules = []
    for kind in (CheckKind.AVAILABILITY, CheckKind.LINKS_FULL, CheckKind.FRESHNESS):
        schedule, _created = Schedule.objects.update_or_create(
            name=f"网站监测：首次{kind.label}",
            defaults={
                "func": "oversight.tasks.run_for_all_units",
                "kwargs": f"kind={str(kind)!r}",
                "schedule_type": Schedule.ONCE,
                "repeats": -1,
                "next_run": next_run,
            },
        )
        schedules.append(schedule)
    return schedules


# name → (kind, django-q schedule type, minutes, Shanghai time of the first run or None for now)
SCHEDULES: dict[str, tuple[str, str, int | None, dt_time | None]] = {
    "网站监测：首页可用性探测（每小时）": (CheckKind.AVAILABILITY, "I", 60, None),
    "网站监测：首页链接检查（每日）": (CheckKind.LINKS_HOME, "D", None, dt_time(6, 0)),
    "网站监测：全站链接检查（每夜）": (CheckKind.LINKS_FULL, "D", None, dt_time(1, 0)),
    "网站监测：更新及时性评分（每日）": (CheckKind.FRESHNESS, "D", None, dt_time(7, 0)),
}


def _next_local(at: dt_time, now: datetime) -> datetime:
    local = now.astimezone(SHANGHAI)
    moment = datetime.combine(local.date(), at, tzinfo=SHANGHAI)
    return moment if moment > local else moment + timedelta(days=1)


def setup_schedules(*, schedule_model=None) -> list:
    """Create or update the django-q schedules of the oversight checks (idempotent).

    ``schedule_model`` lets a data migration pass its historical model.
    """
    if schedule_model is None:
        from django_q.models import Schedule as schedule_model

    now = timezone.now()
    schedules = []
    for name, (kind, schedule_type, minutes, at) in SCHEDULES.items():
        schedule, _created = schedule_model.objects.get_or_create(
            name=name, defaults={"func": "oversight.tasks.run_for_all_units", "next_run": _next_local(at, now) if at else now}
        )
        schedule.func = "oversight.tasks.run_for_all_units"
        schedule.args = None
        schedule.kwargs = f"kind={str(kind)!r}"
        schedule.schedule_type = schedule_type
        schedule.minutes = minutes
        schedule.repeats = -1
        schedule.save()
        schedules.append(schedule)
    return schedules
