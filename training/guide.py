"""What the 使用手册 says that is data: the roles, the sections of each role's manual, the field guide.

The field guide explains every field an editor fills in. A field's own `help_text` (shown under the field in
the editor) wins; FIELD_GUIDE is the text for the fields that have none yet, so the manual always explains
every field of the page types that exist (read from the models, not listed by hand).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.utils.functional import cached_property

from tenants.roles import UnitRole

CENTRE = "市信息中心"


@dataclass(frozen=True)
class Role:
    slug: str
    name: str
    group: str  # the unit group holding the role ("" for the information centre)
    summary: str
    sections: tuple[str, ...]


# Sections are templates training/sections/<name>.html; every manual shows its role's own, in order.
ROLES: tuple[Role, ...] = (
    Role(
        "editor",
        UnitRole.EDITOR,
        UnitRole.EDITOR,
        "采编本单位栏目的信息，保存草稿、提交审核，按期更新栏目，核查静态栏目。",
        (
            "duties",
            "getting_started",
            "adding_items",
            "page_types",
            "attachments",
            "submitting",
            "review_chain",
            "secrecy",
            "confirmation",
            "scheduling",
            "deadlines_monitoring",
        ),
    ),
    Role(
        "reviewer",
        UnitRole.REVIEWER,
        UnitRole.REVIEWER,
        "处理保密审查发现的问题（人工放行或退回），审核本单位信息，答复其他单位的会签请求。",
        (
            "duties",
            "getting_started",
            "my_tasks",
            "review_chain",
            "secrecy",
            "reviewing",
            "confirmation",
            "page_types",
            "deadlines_monitoring",
        ),
    ),
    Role(
        "leader",
        UnitRole.LEADER,
        UnitRole.LEADER,
        "审批政策文件和公告公示，督促会签按期答复，了解本单位监测得分。",
        ("duties", "getting_started", "my_tasks", "review_chain", "approving", "confirmation", "deadlines_monitoring"),
    ),
    Role(
        "head",
        UnitRole.HEAD,
        UnitRole.HEAD,
        "本单位政务信息维护管理的第一责任人：了解履职情况和监测结果，可答复会签请求。",
        ("duties", "getting_started", "review_chain", "confirmation", "deadlines_monitoring"),
    ),
    Role(
        "unit-admin",
        UnitRole.ADMIN,
        UnitRole.ADMIN,
        "管理本单位子站的用户和用户组、工作流，必要时直接发布，导出审计日志。",
        (
            "duties",
            "getting_started",
            "users_groups",
            "review_chain",
            "publishing_directly",
            "secrecy",
            "confirmation",
            "scheduling",
            "deadlines_monitoring",
            "audit",
        ),
    ),
    Role(
        "centre",
        CENTRE,
        "",
        "开通单位子站，导入责任分解表，维护栏目责任和敏感词库，监测各单位网站并出具月度报告，培训信息员。",
        (
            "duties",
            "centre_units",
            "centre_import",
            "centre_policies",
            "secrecy",
            "centre_monitoring",
            "centre_portal",
            "review_chain",
            "audit",
        ),
    ),
)
ROLES_BY_SLUG = {role.slug: role for role in ROLES}

SECTION_TITLES = {
    "duties": "职责",
    "getting_started": "登录与后台界面",
    "adding_items": "添加信息",
    "page_types": "页面类型与字段说明",
    "attachments": "附件、图片与文档库",
    "submitting": "保存草稿与提交审核",
    "review_chain": "审核流程：每一步由谁做什么",
    "secrecy": "保密审查查什么",
    "confirmation": "会签：涉及其他单位的信息",
    "scheduling": "定时发布与定时下线",
    "deadlines_monitoring": "更新期限与网站监测",
    "my_tasks": "待我处理",
    "reviewing": "审核与人工放行",
    "approving": "分管领导审批",
    "users_groups": "用户与用户组",
    "publishing_directly": "直接发布",
    "audit": "审计日志",
    "centre_units": "开通单位子站",
    "centre_import": "导入责任分解表",
    "centre_policies": "栏目责任与更新期限",
    "centre_monitoring": "网站监测与月度报告",
    "centre_portal": "门户索引与定时发布记录",
}
ROLES_BY_GROUP = {role.group: role for role in ROLES if role.group}


def roles_of(user, *, public_schema: bool) -> list[Role]:
    """The manuals that concern `user`: the information centre's on the public schema, else the user's groups."""
    if public_schema:
        return [ROLES_BY_SLUG["centre"]]
    names = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    return [role for role in ROLES if role.group in names]


# --- the field guide --------------------------------------------------------------------

# Fields of Wagtail's own Page every page type has (Wagtail gives them help texts of its own).
PAGE_FIELDS_GUIDE = {
    "title": "页面的标题，显示在栏目列表、正文页和浏览器标签中，也是保密审查的内容之一。",
    "slug": "页面网址的最后一段，按标题自动生成，一般不用修改；会公开显示在地址栏中。",
    "seo_title": "搜索引擎结果中显示的标题；不填时使用页面标题。",
    "search_description": "搜索引擎结果中显示的简短描述。",
    "go_live_at": "定时发布：到这个时间自动上线（仍须先通过审核流程）。",
    "expire_at": "到这个时间自动下线，并从门户网站的检索中移除。",
}

# Proposed help texts of the platform's page types (field name -> text), by model; see the module docstring.
_COLUMN = {
    "intro": "显示在栏目页顶部的简短说明，介绍本栏目公开哪些信息；可不填。",
    "content_requirement": "《责任分解表》对本栏目内容的要求，由市信息中心导入和维护，单位不能修改。",
    "guarantee": "《责任分解表》规定的保障方式（如“及时发布”），由市信息中心维护。",
    "disclosure_categories": "本栏目在政府信息公开目录中所属的类别，多个类别以“、”分隔；由市信息中心维护。",
    "column_kind": "决定更新期限和监测扣分：动态类 14 天、政策文件类 183 天、规划计划类 365 天，"
    "静态信息类每 30 天核查一次，互动类不设更新期限；由市信息中心维护。",
    "policy_days": "超过这个天数没有发布新信息（静态栏目没有核查）就是超期栏目，监测会扣分；空白表示不设期限。"
    "由市信息中心在“栏目责任”中设置。",
}
_ARTICLE = {
    "publish_date": "信息的正式发布日期，显示在列表和正文页；监测按这个日期判断栏目是否按期更新。发布时必填。",
    "summary": "列表和检索结果中显示的摘要；不填时自动取正文前 120 字。",
    "body": "信息正文，可插入正文段落、图片、附件和引文；附件内容同样经过保密审查。发布时必填。",
}
FIELD_GUIDE: dict[str, dict[str, str]] = {
    "UnitHomePage": {"intro": "显示在本单位子站首页的简介，用一两句话介绍本单位。"},
    "SectionPage": {**_COLUMN},
    "ColumnListingPage": {**_COLUMN},
    "NewsPage": {
        **_ARTICLE,
        "author": "撰稿人姓名，是动态信息的新闻要素之一。发布时必填。",
        "source": "信息来源，如“本局”“珠海特区报”。发布时必填。",
        "image": "新闻配图，显示在正文上方；可不选。图片须有替代文本（图片说明）。",
    },
    "NoticePage": {**_ARTICLE, "issuing_body": "发布公告或公示的机构全称。发布时必填。"},
    "PolicyDocumentPage": {
        **_ARTICLE,
        "document_kind": "政府文件或规范性文件，决定文件在信息公开目录中的归类。",
        "doc_number": "发文字号，如“珠府〔2026〕1号”，年份用六角括号〔〕。发布时必填。",
        "issuing_body": "制发文件的机关全称。发布时必填。",
        "written_date": "文件落款的成文日期，可以早于发布日期；可不填。",
        "subject_words": "文件的主题词，多个词之间用空格分隔。发布时必填。",
        "index_number": "政府信息公开目录中的索引号，按本单位信息公开编目规则填写；可不填。",
        "topic": "政府信息公开的主题分类，如“综合政务”“城乡建设”；可不填。",
        "validity": "文件现行有效、已废止或已失效；废止或失效的文件会在正文页顶部醒目标示。",
        "attachments": "文件的附件（PDF、DOCX、XLSX 等），按顺序显示在正文之后；附件内容同样经过保密审查。",
    },
    "PolicyAttachment": {"document": "从文档库选择或上传附件文件。"},
    "SpeechPage": {
        **_ARTICLE,
        "kind": "“讲话/文章”或“重要活动”，决定列在领导之窗的哪一栏。",
        "author": "讲话人或文章作者。发布时必填。",
    },
    "GazettePage": {
        **_ARTICLE,
        "year": "公报所属年份。发布时必填。",
        "issue_number": "公报期号，如“第1期”。发布时必填。",
    },
    "WorkReportPage": {**_ARTICLE, "year": "工作报告所属年度。发布时必填。"},
    "PlanPage": {
        **_ARTICLE,
        "issuing_body": "制定规划或计划的机关。发布时必填。",
        "period": "规划或计划的起止年份，如“2026—2030年”；可不填。",
    },
    "ServiceGuidePage": {
        **_ARTICLE,
        "legal_basis": "设定该事项的法律、法规、规章或规范性文件名称及条款。发布时必填。",
        "conditions": "申请人应当具备的条件。发布时必填。",
        "materials": "需提交的材料清单，注明原件或复印件及份数。发布时必填。",
        "location": "受理窗口的地址。发布时必填。",
        "agency": "受理和办理该事项的机构。发布时必填。",
        "fees": "收费项目、标准和依据；不收费的填写“不收费”。发布时必填。",
        "hours": "窗口受理时间，如“工作日 9:00—12:00，14:30—17:30”。发布时必填。",
        "phone": "咨询电话，请填写办公电话：个人手机号会被保密审查拦下。发布时必填。",
        "process": "从申请到办结的步骤和办理时限。发布时必填。",
        "body": "其他需要说明的事项，可插入附件；可不填。",
        "forms": "供下载的申请表格，每行一个表格。",
    },
    "ServiceForm": {
        "title": "表格的名称，如“××事项申请表”。",
        "document": "空白表格文件（DOCX、XLSX 或 PDF）。",
    },
    "UnitProfilePage": {
        **_COLUMN,
        "org_name": "本单位的规范全称。发布时必填。",
        "address": "办公地址。发布时必填。",
        "public_phone": "对外公开的咨询电话。发布时必填。",
        "supervision_phone": "受理投诉和监督的电话。发布时必填。",
        "email": "对外公开的单位邮箱。发布时必填。",
        "website": "本单位网站的网址，以 http:// 或 https:// 开头。发布时必填。",
        "responsibilities": "按“三定”规定填写的本单位主要职责。发布时必填。",
        "leaders": "本单位领导，每行一人：姓名、岗位、电子邮件、分管范围。",
        "departments": "内设机构，每行一个：名称、负责人、电话、电子邮件、工作职责。",
    },
    "UnitLeader": {
        "name": "领导姓名。",
        "post": "职务，如“局长”“副局长”。",
        "email": "公开的工作邮箱；可不填。",
        "scope": "分管的工作和联系的处室；可不填。",
    },
    "InternalDepartment": {
        "name": "内设机构名称。",
        "head": "负责人姓名；可不填。",
        "phone": "办公电话；可不填。",
        "email": "工作邮箱；可不填。",
        "duties": "该机构的工作职责；可不填。",
    },
    "LeaderPage": {
        **_COLUMN,
        "name": "领导姓名。发布时必填。",
        "post": "职务。发布时必填。",
        "email": "公开的工作邮箱。发布时必填。",
        "division_of_work": "按分工文件填写的分管工作。发布时必填。",
        "photo": "领导标准照；可不选。",
    },
    "OrgDirectoryPage": {**_COLUMN},
    "DisclosureCataloguePage": {**_COLUMN},
    "PhoneDirectoryPage": {**_COLUMN, "entries": "便民电话，每行一条：名称、电话、说明。"},
    "PhoneEntry": {
        "name": "服务或部门的名称。",
        "phone": "电话号码（请填写办公电话）。",
        "note": "服务时间等补充说明；可不填。",
    },
    "OverviewPage": {**_COLUMN, "body": "概览内容，可插入正文段落、图片和附件。发布时必填。"},
    "InteractionPage": {
        **_COLUMN,
        "channels": "公众咨询、投诉的渠道（电话、信箱、窗口等）和答复时限。发布时必填。",
        "handler_name": "负责处理和答复网上咨询、投诉的专人（第六条（四））。发布时必填。",
        "handler_phone": "受理人的办公电话。发布时必填。",
        "handler_email": "受理人的工作邮箱；可不填。",
    },
}


# --- the page types as the models define them ------------------------------------------


@dataclass
class FieldRow:
    name: str
    label: str
    required: bool
    explanation: str
    children: list[FieldRow] | None = None


@dataclass
class PageTypeGuide:
    model: type
    kind: str  # "column" or "item"

    @property
    def name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def description(self) -> str:
        return PAGE_TYPE_DESCRIPTIONS.get(self.model.__name__, "")

    @cached_property
    def fields(self) -> list[FieldRow]:
        """The fields of this type, without those every page or every column has (see shared_field_rows)."""
        shared = set(PAGE_FIELDS_GUIDE) | set(COLUMN_RESPONSIBILITY_FIELDS)
        return [row for row in _field_rows(self.model) if row.name == "title" or row.name not in shared]


PAGE_TYPE_DESCRIPTIONS = {
    "UnitHomePage": "本单位子站的首页，开通子站时自动建立，每个子站只有一个。",
    "SectionPage": "一级、二级栏目分组，下面是具体栏目；由责任分解表生成。",
    "ColumnListingPage": "按日期列出信息的栏目（部门动态、公告公示、政府文件等）；信息员在栏目下添加信息。",
    "NewsPage": "部门动态等新闻信息：标题、作者、发布日期、正文、来源（图片）齐全。",
    "NoticePage": "公告公示：标题、发布机构、发布日期、正文。",
    "PolicyDocumentPage": "政府文件、规范性文件：标题、文号、正文、发布机构、发布时间、主题词。",
    "SpeechPage": "领导讲话、文章与重要活动，添加在领导之窗下。",
    "GazettePage": "政府公报。",
    "WorkReportPage": "年度政府工作报告。",
    "PlanPage": "发展规划、工作计划。",
    "ServiceGuidePage": "办事指南：国家检查指标要求的设定依据、申请条件、办理材料等要素，以及表格下载。",
    "UnitProfilePage": "机构概况：机构名称、地址、电话、邮箱、网址、主要职责，领导和内设机构。",
    "LeaderPage": "领导之窗：一位领导的姓名、岗位、电子邮件、工作分工，讲话和活动作为其下的信息。",
    "OrgDirectoryPage": "机构目录：按单位名录自动生成，无需填写。",
    "DisclosureCataloguePage": "政府信息公开目录：按各栏目的政务公开类别自动生成，无需填写。",
    "PhoneDirectoryPage": "便民电话列表。",
    "OverviewPage": "概览类静态栏目（如本地概况），图文内容。",
    "InteractionPage": "互动渠道：咨询投诉的方式和受理人（第六条（四））。",
}

# A column's 栏目责任: set from the responsibility table by the information centre, read-only for the unit.
COLUMN_RESPONSIBILITY_FIELDS = ("content_requirement", "guarantee", "disclosure_categories", "column_kind", "policy_days")

# Fields of Page that are set by Wagtail or the platform, not by the editor.
_NOT_EDITED = {
    "id",
    "path",
    "depth",
    "numchild",
    "translation_key",
    "locale",
    "latest_revision",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "live_revision",
    "content_type",
    "owner",
    "locked",
    "locked_at",
    "locked_by",
    "draft_title",
    "url_path",
    "expired",
    "alias_of",
    "latest_revision_created_at",
    "show_in_menus",
    "page_ptr",
    "sort_order",
    "page",
}


def _explanation(model, field) -> str:
    from wagtail.models import Page

    if field.model is Page:
        return PAGE_FIELDS_GUIDE.get(field.name, "")
    return FIELD_GUIDE.get(model.__name__, {}).get(field.name) or str(getattr(field, "help_text", "") or "")


def _field_rows(model) -> list[FieldRow]:
    from modelcluster.models import get_all_child_relations
    from wagtail.models import Page

    required = set(getattr(model, "required_on_publish", ()))
    rows: list[FieldRow] = []
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False) or field.name in _NOT_EDITED or field.auto_created:
            continue
        if not field.editable:
            continue
        own_field = field.model is not Page or field.name in ("title", "slug", "seo_title", "search_description")
        if not own_field:
            continue
        rows.append(
            FieldRow(
                name=field.name,
                label=str(field.verbose_name),
                required=field.name in required or field.name == "title",
                explanation=_explanation(model, field),
            )
        )
    for relation in get_all_child_relations(model):
        child = relation.related_model
        if child._meta.app_label != model._meta.app_label:
            continue  # Wagtail's own (the comments of the page), not filled in by the editor
        label = _inline_label(model, relation.get_accessor_name()) or str(child._meta.verbose_name)
        rows.append(
            FieldRow(
                name=relation.get_accessor_name(),
                label=label,
                required=False,
                explanation=FIELD_GUIDE.get(model.__name__, {}).get(relation.get_accessor_name(), ""),
                children=[row for row in _field_rows(child)],
            )
        )
    order = {"title": 0, "slug": 98, "seo_title": 99, "search_description": 100}
    rows.sort(key=lambda row: order.get(row.name, 1))
    return rows


def _inline_label(model, relation_name: str) -> str:
    from wagtail.admin.panels import InlinePanel

    def walk(panels):
        for panel in panels or ():
            if isinstance(panel, InlinePanel) and panel.relation_name == relation_name:
                return panel.label
            found = walk(getattr(panel, "children", None))
            if found:
                return found
        return ""

    return str(walk(getattr(model, "content_panels", ())) or "")


def shared_field_rows() -> tuple[list[FieldRow], list[FieldRow]]:
    """(the fields every page has besides its title, the 栏目责任 fields every column shows)."""
    from wagtail.models import Page

    page_rows = [
        FieldRow(name=name, label=str(Page._meta.get_field(name).verbose_name), required=False, explanation=text)
        for name, text in PAGE_FIELDS_GUIDE.items()
        if name != "title"
    ]
    column_rows: list[FieldRow] = []
    column_model = next((g.model for g in page_type_guides() if hasattr(g.model, "CARRIED_OVER_FIELDS")), None)
    if column_model is not None:
        rows = {row.name: row for row in _field_rows(column_model)}
        column_rows = [rows[name] for name in COLUMN_RESPONSIBILITY_FIELDS if name in rows]
    return page_rows, column_rows


def page_type_guides() -> list[PageTypeGuide]:
    """Every page type of the sitepages app, columns first, as the models define them today."""
    from wagtail.models import get_page_models

    guides: list[PageTypeGuide] = []
    for model in get_page_models():
        if model._meta.app_label != "sitepages" or model._meta.abstract:
            continue
        kind = "item" if hasattr(model, "item_type_key") and getattr(model, "item_type_key", "") else "column"
        guides.append(PageTypeGuide(model=model, kind=kind))
    order = list(PAGE_TYPE_DESCRIPTIONS)
    guides.sort(key=lambda g: (g.kind != "item", order.index(g.model.__name__) if g.model.__name__ in order else 99))
    return guides


def proposed_help_texts() -> dict[str, dict[str, str]]:
    """FIELD_GUIDE restricted to the fields the models have today (for the lead to apply as help_text)."""
    result: dict[str, dict[str, str]] = {}
    for name, fields in FIELD_GUIDE.items():
        try:
            model = apps.get_model("sitepages", name)
        except LookupError:
            continue
        names = {f.name for f in model._meta.get_fields()}
        result[name] = {field: text for field, text in fields.items() if field in names}
    return result
