"""Forms of the front office: parsing and field validation only."""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from clinic import outcomes
from clinic.bodychart import BodyChartField
from clinic.inputs import parse_id
from clinic.models import (
    AccessLog,
    AppointmentType,
    CorrectionRequest,
    Intake,
    Location,
    Patient,
    Practitioner,
    ScreeningItem,
    User,
)
from clinic.selectors.scheduling import BOOKING_HORIZON
from clinic.services.consent import typed_name_matches
from clinic.services.intake import STEP_BY_SLUG
from clinic.validators import NOTE_MAX
from clinic.widgets import ScaleWidget


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


class TokenForm(forms.Form):
    """A one-time code: six digits from the authenticator app, or an eight-digit backup
    code. Spaces people type while reading it out are ignored."""

    token = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "form-control form-control-lg",
            }
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        # isascii(): isdigit() also takes "²" and "١", which int() reads differently or not.
        if not (token.isascii() and token.isdigit()) or len(token) not in (6, 8):
            raise forms.ValidationError(
                "Type the 6 digits your authenticator app shows, or an 8-digit backup code."
            )
        return token


class LoginForm(AuthenticationForm):
    """Django's sign-in form with messages written for the front desk, not developers."""

    error_messages = {
        "invalid_login": (
            "That username and password do not match an account. Check both and try "
            "again; the password is case-sensitive."
        ),
        "inactive": "This account has been deactivated. Please ask the clinic admin.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        # AuthenticationForm sets max_length after the field is built, so no validator
        # enforces it; without one an overlong name reaches authenticate() and django-axes,
        # whose attempt log (varchar 255) refuses it on PostgreSQL.
        limit = self.fields["username"].max_length or 150
        self.fields["username"].validators.append(MaxLengthValidator(limit))
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )


# --- Patients -------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


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


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        max_length=4096,  # a passphrase, not a document (Django's old limit)
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. A few unrelated words make a good password.",
    )
    password2 = forms.CharField(
        label="Type it again",
        strip=False,
        max_length=4096,  # a passphrase, not a document (Django's old limit)
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords are not the same.")
        return cleaned


# --- Intake ---------------------------------------------------------------------------------

NPRS_CHOICES = [(value, str(value)) for value in range(11)]


def _nprs_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=NPRS_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        widget=ScaleWidget(low_label="0 no pain", high_label="10 worst imaginable"),
        error_messages={"invalid_choice": "Choose a number from 0 (no pain) to 10 (worst)."},
    )


class IntakeStepForm(forms.ModelForm):
    """Base of the intake steps. With `complete=True` ("Save and continue") the step's
    required answers must be there; otherwise ("Save and finish later") blanks are fine."""

    step: str = ""

    def __init__(self, *args, complete: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.complete = complete
        if complete:
            for name in STEP_BY_SLUG[self.step].required:
                if name in self.fields:
                    self.fields[name].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def step_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in STEP_BY_SLUG[self.step].fields
            if name in self.cleaned_data
        }


