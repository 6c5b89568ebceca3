"""The figures the platform computes for a report: each a named source that a catalogue row may cite.

A catalogue row says `"source": "pages.published"` (with `params`); a new national template reuses these
names in a new file, and only a figure the platform has never counted needs code here. Every figure
comes with the description shown beside it (由平台统计：…), so a reader knows what was counted.

`compute_figures` enters the unit's schema once for all rows of a report; reads of the public schema
(the unit registry, visits) go through their own selectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone

from tenants.context import unit_schema

# Static column types whose page itself is the information (机构概况, 领导之窗 …): their publications count as updates.
OVERVIEW_COLUMN_TYPES = ("unit_profile", "leader", "org_directory", "phone_directory", "overview")
UNIT_FIELDS = ("name", "full_name", "site_id_code", "icp_number", "police_record_number", "address", "public_phone", "email")


@dataclass(frozen=True)
class Figure:
    value: str
    description: str


@dataclass
class FigureContext:
    unit: object
    year: int
    cache: dict = field(default_factory=dict)

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 12, 31)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first_day, time(0)))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(date(self.year + 1, 1, 1), time(0)))

    def cached(self, key, compute: Callable[[], object]):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    compute: Callable[[FigureContext, dict], Figure]
    # Errors (Chinese) of a row's params; a source without params accepts none.
    check: Callable[[dict], list[str]] = lambda params: [f"不接受参数：{'、'.join(params)}"] if params else []


def _count(value: int) -> str:
    return str(int(value))


# --- the unit registry ---------------------------------------------------------------


def _site_name(ctx: FigureContext, params: dict) -> Figure:
    unit = ctx.unit
    return Figure(f"{unit.full_name or unit.name}网站", "由平台读取：单位登记信息中的单位全称，加“网站”")


def _home_url(ctx: FigureContext, params: dict) -> Figure:
    from tenants.hosts import unit_base_url

    return Figure(f"{unit_base_url(ctx.unit)}/", "由平台读取：本站的主域名")


def _sponsor(ctx: FigureContext, params: dict) -> Figure:
    return Figure(ctx.unit.full_name or ctx.unit.name, "由平台读取：单位登记信息中的单位全称")


def _site_type(ctx: FigureContext, params: dict) -> Figure:
    from tenants.models import UnitType

    portal = ctx.unit.unit_type in (UnitType.PORTAL, UnitType.DISTRICT)
    return Figure(
        "政府门户网站" if portal else "部门网站",
        f"由平台读取：单位类型为“{ctx.unit.get_unit_type_display()}”",
    )


def _unit_field(ctx: FigureContext, params: dict) -> Figure:
    from tenants.models import Unit

    name = params["field"]
    label = str(Unit._meta.get_field(name).verbose_name)
    value = (getattr(ctx.unit, name) or "").strip()
    description = f"由平台读取：单位登记信息中的{label}"
    if not value:
        description += "（尚未登记，请联系市信息中心补充）"
    return Figure(value, description)


def _check_unit_field(params: dict) -> list[str]:
    errors = [f"不接受参数：{name}" for name in params if name != "field"]
    if params.get("field") not in UNIT_FIELDS:
        errors.append(f"field 须为以下之一：{'、'.join(UNIT_FIELDS)}")
    return errors


# --- visits --------------------------------------------------------------------------------


def _visits(ctx: FigureContext):
    from visits import selectors as visits_selectors

    def compute():
        figures = visits_selectors.visits(unit=ctx.unit, start=ctx.first_day, end=ctx.last_day)
        days = visits_selectors.daily(unit=ctx.unit, start=ctx.first_day, end=ctx.last_day)
        return figures, (days[0].day if days else None)

    return ctx.cached("visits", compute)


def _since_note(ctx: FigureContext, first: date | None) -> str:
    if first is None:
        return "（本年度没有访问记录）"
    if first > ctx.first_day:
        return f"（自 {first:%Y-%m-%d} 开始统计）"
    return ""


def _visit_views(ctx: FigureContext, params: dict) -> Figure:
    figures, first = _visits(ctx)
    return Figure(
        _count(figures.views),
        f"由平台统计：{ctx.year}年本站公开页面的浏览次数（不含后台、附件、静态文件和搜索引擎等程序访问）{_since_note(ctx, first)}",
    )


def _visit_uniques(ctx: FigureContext, params: dict) -> Figure:
    figures, first = _visits(ctx)
    return Figure(
        _count(figures.unique_visitors),
        f"由平台统计：{ctx.year}年本站每日独立访客数之和（访客以每日更换密钥的摘要区分，不保存 IP 地址和浏览器信息）"
        f"{_since_note(ctx, first)}",
    )


# --- information published ----------------------------------------------------------------


def _item_models() -> dict:
    from sitepages.models import ITEM_TYPES

    return ITEM_TYPES


def _in_year(model, ctx: FigureContext):
    return model.objects.live().filter(
        Q(publish_date__gte=ctx.first_day, publish_date__lte=ctx.last_day)
        | Q(publish_date__isnull=True, first_published_at__gte=ctx.start, first_published_at__lt=ctx.end)
    )


def _items_count(ctx: FigureContext, item_type: str) -> int:
    return ctx.cached(("items", item_type), lambda: _in_year(_item_models()[item_type], ctx).count())


def _type_labels(item_types: Iterable[str]) -> str:
    models = _item_models()
    return "、".join(str(models[key]._meta.verbose_name) for key in item_types)


def _check_item_types(params: dict) -> list[str]:
    errors = [f"不接受参数：{name}" for name in params if name not in ("item_types", "label")]
    known = set(_item_models())
    item_types = params.get("item_types")
    if item_types is not None and (
        not isinstance(item_types, list) or not item_types or any(key not in known for key in item_types)
    ):
        errors.append(f"item_types 须为以下条目类型的列表：{'、'.join(sorted(known))}")
    if "label" in params and not isinstance(params["label"], str):
        errors.append("label 须为文字")
    return errors


def _published(ctx: FigureContext, params: dict) -> Figure:
    item_types = params.get("item_types") or list(_item_models())
    total = sum(_items_count(ctx, key) for key in item_types)
    labels = _type_labels(item_types)
    label = params.get("label")
    what = f"{label}类信息（{labels}）" if label else f"{labels}信息"
    return Figure(_count(total), f"由平台统计：{ctx.year}年发布的{what}")


def _column_models(column_types: Iterable[str]) -> list:
    from django.apps import apps

    from columns.types import COLUMN_TYPES

    return list(dict.fromkeys(apps.get_model(COLUMN_TYPES[key].page_model) for key in column_types))


def _check_column_types(params: dict) -> list[str]:
    from columns.types import COLUMN_TYPES

    errors = [f"不接受参数：{name}" for name in params if name not in ("column_types", "label")]
    pages = sorted(key for key, ctype in COLUMN_TYPES.items() if not ctype.is_listing)
    column_types = params.get("column_types")
    if column_types is not None and (
        not isinstance(column_types, list) or not column_types or any(key not in pages for key in column_types)
    ):
        errors.append(f"column_types 须为以下栏目类型的列表：{'、'.join(pages)}")
    return errors


def _static_updates_count(ctx: FigureContext, column_types: tuple[str, ...]) -> int:
    def compute() -> int:
        from wagtail.models import PageLogEntry

        page_ids = [pk for model in _column_models(column_types) for pk in model.objects.values_list("pk", flat=True)]
        return PageLogEntry.objects.filter(
            action="wagtail.publish", page_id__in=page_ids, timestamp__gte=ctx.start, timestamp__lt=ctx.end
        ).count()

    return ctx.cached(("static", column_types), compute)


def _column_labels(column_types: Iterable[str]) -> str:
    from columns.types import COLUMN_TYPES

    return "、".join(COLUMN_TYPES[key].label for key in column_types)


def _static_updates(ctx: FigureContext, params: dict) -> Figure:
    column_types = tuple(params.get("column_types") or OVERVIEW_COLUMN_TYPES)
    label = params.get("label") or "概况类"
    return Figure(
        _count(_static_updates_count(ctx, column_types)),
        f"由平台统计：{ctx.year}年{label}页面（{_column_labels(column_types)}）的发布次数",
    )


def _total(ctx: FigureContext, params: dict) -> Figure:
    column_types = tuple(params.get("column_types") or OVERVIEW_COLUMN_TYPES)
    items = sum(_items_count(ctx, key) for key in _item_models())
    updates = _static_updates_count(ctx, column_types)
    return Figure(
        _count(items + updates),
        f"由平台统计：{ctx.year}年发布的各类信息 {items} 条（{_type_labels(_item_models())}），"
        f"加概况类页面（{_column_labels(column_types)}）发布 {updates} 次",
    )


def _disclosure_items(ctx: FigureContext, params: dict) -> Figure:
    from django.db.models.functions import Length, Substr
    from wagtail.models import Page

    from sitepages.models import ColumnListingPage, LeaderPage

    paths = [
        path
        for model in (ColumnListingPage, LeaderPage)
        for path in model.objects.live().exclude(disclosure_categories="").values_list("path", flat=True)
    ]
    total = 0
    if paths:
        for model in _item_models().values():
            total += (
                _in_year(model, ctx)
                .annotate(parent_path=Substr("path", 1, Length("path") - Page.steplen))
                .filter(parent_path__in=paths)
                .count()
            )
    return Figure(_count(total), f"由平台统计：{ctx.year}年在列入政府信息公开目录（设有政务公开类别）的栏目中发布的信息")


# --- columns -------------------------------------------------------------------------------


def _columns():
    from sitepages.models import COLUMN_PAGE_TYPES, SectionPage

    return [model for model in COLUMN_PAGE_TYPES if model is not SectionPage]


def _columns_maintained(ctx: FigureContext, params: dict) -> Figure:
    total = sum(model.objects.live().filter(first_published_at__lt=ctx.end).count() for model in _columns())
    return Figure(_count(total), f"由平台统计：截至{ctx.year}年底已开设且仍在运行的栏目（不含栏目分组）")


def _columns_new(ctx: FigureContext, params: dict) -> Figure:
    total = sum(
        model.objects.live().filter(first_published_at__gte=ctx.start, first_published_at__lt=ctx.end).count()
        for model in _columns()
    )
    return Figure(_count(total), f"由平台统计：{ctx.year}年新开设且仍在运行的栏目（不含栏目分组）")


# --- 办事服务 --------------------------------------------------------------------------------


def _service_guides(ctx: FigureContext) -> int:
    from sitepages.models import ServiceGuidePage

    return ctx.cached("guides", lambda: ServiceGuidePage.objects.live().filter(first_published_at__lt=ctx.end).count())


def _service_catalogue(ctx: FigureContext, params: dict) -> Figure:
    guides = _service_guides(ctx)
    return Figure("是" if guides else "否", f"由平台统计：本站“办事指南”栏目在运行的办事指南 {guides} 项")


def _service_items(ctx: FigureContext, params: dict) -> Figure:
    return Figure(_count(_service_guides(ctx)), f"由平台统计：截至{ctx.year}年底本站发布且仍在运行的办事指南")


# --- 互动交流 --------------------------------------------------------------------------------


def _messages(ctx: FigureContext):
    def compute():
        from interaction.figures import KindFigures, month_figures
        from interaction.selectors import case_facts, local_date
        from workcalendar.selectors import work_calendar

        facts = case_facts(since=ctx.start)
        total = KindFigures()
        for figures in month_figures(
            facts, start=ctx.start, end=ctx.end, calendar=work_calendar(), local_date=local_date
        ).values():
            total.add(figures)
        return total

    return ctx.cached("messages", compute)


def _unified_platform(ctx: FigureContext, params: dict) -> Figure:
    from interaction.selectors import has_working_channel

    if has_working_channel():
        return Figure("是", "由平台判断：本站的互动渠道栏目使用网站群统一的互动交流系统")
    return Figure("否", "由平台判断：本站没有在运行的互动渠道栏目")


def _received(ctx: FigureContext, params: dict) -> Figure:
    return Figure(
        _count(_messages(ctx).received), f"由平台统计：{ctx.year}年本站收到的网民留言（转交其他单位办理的计入接收单位）"
    )


def _closed(ctx: FigureContext, params: dict) -> Figure:
    return Figure(_count(_messages(ctx).answered), f"由平台统计：{ctx.year}年收到的留言中已答复办结的")


def _average_days(ctx: FigureContext, params: dict) -> Figure:
    figures = _messages(ctx)
    average = figures.average_working_days
    if average is None:
        return Figure("0", f"由平台统计：{ctx.year}年没有办结的留言")
    return Figure(
        f"{average:.1f}", f"由平台统计：{ctx.year}年办结的 {figures.answered} 条留言从收到到答复的平均工作日（按节假日安排计算）"
    )


def _published_replies(ctx: FigureContext, params: dict) -> Figure:
    return Figure(_count(_messages(ctx).published), f"由平台统计：{ctx.year}年收到的留言中答复已公开的")


def _error_reports(ctx: FigureContext) -> dict[str, int]:
    def compute() -> dict[str, int]:
        from interaction.models import HANDED_OVER_STATUSES, Case, Source, Status

        rows = list(
            Case.objects.filter(source=Source.NATIONAL, received_at__lt=ctx.end)
            .exclude(status__in=(*HANDED_OVER_STATUSES, Status.REFUSED))
            .values_list("received_at", "answered_at")
        )
        return {
            "received": sum(1 for received, _ in rows if received >= ctx.start),
            "closed": sum(1 for received, answered in rows if received >= ctx.start and answered and answered < ctx.end),
            "open": sum(1 for _, answered in rows if answered is None or answered >= ctx.end),
        }

    return ctx.cached("error_reports", compute)


NATIONAL = "全国政府网站“我为政府网站找错”平台转来的网民留言"


def _error_received(ctx: FigureContext, params: dict) -> Figure:
    return Figure(_count(_error_reports(ctx)["received"]), f"由平台统计：{ctx.year}年{NATIONAL}（不含不予受理和转交的）")


def _error_closed(ctx: FigureContext, params: dict) -> Figure:
    return Figure(_count(_error_reports(ctx)["closed"]), f"由平台统计：{ctx.year}年收到并在年内办结的{NATIONAL}")


def _error_open(ctx: FigureContext, params: dict) -> Figure:
    return Figure(
        _count(_error_reports(ctx)["open"]), f"由平台统计：截至{ctx.year}年12月31日尚未办结的{NATIONAL}（含以前年度收到的）"
    )


SOURCES: dict[str, Source] = {
    source.key: source
    for source in (
        Source("unit.site_name", "网站名称：单位全称加“网站”", _site_name),
        Source("unit.home_url", "首页网址：本站主域名", _home_url),
        Source("unit.sponsor", "主办单位：单位全称", _sponsor),
        Source("unit.site_type", "网站类型：政府门户网站或部门网站", _site_type),
        Source("unit.field", "单位登记信息中的一项（field）", _unit_field, _check_unit_field),
        Source("visits.unique_visitors", "全年每日独立访客数之和", _visit_uniques),
        Source("visits.views", "全年页面浏览次数", _visit_views),
        Source("pages.published", "年内发布的条目（item_types，可选 label）", _published, _check_item_types),
        Source(
            "pages.static_updates", "年内概况类页面的发布次数（column_types，可选 label）", _static_updates, _check_column_types
        ),
        Source("pages.disclosure_items", "年内在信息公开目录栏目中发布的条目", _disclosure_items),
        Source("pages.total", "年内发布的全部条目加概况类页面发布次数（可选 column_types）", _total, _check_column_types),
        Source("columns.maintained", "年底在运行的栏目数", _columns_maintained),
        Source("columns.new", "年内新开设的栏目数", _columns_new),
        Source("services.catalogue_published", "是否有在运行的办事指南", _service_catalogue),
        Source("services.items", "在运行的办事指南数", _service_items),
        Source("interaction.unified_platform", "互动渠道是否使用统一平台", _unified_platform),
        Source("interaction.received", "年内收到的留言", _received),
        Source("interaction.closed", "年内收到且已办结的留言", _closed),
        Source("interaction.average_days", "办结留言的平均办理工作日", _average_days),
        Source("interaction.published", "年内收到且答复已公开的留言", _published_replies),
        Source("interaction.error_reports_received", "年内收到的“我为政府网站找错”留言", _error_received),
        Source("interaction.error_reports_closed", "年内收到并办结的“我为政府网站找错”留言", _error_closed),
        Source("interaction.error_reports_open", "年底未办结的“我为政府网站找错”留言", _error_open),
    )
}


def check_source(source: str, params: dict) -> list[str]:
    """Errors (Chinese) of a catalogue row that cites `source` with `params`; empty when it is usable."""
    spec = SOURCES.get(source)
    if spec is None:
        return [f"未知的平台统计来源“{source}”"]
    if not isinstance(params, dict):
        return ["params 须为对象"]
    return spec.check(params)


def compute_figures(*, unit, year: int, rows: Iterable) -> dict[str, Figure]:
    """The figure of every computed row (`row.key`, `row.source`, `row.params`) for `unit` and `year`."""
    ctx = FigureContext(unit=unit, year=year)
    computed = [row for row in rows if row.source]
    with unit_schema(unit):
        return {row.key: SOURCES[row.source].compute(ctx, row.params or {}) for row in computed}
