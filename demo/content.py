"""Believable sample content for the demo: every column of a unit gets filled, each unit with
its own texts (demo/unit_content.py).

Dates are relative to today so the demo's freshness figures mean something:
市经贸局's news column is deliberately left three weeks behind.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from columns.types import ColumnKind
from sitepages import models as pages

from . import unit_content

UNIT_PROFILES = {
    "szfb": {
        "address": "珠海市香洲区人民东路2号",
        "public_phone": "0756-2212345",
        "supervision_phone": "0756-2212300",
        "email": "szfb@zhuhai.gov.cn",
        "functions": "协助市政府领导处理市政府日常工作，负责市政府会议的组织和文电、政务信息、督查工作。",
        "stale_days": 0,
    },
    "fgj": {
        "address": "珠海市香洲区人民东路2号市政府大院4号楼",
        "public_phone": "0756-2121888",
        "supervision_phone": "0756-2121800",
        "email": "fgj@zhuhai.gov.cn",
        "functions": "拟订并组织实施全市国民经济和社会发展战略、中长期规划和年度计划，统筹协调经济社会发展。",
        "stale_days": 0,
    },
    "jmj": {
        "address": "珠海市香洲区梅华西路3号",
        "public_phone": "0756-2233666",
        "supervision_phone": "0756-2233600",
        "email": "jmj@zhuhai.gov.cn",
        "functions": "负责全市工业经济运行调节、内外贸易管理、招商引资和企业服务工作。",
        "stale_days": 21,
    },
}

PHONES = [
    ("市民服务热线", "12345", "政务服务便民热线，24小时受理"),
    ("报警求助", "110", ""),
    ("火警", "119", ""),
    ("急救中心", "120", ""),
    ("价格举报", "12358", ""),
    ("消费者投诉", "12315", ""),
]


def _body(*paragraphs: str) -> list:
    return [("paragraph", RichText(f"<p>{text}</p>")) for text in paragraphs]


def _year_of(doc_number: str) -> dt.date:
    """A repealed document's publication day, in the year its 文号 names (珠府〔2009〕45号 → 2009-06-01)."""
    digits = doc_number.split("〔", 1)[-1][:4]
    return dt.date(int(digits), 6, 1) if digits.isdigit() else dt.date(2009, 6, 1)


def _days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _publish(page) -> None:
    page.save_revision().publish()


def _add_items(column, items: list[pages.ArticlePage]) -> int:
    if column.get_children().exists():
        return 0
    for index, item in enumerate(items):
        item.slug = f"{column.item_type.replace('_', '-')}-{index + 1}"
        item.live = False
        column.add_child(instance=item)
        _publish(item)
    return len(items)


def fill_unit(*, unit, seed: int = 2026) -> int:
    """Fill every column of `unit` (inside its schema) with sample content; returns items added."""
    rng = random.Random(seed + len(unit.code))
    profile = UNIT_PROFILES.get(unit.code, UNIT_PROFILES["fgj"])
    stale = profile["stale_days"]
    name = unit.full_name or unit.name
    home = Site.objects.get(is_default_site=True).root_page
    added = 0
    columns = list(Page.objects.descendant_of(home).type(*pages.COLUMN_PAGE_TYPES).specific())
    # A unit's several columns of one item type (部门动态 and 工作动态, say) share its texts round-robin:
    # the portal's home must not list one title twice.
    same_type = [c for c in columns if isinstance(c, pages.ColumnListingPage)]
    for column in columns:
        if isinstance(column, pages.ColumnListingPage):
            siblings = [c.pk for c in same_type if c.item_type == column.item_type]
            share, of = siblings.index(column.pk), len(siblings)
            items = _items_for(column.item_type, code=unit.code, name=name, stale=stale, rng=rng)
            items = items[share::of] or items[: 1 if of > len(items) else 0]
            if "规范性文件" in column.title:
                # The table's 规范性文件 column: its documents are of that kind (own portal list, own catalogue entry).
                for item in items:
                    item.document_kind = "normative_document"
            added += _add_items(column, items)
        elif isinstance(column, pages.LeaderPage) and not column.live:
            column.email = f"leader{column.id}@zhuhai.gov.cn"
            column.division_of_work = f"负责市政府常务工作，分管{rng.choice(['发展改革、财政、审计', '经济贸易、科技、口岸', '教育、卫生、文化'])}等方面工作。"
            _publish(column)
            for index, (kind, title) in enumerate(
                (kind, template.format(name=column.name)) for kind, template in unit_content.leader_items_for(unit.code)
            ):
                speech = pages.SpeechPage(
                    title=title,
                    slug=f"item-{index + 1}",
                    kind=kind,
                    author=column.name,
                    publish_date=_days_ago(5 + index * 9),
                    live=False,
                    body=_body("要坚持稳中求进工作总基调，扎实做好稳增长、促改革、调结构、惠民生各项工作。"),
                )
                column.add_child(instance=speech)
                _publish(speech)
                added += 1
        elif isinstance(column, pages.UnitProfilePage) and not column.live:
            column.org_name = name
            column.address = profile["address"]
            column.public_phone = profile["public_phone"]
            column.supervision_phone = profile["supervision_phone"]
            column.email = profile["email"]
            column.website = f"http://{unit.code}.zhuhai.gov.cn/"
            column.responsibilities = f"<p>{profile['functions']}</p>"
            column.leaders.add(
                pages.UnitLeader(name="王志明", post="局长", email=f"wzm@{unit.code}.zhuhai.gov.cn", scope="主持全面工作")
            )
            column.leaders.add(
                pages.UnitLeader(
                    name="李晓华", post="副局长", email=f"lxh@{unit.code}.zhuhai.gov.cn", scope="分管办公室、政务信息公开"
                )
            )
            for dept, duties in (
                ("办公室", "负责文电、会务、机要、档案和政务信息公开工作"),
                ("综合规划科", "拟订中长期规划和年度计划"),
                ("政策法规科", "起草地方性法规、规章草案和规范性文件"),
            ):
                column.departments.add(
                    pages.InternalDepartment(
                        name=dept, head="张建国", phone=profile["public_phone"], email=profile["email"], duties=duties
                    )
                )
            _publish(column)
        elif isinstance(column, pages.PhoneDirectoryPage) and not column.live:
            for phone_name, number, note in PHONES:
                column.entries.add(pages.PhoneEntry(name=phone_name, phone=number, note=note))
            _publish(column)
        elif isinstance(column, pages.OverviewPage) and not column.live:
            column.body = _body(
                "2025年，全市实现地区生产总值4500亿元，同比增长5.2%；规模以上工业增加值增长6.1%；社会消费品零售总额增长4.8%。",
                "珠海坚持产业第一，加快建设现代化产业体系，集成电路、新能源、生物医药与健康等新兴产业集群不断壮大。",
            )
            _publish(column)
        elif isinstance(column, pages.InteractionPage) and not column.live:
            column.channels = "<p>企业可通过政务服务热线、电子邮件或到窗口现场咨询相关政策，工作人员在五个工作日内答复。</p>"
            column.handler_name = "陈敏"
            column.handler_phone = profile["public_phone"]
            column.handler_email = profile["email"]
            _publish(column)
        elif not column.live:
            _publish(column)
    if unit.code == OVERDUE_STATIC_UNIT:
        _make_one_static_column_overdue(home)
    return added


