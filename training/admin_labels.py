"""Labels Wagtail leaves to be made from field names ("Link text", "Email address", "Site name").

A label made from a field name (Django's `pretty_name`, the table column's default) is never translated,
so it stays English whatever the catalogue says. Here those form fields get a translatable label (English
msgid, translated in govplatform/locale like every other string) and those listing columns the verbose
name of their model field (which Wagtail translates).
"""

from __future__ import annotations

from contextlib import suppress

from django.utils.translation import gettext_lazy as _

# (module, form class, field) -> label
_UNLABELLED_FIELDS = {
    ("wagtail.admin.forms.auth", "LoginForm", "password"): _("Password"),
    ("wagtail.admin.forms.workflows", "WorkflowPageForm", "page"): _("Page"),
    ("wagtail.admin.forms.choosers", "ExternalLinkChooserForm", "link_text"): _("Link text"),
    ("wagtail.admin.forms.choosers", "AnchorLinkChooserForm", "link_text"): _("Link text"),
    ("wagtail.admin.forms.choosers", "EmailLinkChooserForm", "email_address"): _("Email address"),
    ("wagtail.admin.forms.choosers", "EmailLinkChooserForm", "link_text"): _("Link text"),
    ("wagtail.admin.forms.choosers", "EmailLinkChooserForm", "subject"): _("Subject"),
    ("wagtail.admin.forms.choosers", "EmailLinkChooserForm", "body"): _("Body"),
    ("wagtail.admin.forms.choosers", "PhoneLinkChooserForm", "phone_number"): _("Phone number"),
    ("wagtail.admin.forms.choosers", "PhoneLinkChooserForm", "link_text"): _("Link text"),
}


# (module, view class, model) of listings whose columns are labelled from their names
_UNLABELLED_COLUMNS = (("wagtail.sites.views", "IndexView", "wagtailcore.Site"),)


def apply() -> None:
    from importlib import import_module

    for (module_name, class_name, field_name), label in _UNLABELLED_FIELDS.items():
        module = import_module(module_name)
        form_class = getattr(module, class_name, None)
        # Formsets built at import time hold a copy of the form class, made before this runs.
        copies = [getattr(value, "form", None) for value in vars(module).values() if isinstance(value, type)]
        for form in [form_class, *(c for c in copies if c is not None and issubclass(c, form_class or ()))]:
            field = getattr(form, "base_fields", {}).get(field_name)
            if field is not None and field.label is None:
                field.label = label
    for module_name, class_name, model_label in _UNLABELLED_COLUMNS:
        _label_columns(getattr(import_module(module_name), class_name, None), model_label)


def _label_columns(view_class, model_label: str) -> None:
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst

    model = apps.get_model(model_label)
    for column in getattr(view_class, "columns", ()):
        if str(column.label) != capfirst(column.name.replace("_", " ")):
            continue  # labelled by Wagtail
        with suppress(FieldDoesNotExist):
            column.label = capfirst(model._meta.get_field(column.name).verbose_name)
