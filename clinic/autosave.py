"""Autosaved drafts keep every valid field (the session note, the assessment header).

A slip in one field (a pain score of 11, a date in the wrong year) must not lose what the
clinician typed in the rest: the valid fields are stored, each invalid one keeps its last
saved value and is reported next to itself and in the status
(templates/includes/autosave_status.html; static/js/autosave.js does the page's side).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.forms.common import form_add_errors


def save_valid_fields(save: Callable[..., Any], form: forms.BaseForm, names: Iterable[str]) -> bool:
    """Store, through `save(**fields)`, every field of the validated `form` among `names`
    that passed. A field the service refuses is reported on the form and left out of
    another try; a refusal naming no field stores nothing. True if something was stored.
    The service's own exceptions (a signed draft) pass through."""
    fields = {
        name: form.cleaned_data[name]
        for name in names
        if name in form.cleaned_data and name not in form.errors
    }
    while fields:
        try:
            save(**fields)
        except ValidationError as error:
            form_add_errors(form, error)
            refused = set(getattr(error, "error_dict", {})) & set(fields)
            if not refused:
                return False
            for name in refused:
                del fields[name]
        else:
            return True
    return False


def status_context(form: forms.BaseForm, names: Iterable[str], saved: bool) -> dict:
    """The status template's context: when it saved, the fields it could not store (label
    and first message) and every field's errors for the out-of-band swap."""
    names = list(names)
    problems: list[tuple[str | None, str]] = [
        (str(form.fields[name].label or name), form.errors[name][0])
        for name in names
        if name in form.errors
    ]
    problems += [(None, message) for message in form.non_field_errors()]
    return {
        "form": form,
        "saved_at": timezone.localtime() if saved else None,
        "problems": problems,
        "field_errors": [(name, form.errors.get(name, [])) for name in names],
    }
