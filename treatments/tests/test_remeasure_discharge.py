"""Issue 20, part 6: the re-measure due before a visit is asked in the portal (and by
e-mail), its score reaches the chart and My day; discharge queues the patient's discharge
summary PDF (plain words, no segment codes) and offers the course summary pre-filled with
the plan's dates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from clinic import outcomes, selectors
from clinic import services as clinic_services
from clinic.models import AppointmentType, CarePlan, OutcomeScore, RemeasureReminder
from clinic.permissions import Role
from clinic.tasks import remeasure_reminder_send_task
from clinic.tests.factories import UserFactory, make_patient, write_appointment
from treatments.models import DischargeSummary, DocumentStatus
from treatments.tasks import discharge_summary_render_task
from treatments.tests.factories import credential_for, ready_patient
from treatments.tests.summary_helpers import pdf_text, signed_session

pytestmark = pytest.mark.django_db

SEGMENT_CODE = re.compile(r"\b[CTLS]\d\b")


@pytest.fixture
def credentialed(physio):
    credential_for(physio, valid_from=timezone.localdate() - dt.timedelta(days=2 * 365))
    return physio


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _portal_patient(physio, username="ada"):
    patient = ready_patient(physio, region="upper_limb")
    user = UserFactory(username=username, roles={Role.PATIENT})
    patient.user = user
    patient.email = f"{username}@example.com"
    patient.save(update_fields=["user", "email"])
    return patient, user


def _plan(physio, patient, **fields):
    return clinic_services.care_plan_create(
        patient=patient,
        practitioner=physio.practitioner,
        by=physio,
        **{
            "condition": "Right lateral elbow pain, C6-7 referral",
            "region": "upper_limb",
            "goals": "Lift the kettle.",
            "measure": "QUICKDASH",
            "sessions_planned": 8,
            "remeasure_every": 4,
            "started_on": timezone.localdate() - dt.timedelta(days=30),
        }
        | fields,
    )


def _course(physio, patient, plan, *, done: int, next_in_days: int = 2):
    """`done` visits of the plan in the past (weekly) and the next one booked ahead."""
    ims = AppointmentType.objects.get(name="IMS treatment")
    base = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for week in range(done, 0, -1):
        write_appointment(
            patient,
            physio.practitioner,
            base - dt.timedelta(days=7 * week),
            ims,
            by=physio,
            plan=plan,
            status="completed",
        )
    return write_appointment(
        patient,
        physio.practitioner,
        base + dt.timedelta(days=next_in_days),
        ims,
        by=physio,
        plan=plan,
    )


def _answers(value_index: int = 1) -> dict[str, int]:
    instrument = outcomes.registry.find("QUICKDASH").instrument
    return {item.key: item.options[value_index].value for item in instrument.items}


# --- Re-measure ------------------------------------------------------------------------------


def test_due_remeasure_is_asked_in_the_portal_and_its_score_reaches_chart_and_my_day(
    credentialed, client_for
):
    physio = credentialed
    patient, user = _portal_patient(physio)
    plan = _plan(physio, patient)
    visit4 = _course(physio, patient, plan, done=3)
    portal = client_for(user)

    home = _text(portal.get(reverse("clinic:portal_home")))
    assert "Before your next visit" in home
    assert "questionnaire about your shoulder, arm or hand (QuickDASH)" in home
    assert reverse("clinic:portal_remeasure") in home

    form = _text(portal.get(reverse("clinic:portal_remeasure")))
    assert "QuickDASH" in form

    # Too few answers: the error on the page, nothing written.
    few = dict(list(_answers().items())[:3])
    response = portal.post(reverse("clinic:portal_remeasure"), few)
    assert response.status_code == 422
    assert "Please answer at least 10 of the 11 questions" in _text(response)
    assert not OutcomeScore.objects.filter(care_plan=plan).exists()

    response = portal.post(reverse("clinic:portal_remeasure"), _answers())
    assert response.status_code == 302
    score = OutcomeScore.objects.get(care_plan=plan)
    assert (score.plan_visit, score.appointment_id, score.instrument) == (4, visit4.pk, "QUICKDASH")

    # The task is gone, and a second submission is refused (nothing more written).
    assert "Before your next visit" not in _text(portal.get(reverse("clinic:portal_home")))
    assert portal.post(reverse("clinic:portal_remeasure"), _answers()).status_code == 200
    assert OutcomeScore.objects.filter(care_plan=plan).count() == 1

    # The chart's outcome track shows it after the intake's baseline.
    scores = reverse("treatments:chart_scores", args=[patient.pk])
    chart = _text(client_for(physio).get(scores, HTTP_HX_REQUEST="true"))
    assert score.display in chart
    baseline = OutcomeScore.objects.filter(patient=patient, instrument="QUICKDASH").first()
    assert baseline.pk != score.pk

    # My day shows it next to the visit (moved to today so it is on the page).
    visit4.start = timezone.now().replace(second=0, microsecond=0)
    visit4.end = visit4.start + visit4.type.duration
    visit4.local_date = timezone.localdate()
    visit4.save()
    day = _text(client_for(physio).get(reverse("clinic:physio_day")))
    first = f"{baseline.value:f}".rstrip("0").rstrip(".")
    latest = f"{score.value:f}".rstrip("0").rstrip(".")
    assert f"re-measured: QuickDASH {first} → {latest}" in day


def test_remeasure_is_not_asked_before_a_visit_that_is_not_a_remeasure_visit(
    credentialed, client_for
):
    physio = credentialed
    patient, user = _portal_patient(physio)
    plan = _plan(physio, patient)
    _course(physio, patient, plan, done=2)  # the next visit is visit 3
    assert selectors.remeasure_due(patient) is None
    portal = client_for(user)
    assert "Before your next visit" not in _text(portal.get(reverse("clinic:portal_home")))
    assert "no questionnaire for you" in _text(portal.get(reverse("clinic:portal_remeasure")))
    assert portal.post(reverse("clinic:portal_remeasure"), _answers()).status_code == 200
    assert not OutcomeScore.objects.filter(care_plan=plan).exists()


def test_remeasure_email_goes_once_after_commit_with_a_sign_in_link(
    credentialed, mailoutbox, django_capture_on_commit_callbacks, enqueued
):
    physio = credentialed
    patient, _user = _portal_patient(physio)
    plan = _plan(physio, patient)
    _course(physio, patient, plan, done=3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert clinic_services.remeasure_reminders_send() == 1
    assert len(callbacks) == 1
    assert [t.task.name for t in enqueued] == [remeasure_reminder_send_task.name]
    enqueued[0].run()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [patient.email]
    assert reverse("clinic:portal_remeasure") in message.body
    assert "QuickDASH" in message.body
    assert RemeasureReminder.objects.get().sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert clinic_services.remeasure_reminders_send() == 0
    assert len(enqueued) == 1
    enqueued[0].run()  # a second delivery of the task sends nothing
    assert len(mailoutbox) == 1


# --- Discharge -------------------------------------------------------------------------------


def test_discharge_renders_a_plain_words_pdf_and_offers_a_prefilled_course_summary(
    credentialed, client_for, django_capture_on_commit_callbacks, enqueued
):
    physio = credentialed
    patient, user = _portal_patient(physio)
    plan = _plan(physio, patient)
    for days_ago in (21, 14):
        session = signed_session(
            physio,
            patient,
            days_ago=days_ago,
            muscles=(("Supinator", "C6", "R"), ("Extensor carpi radialis longus", "C6", "R")),
            home_care_text="Stretch the forearm twice a day.",
        )
        assert session.care_plan == plan
    baseline = OutcomeScore.objects.get(patient=patient, instrument="QUICKDASH")
    OutcomeScore.objects.create(
        patient=patient,
        instrument="QUICKDASH",
        value=Decimal("12.5"),
        maximum=Decimal(100),
        higher_is_worse=True,
        recorded_at=baseline.recorded_at + dt.timedelta(minutes=5),
        care_plan=plan,
        plan_visit=4,
    )
    staff = client_for(physio)
    url = reverse("clinic:care_plan_discharge", args=[plan.pk])

    # Bad input: the error next to the field, no document asked for.
    response = staff.post(url, {"reason": "", "on": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert "Choose the reason for discharge." in _text(response)
    assert not DischargeSummary.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff.post(
            url, {"reason": "goals_met", "note": "", "on": timezone.localdate().isoformat()}
        )
    assert response.status_code == 302
    assert len(callbacks) >= 1
    plan.refresh_from_db()
    assert plan.status == CarePlan.Status.DISCHARGED
    summary = DischargeSummary.objects.get(care_plan=plan)
    assert summary.status == DocumentStatus.PENDING
    renders = [t for t in enqueued if t.task.name == discharge_summary_render_task.name]
    assert [t.args for t in renders] == [(summary.pk,)]
    renders[0].run()  # the worker
    summary.refresh_from_db()
    assert summary.status == DocumentStatus.READY, summary.error

    with default_storage.open(summary.file.name, "rb") as handle:
        text = pdf_text(handle.read())
    assert "Your discharge summary" in text
    assert "Right lateral elbow pain," in text
    assert "neck, levels 6 to 7" in text  # typed "C6-7" in the plan's condition
    assert re.search(r"VISITS .*\b2 IMS \(dry needling\)", text)
    assert "Most recently" in text
    assert "12.5 out of 100" in text
    assert "you reached the goals you set" in text
    assert "QuickDASH" in text
    assert "out of 100" in text
    assert "Stretch the forearm twice a day." in text
    assert "If the pain comes back" in text
    assert not SEGMENT_CODE.search(text), SEGMENT_CODE.findall(text)
    assert "Supinator" not in text

    # The plan offers the course summary; the form starts from the plan's dates.
    detail = _text(staff.get(reverse("clinic:care_plan_detail", args=[plan.pk])))
    assert "Write the course summary for the referring physician" in detail
    documents = reverse("treatments:patient_documents", args=[patient.pk])
    assert f"{documents}?plan={plan.pk}" in detail
    page = _text(staff.get(documents, {"plan": plan.pk}))
    staff_download = reverse("treatments:discharge_summary_download", args=[summary.token])
    assert staff_download in page
    assert staff.get(staff_download).status_code == 200
    assert f'name="date_from" value="{plan.started_on.isoformat()}"' in page
    assert f'name="date_to" value="{plan.discharged_on.isoformat()}"' in page

    # The patient finds it in their documents and downloads it; another patient cannot.
    portal = client_for(user)
    listing = _text(portal.get(reverse("treatments:portal_documents")))
    download = reverse("treatments:portal_discharge_download", args=[summary.token])
    assert download in listing
    assert portal.get(download).status_code == 200
    other = make_patient(legal_first_name="Other")
    other_user = UserFactory(username="other", roles={Role.PATIENT})
    other.user = other_user
    other.save(update_fields=["user"])
    assert client_for(other_user).get(download).status_code == 404
    assert download not in _text(client_for(other_user).get(reverse("treatments:portal_documents")))


def test_discharge_twice_asks_for_one_summary(credentialed):
    physio = credentialed
    patient, _user = _portal_patient(physio)
    plan = _plan(physio, patient)
    clinic_services.care_plan_discharge(plan=plan, by=physio, reason="plateau")
    with pytest.raises(ValidationError, match="discharged"):
        clinic_services.care_plan_discharge(plan=plan, by=physio, reason="plateau")
    assert DischargeSummary.objects.filter(care_plan=plan).count() == 1
