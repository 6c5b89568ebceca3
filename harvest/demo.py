"""The demo's 网上抓取: two portal sections, fed by sample sources served by the demo server itself.

- 国务院信息 ← 中国政府网（演示）: an RSS feed, /static/harvest/demo/gov/rss.xml (10 items).
- 省政府信息 ← 广东省人民政府（演示）: an HTML list page read with CSS selectors,
  /static/harvest/demo/gd/list.html (8 items), whose new items wait for the centre's review.

Each item links to a small demo page beside the file (the stand-in for the original article).
`seed_demo` runs before the web server listens, so the first run of each source reads the
shipped file from disk through the same parse-and-store path as a fetch; from then on the
schedule fetches the sources over HTTP (every item is then a duplicate, as it should be).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from . import services
from .models import HarvestedItem, HarvestRun, HarvestSection, HarvestSource, ItemStatus, RunTrigger, SourceKind

DEMO_DIR = Path(__file__).resolve().parent / "static" / "harvest" / "demo"
STATIC_PATH = "/static/harvest/demo"
# Of the provincial items waiting for review, the demo approves all but this many (the queue then has work).
LEFT_FOR_REVIEW = 2
# The schedule's first fetch over HTTP: once the demo's server listens.
FIRST_FETCH_DELAY = timedelta(minutes=2)

SECTIONS = (
    ("国务院信息", "guowuyuan", "转载中国政府网发布的国务院要闻、政策文件", 10),
    ("省政府信息", "shengzhengfu", "转载广东省人民政府门户网站发布的政务要闻", 20),
)


def _sources(base_url: str) -> list[dict]:
    return [
        {
            "name": "中国政府网（演示）",
            "kind": SourceKind.FEED,
            "url": f"{base_url}{STATIC_PATH}/gov/rss.xml",
            "section": "guowuyuan",
            "file": DEMO_DIR / "gov" / "rss.xml",
            "requires_review": False,
            "selectors": {},
        },
        {
            "name": "广东省人民政府（演示）",
            "kind": SourceKind.HTML,
            "url": f"{base_url}{STATIC_PATH}/gd/list.html",
            "section": "shengzhengfu",
            "file": DEMO_DIR / "gd" / "list.html",
            "requires_review": True,
            "selectors": {
                "item_selector": "ul.news-list > li",
                "title_selector": "a",
                "date_selector": "span.date",
                "date_format": "%Y-%m-%d",
            },
        },
    ]


def seed(*, base_url: str) -> list[str]:
    """Create the sections and sources (idempotent) and run each source once from its shipped file.

    ``base_url``: the portal's address as the worker reaches it, e.g. ``http://localhost:8000`` (its host
    must be in LINKCHECK_ALLOWED_PRIVATE_HOSTS, as ``localhost`` is in the dev settings). Returns report lines.
    """
    base_url = base_url.rstrip("/")
    sections = {}
    for name, slug, description, order in SECTIONS:
        sections[slug], _created = HarvestSection.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )
    lines = []
    for spec in _sources(base_url):
        source, created = HarvestSource.objects.update_or_create(
            name=spec["name"],
            defaults={
                "kind": spec["kind"],
                "url": spec["url"],
                "section": sections[spec["section"]],
                "interval_minutes": 60,
                "requires_review": spec["requires_review"],
                "active": True,
                **spec["selectors"],
            },
        )
        if not created and HarvestRun.objects.filter(source=source).exists():
            lines.append(f"网上抓取：{source.name} 已有抓取记录，未重复导入")
            continue
        run = services.run_source_from_body(source_id=source.pk, body=spec["file"].read_bytes(), trigger=RunTrigger.DEMO)
        HarvestSource.objects.filter(pk=source.pk).update(next_run_at=timezone.now() + FIRST_FETCH_DELAY)
        if source.requires_review:
            pending = list(
                HarvestedItem.objects.filter(source=source, status=ItemStatus.PENDING)
                .order_by("-sort_at", "-id")
                .values_list("pk", flat=True)
            )
            approved = pending[:-LEFT_FOR_REVIEW] if len(pending) > LEFT_FOR_REVIEW else []
            if approved:
                HarvestedItem.objects.filter(pk__in=approved).update(status=ItemStatus.SHOWN, reviewed_at=timezone.now())
        lines.append(f"网上抓取：{source.name} → {source.section.name}，{run.get_outcome_display()}：{run.error or run.detail}")
    return lines
