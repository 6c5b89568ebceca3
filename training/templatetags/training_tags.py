from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def platform_name() -> str:
    """The platform's name (WAGTAIL_SITE_NAME), for the admin's title bar and login page."""
    return settings.WAGTAIL_SITE_NAME
