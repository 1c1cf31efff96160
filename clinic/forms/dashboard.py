"""The clinic dashboard's filters: a date range, a location and (clinic admin) a practitioner."""

from __future__ import annotations

import datetime as dt

from django import forms

# The dashboard reads at most this long a range: a few years is what a clinic compares, and
# a bound keeps a typing slip (year 1026) from asking for a millennium.
LONGEST_RANGE = dt.timedelta(days=3 * 366)
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.TypedChoiceField(
        label="Location", coerce=int, required=False, empty_value=None
    )
    practitioner = forms.TypedChoiceField(
        label="Practitioner", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, locations, practitioners=None, **kwargs) -> None:
        """`locations` and `practitioners` are (pk, name) pairs; without practitioners (a
        physiotherapist, fixed to their own figures) the field is left out."""
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", "All locations"), *locations]
        if practitioners is None:
            del self.fields["practitioner"]
        else:
            self.fields["practitioner"].choices = [("", "All practitioners"), *practitioners]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def _in_bounds(self, name: str) -> dt.date:
        day = self.cleaned_data[name]
        if not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(
                f"Choose a date between {FIRST_DAY:%Y-%m-%d} and {LAST_DAY:%Y-%m-%d}."
            )
        return day

    def clean_date_from(self) -> dt.date:
        return self._in_bounds("date_from")

    def clean_date_to(self) -> dt.date:
        return self._in_bounds("date_to")

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", "The end of the range is before its start.")
            elif end - start >= LONGEST_RANGE:
                self.add_error("date_from", "Choose a range of at most three years.")
        return cleaned
