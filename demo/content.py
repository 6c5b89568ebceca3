"""Believable sample content for the demo: every column of a unit gets filled.

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

NEWS = [
    (
        "{unit}召开全市营商环境优化工作推进会",
        "会议通报了今年以来营商环境改革各项任务的推进情况，部署了下一阶段的重点工作，要求各部门对照目标倒排工期、压实责任。",
    ),
    (
        "{unit}开展“服务企业月”走访调研活动",
        "调研组深入高新区、金湾区等重点园区，走访企业二十余家，现场协调解决用地、用工、融资等方面的实际困难。",
    ),
    ("{unit}召开党风廉政建设工作会议", "会议传达学习了上级关于党风廉政建设的部署要求，签订了党风廉政建设责任书。"),
    ("{unit}举办政务信息公开业务培训班", "培训围绕政府信息公开条例、网站信息发布规范和保密审查要求展开，全体信息员参加。"),
    ("{unit}赴横琴新区调研重点项目建设", "调研组实地察看了项目施工现场，听取了项目进展汇报，要求加快推进、确保质量安全。"),
]
NOTICES = [
    (
        "关于公开征求《珠海市产业发展专项资金管理办法（征求意见稿）》意见的公告",
        "为提高专项资金使用效益，现将征求意见稿全文公布，公众可于公告发布之日起三十日内通过电子邮件或信函提出意见。",
    ),
    (
        "关于2026年度第一批企业技术改造项目拟扶持名单的公示",
        "经企业申报、专家评审和部门审核，现将拟扶持项目名单予以公示，公示期为七个工作日。",
    ),
    ("关于调整政务服务大厅办公时间的通告", "自下月起，政务服务大厅实行工作日延时服务，周六上午提供预约办理服务。"),
]
DOCUMENTS = [
    ("关于印发珠海市政府网站信息发布管理办法的通知", "珠府办〔2026〕12号", "政务公开 网站 管理 办法", "valid"),
    ("关于进一步加强政务信息维护管理工作的通知", "珠府办〔2026〕18号", "政务信息 维护 管理 通知", "valid"),
    ("关于印发珠海市行政事业单位公务用车管理暂行办法的通知", "珠府〔2009〕45号", "公务用车 管理 办法", "repealed"),
]
GUIDES = [
    (
        "企业投资项目备案",
        "《企业投资项目核准和备案管理条例》",
        "在本市行政区域内投资建设的企业投资项目",
        "项目备案申请表；企业营业执照复印件",
        "珠海市政务服务中心二楼综合窗口",
        "{unit}",
        "不收费",
        "工作日上午8:30-12:00，下午14:30-17:30",
        "0756-2121888",
        "网上申报→窗口受理→审核→办结（3个工作日）",
    ),
    (
        "固定资产投资项目节能审查",
        "《固定资产投资项目节能审查办法》",
        "年综合能源消费量1000吨标准煤以上的固定资产投资项目",
        "节能审查申请表；节能报告",
        "珠海市政务服务中心二楼综合窗口",
        "{unit}",
        "不收费",
        "工作日上午8:30-12:00，下午14:30-17:30",
        "0756-2121866",
        "申请→受理→专家评审→审查决定（15个工作日）",
    ),
]
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
    for column in Page.objects.descendant_of(home).type(*pages.COLUMN_PAGE_TYPES).specific():
        if isinstance(column, pages.ColumnListingPage):
            added += _add_items(column, _items_for(column.item_type, name=name, stale=stale, rng=rng))
        elif isinstance(column, pages.LeaderPage) and not column.live:
            column.email = f"leader{column.id}@zhuhai.gov.cn"
            column.division_of_work = f"负责市政府常务工作，分管{rng.choice(['发展改革、财政、审计', '经济贸易、科技、口岸', '教育、卫生、文化'])}等方面工作。"
            _publish(column)
            for index, (kind, title) in enumerate(
                [("speech", f"{column.name}在全市经济工作会议上的讲话"), ("activity", f"{column.name}调研重点项目建设")]
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


def _items_for(item_type: str, *, name: str, stale: int, rng: random.Random) -> list[pages.ArticlePage]:
    if item_type == "news":
        return [
            pages.NewsPage(
                title=title.format(unit=name),
                author=rng.choice(["林晓", "何文", "周敏"]),
                source=name,
                publish_date=_days_ago(stale + 2 + i * 4),
                body=_body(text, "下一步，将继续加强统筹协调，确保各项工作落到实处。"),
            )
            for i, (title, text) in enumerate(NEWS)
        ]
    if item_type == "notice":
        return [
            pages.NoticePage(title=title, issuing_body=name, publish_date=_days_ago(10 + i * 20), body=_body(text))
            for i, (title, text) in enumerate(NOTICES)
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
                publish_date=_days_ago(30 + i * 30) if validity == "valid" else dt.date(2009, 6, 1),
                index_number=f"007{rng.randint(100000, 999999)}/2026-{i + 1:05d}",
                topic="综合政务",
                body=_body(
                    "各区人民政府，横琴新区管委会，市府直属各单位：",
                    f"现将《{title.removeprefix('关于印发').removesuffix('的通知')}》印发给你们，请认真贯彻执行。",
                ),
            )
            for i, (title, number, words, validity) in enumerate(DOCUMENTS)
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
            pages.PlanPage(
                title="珠海市国民经济和社会发展第十五个五年规划纲要",
                issuing_body=name,
                period="2026-2030年",
                publish_date=_days_ago(60),
                body=_body("规划纲要明确了今后五年全市经济社会发展的指导思想、主要目标和重点任务。"),
            ),
            pages.PlanPage(
                title="2026年珠海市国民经济和社会发展计划",
                issuing_body=name,
                period="2026年",
                publish_date=_days_ago(120),
                body=_body("计划提出了年度经济社会发展主要预期目标和重点工作安排。"),
            ),
        ]
    if item_type == "service_guide":
        return [
            pages.ServiceGuidePage(
                title=g[0],
                legal_basis=g[1],
                conditions=g[2],
                materials=g[3],
                location=g[4],
                agency=g[5].format(unit=name),
                fees=g[6],
                hours=g[7],
                phone=g[8],
                process=g[9],
                publish_date=_days_ago(15),
            )
            for g in GUIDES
        ]
    return []
