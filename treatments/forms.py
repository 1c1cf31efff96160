"""Session forms: parsing and field validation; one-row rules are in the models' clean()."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from assessments.forms import SIDE_CHOICES, MuscleSelect, bootstrap_style, movements_by_joint
from assessments.models import Muscle, Segment
from clinic.forms.common import IdMultipleChoiceField
from clinic.inputs import parse_id
from clinic.reference_cache import ReferenceData
from clinic.validators import NARRATIVE_MAX, validate_past_date
from clinic.widgets import MemoSelect
from treatments.models import (
    AdverseEvent,
    HomeCareSnippet,
    IncidentReview,
    NeedleSize,
    NeedlingSite,
    RomRetest,
    TreatmentSession,
)
from treatments.models.session import DEPTH_MM_MAX

YES_NO = [(True, "Yes"), (False, "No")]


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )


class SessionForm(forms.ModelForm):
    """The note's own fields, autosaved as the physiotherapist works."""

    rescreen_medication = _yes_no("Changes in medication (e.g. blood thinners)?")
    rescreen_pregnancy = _yes_no("Pregnant or may be pregnant?")
    rescreen_conditions = _yes_no("New conditions, surgery or injuries?")
    rescreen_contraindication = _yes_no("Is any of these a contraindication today?")
    rescreen_acutely_unwell = _yes_no("Acutely unwell or a medical emergency today?")
    home_care = IdMultipleChoiceField(
        label="Home-care advice",
        queryset=HomeCareSnippet.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = TreatmentSession
        fields = [
            "session_date",
            "rescreen_medication",
            "rescreen_pregnancy",
            "rescreen_conditions",
            "rescreen_contraindication",
            "rescreen_acutely_unwell",
            "rescreen_notes",
            "subjective",
            "objective",
            "nprs_before",
            "nprs_after",
            "needles_opened",
            "needles_removed",
            "needles_disposed",
            "needle_integrity_checked",
            "home_care",
            "home_care_text",
            "plan",
            "next_visit_on",
        ]
        widgets = {
            "session_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_visit_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "nprs_before": forms.NumberInput(attrs={"min": 0, "max": 10, "inputmode": "numeric"}),
            "nprs_after": forms.NumberInput(attrs={"min": 0, "max": 10, "inputmode": "numeric"}),
            "needles_opened": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "needles_removed": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "needles_disposed": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "subjective": forms.Textarea(attrs={"rows": 3}),
            "objective": forms.Textarea(attrs={"rows": 3}),
            "home_care_text": forms.Textarea(attrs={"rows": 2}),
            "plan": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, reference: ReferenceData | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        bootstrap_style(self)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"
            # The fields sit in several cards between the row forms; the HTML form
            # attribute ties them to one (empty) <form id="session-form">.
            field.widget.attrs["form"] = "session-form"
        if not self.is_bound:
            # The page's advice boxes from one plain query (a ModelChoiceIterator reads
            # through a server-side cursor, three round trips); autosave posts read none.
            # A page that holds the reference memo (the session form) reads them from it.
            home_care = self.fields["home_care"]

            def choices() -> list:
                return [home_care.choices.choice(obj) for obj in home_care.queryset]

            home_care.widget.choices = (
                choices() if reference is None else reference.get("treatments.home_care", choices)
            )

    def clean(self):
        # A form is a way in too: a signed note refuses it before any service is called.
        if self.instance.pk and self.instance.is_signed:
            raise forms.ValidationError(
                "This session is signed and locked. Add an addendum to correct it."
            )
        return super().clean()


class _PartForm(forms.ModelForm):
    def __init__(
        self, *args, refresh_url: str = "", reference: ReferenceData | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reference = reference
        if "side" in self.fields:
            self.fields["side"].choices = SIDE_CHOICES
        bootstrap_style(self)
        self.refresh_url = refresh_url

    def full_clean(self) -> None:
        super().full_clean()
        bootstrap_style(self)


# The site row's pickers other than the muscle (MuscleSelect): options memoised per process.
_SITE_PICKERS = ("side", "segment", "region", "needle", "technique", "twitch", "needle_direction")


def _plain_choices(
    field: forms.ModelChoiceField, reference: ReferenceData | None = None, name: str = ""
) -> None:
    """The field's options as a plain list, read in one ordinary query (a ModelChoiceIterator
    reads through a server-side cursor at every render), for MemoSelect to key on; from the
    page's reference memo under `name` when it has one (the full, unnarrowed lists only)."""

    def choices() -> list:
        return [
            ("", field.empty_label),
            *((obj.pk, field.label_from_instance(obj)) for obj in field.queryset),
        ]

    field.widget.choices = choices() if reference is None else reference.get(name, choices)


class SiteForm(_PartForm):
    """A needling site. The muscle list starts with the assessment's suggestions; choosing
    a muscle narrows the segments to those that supply it."""

    class Meta:
        model = NeedlingSite
        fields = [
            "muscle",
            "side",
            "segment",
            "region",
            "needle",
            "technique",
            "retained_minutes",
            "estim_frequency_hz",
            "estim_intensity",
            "insertions",
            "twitch",
            "response_ache",
            "response_cramp",
            "response_referred",
            "released",
            "pneumothorax_acknowledged",
            "needle_depth_mm",
            "needle_direction",
        ]
        widgets = {
            "insertions": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
            "needle_depth_mm": forms.NumberInput(
                attrs={"min": 1, "max": DEPTH_MM_MAX, "inputmode": "numeric"}
            ),
            "retained_minutes": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
            "estim_frequency_hz": forms.NumberInput(attrs={"min": 0.1, "step": 0.1}),
            **dict.fromkeys(_SITE_PICKERS, MemoSelect),
        }

    def __init__(self, *args, suggested=(), others=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        muscle_field = self.fields["muscle"]
        muscle_field.queryset = Muscle.objects.filter(active=True)
        muscle_field.widget = MuscleSelect({"class": "form-select"})
        groups = [("", "Muscle…")]
        if suggested:
            groups.append(("Suggested by the assessment", [(m.pk, m.name) for m in suggested]))
        if others:
            groups.append(("Other muscles", [(m.pk, m.name) for m in others]))
        muscle_field.widget.choices = groups
        self.fields["needle"].queryset = NeedleSize.objects.filter(active=True)
        self.fields["needle"].label = "Needle (gauge × length)"
        self.fields["segment"].queryset = Segment.objects.order_by("position")
        for name, empty in (
            ("segment", "Segment…"),
            ("needle", "Needle…"),
        ):
            self.fields[name].empty_label = empty
        for name, empty in (
            ("region", "Region…"),
            ("technique", "Technique…"),
            ("twitch", "Twitch…"),
            ("needle_direction", "Direction…"),
        ):
            self.fields[name].choices = [("", empty), *self.fields[name].choices[1:]]
        muscle = self._muscle()
        if muscle is not None and not self.is_bound:
            self.fields["segment"].queryset = Segment.objects.filter(
                innervations__muscle=muscle
            ).order_by("position")
            self.initial.setdefault("region", muscle.kind)
        self.chest_wall = bool(muscle and muscle.chest_wall)
        if not self.is_bound:  # a posted row reads them only if it is shown again
            # Segments narrowed to a muscle's are read for that row, not memoised.
            narrowed = muscle is not None
            _plain_choices(
                self.fields["segment"], None if narrowed else self.reference, "assessments.segments"
            )
            _plain_choices(self.fields["needle"], self.reference, "treatments.needles")
        if self.refresh_url:
            self.fields["muscle"].widget.attrs.update(
                {"hx-post": self.refresh_url, "hx-trigger": "change", "hx-swap": "none"}
            )

    def _muscle(self) -> Muscle | None:
        # A posted row that comes back with errors keeps the chest-wall fields in view.
        posted = self.data.get(self.add_prefix("muscle")) if self.is_bound else None
        muscle_id = parse_id(posted or self.initial.get("muscle") or self.instance.muscle_id)
        return None if muscle_id is None else Muscle.objects.filter(pk=muscle_id).first()


class RetestForm(_PartForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["joint"].choices = [("", "Joint…"), *self.fields["joint"].choices[1:]]
        self.fields["movement"].choices = [
            ("", "Movement…"),
            *self.fields["movement"].choices[1:],
        ]
        movements_by_joint(self)

    class Meta:
        model = RomRetest
        fields = ["joint", "movement", "side", "before_degrees", "after_degrees"]
        widgets = {
            "before_degrees": forms.NumberInput(attrs={"min": 0, "max": 360}),
            "after_degrees": forms.NumberInput(attrs={"min": 0, "max": 360}),
            **dict.fromkeys(("joint", "movement", "side"), MemoSelect),
        }


class AdverseEventForm(forms.ModelForm):
    class Meta:
        model = AdverseEvent
        fields = [
            "kind",
            "severity",
            "significant",
            "occurred_at",
            "description",
            "action_taken",
            "referred_for_care",
            "referred_to",
            "follow_up",
        ]
        widgets = {
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "action_taken": forms.Textarea(attrs={"rows": 2}),
            "referred_to": forms.TextInput(),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["kind"].choices = [("", "Type…"), *self.fields["kind"].choices[1:]]
        self.fields["severity"].choices = [("", "Severity…"), *self.fields["severity"].choices[1:]]
        bootstrap_style(self)

    def full_clean(self) -> None:
        super().full_clean()
        bootstrap_style(self)


PART_FORMS = {"site": SiteForm, "retest": RetestForm}


class CourseSummaryForm(forms.Form):
    """A physiotherapist asks for a course summary for a referring physician."""

    date_from = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_past_date],
    )
    date_to = forms.DateField(
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_past_date],
    )
    recipient = forms.CharField(
        label="For",
        max_length=120,
        required=False,
        help_text="Who will read it, e.g. Dr. Lee, family physician.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_style(self)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        if end and end > timezone.localdate():
            self.add_error("date_to", "The end date cannot be in the future.")
        return cleaned


class IncidentReviewForm(forms.Form):
    """One review step of an incident: the states it may move to from `current` (as the
    actions an admin takes), and the note that step needs."""

    ACTIONS = {
        IncidentReview.State.REVIEWED: "Mark reviewed",
        IncidentReview.State.CLOSED: "Close: the follow-up is done",
        IncidentReview.State.OPEN: "Reopen",
    }
    FURTHER_NOTE = "Add a review note (stays reviewed)"

    state = forms.ChoiceField(label="Step", widget=forms.RadioSelect)
    # Required, with a message that depends on the step: the service says which.
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the review found; when closing, what was done (e.g. patient phoned, "
        "technique reviewed with the physiotherapist, report to the regulator).",
    )

    def __init__(self, *args, current: str, next_states: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            (state, self.FURTHER_NOTE if state == current else self.ACTIONS[state])
            for state in next_states
        ]
        if len(next_states) == 1:
            self.fields["state"].initial = next_states[0]