class PainStepForm(IntakeStepForm):
    step = "pain"
    nprs_now = _nprs_field("Your pain right now")
    nprs_best = _nprs_field("Your pain at its best in the last week")
    nprs_worst = _nprs_field("Your pain at its worst in the last week")
    pain_marks = BodyChartField(
        label="Where does it hurt? Tap the body outline to mark each area.",
        kinds={"pain", "paraesthesia"},
        required=False,
    )

    class Meta:
        model = Intake
        fields = [
            "presenting_complaint",
            "pain_marks",
            "onset",
            "onset_notes",
            "duration",
            "nprs_now",
            "nprs_best",
            "nprs_worst",
            "aggravating_factors",
            "easing_factors",
        ]
        widgets = {
            "presenting_complaint": forms.Textarea(attrs={"rows": 3}),
            "onset": forms.RadioSelect,
            "onset_notes": forms.Textarea(attrs={"rows": 2}),
            "duration": forms.RadioSelect,
            "aggravating_factors": forms.Textarea(attrs={"rows": 2}),
            "easing_factors": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"presenting_complaint": "What brings you to the clinic?"}
        help_texts = {
            "presenting_complaint": (
                "In your own words: the problem, and what you hope to get back to."
            ),
            "aggravating_factors": "Positions, activities or times of day.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Radio buttons need no "---------" answer: leaving them unticked is blank.
        self.fields["onset"].choices = Intake.Onset.choices
        self.fields["duration"].choices = Intake.Duration.choices

    def clean(self):
        cleaned = super().clean()
        best, worst = cleaned.get("nprs_best"), cleaned.get("nprs_worst")
        if best is not None and worst is not None and best > worst:
            self.add_error("nprs_best", "Your best pain should not be higher than your worst.")
        return cleaned


class HistoryStepForm(IntakeStepForm):
    step = "history"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anticoagulants"].choices = Intake.Answer.choices

    class Meta:
        model = Intake
        fields = [
            "past_treatments",
            "medical_history",
            "medications",
            "anticoagulants",
            "anticoagulant_details",
        ]
        widgets = {
            "past_treatments": forms.Textarea(attrs={"rows": 2}),
            "medical_history": forms.Textarea(attrs={"rows": 3}),
            "medications": forms.Textarea(attrs={"rows": 3}),
            "anticoagulants": forms.RadioSelect,
        }
        labels = {
            "past_treatments": "What treatments have you tried for this problem?",
            "medical_history": "Past and current health conditions, operations and injuries",
            "medications": "Medications and supplements you take",
            "anticoagulants": (
                "Do you take blood thinners (for example warfarin, apixaban, rivaroxaban, "
                "dabigatran, heparin or daily aspirin)?"
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("anticoagulants") == Intake.Answer.YES
            and not cleaned.get("anticoagulant_details")
            and self.complete
        ):
            self.add_error("anticoagulant_details", "Tell us which blood thinner you take.")
        return cleaned


class ScreeningStepForm(IntakeStepForm):
    step = "screening"
    # Blood thinners are asked explicitly in the "Your health" step, not ticked twice.
    screening_items = IdMultipleChoiceField(
        # "Under 18" is worked out from the date of birth, not asked (selectors.screening_for).
        queryset=ScreeningItem.objects.filter(active=True)
        .exclude(code__in=("anticoagulants", *ScreeningItem.COMPUTED_CODES))
        .order_by("order", "label"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Tick everything that applies to you",
    )

    class Meta:
        model = Intake
        fields = ["screening_items", "screening_reviewed", "screening_notes"]
        widgets = {"screening_notes": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "screening_reviewed": {
                "required": "Please confirm that you have read the whole list.",
            },
        }
        labels = {
            "screening_reviewed": "I have read the whole list and ticked everything that applies.",
            "screening_notes": "Anything you would like to add about the items you ticked",
        }


class FunctionStepForm(IntakeStepForm):
    """PSFS activities and the region questionnaire (its items depend on the region)."""

    step = "function"
    region = forms.ChoiceField(
        label="Which area is your main problem?",
        choices=[("", "Choose an area")] + list(outcomes.REGION_CHOICES),
        required=False,
    )

    class Meta:
        model = Intake
        fields = ["region"]

    def __init__(self, *args, region: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = kwargs.get("instance")
        initial_psfs = list(getattr(instance, "psfs", None) or [])
        for index in range(outcomes.PSFS_MAX_ACTIVITIES):
            row = initial_psfs[index] if index < len(initial_psfs) else {}
            self.fields[f"psfs_activity_{index}"] = forms.CharField(
                label=f"Activity {index + 1}",
                required=False,
                max_length=120,
                initial=row.get("activity", ""),
            )
            self.fields[f"psfs_rating_{index}"] = forms.TypedChoiceField(
                label=f"How well can you do activity {index + 1}?",
                choices=NPRS_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=row.get("rating"),
                widget=ScaleWidget(low_label="0 unable", high_label="10 as before"),
            )
        if region is None:
            region = self.data.get(self.add_prefix("region")) if self.is_bound else None
            region = region or getattr(instance, "region", "") or ""
        self.region = region
        self.instrument = outcomes.REGION_INSTRUMENT.get(region)
        answers = getattr(instance, "region_answers", None) or {}
        if self.instrument:
            for item in self.instrument.items:
                self.fields[item.key] = forms.TypedChoiceField(
                    label=item.label,
                    choices=[(o.value, o.label) for o in item.options],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=answers.get(item.key),
                    widget=forms.RadioSelect,
                )

    @property
    def psfs_rows(self):
        return [
            (self[f"psfs_activity_{i}"], self[f"psfs_rating_{i}"])
            for i in range(outcomes.PSFS_MAX_ACTIVITIES)
        ]

    @property
    def region_fields(self):
        return [self[item.key] for item in self.instrument.items] if self.instrument else []

    def clean(self):
        cleaned = super().clean()
        rows = []
        for index in range(outcomes.PSFS_MAX_ACTIVITIES):
            activity = (cleaned.get(f"psfs_activity_{index}") or "").strip()
            rating = cleaned.get(f"psfs_rating_{index}")
            if activity and rating is None:
                self.add_error(f"psfs_rating_{index}", "Rate how well you can do this activity.")
            elif rating is not None and not activity:
                self.add_error(f"psfs_activity_{index}", "Name the activity you rated.")
            elif activity:
                rows.append({"activity": activity, "rating": rating})
        if self.complete and not rows:
            self.add_error(
                "psfs_activity_0",
                "Name at least one activity you find hard because of this problem, and rate it.",
            )
        cleaned["psfs"] = rows
        answers = {}
        if self.instrument:
            for item in self.instrument.items:
                if cleaned.get(item.key) is not None:
                    answers[item.key] = cleaned[item.key]
            if self.complete and self.instrument.score(answers) is None:
                unanswered = [i.key for i in self.instrument.items if i.key not in answers]
                for key in unanswered:
                    self.add_error(key, "Please answer this question.")
        cleaned["region_answers"] = answers
        return cleaned

    def step_data(self) -> dict:
        return {
            "region": self.cleaned_data.get("region", ""),
            "region_answers": self.cleaned_data["region_answers"],
            "psfs": self.cleaned_data["psfs"],
        }


INTAKE_STEP_FORMS: dict[str, type[IntakeStepForm]] = {
    form.step: form for form in (PainStepForm, HistoryStepForm, ScreeningStepForm, FunctionStepForm)
}


# --- Screening and consent ----------------------------------------------------------------


class ClearanceForm(forms.Form):
    reason = forms.CharField(
        label="Clinical reason for clearing",
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=10,
        max_length=NOTE_MAX,
        error_messages={"min_length": "Give the clinical reason (at least a sentence)."},
    )


class OutstandingScreeningForm(forms.Form):
    """Answers to checklist items added after the intake: tick those that apply; the rest
    are recorded as answered "no"."""

    applies = IdMultipleChoiceField(
        queryset=ScreeningItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Tick every item that applies; the others are recorded as not applying",
    )
    asked = forms.BooleanField(
        label="I asked the patient about every item listed",
        error_messages={"required": "Confirm that you asked about every item."},
    )

    def __init__(self, *args, items: list[ScreeningItem] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        pks = [item.pk for item in items or []]
        self.fields["applies"].queryset = ScreeningItem.objects.filter(pk__in=pks).order_by(
            "order", "label"
        )


class ConsentForm(forms.Form):
    """The signature. The typed name is checked here for an immediate message next to the
    field; the consent service checks it again before recording anything."""

    understood = forms.BooleanField(
        label="I have read the information above and my questions have been answered.",
        error_messages={"required": "Please confirm that you have read the information."},
    )
    typed_name = forms.CharField(
        label="Type your full legal name to sign",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )

    def __init__(self, *args, patient: Patient, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_typed_name(self) -> str:
        typed = self.cleaned_data["typed_name"]
        if not typed_name_matches(self.patient, typed):
            raise forms.ValidationError(
                f"Type the full legal name on the record: {self.patient.legal_name}."
            )
        return typed


# --- Scheduling -------------------------------------------------------------------------------


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__({"step": 900} | (attrs or {}), format="%H:%M")


def booking_last_day() -> dt.date:
    """The last clinic-local date that can be booked (BOOKING_HORIZON from today)."""
    return timezone.localdate() + BOOKING_HORIZON


class SlotForm(forms.Form):
    """When, with whom and what: shared by booking and rescheduling."""

    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.filter(active=True))
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True))
    type = forms.ModelChoiceField(
        label="Appointment type",
        queryset=AppointmentType.objects.filter(active=True),
        empty_label="Choose a type",
    )
    date = forms.DateField(widget=DateInput())
    time = forms.TimeField(widget=TimeInput())
    override_reason = forms.CharField(
        label="Override the IMS spacing rule: clinical reason",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Physiotherapists only. Leave empty unless you mean to book IMS early.",
    )

    def __init__(self, *args, can_override: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_reason"]
        self.fields["date"].widget.attrs["max"] = booking_last_day().isoformat()
        locations = list(self.fields["location"].queryset[:2])
        if len(locations) == 1:  # a single clinic: nothing to choose
            self.fields["location"].empty_label = None
            self.initial.setdefault("location", locations[0].pk)

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        last = booking_last_day()
        if day > last:
            raise forms.ValidationError(
                f"Appointments can be booked up to two years ahead: choose a date on or "
                f"before {last:%Y-%m-%d}."
            )
        return day

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        if day and time:
            start = dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())
            if start < timezone.now():
                self.add_error(
                    "time" if day == timezone.localdate() else "date",
                    "That time has already passed; choose a time in the future.",
                )
            cleaned["start"] = start
        return cleaned


class BookingForm(SlotForm):
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose the patient: search by name, phone or date of birth.",
            "invalid_choice": "That patient is not on file; search again and pick from the list.",
        },
    )
    note = forms.CharField(label="Note for the front desk", required=False, max_length=200)
    care_team = forms.BooleanField(
        label="Add the practitioner to the patient's care team",
        required=False,
        help_text="Lets them open the patient's clinical record. Logged on the audit page.",
    )

    def __init__(self, *args, can_assign_care_team: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the front desk and clinic admins assign the care team: a physiotherapist
        # booking with themselves must not enrol themselves.
        if not can_assign_care_team:
            del self.fields["care_team"]

    field_order = [
        "patient",
        "type",
        "practitioner",
        "location",
        "date",
        "time",
        "note",
        "override_reason",
    ]


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


class SpacingAlertResolveForm(forms.Form):
    """The front desk's note on a reviewed IMS spacing alert (optional)."""

    note = forms.CharField(label="Resolution note", max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        max_length=200,
        error_messages={"required": "Give a reason for cancelling."},
    )


class OnlineBookingForm(forms.Form):
    type = forms.ModelChoiceField(
        label="Type of visit",
        queryset=AppointmentType.objects.filter(active=True, bookable_online=True),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    date = forms.DateField(widget=DateInput())

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        last = booking_last_day()
        if day > last:
            raise forms.ValidationError(f"Choose a date on or before {last:%Y-%m-%d}.")
        return day


# --- Privacy and audit ------------------------------------------------------------------


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this record now?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="For example: the treating physiotherapist is away and the patient is here "
        "with a possible adverse reaction.",
    )


class AccessReviewForm(forms.Form):
    """The privacy officer's note on a reviewed emergency access (optional)."""

    note = forms.CharField(label="Review note", max_length=300, required=False)


# The years a date filter may name: the log has nothing before, and past year 9999 the
# day arithmetic overflows.
AUDIT_FIRST_DAY = dt.date(2000, 1, 1)
AUDIT_LAST_DAY = dt.date(2100, 12, 31)


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="Anyone",
    )
    patient = forms.CharField(label="Patient name", max_length=100, required=False)
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AccessLog.Action.choices], required=False
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def _in_range(self, name: str) -> dt.date | None:
        day = self.cleaned_data[name]
        if day is not None and not AUDIT_FIRST_DAY <= day <= AUDIT_LAST_DAY:
            raise forms.ValidationError(
                f"Choose a date between {AUDIT_FIRST_DAY:%Y-%m-%d} and {AUDIT_LAST_DAY:%Y-%m-%d}."
            )
        return day

    def clean_date_from(self) -> dt.date | None:
        return self._in_range("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._in_range("date_to")

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned


# --- Record corrections ---------------------------------------------------------------


class CorrectionRequestForm(forms.ModelForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("patient", "Patient"), ("staff", "Staff")]

    class Meta:
        model = CorrectionRequest
        fields = ["record", "requested_change", "source"]
        widgets = {
            "record": forms.TextInput(attrs={"class": "form-control"}),
            "requested_change": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            "source": forms.Select(attrs={"class": "form-select"}),
        }


class SettleForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (CorrectionRequest.Status.CORRECTED, "Corrected"),
            (CorrectionRequest.Status.DECLINED, "Declined"),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    resolution = forms.CharField(
        max_length=1000, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )
