from django import template
from wagtail.models import Site

from ..navigation import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_navigation(context):
    """The unit site's menus (sitepages.navigation), for the request's site."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return {"home_url": "/", "header": [], "columns": []}
    return navigation(root=site.root_page)
