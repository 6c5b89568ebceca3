"""The admin is Chinese for everyone who uses it (issue 12, part 6), and the help is there (part 7).

Every role of a unit (信息员, 审核员, 分管领导, 第一责任人, 单位管理员) and the information centre logs in and
visits the main screens: dashboard, explorer, the add and edit form of every page type, documents, images,
choosers, workflows, tasks, reports, users, groups, account, and every screen of the admin menu. A screen fails
when a word of English is visible on it: in a text node outside <script>/<style>, in an attribute the user sees
(title, placeholder, aria-label, alt, tooltip, the value of a button), in the menu and in the strings Wagtail
hands its scripts (the sidebar and config JSON). The JavaScript catalogue served at /admin/jsi18n/ must translate
every string Wagtail's own scripts ask for. Offending strings are printed, so that they can be translated in
govplatform/locale/zh_Hans/LC_MESSAGES/.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context
from lxml import html as lxml_html
from wagtail.models import Site, Task, Workflow
from wagtail.rich_text import RichText

from tenants.roles import UnitRole
from tests.support.clients import centre_client, logged_in_client

PASSWORD = "pw-chinese-12345"
UNIT_HOST = "ta.localhost"

# --- what counts as English -------------------------------------------------------

# Brand names, formats, units and acronyms an editor may see as they are; user names, addresses,
# file names and other data are removed before looking for words (_DATA_TOKEN).
ALLOWED_WORDS = {
    "wagtail",
    "draftail",
    "django",
    "pdf",
    "xlsx",
    "xls",
    "csv",
    "docx",
    "doc",
    "txt",
    "zip",
    "ofd",
    "wps",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "avif",
    "svg",
    "heic",
    "ico",
    "tsv",
    "json",
    "html",
    "xml",
    "url",
    "urls",
    "http",
    "https",
    "api",
    "seo",
    "rss",
    "atom",  # a feed format (网上抓取's sources)
    "css",  # CSS selectors of an HTML list page (网上抓取)
    "sms",  # 短信验证码 backends (网站考评专栏)
    "totp",
    "icp",
    "utf",
    "gmt",
    "utc",
    "cst",
    "ip",
    "www",
    "kb",
    "mb",
    "gb",
    "px",
    "id",
    "ids",
    "ctrl",
    "alt",
    "shift",
    "cmd",
    "esc",
    "enter",
    "tab",
    "del",
    "javascript",
    "markdown",
    "ltr",
    "rtl",
    "oembed",
    "gravatar",
    "excel",
    "openapi",
}
# Attributes a user sees (or hears from a screen reader).
VISIBLE_ATTRIBUTES = (
    "title",
    "placeholder",
    "aria-label",
    "alt",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "data-w-tooltip-content-value",
    "data-w-clipboard-text",
)
# Whole strings that are data, not interface: times, numbers, file names, addresses, paths.
_DATA_TOKEN = re.compile(
    r"""(?x)
    [!-~]+@[!-~]+                 # e-mail addresses
    | [a-z][a-z0-9+.-]*://[!-~]*  # URLs
    | (?<![A-Za-z0-9])/[!-~]*     # paths
    | [!-~]*_[!-~]*               # identifiers and user names (ta_editor)
    | [!-~]+\.[A-Za-z0-9]{2,5}\b  # file names (report.pdf)
    | \b[a-z]+\.[a-z]+\b          # content types as Wagtail's reports name them (sitepages.newspage), hosts
    | "[A-Za-z_]+"                # keys of a file format the user is told about ({"cases": [...]})
    | %\(\w+\)[sd]                # placeholders left in a string
    | &\w+;                       # entities
    """
)
_WORD = re.compile(r"[A-Za-z]{3,}")


def english_words(text: str, extra_allowed: set[str] = frozenset()) -> list[str]:
    text = _DATA_TOKEN.sub(" ", text)
    return [w for w in _WORD.findall(text) if w.lower() not in ALLOWED_WORDS and w.lower() not in extra_allowed]


# Keys of the sidebar, config and telepath JSON whose values are shown to the user (and every value of a
# STRINGS/strings catalogue).
_JSON_VISIBLE_KEYS = {
    "label",
    "title",
    "heading",
    "help_text",
    "helpText",
    "description",
    "placeholder",
    "text",
    "name_label",
    "collapsedLabel",
    "linkText",
    "noResultsText",
    "noResults",
    "addText",
}


def _json_visible(blob: str) -> list[str]:
    try:
        data = json.loads(blob)
    except ValueError:
        return []
    found: list[str] = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                if k in ("STRINGS", "strings") and isinstance(v, dict):
                    found.extend(s for s in v.values() if isinstance(s, str))
                walk(v, k if k not in ("_args", "_dict", "_list", "_type") else key)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in _JSON_VISIBLE_KEYS:
            found.append(value)

    walk(data)
    return found


def visible_strings(markup: str) -> list[str]:
    """Text a user sees or hears on the page: text nodes, visible attributes, menu and script strings."""
    if not markup.strip():
        return []
    document = lxml_html.fromstring(markup)
    strings: list[str] = []
    for element in document.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "script":
            kind = (element.get("type") or "").lower()
            if kind == "application/json" and element.text:
                strings += _json_visible(element.text)
            if element.tail:
                strings.append(element.tail)
            continue
        if not tag:  # comments, processing instructions
            if element.tail:
                strings.append(element.tail)
            continue
        if tag in ("style", "iframe", "code", "kbd", "samp"):  # an iframe's markup is never shown; code is data
            if element.tail:
                strings.append(element.tail)
            continue
        # Wagtail renders an unset counter as "None" in a hidden element; its script writes the number before showing it.
        if element.text and not (element.get("hidden") is not None and element.text.strip() == "None"):
            strings.append(element.text)
        if element.tail:
            strings.append(element.tail)
        for attribute in VISIBLE_ATTRIBUTES:
            value = element.get(attribute)
            if value:
                strings.append(value)
        # The value of a submit, reset or button input is its text (a <button>'s value is not shown).
        if tag == "input" and (element.get("type") or "").lower() in ("submit", "button", "reset") and element.get("value"):
            strings.append(element.get("value"))
        # Wagtail's Stimulus controllers carry interface strings in JSON values (StreamField blocks,
        # comment strings, the upload messages).
        for name, value in element.attrib.items():
            if name.startswith("data-") and name.endswith("-value") and value[:1] in "{[":
                strings += _json_visible(value)
    return [" ".join(s.split()) for s in strings if s and s.strip()]


def offending(markup: str, extra_allowed: set[str] = frozenset()) -> list[str]:
    return sorted({s for s in visible_strings(markup) if english_words(s, extra_allowed)})


# --- unit content: one page of every type -------------------------------------------------


def _png() -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "white").save(buffer, "PNG")
    return buffer.getvalue()


BODY = [("paragraph", RichText("<p>珠海市召开全市营商环境优化工作会议。</p>"))]
# Values of the fields a page type requires (by field name; a page type takes those it has).
FIELD_VALUES = {
    "author": "张三",
    "source": "本局",
    "issuing_body": "珠海市测试甲局",
    "doc_number": "珠测〔2026〕1号",
    "subject_words": "测试 管理",
    "year": 2026,
    "issue_number": "第1期",
    "period": "2026—2030年",
    "legal_basis": "《测试条例》",
    "conditions": "本市企业",
    "materials": "申请表",
    "location": "市民服务中心",
    "agency": "珠海市测试甲局",
    "fees": "不收费",
    "hours": "工作日",
    "phone": "0756-1234567",
    "process": "受理、审核、办结",
    "org_name": "珠海市测试甲局",
    "address": "珠海市香洲区",
    "public_phone": "0756-1234567",
    "supervision_phone": "0756-7654321",
    "email": "ta@example.gov.cn",
    "website": "http://ta.localhost/",
    "responsibilities": "<p>负责测试工作。</p>",
    "name": "王五",
    "post": "局长",
    "division_of_work": "主持全面工作。",
    "channels": "<p>电话咨询</p>",
    "handler_name": "赵六",
    "handler_phone": "0756-1111111",
    "publish_date": dt.date(2026, 11, 20),
    "body": BODY,
}


def _values_for(model) -> dict:
    names = {field.name for field in model._meta.get_fields()}
    return {name: value for name, value in FIELD_VALUES.items() if name in names}


def site_page_models() -> tuple[list, list]:
    """The platform's page types as the models define them: (columns, items); items have an item_type_key."""
    from wagtail.models import get_page_models

    models = [m for m in get_page_models() if m._meta.app_label == "sitepages" and not m._meta.abstract]
    items = [m for m in models if getattr(m, "item_type_key", "")]
    columns = [m for m in models if m not in items and m.__name__ != "UnitHomePage"]
    return columns, items


