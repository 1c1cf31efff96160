"""Registration, demographics, the patient search and the care team."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils import timezone

from clinic.contact import PHONE_HELP, phone_normalize, postal_code_normalize
from clinic.forms.common import DateInput
from clinic.models import Patient, Practitioner
from clinic.models.patients import contact_channel_missing


class PatientForm(forms.ModelForm):
    """Registration and demographics. Duplicate detection happens in the view with the
    service's help; this form only parses and checks each field."""

    class Meta:
        model = Patient
        fields = [
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "gender",
            "pronouns",
            "phone",
            "email",
            "preferred_contact",
            "address_line1",
            "address_line2",
            "city",
            "province",
            "postal_code",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "health_number",
            "insurer",
            "insurer_policy_number",
            "referring_physician",
            "referring_physician_contact",
            "desk_notes",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "desk_notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }
        error_messages = {
            "email": {"invalid": "Enter a complete e-mail address, like name@example.com."},
            "date_of_birth": {"invalid": "Enter the date of birth as a date (YYYY-MM-DD)."},
        }
        labels = {"email": "E-mail"}
        help_texts = {"phone": PHONE_HELP}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Identity",
                Row(
                    Column("legal_first_name", css_class="col-md-4"),
                    Column("legal_last_name", css_class="col-md-4"),
                    Column("preferred_name", css_class="col-md-4"),
                ),
                Row(
                    Column("date_of_birth", css_class="col-md-3"),
                    Column("sex", css_class="col-md-3"),
                    Column("gender", css_class="col-md-3"),
                    Column("pronouns", css_class="col-md-3"),
                ),
            ),
            Fieldset(
                "Contact",
                Row(
                    Column("phone", css_class="col-md-4"),
                    Column("email", css_class="col-md-5"),
                    Column("preferred_contact", css_class="col-md-3"),
                ),
                Row(
                    Column("address_line1", css_class="col-md-6"),
                    Column("address_line2", css_class="col-md-6"),
                ),
                Row(
                    Column("city", css_class="col-md-5"),
                    Column("province", css_class="col-md-4"),
                    Column("postal_code", css_class="col-md-3"),
                ),
            ),
            Fieldset(
                "Emergency contact",
                Row(
                    Column("emergency_contact_name", css_class="col-md-5"),
                    Column("emergency_contact_relationship", css_class="col-md-3"),
                    Column("emergency_contact_phone", css_class="col-md-4"),
                ),
            ),
            Fieldset(
                "Coverage and referral",
                Row(
                    Column("health_number", css_class="col-md-4"),
                    Column("insurer", css_class="col-md-4"),
                    Column("insurer_policy_number", css_class="col-md-4"),
                ),
                Row(
                    Column("referring_physician", css_class="col-md-6"),
                    Column("referring_physician_contact", css_class="col-md-6"),
                ),
            ),
            Fieldset("For the front desk", "desk_notes"),
        )

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if dob.year < today.year - 120:
            raise forms.ValidationError("Check the year: that is more than 120 years ago.")
        return dob

    def clean_phone(self) -> str:
        return phone_normalize(self.cleaned_data["phone"])

    def clean_emergency_contact_phone(self) -> str:
        return phone_normalize(self.cleaned_data["emergency_contact_phone"])

    def clean_postal_code(self) -> str:
        return postal_code_normalize(self.cleaned_data["postal_code"])

    def clean(self) -> dict:
        cleaned = super().clean()
        problem = contact_channel_missing(
            cleaned.get("preferred_contact"),
            email=cleaned.get("email"),
            phone=cleaned.get("phone"),
        )
        # The channel's own field, when it failed its check, has its message already.
        channel = "email" if cleaned.get("preferred_contact") == "email" else "phone"
        if problem and channel not in self.errors:
            self.add_error("preferred_contact", problem)
        return cleaned

    def patient_fields(self) -> dict:
        return dict(self.cleaned_data)


class PatientSearchForm(forms.Form):
    """The patient list's search. Its errors are shown in one place next to the fields
    (templates/clinic/patients/_search_errors.html, id "search-errors")."""

    q = forms.CharField(
        label="Name, phone or e-mail",
        required=False,
        max_length=100,
        error_messages={
            "max_length": "Search with at most 100 characters (this has %(show_value)d)."
        },
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "placeholder": "e.g. avery, 604 555, jordan@",
                "autofocus": True,
                "autocomplete": "off",
                "aria-describedby": "search-errors",
            }
        ),
    )
    dob = forms.DateField(
        label="Date of birth",
        required=False,
        error_messages={"invalid": "Enter the date of birth as a date (YYYY-MM-DD)."},
        widget=DateInput(attrs={"class": "form-control", "aria-describedby": "search-errors"}),
    )


class CareTeamForm(forms.Form):
    """The front desk's "add to the care team" on the patient page."""

    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(active=True),
        label="Practitioner",
        empty_label="Choose a practitioner",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": "Choose the practitioner to add.",
            "invalid_choice": "That practitioner is not on file; choose from the list.",
        },
    )
