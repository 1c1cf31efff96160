"""Hypothesis over every form of the session notes and patient documents: no input gives a
500 or a partial write, and every refusal is explained next to its field. The generated
values and the checks made on each response are in clinic/tests/fuzz.py.

Endpoints covered here (all POST; physiotherapists unless marked):
  /treatments/patients/<pk>/sessions/new/          appointment (request.POST)
  /treatments/sessions/<pk>/save/                  SessionForm: session_date, rescreen_*,
                                                   nprs_*, needles_*, home_care, plan, ...
  /treatments/sessions/<pk>/site/                  SiteForm (prefix site-new)
  /treatments/sessions/<pk>/retest/                RetestForm (prefix retest-new)
  /treatments/sessions/<pk>/site/refresh/          prefix and the site row's fields
  /treatments/sessions/<pk>/addenda/               AddendumForm: text (signed session)
  /treatments/sessions/<pk>/events/                AdverseEventForm: kind, severity,
                                                   occurred_at, description, action_taken,
                                                   follow_up
  /treatments/patients/<pk>/course-summaries/new/  CourseSummaryForm: date_from, date_to,
                                                   recipient
  /treatments/summaries/<token>/retry/             next (request.POST; physio, front desk)
  /treatments/sessions/<pk>/sign/, .../<kind>/<id>/remove/, /treatments/summaries/<token>/
  email/, /treatments/course-summaries/<token>/retry/   no fields
"""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assessments.forms import AddendumForm
from assessments.models import Muscle, Segment
from assessments.tests.factories import practitioner_for
from clinic.models import AppointmentType
from clinic.tests.factories import make_patient, write_appointment
from clinic.tests.fuzz import (
    MISSING,
    check_request,
    examples,
    form_payloads,
    hostile,
    nasty_next,
    nasty_numbers,
    payloads,
)
from treatments import services
from treatments.forms import AdverseEventForm, CourseSummaryForm, RetestForm, SessionForm, SiteForm
from treatments.services import summaries
from treatments.tests.factories import complete_session, credential_for, needle
from treatments.tests.summary_helpers import signed_session

pytestmark = pytest.mark.django_db


def draw(data, strategy, label: str):
    return data.draw(strategy, label=label)


@pytest.fixture
def send(client_for):
    """check_request() with staff signed in as the app's tests do (second factor passed)."""
    return functools.partial(check_request, client_for)


@pytest.fixture
def draft(physio):
    credential_for(physio)
    return complete_session(physio)


@pytest.fixture
def signed(physio, draft):
    return services.session_sign(session=draft, by=physio)


def _watch(session):
    return [
        session,
        session.sites.all(),
        session.retests.all(),
        session.adverse_events.all(),
        session.addenda.all(),
    ]


# --- Starting a session ---------------------------------------------------------------------


@pytest.fixture
def visit(physio, front_desk, draft):
    kind = AppointmentType.objects.get(name="IMS treatment")
    start = timezone.now().replace(second=0, microsecond=0)
    practitioner = practitioner_for(physio)
    own = write_appointment(draft.patient, practitioner, start, kind, by=front_desk)
    # Later the same day: PostgreSQL refuses two visits overlapping for one practitioner.
    later = start + dt.timedelta(hours=2)
    other = write_appointment(make_patient(), practitioner, later, kind, by=front_desk)
    return own, other


@examples(12)
@given(data=st.data())
def test_session_start(send, physio, draft, visit, data):
    own, other = visit
    valid = {"appointment": st.sampled_from([str(own.pk), str(other.pk), ""])}
    nasty = {"appointment": nasty_numbers}
    payload = draw(data, payloads({"appointment": str(own.pk)}, valid, nasty), "POST")
    url = reverse("treatments:session_start", args=[draft.patient_id])
    send(physio, url, payload)


# --- The note's own fields ------------------------------------------------------------------


@examples(25)
@given(data=st.data())
def test_session_save(send, physio, draft, data):
    baseline = {
        "session_date": draft.session_date.isoformat(),
        "rescreen_medication": "False",
        "rescreen_pregnancy": "False",
        "rescreen_conditions": "False",
        "rescreen_contraindication": "False",
        "rescreen_acutely_unwell": "False",
        "nprs_before": "7",
        "nprs_after": "3",
        "needles_opened": "1",
        "needles_removed": "1",
        "needles_disposed": "1",
        "needle_integrity_checked": "on",
        "plan": "Weekly for 4 weeks.",
        "next_visit_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
    }
    payload = draw(data, form_payloads(SessionForm(instance=draft), baseline), "POST")
    url = reverse("treatments:session_save", args=[draft.pk])
    send(
        physio,
        url,
        payload,
        htmx=True,
        watch=[*_watch(draft), draft.home_care.all()],
        partial=True,  # an autosave stores every valid field (issue 16)
    )


# --- Sites and retests ----------------------------------------------------------------------


def _site_baseline(prefix: str) -> dict:
    data = {
        "muscle": Muscle.objects.get(name="Supinator").pk,
        "side": "R",
        "segment": Segment.objects.get(code="C6").pk,
        "region": "peripheral",
        "needle": needle().pk,
        "technique": "in_out",
        "retained_minutes": "",
        "insertions": "3",
        "twitch": "large",
        "response_ache": "on",
        "released": "on",
    }
    return {f"{prefix}-{key}": str(value) for key, value in data.items()}


def _retest_baseline(prefix: str) -> dict:
    data = {
        "joint": "wrist",
        "movement": "flexion",
        "side": "R",
        "before_degrees": "40",
        "after_degrees": "60",
    }
    return {f"{prefix}-{key}": value for key, value in data.items()}


@pytest.fixture
def part_payloads(db):
    site = SiteForm(prefix="site-new")
    retest = RetestForm(prefix="retest-new")
    return {
        "site": form_payloads(site, _site_baseline("site-new")),
        "retest": form_payloads(retest, _retest_baseline("retest-new")),
    }


@examples(25)
@given(data=st.data())
def test_part_add(send, physio, draft, part_payloads, data):
    kind = draw(data, st.sampled_from(["site", "retest"]), "kind")
    payload = draw(data, part_payloads[kind], "POST")
    url = reverse("treatments:part_add", args=[draft.pk, kind])
    send(
        physio,
        url,
        payload,
        htmx=True,
        watch=_watch(draft),
    )


@examples(15)
@given(data=st.data())
def test_part_refresh(send, physio, draft, part_payloads, data):
    payload = draw(data, part_payloads["site"], "POST")
    prefix = draw(data, st.one_of(st.just("site-new"), st.just("site-new"), hostile), "prefix")
    if prefix is not MISSING:
        payload["prefix"] = prefix
    url = reverse("treatments:part_refresh", args=[draft.pk, "site"])
    send(physio, url, payload, htmx=True, watch=_watch(draft))


# --- After signing: addenda and adverse events ----------------------------------------------


@examples(15)
@given(data=st.data())
def test_addendum(send, physio, signed, data):
    payload = draw(data, form_payloads(AddendumForm(), {"text": "Correction."}), "POST")
    url = reverse("treatments:session_addendum", args=[signed.pk])
    send(physio, url, payload, watch=_watch(signed))


@examples(20)
@given(data=st.data())
def test_adverse_event(send, physio, draft, signed, data):
    session = draw(data, st.sampled_from([draft, signed]), "session")
    baseline = {
        "kind": "other",
        "severity": "mild",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "description": "Felt faint after needling",
        "action_taken": "Lay down, water, observed 15 minutes.",
        "follow_up": "",
    }
    payload = draw(data, form_payloads(AdverseEventForm(), baseline), "POST")
    url = reverse("treatments:adverse_event_add", args=[session.pk])
    send(physio, url, payload, watch=_watch(session))


# --- Course summaries and visit summary actions -------------------------------------------


@pytest.fixture
def history(physio):
    """A patient with three signed sessions over the last three weeks."""
    credential_for(physio)
    patient = complete_session(physio).patient
    for days_ago in (20, 13, 6):
        signed_session(physio, patient, days_ago=days_ago)
    return patient


@examples(20)
@given(data=st.data())
def test_course_summary_new(send, physio, history, data):
    today = timezone.localdate()
    baseline = {
        "date_from": (today - dt.timedelta(days=30)).isoformat(),
        "date_to": today.isoformat(),
        "recipient": "Dr. Lee, family physician",
    }
    payload = draw(data, form_payloads(CourseSummaryForm(), baseline), "POST")
    url = reverse("treatments:course_summary_new", args=[history.pk])
    send(physio, url, payload, watch=[history.course_summaries.all()])


@pytest.fixture
def summary(physio, history):
    return history.treatment_sessions.filter(status="signed").first().summaries.first()


@examples(15)
@given(data=st.data())
def test_summary_retry(send, physio, front_desk, summary, data):
    user = draw(data, st.sampled_from([physio, front_desk]), "user")
    baseline = {"next": reverse("treatments:patient_documents", args=[summary.session.patient_id])}
    payload = draw(data, payloads(baseline, nasty={"next": nasty_next}), "POST")
    url = reverse("treatments:summary_retry", args=[summary.pk])
    send(user, url, payload, watch=[summary])


@pytest.fixture
def fieldless(physio, front_desk, draft, history, summary):
    """POST endpoints that read no fields, each with the user who may use it."""
    site = draft.sites.first()
    course = summaries.course_summary_request(
        patient=history,
        by=physio,
        date_from=timezone.localdate() - dt.timedelta(days=30),
        date_to=timezone.localdate(),
        recipient="",
    )
    return [
        (physio, reverse("treatments:session_sign", args=[draft.pk])),
        (physio, reverse("treatments:part_remove", args=[draft.pk, "site", site.pk])),
        (front_desk, reverse("treatments:summary_email", args=[summary.pk])),
        (physio, reverse("treatments:course_summary_retry", args=[course.token])),
    ]


@examples(10)
@given(data=st.data())
def test_fieldless_posts(send, fieldless, data):
    user, url = draw(data, st.sampled_from(fieldless), "endpoint")
    junk = draw(data, st.dictionaries(st.text(max_size=10), hostile, max_size=3), "POST")
    send(user, url, junk, htmx=draw(data, st.booleans(), "htmx"))


# --- Regressions: inputs the fuzzing found, pinned --------------------------------------------
# Each gave a 500 (or an open redirect) before it was fixed; the fuzz tests above explore
# these inputs again, and these tests say what the user sees instead.


def test_appointment_id_not_a_number_is_404(send, physio, draft):
    """'abc' went straight into get_object_or_404(pk=...): ValueError. It names no
    appointment: 404, as an unknown id does."""
    url = reverse("treatments:session_start", args=[draft.patient_id])
    outcome = send(physio, url, {"appointment": "abc"})
    assert outcome.response.status_code == 404


def test_superscript_muscle_is_not_an_id(send, physio, draft):
    """SiteForm._muscle() took "²" for an id (isdigit() is True, int() refuses it): the
    row's pickers now re-render without a chosen muscle."""
    data = _site_baseline("site-new") | {"site-new-muscle": "²", "prefix": "site-new"}
    url = reverse("treatments:part_refresh", args=[draft.pk, "site"])
    outcome = send(physio, url, data, htmx=True, watch=_watch(draft))
    assert outcome.response.status_code == 200


def test_home_care_refuses_huge_ids(send, physio, draft):
    """An id beyond 64 bits (SQLite raised OverflowError on it) is refused like any
    unknown choice, next to the field."""
    data = {"session_date": draft.session_date.isoformat(), "home_care": ["9" * 20]}
    url = reverse("treatments:session_save", args=[draft.pk])
    outcome = send(
        physio,
        url,
        data,
        htmx=True,
        watch=[*_watch(draft), draft.home_care.all()],
        partial=True,  # the other fields are stored (issue 16); home care keeps its value
    )
    assert not outcome.ok
    assert "Select a valid choice" in outcome.response.content.decode()


@pytest.mark.parametrize("target", [" ", "0", "//evil.example/", "https://evil.example/"])
def test_summary_retry_ignores_a_bad_next(send, physio, summary, target):
    """`next` was used unchecked: ' ' was a NoReverseMatch (a 500) and '//evil.example/'
    an open redirect. Anything but a path on this site leads to the Documents page."""
    url = reverse("treatments:summary_retry", args=[summary.pk])
    outcome = send(physio, url, {"next": target})
    documents = reverse("treatments:patient_documents", args=[summary.session.patient_id])
    assert outcome.response.status_code == 302
    assert outcome.response["Location"] == documents
