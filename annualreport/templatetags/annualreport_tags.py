"""{% annual_report_link %}: the unit's latest published 年度报表, for its homepage (国办函〔2018〕12号: 在网站首页显著位置发布)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from tenants.context import current_unit

from .. import selectors

register = template.Library()


@register.simple_tag
def annual_report_link() -> str:
    unit = current_unit()
    if unit is None:
        return ""
    reports = selectors.published_reports(unit=unit)
    if not reports:
        return ""
    latest = reports[0]
    return format_html(
        '<a class="annual-report-link" href="{}">{}年度政府网站工作年度报表</a>',
        reverse("annualreport_site:year", kwargs={"year": latest.year}),
        latest.year,
    )
