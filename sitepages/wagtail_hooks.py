"""Registrations only."""

from wagtail import hooks

from . import attachments


@hooks.register("before_serve_document", order=100)
def serve_only_documents_in_public_use(document, request):
    # After Wagtail's own collection-privacy hook (order 0), which may answer
    # with a login or password form.
    return attachments.refuse_unless_public(document, request)
