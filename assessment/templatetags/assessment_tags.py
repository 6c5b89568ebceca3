"""Template filters of the assessment pages."""

from django import template

from ..results import points_text

register = template.Library()


@register.filter
def pts(value) -> str:
    """Points without trailing zeros: 87.5, 90, −2.25."""
    if value is None or value == "":
        return "—"
    return points_text(float(value))


@register.filter
def signed(value) -> str:
    if value is None or value == "":
        return "—"
    number = float(value)
    return ("+" if number > 0 else "") + points_text(number)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
