"""Hypothesis over every form of the assessment pages (physiotherapists): no input gives a
500 or a partial write, and every refusal is explained next to its field. The generated
values and the checks made on each response are in clinic/tests/fuzz.py.

Endpoints covered here (all POST, signed in as the assessment's author):
  /assessments/patients/<pk>/new/                  appointment (request.POST)
  /assessments/<pk>/header/text/                   AssessmentHeaderForm: assessed_on,
                                                   chief_complaint, posture, movement,
                                                   visceral_note, impression
  /assessments/<pk>/header/chart/                  AssessmentHeaderForm: body_marks (JSON)
  /assessments/<pk>/findings/<kind>/               SignFindingForm, TautBandForm,
                                                   RangeOfMotionForm (prefix <kind>-new)
  /assessments/<pk>/findings/<kind>/<id>/          the same forms, editing a row
  /assessments/<pk>/findings/<kind>/refresh/       prefix and the row's fields (no write)
  /assessments/<pk>/addenda/                       AddendumForm: text (signed assessment)
  /assessments/<pk>/findings/<kind>/<id>/remove/, /assessments/<pk>/sign/   no fields
"""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments import services
from assessments.forms import FINDING_FORMS, AddendumForm, AssessmentHeaderForm
from assessments.models import Muscle, Segment, Sign, SignTest
from assessments.tests.factories import add_band, add_range, add_sign, make_assessment
from clinic.models import AppointmentType
from clinic.tests.factories import (
    join_care_team,
    make_patient,
    make_practitioner,
    write_appointment,
)
from clinic.tests.fuzz import (
    MISSING,
    check_request,
    examples,
    form_payloads,
    hostile,
    nasty_numbers,
    payloads,
)

pytestmark = pytest.mark.django_db


def draw(data, strategy, label: str):
    return data.draw(strategy, label=label)


@pytest.fixture
def send(client_for):
    """check_request() with staff signed in as the app's tests do (second factor passed)."""
    return functools.partial(check_request, client_for)


@pytest.fixture
def draft(physio):
    make_practitioner(physio)
    return make_assessment(physio, chief_complaint="Elbow pain", posture="Slumped")


@pytest.fixture
def findings(physio, draft):
    return {
        "sign": add_sign(draft, physio),
        "band": add_band(draft, physio),
        "range": add_range(draft, physio),
    }


def _watch(assessment):
    return [
        assessment,
        assessment.sign_findings.all(),
        assessment.taut_bands.all(),
        assessment.range_findings.all(),
    ]


def _edit_page(assessment) -> str:
    return reverse("assessments:edit", args=[assessment.pk])


# --- Starting an assessment -------------------------------------------------------------


@pytest.fixture
def visit(physio, front_desk, draft):
    """An appointment of the draft's patient, and one of another patient."""
    from django.utils import timezone

    practitioner = physio.practitioner
    kind = AppointmentType.objects.get(name="Follow-up")
    start = timezone.now().replace(second=0, microsecond=0)
    own = write_appointment(draft.patient, practitioner, start, kind, by=front_desk)
    # Later the same day: PostgreSQL refuses two visits overlapping for one practitioner.
    later = start + dt.timedelta(hours=2)
    other = write_appointment(make_patient(), practitioner, later, kind, by=front_desk)
    return own, other


@examples(15)
@given(data=st.data())
def test_assessment_start(send, physio, draft, visit, data):
    own, other = visit
    valid = {"appointment": st.sampled_from([str(own.pk), str(other.pk), ""])}
    nasty = {"appointment": nasty_numbers}
    payload = draw(data, payloads({"appointment": str(own.pk)}, valid, nasty), "POST")
    url = reverse("assessments:start", args=[draft.patient_id])
    send(physio, url, payload)


# --- The header ---------------------------------------------------------------------------

HEADER = {
    "assessed_on": "2026-11-01",
    "chief_complaint": "Elbow pain",
    "posture": "Slumped",
    "movement": "",
    "visceral_note": "",
    "impression": "Lateral epicondylalgia",
}


