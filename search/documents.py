"""Building portal documents from a unit's pages (runs inside the unit's schema)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from wagtail.models import Page, PageViewRestriction, Site

from columns.table.rows import split_categories
from tenants.context import current_schema_name

from .backends.base import PortalDoc


@lru_cache(maxsize=1)
def page_type_labels() -> dict[str, str]:
    from sitepages.models import ITEM_TYPES, OverviewPage

    labels = {key: str(model._meta.verbose_name) for key, model in ITEM_TYPES.items()}
    # 规范性文件 are policy documents of their own kind, listed apart from 政府文件.
    labels[NORMATIVE_KEY] = "规范性文件"
    labels[OVERVIEW_KEY] = str(OverviewPage._meta.verbose_name)
    labels.update({source.page_type: source.label for source in _DOCUMENT_SOURCES})
    return labels


@dataclass(frozen=True)
class DocumentSource:
    """Documents that are not pages (e.g. interaction's published replies), indexed by their app.

    `documents(unit=...)` runs in the unit's schema and yields every document of
    the source, so a full or per-unit rebuild keeps them; the app writes changes
    itself (upsert/delete on the backend), with keys of its own that never
    collide with `<schema>:<page id>`.
    """

    page_type: str
    label: str
    documents: Callable[..., Iterable[PortalDoc]]


_DOCUMENT_SOURCES: list[DocumentSource] = []


def register_document_source(*, page_type: str, label: str, documents: Callable[..., Iterable[PortalDoc]]) -> None:
    if all(source.page_type != page_type for source in _DOCUMENT_SOURCES):
        _DOCUMENT_SOURCES.append(DocumentSource(page_type=page_type, label=label, documents=documents))
        page_type_labels.cache_clear()


OVERVIEW_KEY = "overview"
# The page type of a PolicyDocumentPage whose 文件类别 is 规范性文件 (policy_document otherwise).
NORMATIVE_KEY = "normative_document"
# Body text indexed per page. Beyond it the words are not searchable and no
# snippet could show them; Elasticsearch refuses to highlight past 1,000,000
# characters, and every hit would carry the whole body to the web node.
MAX_BODY_CHARS = 900_000


def _indexable_models() -> tuple[type[Page], ...]:
    from sitepages.models import ITEM_TYPES, OverviewPage

    return (*ITEM_TYPES.values(), OverviewPage)


class UnitDocumentBuilder:
    """Builds documents for pages of the unit whose schema is active.

    Ancestor titles and view restrictions are loaded once per builder, so a
    reindex of thousands of pages costs a handful of queries per column.
    """

    def __init__(self, *, unit) -> None:
        self.unit = unit
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        self.home = site.root_page if site else None
        self._restricted_paths = list(PageViewRestriction.objects.values_list("page__path", flat=True))
        self._columns: dict[str, Page] = {}

    def _private(self, page: Page) -> bool:
        return any(page.path.startswith(path) for path in self._restricted_paths)

    def _ancestors(self, page: Page, *, inclusive: bool) -> list[Page]:
        steplen = page.steplen
        home_depth = self.home.depth
        last = page.depth if inclusive else page.depth - 1
        paths = [page.path[: steplen * depth] for depth in range(home_depth + 1, last + 1)]
        missing = [path for path in paths if path not in self._columns and path != page.path]
        if missing:
            for ancestor in Page.objects.filter(path__in=missing).specific():
                self._columns[ancestor.path] = ancestor
        return [
            page if path == page.path else self._columns[path] for path in paths if path == page.path or path in self._columns
        ]

    def build(self, page: Page) -> PortalDoc | None:
        """The page's document, or None when it must not be in the portal index."""
        from sitepages.models import ColumnPage, OverviewPage, ServiceGuidePage

        if self.home is None or not page.live or self._private(page):
            return None
        if not page.path.startswith(self.home.path) or page.depth <= self.home.depth:
            return None
        if not isinstance(page, _indexable_models()):
            return None
        if isinstance(page, OverviewPage) and not len(page.body):
            return None
        overview = isinstance(page, OverviewPage)
        ancestors = self._ancestors(page, inclusive=overview)
        column = next((a for a in reversed(ancestors) if isinstance(a, ColumnPage)), None)
        body = page.body_text
        if isinstance(page, ServiceGuidePage):
            body = "\n".join([body, *(f"{label}：{value}" for label, value in page.guide_rows()[1:] if value)])
        notes = []
        if len(body) > MAX_BODY_CHARS:
            notes.append(f"正文共 {len(body)} 字，只索引前 {MAX_BODY_CHARS} 字")
            body = body[:MAX_BODY_CHARS]
        publish_date = getattr(page, "publish_date", None) or (
            page.first_published_at.date() if page.first_published_at else None
        )
        validity = page.get_validity_display() if hasattr(page, "get_validity_display") else ""
        page_type = getattr(page, "item_type_key", "") or OVERVIEW_KEY
        if getattr(page, "document_kind", "") == NORMATIVE_KEY:
            page_type = NORMATIVE_KEY
        return PortalDoc(
            schema_name=current_schema_name(),
            page_id=page.id,
            unit_code=self.unit.code,
            unit_name=self.unit.name,
            column_path=[a.title for a in ancestors if a.path != page.path],
            column_title=column.title if column else "",
            page_type=page_type,
            # Split only at top-level separators: 行政审批(含行政许可、非行政许可审批事项) is one category.
            categories=list(split_categories(column.disclosure_categories)) if column else [],
            publish_date=publish_date,
            written_date=getattr(page, "written_date", None),
            year=publish_date.year if publish_date else None,
            published_at=page.last_published_at or page.first_published_at,
            url=page.full_url or "",
            title=page.title,
            summary=(getattr(page, "summary", "") or body[:120]).strip(),
            body=body,
            doc_number=getattr(page, "doc_number", ""),
            issuing_body=getattr(page, "issuing_body", ""),
            subject_words=getattr(page, "subject_words", ""),
            index_number=getattr(page, "index_number", ""),
            validity=validity,
            truncation_note="；".join(notes),
        )


def build_documents(*, unit, page_ids: Iterable[int]) -> tuple[list[PortalDoc], list[int]]:
    """(documents to index, ids of pages to remove) for pages of the active unit schema."""
    ids = list(page_ids)
    builder = UnitDocumentBuilder(unit=unit)
    docs: list[PortalDoc] = []
    for page in Page.objects.filter(id__in=ids).specific():
        doc = builder.build(page)
        if doc is not None:
            docs.append(doc)
    indexed = {doc.page_id for doc in docs}
    return docs, [page_id for page_id in ids if page_id not in indexed]


def iter_unit_documents(*, unit, chunk: int = 500) -> Iterator[PortalDoc]:
    """Every document of the active unit schema, for a full rebuild."""
    builder = UnitDocumentBuilder(unit=unit)
    ids = list(indexable_pages(unit=unit).order_by("path").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        for page in Page.objects.filter(id__in=ids[start : start + chunk]).specific().order_by("path"):
            doc = builder.build(page)
            if doc is not None:
                yield doc
    for source in _DOCUMENT_SOURCES:
        yield from source.documents(unit=unit)


def indexable_pages(*, unit):
    """Live pages of an indexable type under the active unit's home page (privacy is checked per page)."""
    home = Site.objects.filter(is_default_site=True).values_list("root_page__path", flat=True).first()
    if home is None:
        return Page.objects.none()
    return Page.objects.live().filter(path__startswith=home).exclude(path=home).type(*_indexable_models())
