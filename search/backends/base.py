"""What every portal index backend offers, and the values it exchanges."""

from __future__ import annotations

import datetime as dt
import math
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, ClassVar

MAX_QUERY_LENGTH = 100
MAX_PAGE = 500

# 有效性 of policy documents: the key a URL carries (validity=valid) and the label the index stores.
VALIDITY_LABELS = {"valid": "有效", "repealed": "废止", "expired": "失效"}
VALIDITY_KEYS = {label: key for key, label in VALIDITY_LABELS.items()}


class SearchBackendError(Exception):
    """The index could not be reached or refused a write; the outbox retries later."""


class DocumentRejected(SearchBackendError):
    """The index refused the document itself (its data, not the connection).

    Retrying the same content fails the same way, so the outbox counts these
    attempts and parks the entry after PORTAL_OUTBOX_MAX_ATTEMPTS.
    """


class Order:
    RELEVANCE = "relevance"
    DATE = "date"
    ALL = (RELEVANCE, DATE)


@dataclass
class PortalDoc:
    """One indexable page, built inside its unit's schema (search.documents)."""

    schema_name: str
    page_id: int
    unit_code: str
    unit_name: str
    column_path: list[str]
    column_title: str
    page_type: str
    categories: list[str]
    publish_date: dt.date | None
    written_date: dt.date | None
    year: int | None
    published_at: dt.datetime | None
    url: str
    title: str
    summary: str
    body: str
    doc_number: str = ""
    issuing_body: str = ""
    subject_words: str = ""
    index_number: str = ""
    validity: str = ""
    # What document building left out (search.documents), for the index row.
    truncation_note: str = ""

    @property
    def key(self) -> str:
        return document_key(schema_name=self.schema_name, page_id=self.page_id)

    def metadata_text(self) -> str:
        return " ".join(v for v in (self.doc_number, self.issuing_body, self.subject_words, self.index_number) if v)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, **asdict(self)}


def document_key(*, schema_name: str, page_id: int) -> str:
    return f"{schema_name}:{page_id}"


@dataclass(frozen=True)
class SearchQuery:
    """A portal search; an empty `text` lists documents newest first."""

    text: str = ""
    unit: str = ""
    page_type: str = ""
    category: str = ""
    year: int | None = None
    # A key of VALIDITY_LABELS (valid, repealed, expired).
    validity: str = ""
    order: str = Order.RELEVANCE
    page: int = 1
    per_page: int = 10
    with_facets: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def effective_order(self) -> str:
        return self.order if self.text else Order.DATE

    @property
    def validity_label(self) -> str:
        """What the index stores for the validity filter (an unknown key matches nothing)."""
        return VALIDITY_LABELS.get(self.validity, self.validity)

    @property
    def has_filters(self) -> bool:
        return bool(self.unit or self.page_type or self.category or self.year or self.validity)


@dataclass
class Hit:
    key: str
    unit_code: str
    unit_name: str
    title: str
    title_html: str
    snippet_html: str
    url: str
    page_type: str
    column_title: str
    column_path: list[str]
    categories: list[str]
    publish_date: dt.date | None
    written_date: dt.date | None
    published_at: dt.datetime | None
    summary: str
    metadata: dict[str, str]
    score: float | None = None

    @property
    def validity(self) -> str:
        """有效 / 废止 / 失效, or empty for what has no validity (news, notices …)."""
        return self.metadata.get("validity", "")

    @property
    def validity_key(self) -> str:
        return VALIDITY_KEYS.get(self.validity, "")


@dataclass
class FacetBucket:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    query: SearchQuery
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetBucket]] = field(default_factory=dict)
    took_ms: float = 0.0
    # The total and the facet counts are estimates from a sample (a very common word: PostgreSQL backend).
    approximate: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, math.ceil(self.total / self.query.per_page)))


def metadata_of(row: Any) -> dict[str, str]:
    return {
        "doc_number": row["doc_number"] or "",
        "issuing_body": row["issuing_body"] or "",
        "subject_words": row["subject_words"] or "",
        "index_number": row["index_number"] or "",
        "validity": row["validity"] or "",
    }


class PortalSearchBackend(ABC):
    """The portal index. Upserts are idempotent: documents are keyed by `<schema>:<page_id>`."""

    name: ClassVar[str]
    # Errors after which a write is worth retrying later (connection lost, cluster busy).
    transient_errors: ClassVar[tuple[type[Exception], ...]] = (SearchBackendError,)
    # Errors that mean the document itself was refused; every backend raises
    # DocumentRejected for those, translated from its driver's own errors.
    document_errors: ClassVar[tuple[type[Exception], ...]] = (DocumentRejected,)

    @property
    def write_errors(self) -> tuple[type[Exception], ...]:
        """Everything a write may raise that holds back only the documents written."""
        return (*self.document_errors, *self.transient_errors)

    @abstractmethod
    def upsert(self, docs: Iterable[PortalDoc]) -> int: ...

    @abstractmethod
    def delete(self, keys: Iterable[str]) -> int: ...

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    def count(self, query: SearchQuery) -> int:
        """How many documents match `query` (backends may count without fetching a page)."""
        return self.search(replace(query, page=1, per_page=1, with_facets=False)).total

    @abstractmethod
    def count_by_unit(self) -> dict[str, int]: ...

    @abstractmethod
    def keys_of_unit(self, unit_code: str) -> set[str]: ...

    @abstractmethod
    def reset(self) -> None: ...

    def rebuild(self, docs: Iterable[PortalDoc]) -> int:
        """Replace the whole index with `docs`; backends that can swap atomically override this."""
        self.reset()
        return self.upsert(docs)
