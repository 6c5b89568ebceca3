"""Registrations only."""

from wagtail import hooks

from . import attachments


@hooks.register("before_serve_document", order=100)
def serve_only_documents_in_public_use(document, request):
    # After Wagtail's own collection-privacy hook (order 0), which may answer
    # with a login or password form.
    return attachments.refuse_unless_public(document, request)


@hooks.register("construct_settings_menu")
def hide_unit_settings_in_the_centre(request, menu_items):
    # 首页动态信息 lives in a unit's schema: the information centre's admin has no such table.
    from tenants.context import in_public_schema

    if in_public_schema():
        menu_items[:] = [
            item for item in menu_items if getattr(item, "model", None) is None or item.model._meta.app_label != "sitepages"
        ]