def build_unit_content(unit) -> dict:
    """Under the unit's home: a draft column of every column type and, under a listing column of its
    item type, a draft item of every item type; a document, an image, the unit's workflow and task."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from sitepages.models import ColumnListingPage

    columns, items = site_page_models()
    with schema_context(unit.schema_name):
        home = Site.objects.get(is_default_site=True).root_page.specific
        pages = {"UnitHomePage": home}
        parents = {}
        for model in columns:
            if model is ColumnListingPage:
                continue
            page = home.add_child(instance=model(title=f"测试{model._meta.verbose_name}", live=False, **_values_for(model)))
            page.save_revision()
            pages[model.__name__] = page
        for model in items:
            listing = home.add_child(
                instance=ColumnListingPage(title=f"{model._meta.verbose_name}栏目", item_type=model.item_type_key, live=False)
            )
            listing.save_revision()
            item = listing.add_child(instance=model(title=f"测试{model._meta.verbose_name}", live=False, **_values_for(model)))
            item.save_revision()
            pages[model.__name__] = item
            parents[model] = listing
        pages["ColumnListingPage"] = parents[items[0]]
        return {
            "home": home,
            "pages": pages,
            "add_forms": [(model, home) for model in columns] + list(parents.items()),
            "document": get_document_model().objects.create(title="测试附件", file=ContentFile(b"ceshi", name="ceshi.txt")),
            "image": get_image_model().objects.create(title="会议现场", file=ImageFile(io.BytesIO(_png()), name="huiyi.png")),
            "workflow": Workflow.objects.filter(active=True).first(),
            "task": Task.objects.filter(active=True).first(),
            "group": Group.objects.get(name=UnitRole.EDITOR),
        }


def make_user(unit, username: str, *groups: str):
    with schema_context(unit.schema_name):
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.gov.cn", is_staff=True
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user


def unit_screens(content) -> list[str]:
    """The main screens of a unit's admin; the crawl adds every screen of the menu."""
    pages, home = content["pages"], content["home"]
    item = pages[site_page_models()[1][0].__name__]
    document, image = content["document"].pk, content["image"].pk
    screens = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[home.pk]),
        reverse("wagtailadmin_explore", args=[pages["ColumnListingPage"].pk]),
        reverse("wagtailadmin_pages:search") + "?q=测试",
        reverse("wagtailadmin_pages:add_subpage", args=[home.pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[pages["ColumnListingPage"].pk]),
        reverse("wagtailadmin_pages:history", args=[item.pk]),
        reverse("wagtailadmin_pages:workflow_history", args=[item.pk]),
        reverse("wagtailadmin_pages:usage", args=[item.pk]),
        reverse("wagtailadmin_pages:move", args=[item.pk]),
        reverse("wagtailadmin_pages:copy", args=[item.pk]),
        reverse("wagtailadmin_pages:delete", args=[item.pk]),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:add_multiple"),
        reverse("wagtaildocs:edit", args=[document]),
        reverse("wagtaildocs:delete", args=[document]),
        reverse("wagtaildocs:document_usage", args=[document]),
        reverse("wagtailimages:index"),
        reverse("wagtailimages:add_multiple"),
        reverse("wagtailimages:edit", args=[image]),
        reverse("wagtailimages:delete", args=[image]),
        reverse("wagtailimages:image_usage", args=[image]),
        reverse("wagtailimages:url_generator", args=[image]),
        reverse("wagtailadmin_choose_page"),
        reverse("wagtailadmin_choose_page_child", args=[home.pk]),
        reverse("wagtailadmin_choose_page_external_link"),
        reverse("wagtailadmin_choose_page_email_link"),
        reverse("wagtailadmin_choose_page_phone_link"),
        reverse("wagtailadmin_choose_page_anchor_link"),
        reverse("wagtaildocs_chooser:choose"),
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtailimages_chooser:select_format", args=[image]),
        reverse("wagtailembeds:chooser"),
        reverse("wagtailadmin_workflows:index"),
        reverse("wagtailadmin_workflows:add"),
        reverse("wagtailadmin_workflows:task_index"),
        reverse("wagtailadmin_workflows:select_task_type"),
        reverse("wagtailadmin_reports:locked_pages"),
        reverse("wagtailadmin_reports:workflow"),
        reverse("wagtailadmin_reports:workflow_tasks"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:aging_pages"),
        reverse("wagtailadmin_reports:page_types_usage"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_users:add"),
        reverse("wagtailusers_groups:index"),
        reverse("wagtailusers_groups:add"),
        reverse("wagtailusers_groups:edit", args=[content["group"].pk]),
        reverse("wagtailadmin_collections:index"),
        reverse("wagtailadmin_collections:add"),
        reverse("wagtailsites:index"),
        reverse("wagtailredirects:index"),
        reverse("wagtailredirects:add"),
        reverse("wagtailforms:index"),
        reverse("wagtailsnippets:index"),
        reverse("wagtailadmin_account"),
    ]
    if content["workflow"] is not None:
        screens.append(reverse("wagtailadmin_workflows:edit", args=[content["workflow"].pk]))
        screens.append(reverse("wagtailadmin_workflows:usage", args=[content["workflow"].pk]))
    if content["task"] is not None:
        screens.append(reverse("wagtailadmin_workflows:edit_task", args=[content["task"].pk]))
    # The page editor of every page type: the edit form of a page, and the add form under its parent.
    screens += [reverse("wagtailadmin_pages:edit", args=[page.pk]) for page in pages.values()]
    screens += [
        reverse("wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk])
        for model, parent in content["add_forms"]
    ]
    return screens


def sidebar_props(markup: str):
    """The admin menu: a JSON blob the sidebar script renders (None on screens without the sidebar)."""
    for script in lxml_html.fromstring(markup).iter("script"):
        if script.get("id") == "wagtail-sidebar-props" and script.text:
            return json.loads(script.text)
    return None


def _urls(value, *, only_help: bool = False, inside_help: bool = False) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        args = value.get("_args")
        if isinstance(args, list) and args and isinstance(args[0], dict) and args[0].get("name") == "help":
            inside_help = True
        url = value.get("url")
        if isinstance(url, str) and (inside_help or not only_help):
            found.append(url)
        for v in value.values():
            found += _urls(v, only_help=only_help, inside_help=inside_help)
    elif isinstance(value, list):
        for v in value:
            found += _urls(v, only_help=only_help, inside_help=inside_help)
    return found


def menu_urls(markup: str) -> list[str]:
    """Every admin URL of the menu."""
    return [url for url in _urls(sidebar_props(markup)) if url.startswith("/admin/")]


def help_links(markup: str) -> list[str]:
    """The URLs under the 帮助 menu."""
    return _urls(sidebar_props(markup), only_help=True)


def _markup(response) -> str:
    content_type = response.get("Content-Type", "")
    body = response.content.decode()
    if "json" in content_type:
        try:
            data = json.loads(body)
        except ValueError:
            return ""
        return data.get("html") or "" if isinstance(data, dict) else ""
    if "html" not in content_type:
        return ""
    return body


def crawl(client: Client, screens: list[str], *, host: str, extra_allowed: set[str] = frozenset()) -> tuple[dict, dict]:
    """Visit each screen and the screens of its menu; return {url: [offending strings]} and {url: status}."""
    problems: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}
    queue = list(dict.fromkeys(screens))
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, HTTP_HOST=host, follow=False)
        connection.set_schema_to_public()
        statuses[url] = response.status_code
        if response.status_code != 200:
            continue
        markup = _markup(response)
        if not markup:
            continue
        if os.environ.get("DUMP_ADMIN_HTML"):  # debugging aid: keep the rendered screens
            dump = Path(os.environ["DUMP_ADMIN_HTML"]) / host / (url.strip("/").replace("/", "_").replace("?", "_") or "root")
            dump.parent.mkdir(parents=True, exist_ok=True)
            dump.with_suffix(".html").write_text(markup)
        bad = offending(markup, extra_allowed)
        if bad:
            problems[url] = bad
        if "wagtail-sidebar-props" in markup:
            for menu_url in menu_urls(markup):
                if menu_url not in seen and not any(word in menu_url for word in ("logout", "download", "export")):
                    queue.append(menu_url)
    return problems, statuses


def report(problems: dict[str, list[str]]) -> str:
    lines = []
    for url, strings in sorted(problems.items()):
        lines.append(url)
        lines += [f"    {s!r}" for s in strings]
    everything = sorted({s for strings in problems.values() for s in strings})
    lines.append(f"--- {len(everything)} distinct strings with English words:")
    lines += [f"  {s!r}" for s in everything]
    return "\n".join(lines)


# --- the crawl ------------------------------------------------------------------------


ROLES = [
    ("ta_zh_editor", UnitRole.EDITOR),
    ("ta_zh_reviewer", UnitRole.REVIEWER),
    ("ta_zh_leader", UnitRole.LEADER),
    ("ta_zh_head", UnitRole.HEAD),
]
UNIT_ADMIN = ("ta_admin", "pw-ta-12345")  # the unit administrator provisioning created (tests/conftest.py)
ROLE_SLUGS = {
    UnitRole.EDITOR: "editor",
    UnitRole.REVIEWER: "reviewer",
    UnitRole.LEADER: "leader",
    UnitRole.HEAD: "head",
    UnitRole.ADMIN: "unit-admin",
}


def _portal_words() -> set[str]:
    from django.conf import settings

    return set(settings.PORTAL_DOMAIN.lower().split("."))


def unit_client(unit, username: str, group: str) -> Client:
    if group == UnitRole.ADMIN:
        username, password = UNIT_ADMIN
    else:
        make_user(unit, username, group)
        password = PASSWORD
    client = logged_in_client(schema_name=unit.schema_name, host=UNIT_HOST, username=username, password=password)
    connection.set_schema_to_public()
    return client


@pytest.fixture
def unit_content(unit_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    content = build_unit_content(unit_a)
    connection.set_schema_to_public()
    return content


ALL_UNIT_ROLES = [*ROLES, ("ta_admin", UnitRole.ADMIN)]


@pytest.mark.parametrize("username,group", ALL_UNIT_ROLES, ids=[slug for slug in ROLE_SLUGS.values()])
def test_unit_admin_screens_have_no_english(unit_a, unit_content, username, group):
    client = unit_client(unit_a, username, group)
    problems, statuses = crawl(client, unit_screens(unit_content), host=UNIT_HOST, extra_allowed={username, *_portal_words()})
    # The crawl saw the screens, not only refusals: every role reaches the dashboard and edits a page.
    assert statuses[reverse("wagtailadmin_home")] == 200
    editable = reverse("wagtailadmin_pages:edit", args=[unit_content["pages"]["UnitHomePage"].pk])
    assert statuses[editable] == 200, statuses[editable]
    seen = [url for url, status in statuses.items() if status == 200]
    assert len(seen) >= 30, seen
    assert not problems, report(problems)


def test_centre_screens_have_no_english(db):
    client = centre_client()
    connection.set_schema_to_public()
    screens = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_users:add"),
        reverse("wagtailusers_groups:index"),
        reverse("wagtailsites:index"),
        reverse("wagtailadmin_account"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_workflows:index"),
        reverse("wagtailadmin_workflows:task_index"),
        reverse("wagtaildocs:index"),
        reverse("wagtailimages:index"),
    ]
    problems, statuses = crawl(client, screens, host="localhost", extra_allowed={"centre", *_portal_words()})
    assert statuses[reverse("wagtailadmin_home")] == 200
    seen = [url for url, status in statuses.items() if status == 200]
    assert len(seen) >= 15, seen  # the centre's own screens come from its menu
    assert not problems, report(problems)


def test_login_screens_have_no_english(db):
    for host in (UNIT_HOST, "localhost"):
        client = Client(HTTP_HOST=host)
        problems, statuses = crawl(client, [reverse("wagtailadmin_login"), reverse("wagtailadmin_password_reset")], host=host)
        connection.set_schema_to_public()
        assert statuses[reverse("wagtailadmin_login")] == 200
        assert not problems, report(problems)


# --- the JavaScript catalogue -------------------------------------------------------------


def served_js_catalogue(client: Client, host: str) -> dict:
    response = client.get(reverse("wagtailadmin_javascript_catalog"), HTTP_HOST=host)
    connection.set_schema_to_public()
    assert response.status_code == 200
    match = re.search(r"const newcatalog = (\{.*?\});\n", response.content.decode(), re.S)
    assert match, "no catalogue in /admin/jsi18n/"
    return json.loads(match.group(1))


@pytest.mark.parametrize("where", ["unit", "centre"])
def test_js_catalogue_translates_every_string_of_wagtails_scripts(unit_a, where):
    from training.i18n import js_msgids

    if where == "unit":
        client, host = unit_client(unit_a, "ta_zh_js_editor", UnitRole.EDITOR), UNIT_HOST
    else:
        client, host = centre_client(), "localhost"
    catalogue = served_js_catalogue(client, host)
    messages = js_msgids()
    # The extraction found the editor's strings (autosave, the block picker, Draftail, comments).
    ids = {m.msgid for m in messages}
    assert {"Autosave in progress…", "Insert a block", "Add a comment", "Split block"} <= ids
    untranslated = []
    for message in messages:
        value = catalogue.get(message.msgid)
        translated = value if isinstance(value, str) else (value or [""])[0]
        if not translated or english_words(translated):
            untranslated.append(f"{message.msgid!r} -> {value!r} ({', '.join(message.where)})")
    assert not untranslated, "\n".join(untranslated)


# --- part 7: the help -----------------------------------------------------------------------


def test_help_menu_leads_to_the_platforms_help_in_both_admins(unit_a):
    from training.guide import ROLES as MANUALS

    clients = [(unit_client(unit_a, username, group), UNIT_HOST) for username, group in ALL_UNIT_ROLES]
    clients.append((centre_client(), "localhost"))
    for client, host in clients:
        response = client.get(reverse("wagtailadmin_home"), HTTP_HOST=host)
        connection.set_schema_to_public()
        markup = response.content.decode()
        links = help_links(markup)
        assert reverse("training:index") in links and reverse("training:faq") in links, links
        assert not [link for link in links if "wagtail.org" in link], links
        # Nor does the dashboard's account summary send anyone to Wagtail's English guide.
        assert "guide.wagtail.org" not in markup and "docs.wagtail.org" not in markup
        index = client.get(reverse("training:index"), HTTP_HOST=host)
        connection.set_schema_to_public()
        assert index.status_code == 200
        for role in MANUALS:
            assert reverse("training:manual", args=[role.slug]) in index.content.decode()


# Headings each role's manual must have (the sections of training.guide, by what a reader looks for).
KEY_HEADINGS = {
    "editor": [
        "信息员使用手册",
        "添加信息",
        "页面类型与字段说明",
        "保存草稿与提交审核",
        "审核流程：每一步由谁做什么",
        "保密审查查什么",
        "更新期限与网站监测",
        "会签：涉及其他单位的信息",
    ],
    "reviewer": ["审核员使用手册", "待我处理", "审核与人工放行", "保密审查查什么", "会签：涉及其他单位的信息"],
    "leader": ["分管领导使用手册", "分管领导审批", "审核流程：每一步由谁做什么", "更新期限与网站监测"],
    "head": ["第一责任人使用手册", "审核流程：每一步由谁做什么", "更新期限与网站监测"],
    "unit-admin": ["单位管理员使用手册", "用户与用户组", "直接发布", "审计日志", "保密审查查什么"],
    "centre": [
        "市信息中心使用手册",
        "开通单位子站",
        "导入责任分解表",
        "栏目责任与更新期限",
        "网站监测与月度报告",
        "门户索引与定时发布记录",
    ],
}


@pytest.mark.parametrize("slug", list(KEY_HEADINGS))
def test_each_roles_manual_renders_with_its_headings(unit_a, slug):
    from sitepages import models as page_models

    if slug == "centre":
        client, host = centre_client(), "localhost"
    else:
        group = next(group for group, role_slug in ROLE_SLUGS.items() if role_slug == slug)
        client, host = unit_client(unit_a, f"ta_zh_manual_{slug.replace('-', '_')}", group), UNIT_HOST
    response = client.get(reverse("training:manual", args=[slug]), HTTP_HOST=host)
    connection.set_schema_to_public()
    assert response.status_code == 200
    markup = response.content.decode()
    document = lxml_html.fromstring(markup)
    headings = {" ".join(h.text_content().split()) for h in document.iter("h1", "h2", "h3")}
    for heading in KEY_HEADINGS[slug]:
        assert any(heading in h for h in headings), (heading, sorted(headings))
    assert not offending(markup, _portal_words()), offending(markup, _portal_words())
    if "页面类型与字段说明" in KEY_HEADINGS[slug]:
        # Every page type the models define is explained, with what its required fields mean.
        _, items = site_page_models()
        for model in items:
            assert str(model._meta.verbose_name) in markup
            for name in getattr(model, "required_on_publish", ()):
                assert str(model._meta.get_field(name).verbose_name) in markup
        assert str(page_models.NewsPage._meta.get_field("source").verbose_name) in markup


def test_faq_renders_in_both_admins(unit_a):
    for client, host in ((unit_client(unit_a, "ta_zh_faq", UnitRole.EDITOR), UNIT_HOST), (centre_client(), "localhost")):
        response = client.get(reverse("training:faq"), HTTP_HOST=host)
        connection.set_schema_to_public()
        assert response.status_code == 200
        markup = response.content.decode()
        for heading in ("常见问题", "采编与提交", "保密审查", "附件与图片", "会签", "更新期限与监测", "帐号"):
            assert heading in markup
        assert not offending(markup, _portal_words()), offending(markup, _portal_words())


def test_visible_english_is_found():
    """The check itself: English in text, attributes and JSON is found; data, brands and Chinese are not."""
    markup = """<html><body>
        <p>保存草稿</p><p>Save draft</p>
        <button title="Close">x</button><input type="submit" value="Search">
        <script>var x = "Hidden script";</script><style>.a{content:"Style"}</style>
        <script type="application/json">{"label": "Main menu", "url": "/admin/pages/"}</script>
        <p>ta_editor@example.gov.cn 上传了 report.pdf（PDF，2 MB），见 http://ta.localhost/admin/ 与 Wagtail</p>
    </body></html>"""
    assert offending(markup) == ["Close", "Main menu", "Save draft", "Search"]
