"""Reads of the 保密审查: the scanner for the current dictionary, a page's scan and fingerprint, releases."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from tenants.context import public_schema

from .extract import UnsupportedDocument
from .models import SecrecyOverride, SensitiveWord
from .page_fields import page_content, page_texts
from .page_fields import page_documents as documents_of
from .scanner import SecrecyScanner, mask_personal_numbers

UNSUPPORTED_KIND = "unsupported"
ATTACHMENT_LABEL = "附件"

_scanner_lock = threading.Lock()
_scanner_cache: dict[str, tuple[tuple, SecrecyScanner]] = {}


def sensitive_word_version() -> tuple:
    with public_schema():
        stats = SensitiveWord.objects.aggregate(count=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return (stats["count"], stats["latest"], stats["top"])


def secrecy_scanner() -> SecrecyScanner:
    """The scanner for the current dictionary version; rebuilt only when the dictionary changed."""
    version = sensitive_word_version()
    with _scanner_lock:
        cached = _scanner_cache.get("scanner")
        if cached is not None and cached[0] == version:
            return cached[1]
    with public_schema():
        words = list(SensitiveWord.objects.values_list("word", "note"))
    scanner = SecrecyScanner(sensitive_words=words)
    with _scanner_lock:
        _scanner_cache["scanner"] = (version, scanner)
    return scanner


def _specific(page):
    return getattr(page, "specific_deferred", page)


def page_text_fields(page) -> list[tuple[str, str]]:
    """(label, text) of everything a visitor can read on the page; derived from its model (page_fields)."""
    return [(item.label, item.text) for item in page_texts(page=_specific(page))]


def page_documents(page) -> list:
    """Every document published with the page (page_fields.page_documents)."""
    return documents_of(page=_specific(page))


@dataclass
class PageInspection:
    findings: list[dict] = field(default_factory=list)
    content_hash: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    document_names: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings


def _read_document(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def inspect_page(page) -> PageInspection:
    """Scan a page (usually `revision.as_object()`) and fingerprint its content.

    The fingerprint covers every text and attachment the scan reads (keyed by
    field, not by label, so the admin's language does not change it), so an
    override or a confirmation recorded for one content never covers another.
    """
    scanner = secrecy_scanner()
    content = page_content(page=_specific(page))
    texts = content.texts
    fields = [(item.label, item.text) for item in texts]
    digest = hashlib.sha256()
    for item in texts:
        digest.update(item.key.encode())
        digest.update(b"\x1f")
        digest.update(item.text.encode())
        digest.update(b"\x1e")
    findings = [finding.as_dict() for finding in scanner.scan_fields(fields)]
    names = []
    for document in content.documents:
        name = document.file.name.rsplit("/", 1)[-1]
        title = str(document.title or "")
        # The label is stored and mailed with the findings: no personal number in full.
        label = f"{ATTACHMENT_LABEL}《{mask_personal_numbers(title)}》"
        names.append(title)
        data = _read_document(document)
        digest.update(b"\x1d")
        digest.update(title.encode())
        digest.update(hashlib.sha256(data).digest())
        # The title is the link text on the page.
        findings += [finding.as_dict() for finding in scanner.scan_text(title, field=f"{label}的标题")]
        try:
            findings += [finding.as_dict() for finding in scanner.scan_document(name=name, data=data, field=label)]
        except UnsupportedDocument as exc:
            # An attachment the scanner cannot read must be looked at by a person.
            findings.append(
                {
                    "kind": UNSUPPORTED_KIND,
                    "label": "无法自动审查的附件",
                    "field": label,
                    "start": 0,
                    "end": 0,
                    "match": "",
                    "excerpt": mask_personal_numbers(exc.reason),
                    "detail": mask_personal_numbers(str(exc)),
                }
            )
    return PageInspection(findings=findings, content_hash=digest.hexdigest(), fields=fields, document_names=names)


def publish_inspection(page) -> PageInspection:
    """inspect_page for the publish checks: the 保密审查 and the 会签 check need the same scan.

    The page object is fresh per publish, so caching the scan on it is safe.
    """
    inspection = getattr(page, "_moderation_inspection", None)
    if inspection is None:
        inspection = inspect_page(page)
        page._moderation_inspection = inspection
    return inspection


def override_exists(*, page_id: int, revision_id: int | None, content_hash: str) -> bool:
    condition = Q(content_hash=content_hash)
    if revision_id:
        condition |= Q(revision_id=revision_id)
    return SecrecyOverride.objects.filter(condition, page_id=page_id).exists()


def overrides_for_page(*, page_id: int):
    return SecrecyOverride.objects.filter(page_id=page_id).select_related("user", "revision")


def findings_summary(findings: list[dict], *, limit: int = 5) -> str:
    parts = [f"{f['field']}第{f['start'] + 1}字起「{f['match'] or f['excerpt']}」（{f['label']}）" for f in findings[:limit]]
    more = f"等 {len(findings)} 处" if len(findings) > limit else ""
    return "；".join(parts) + more
