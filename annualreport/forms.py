"""The report form: one field per manual row of the catalogue, checked by the catalogue's own rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from . import catalogue
from .models import ValueType


class CellField(forms.Field):
    """A manual row: the widget of its value type; the value is cleaned by catalogue.clean_value."""

    def __init__(self, *, row, **kwargs):
        self.row = row
        widget = {
            ValueType.YES_NO: forms.RadioSelect(choices=[(v, v) for v in catalogue.YES_NO]),
            ValueType.CHOICE: forms.Select(choices=[("", "请选择")] + [(c, c) for c in row.choices]),
            ValueType.MULTI_CHOICE: forms.CheckboxSelectMultiple(choices=[(c, c) for c in row.choices]),
            ValueType.INTEGER: forms.TextInput(attrs={"inputmode": "numeric", "size": 12}),
            ValueType.DECIMAL: forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
        }.get(row.value_type, forms.TextInput(attrs={"size": 40, "maxlength": catalogue.TEXT_LIMIT}))
        super().__init__(required=False, widget=widget, label=row.full_label, help_text=row.help_text, **kwargs)

    def clean(self, value):
        try:
            return catalogue.clean_value(self.row, value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class ReportForm(forms.Form):
    """The manual rows of a report (`rows`: RowView of the report's sections)."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys: dict[str, str] = {}
        for view in rows:
            if not view.row.manual:
                continue
            name = view.field_name
            initial = view.value
            if view.row.value_type == ValueType.MULTI_CHOICE:
                initial = [part for part in view.value.split(catalogue.MULTI_SEPARATOR) if part]
            self.fields[name] = CellField(row=view.row, initial=initial)
            self.keys[name] = view.row.key

    def values(self) -> dict[str, str]:
        """Row key → cleaned value, after is_valid()."""
        return {key: self.cleaned_data[name] for name, key in self.keys.items()}

    def add_service_errors(self, error: ValidationError) -> None:
        """Errors the service raised, keyed by row key, shown on their fields."""
        fields = {key: name for name, key in self.keys.items()}
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                self.add_error(fields.get(key), messages)
        else:
            self.add_error(None, error.messages)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="退回意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, error_messages={"required": "请填写退回意见"}
    )