@examples(20)
@given(data=st.data())
def test_header_text(send, physio, draft, data):
    form = AssessmentHeaderForm(instance=draft)
    del form.fields["body_marks"]
    payload = draw(data, form_payloads(form, HEADER), "POST")
    url = reverse("assessments:header_save", args=[draft.pk, "text"])
    send(
        physio,
        url,
        payload,
        htmx=True,
        watch=_watch(draft),
        partial=True,  # an autosave stores every valid field (issue 16)
    )


@examples(20)
@given(data=st.data())
def test_header_chart(send, physio, draft, data):
    form = AssessmentHeaderForm(instance=draft)
    form.fields = {"body_marks": form.fields["body_marks"]}
    marks = '[{"view": "back", "x": 0.5, "y": 0.5, "kind": "skin_sign", "note": "Orange peel"}]'
    payload = draw(data, form_payloads(form, {"body_marks": marks}), "POST")
    url = reverse("assessments:header_save", args=[draft.pk, "chart"])
    send(
        physio,
        url,
        payload,
        htmx=True,
        watch=_watch(draft),
        render_after=[(physio, _edit_page(draft))],
        partial=True,
    )


# --- Finding rows -----------------------------------------------------------------------


def _baseline(kind: str, prefix: str) -> dict:
    if kind == "sign":
        data = {
            "segment": Segment.objects.get(code="C5").pk,
            "region": "paraspinal",
            "side": "R",
            "severity": "2",
            "sign": Sign.objects.get(name="Paraspinal tenderness").pk,
            "test": SignTest.objects.get(name="Palpation").pk,
            "muscle": "",
            "note": "",
        }
    elif kind == "band":
        data = {
            "muscle_segment": Segment.objects.get(code="C6").pk,
            "muscle": Muscle.objects.get(name="Supinator").pk,
            "side": "R",
            "tenderness": "2",
            "twitch": "on",
            "note": "",
        }
    else:
        data = {
            "joint": "wrist",
            "movement": "flexion",
            "side": "R",
            "degrees": "60",
            "percent_of_normal": "",
            "painful": "",
            "note": "",
        }
    return {f"{prefix}-{key}": str(value) for key, value in data.items()}


@pytest.fixture
def finding_payloads(db):
    """Per kind: payloads around a valid new row, over the row form's (prefixed) fields."""
    made = {}
    for kind, form_class in FINDING_FORMS.items():
        form = form_class(prefix=f"{kind}-new")
        made[kind] = form_payloads(form, _baseline(kind, f"{kind}-new"))
    return made


@examples(25)
@given(data=st.data())
def test_finding_add(send, physio, draft, finding_payloads, data):
    kind = draw(data, st.sampled_from(sorted(FINDING_FORMS)), "kind")
    payload = draw(data, finding_payloads[kind], "POST")
    url = reverse("assessments:finding_add", args=[draft.pk, kind])
    send(
        physio,
        url,
        payload,
        htmx=True,
        watch=_watch(draft),
    )


@examples(20)
@given(data=st.data())
def test_finding_edit(send, physio, draft, findings, data):
    kind = draw(data, st.sampled_from(sorted(FINDING_FORMS)), "kind")
    finding = findings[kind]
    prefix = f"{kind}-{finding.pk}"
    form = FINDING_FORMS[kind](instance=finding, prefix=prefix)
    payload = draw(data, form_payloads(form, _baseline(kind, prefix)), "POST")
    url = reverse("assessments:finding_edit", args=[draft.pk, kind, finding.pk])
    send(
        physio,
        url,
        payload,
        htmx=True,
        watch=_watch(draft),
    )


@examples(15)
@given(data=st.data())
def test_finding_refresh(send, physio, draft, finding_payloads, data):
    kind = draw(data, st.sampled_from(sorted(FINDING_FORMS)), "kind")
    payload = draw(data, finding_payloads[kind], "POST")
    prefix = draw(
        data, st.one_of(st.just(f"{kind}-new"), st.just(f"{kind}-new"), hostile), "prefix"
    )
    if prefix is not MISSING:
        payload["prefix"] = prefix
    url = reverse("assessments:finding_refresh", args=[draft.pk, kind])
    send(physio, url, payload, htmx=True, watch=_watch(draft))


