"""Pieces every form module uses: service errors on a form, safe id choices, date and
time inputs."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from clinic.inputs import parse_id


def form_add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: keyed messages next to their fields
    (or at the top if the form has no such field), plain ones at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's ModelMultipleChoiceField, refusing a value that is not a database id (ASCII
    digits, 1 to 2**63-1) with the field's usual "Select a valid choice" error before any
    query: SQLite raises OverflowError on a larger id in `pk IN (...)`, a 500."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value if isinstance(value, list | tuple) else []:
                if parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": pk},
                    )
        return super()._check_values(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__({"step": 900} | (attrs or {}), format="%H:%M")
