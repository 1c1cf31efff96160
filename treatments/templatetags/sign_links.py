"""The sign panel's problems as links to where each is fixed (issue 19): consent and
screening on the patient's intake pages, the note's own parts by their section."""

from __future__ import annotations

from django import template
from django.urls import reverse

register = template.Library()

# A problem's first word (treatments.services.sessions.sign_problems writes "Consent: ...",
# "Screening: ...") and where the physiotherapist fixes it: a patient page by URL name, or
# an anchor on the session form.
_PATIENT_PAGES = {"Consent": "clinic:consent_in_clinic", "Screening": "clinic:intake_detail"}
_FORM_ANCHORS = {
    "Re-screen": "#before-heading",
    "Pain": "#id_nprs_before",
    "Needles": "#needles-heading",
    "Sites": "#site-heading",
}


@register.filter
def sign_link(problem: str, session) -> str:
    """Where to fix `problem` of `session`'s sign panel, or '' (e.g. a credential, which
    the clinic admin records)."""
    word = str(problem).split(":", 1)[0].split(" ", 1)[0]
    if word == "IMS" and session.appointment_id:  # "IMS spacing: ...": the visit's override
        return reverse("clinic:appointment_detail", args=[session.appointment_id])
    if word in _PATIENT_PAGES:
        return reverse(_PATIENT_PAGES[word], args=[session.patient_id])
    if word in _FORM_ANCHORS and session.status == "draft":
        return reverse("treatments:session_edit", args=[session.pk]) + _FORM_ANCHORS[word]
    return ""
