"""The demo's sample content is each unit's own: the portal aggregates every unit, so a title
shared by two units would appear twice on its homepage."""

from __future__ import annotations

from collections import Counter

from demo import unit_content

DEMO_UNITS = ("szfb", "fgj", "jmj")


def _titles(code: str) -> list[str]:
    name = {"szfb": "市府办公室", "fgj": "市发展改革局", "jmj": "市经贸局"}[code]
    rows = [
        *unit_content.news_for(code, name),
        *unit_content.notices_for(code, name),
        *unit_content.documents_for(code, name),
        *unit_content.guides_for(code, name),
        *unit_content.plans_for(code, name),
    ]
    return [row[0] for row in rows]


def test_no_title_or_document_number_is_shared_between_demo_units():
    titles = Counter(title for code in DEMO_UNITS for title in _titles(code))
    assert [title for title, count in titles.items() if count > 1] == []
    numbers = Counter(row[1] for code in DEMO_UNITS for row in unit_content.documents_for(code, ""))
    assert [number for number, count in numbers.items() if count > 1] == []


def test_every_demo_unit_has_its_own_texts_and_a_document_no_longer_in_force():
    for code in DEMO_UNITS:
        assert unit_content.NEWS[code] and unit_content.NOTICES[code] and unit_content.GUIDES[code]
        assert {row[3] for row in unit_content.documents_for(code, "")} & {"repealed", "expired"}


def test_a_unit_without_texts_of_its_own_gets_texts_naming_it():
    titles = [title for title, _ in unit_content.news_for("xyz", "市新设局")]
    assert titles and all("市新设局" in title for title in titles)