# One static column of this unit is past its 30-day check in the demo, so its dashboard offers
# “已核查，内容准确” (the unit's first static page column, e.g. 机构概况).
OVERDUE_STATIC_UNIT = "fgj"
OVERDUE_STATIC_DAYS = 45


def _make_one_static_column_overdue(home) -> None:
    candidates = (
        Page.objects.descendant_of(home)
        .type(*pages.COLUMN_PAGE_TYPES)
        .not_type(pages.ColumnListingPage, pages.SectionPage)
        .live()
        .specific()
        .order_by("path")
    )
    for column in candidates:
        if column.column_kind == ColumnKind.STATIC:
            if column.last_confirmed_at is None:
                overdue = timezone.now() - dt.timedelta(days=OVERDUE_STATIC_DAYS)
                Page.objects.filter(pk=column.pk).update(last_published_at=overdue, first_published_at=overdue)
            return


def _items_for(item_type: str, *, code: str, name: str, stale: int, rng: random.Random) -> list[pages.ArticlePage]:
    if item_type == "news":
        return [
            pages.NewsPage(
                title=title,
                author=rng.choice(["林晓", "何文", "周敏"]),
                source=name,
                publish_date=_days_ago(stale + 2 + i * 4),
                body=_body(text, "下一步，将继续加强统筹协调，确保各项工作落到实处。"),
            )
            for i, (title, text) in enumerate(unit_content.news_for(code, name))
        ]
    if item_type == "notice":
        return [
            pages.NoticePage(title=title, issuing_body=name, publish_date=_days_ago(10 + i * 20), body=_body(text))
            for i, (title, text) in enumerate(unit_content.notices_for(code, name))
        ]
    if item_type == "policy_document":
        return [
            pages.PolicyDocumentPage(
                title=title,
                doc_number=number,
                issuing_body=name,
                subject_words=words,
                validity=validity,
                written_date=_days_ago(35 + i * 30),
                publish_date=_days_ago(30 + i * 30) if validity == "valid" else _year_of(number),
                index_number=f"007{rng.randint(100000, 999999)}/2026-{i + 1:05d}",
                topic="综合政务",
                body=_body(
                    "各区人民政府，横琴新区管委会，市府直属各单位：",
                    f"现将《{title.removeprefix('关于印发').removesuffix('的通知')}》印发给你们，请认真贯彻执行。",
                ),
            )
            for i, (title, number, words, validity) in enumerate(unit_content.documents_for(code, name))
        ]
    if item_type == "gazette":
        year = timezone.localdate().year
        return [
            pages.GazettePage(
                title=f"珠海市人民政府公报{year}年第{n}期",
                year=year,
                issue_number=f"第{n}期",
                publish_date=_days_ago(20 + (3 - n) * 30),
                body=_body("本期刊登市政府规章、市政府及市政府办公室文件、人事任免等内容。"),
            )
            for n in (1, 2, 3)
        ]
    if item_type == "work_report":
        year = timezone.localdate().year
        return [
            pages.WorkReportPage(
                title=f"{y}年珠海市人民政府工作报告",
                year=y,
                publish_date=dt.date(y, 2, 10),
                body=_body(
                    f"{y - 1}年，在市委的坚强领导下，全市经济社会发展保持稳中有进的良好态势。", f"{y}年工作总体要求和主要目标。"
                ),
            )
            for y in (year, year - 1)
        ]
    if item_type == "plan":
        return [
            pages.PlanPage(title=title, issuing_body=name, period=period, publish_date=_days_ago(days), body=_body(text))
            for title, period, days, text in unit_content.plans_for(code, name)
        ]
    if item_type == "service_guide":
        return [
            pages.ServiceGuidePage(
                title=title,
                legal_basis=basis,
                conditions=conditions,
                materials=materials,
                location="珠海市政务服务中心二楼综合窗口",
                agency=name,
                fees=fees,
                hours="工作日上午8:30-12:00，下午14:30-17:30",
                phone=phone,
                process=process,
                publish_date=_days_ago(15),
            )
            for title, basis, conditions, materials, fees, phone, process in unit_content.guides_for(code, name)
        ]
    return []