# --- Signing and addenda ------------------------------------------------------------------


@pytest.fixture
def signed(physio, draft, findings):
    return services.assessment_sign(assessment=draft, by=physio)


@pytest.fixture
def colleague(physio2, draft):
    """Another physiotherapist on the patient's care team."""
    join_care_team(physio2, draft.patient)
    return physio2


@examples(15)
@given(data=st.data())
def test_addendum(send, physio, colleague, signed, data):
    user = draw(data, st.sampled_from([physio, colleague]), "user")
    payload = draw(data, form_payloads(AddendumForm(), {"text": "Level is C6, not C5."}), "POST")
    url = reverse("assessments:addendum_add", args=[signed.pk])
    send(user, url, payload, watch=[signed, signed.addenda.all()])


@examples(10)
@given(data=st.data())
def test_fieldless_posts(send, physio, draft, findings, data):
    kind = draw(data, st.sampled_from(sorted(FINDING_FORMS)), "kind")
    url = draw(
        data,
        st.sampled_from(
            [
                reverse("assessments:finding_remove", args=[draft.pk, kind, findings[kind].pk]),
                reverse("assessments:sign", args=[draft.pk]),
            ]
        ),
        "endpoint",
    )
    junk = draw(data, st.dictionaries(st.text(max_size=10), hostile, max_size=3), "POST")
    send(physio, url, junk, htmx=draw(data, st.booleans(), "htmx"))


# --- Regressions: inputs the fuzzing found, pinned --------------------------------------------
# Each gave a 500 (or saved what PostgreSQL refuses) before it was fixed; the fuzz tests above
# explore these inputs again, and these tests say what the user sees instead.


def test_appointment_id_not_a_number_is_404(send, physio, draft):
    """'abc' went straight into get_object_or_404(pk=...): ValueError. It names no
    appointment: 404, as an unknown id does."""
    url = reverse("assessments:start", args=[draft.patient_id])
    outcome = send(physio, url, {"appointment": "abc"})
    assert outcome.response.status_code == 404


@pytest.mark.parametrize(
    ("endpoint", "kind", "field"),
    [
        ("finding_add", "sign", "segment"),
        ("finding_edit", "band", "muscle_segment"),
        ("finding_refresh", "sign", "sign"),
        ("finding_refresh", "band", "muscle_segment"),
    ],
)
def test_superscript_digits_are_not_an_id(send, physio, draft, findings, endpoint, kind, field):
    """ "²".isdigit() is True but int() refuses it: the row comes back (with an error
    where the field is required), never a 500."""
    if endpoint == "finding_edit":
        prefix = f"{kind}-{findings[kind].pk}"
        url = reverse("assessments:finding_edit", args=[draft.pk, kind, findings[kind].pk])
    else:
        prefix = f"{kind}-new"
        url = reverse(f"assessments:{endpoint}", args=[draft.pk, kind])
    data = _baseline(kind, prefix) | {f"{prefix}-{field}": "²", "prefix": prefix}
    outcome = send(physio, url, data, htmx=True, watch=_watch(draft))
    assert outcome.response.status_code == 200


@pytest.mark.parametrize("check", ["refused", "page"])
def test_body_marks_refuse_a_lone_surrogate(send, physio, draft, check):
    """A mark note with a lone surrogate (JSON escape \\ud800) is refused next to the chart;
    it was saved before, and the edit page was a 500 from then on."""
    marks = '[{"view": "back", "x": 0.5, "y": 0.5, "kind": "pain", "note": "\\ud800"}]'
    url = reverse("assessments:header_save", args=[draft.pk, "chart"])
    if check == "refused":
        outcome = send(physio, url, {"body_marks": marks}, htmx=True, watch=_watch(draft))
        assert not outcome.ok
        assert "cannot be saved" in outcome.response.content.decode()
        return
    send(physio, url, {"body_marks": marks}, htmx=True, render_after=[(physio, _edit_page(draft))])
    assert send(physio, _edit_page(draft), method="get").response.status_code == 200
