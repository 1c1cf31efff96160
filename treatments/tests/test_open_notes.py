"""Notes still owed are visible (issue 16, acceptance 10): "My day" lists the physio's own
unsigned drafts (IMS session notes and assessments) and completed IMS visits without a note;
the chart lists the patient's, anyone's, saying whose. Checked on the demo clinic as
`seed_demo` builds it, so the shapes a clinic meets in the demo are the ones tested."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment
from clinic.models import Appointment, AppointmentType, Practitioner, User
from clinic.selectors import open_notes
from clinic.tests.factories import join_care_team, write_appointment
from devtools.demo import treatments as demo
from treatments.models import TreatmentSession
from treatments.tests.test_chart_golden import chart_as_shown

pytestmark = pytest.mark.django_db


def open_notes_section(html: str) -> str:
    """The "notes to finish" card of My day or the chart (empty when the page has none)."""
    found = re.search(r'<section[^>]*id="open-notes".*?</section>', html, re.DOTALL)
    return found.group(0) if found else ""


def start_note_ids(section: str) -> set[int]:
    """Appointment ids the card offers to "Start note" for."""
    return {int(pk) for pk in re.findall(r'name="appointment" value="(\d+)"', section)}


def edit_url(note) -> str:
    if isinstance(note, TreatmentSession):
        return reverse("treatments:session_edit", args=[note.pk])
    return reverse("assessments:edit", args=[note.pk])


@pytest.fixture
def demo_clinic(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_my_day_and_the_chart_show_the_notes_owed_in_the_demo_clinic(demo_clinic, client_for):
    physio = User.objects.get(username="physio")
    me = physio.practitioner
    drafts = TreatmentSession.objects.filter(status=TreatmentSession.Status.DRAFT)
    draft_assessments = Assessment.objects.filter(status=Assessment.Status.DRAFT)
    ims_completed = Appointment.objects.filter(is_ims=True, status=Appointment.Status.COMPLETED)

    # The demo clinic has each shape for the demo physio (seed_demo makes sure of it).
    my_draft_session = drafts.filter(practitioner=me).first()
    my_draft_assessment = draft_assessments.filter(practitioner=me).first()
    my_missing = ims_completed.filter(practitioner=me, treatment_session__isnull=True)
    my_signed_visit = ims_completed.filter(
        practitioner=me, treatment_session__status=TreatmentSession.Status.SIGNED
    ).first()
    assert my_draft_session
    assert my_draft_assessment
    assert my_missing
    assert my_signed_visit
    others_drafts = [*drafts.exclude(practitioner=me), *draft_assessments.exclude(practitioner=me)]
    assert others_drafts, "the demo has other physios' drafts too"
    not_owed = Appointment.objects.filter(
        is_ims=True, status__in=[Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW]
    )
    for status in (Appointment.Status.NO_SHOW, Appointment.Status.CANCELLED):
        if not not_owed.filter(practitioner=me, status=status).exists():
            # The demo's schedule has these for the demo physio on most days, not all.
            write_appointment(
                my_missing.first().patient,
                me,
                timezone.now().replace(microsecond=0) - dt.timedelta(days=40),
                AppointmentType.objects.get(name="IMS treatment"),
                by=User.objects.get(username="frontdesk"),
                status=status,
            )

    page = client_for(physio).get(reverse("clinic:physio_day"))
    assert page.status_code == 200
    card = open_notes_section(page.content.decode())
    assert edit_url(my_draft_session) in card
    assert edit_url(my_draft_assessment) in card
    assert start_note_ids(card) == {v.pk for v in my_missing}
    assert card.count("No note") == my_missing.count()
    assert card.count(">Continue<") == 2
    # Signed notes, cancelled and no-show visits and other physios' drafts are not owed by me.
    assert my_signed_visit.pk not in start_note_ids(card)
    assert not start_note_ids(card) & set(not_owed.values_list("pk", flat=True))
    for note in others_drafts:
        assert edit_url(note) not in card
    for signed in TreatmentSession.objects.filter(practitioner=me, status="signed")[:20]:
        assert reverse("treatments:session", args=[signed.pk]) not in card

    # Oldest first, each with its age.
    notes = open_notes(practitioner=me)
    assert [n.on for n in notes] == sorted(n.on for n in notes)
    assert card.index(notes[0].patient_name) < card.index(notes[-1].patient_name)
    assert notes[0].age in card

    # The chart of the patient of my draft session, where a colleague also left a draft and
    # an earlier IMS visit of mine has no note (written as the demo writes past visits):
    # the patient's notes owed, anyone's, saying whose; only my own offer an action.
    patient = my_draft_session.patient
    colleague = Practitioner.objects.exclude(pk=me.pk).select_related("user").first()
    theirs = assessment_services.assessment_start(patient=patient, practitioner=colleague)
    visit = write_appointment(
        patient,
        me,
        timezone.now().replace(microsecond=0) - dt.timedelta(days=20),
        AppointmentType.objects.get(name="IMS treatment"),
        by=User.objects.get(username="frontdesk"),
        status=Appointment.Status.COMPLETED,
    )
    join_care_team(physio, patient)
    client = client_for(physio)
    card = open_notes_section(chart_as_shown(client, patient))
    assert "Unsigned and missing notes" in card
    assert edit_url(my_draft_session) in card
    assert edit_url(theirs) in card
    assert start_note_ids(card) == {visit.pk}
    assert "No note" in card
    assert colleague.display_name in card
    assert me.display_name in card
    assert card.count(">Continue<") == 1
    assert card.count(">Open<") == 1
    assert card.index(f'value="{visit.pk}"') < card.index(edit_url(my_draft_session))

    # Starting the note from the list turns the visit into a draft on My day.
    started = client.post(
        reverse("treatments:session_start", args=[patient.pk]), {"appointment": visit.pk}
    )
    session = TreatmentSession.objects.get(appointment=visit)
    assert started.url == reverse("treatments:session_edit", args=[session.pk])
    card = open_notes_section(client.get(reverse("clinic:physio_day")).content.decode())
    assert visit.pk not in start_note_ids(card)
    assert edit_url(session) in card

    # The chart of the patient whose visit note I signed lists nothing of that visit.
    chart = chart_as_shown(client, my_signed_visit.patient)
    assert my_signed_visit.pk not in start_note_ids(open_notes_section(chart))

    # Seeding again adds no more notes owed (seed_demo twice is tested in test_seed_demo).
    assert demo._notes_owed_demo({"physio": physio}, needle=None, advice=[], rng=None) == 0


def test_my_day_says_when_every_note_is_signed(client_for, physio):
    from clinic.tests.factories import make_practitioner

    make_practitioner(physio)
    page = client_for(physio).get(reverse("clinic:physio_day"))
    card = open_notes_section(page.content.decode())
    assert "All your notes are signed." in card
    assert "Continue" not in card
    assert "Start note" not in card


def test_the_demo_writes_visits_when_its_schedule_has_too_few(physio, front_desk):
    """On a Monday morning the demo schedule's last three days hold few of the demo
    physio's completed IMS visits: the demo then writes earlier ones, so every shape shows."""
    from assessments.tests.factories import add_sign, make_assessment
    from treatments.models import NeedleSize
    from treatments.tests.factories import credential_for, ready_patient

    credential_for(physio)
    for _ in range(2):
        patient = ready_patient(physio)
        assessment = make_assessment(physio, patient, chief_complaint="Neck and arm pain")
        add_sign(assessment, physio, segment="C6", region="peripheral", muscle="Supinator")
        assessment_services.assessment_sign(assessment=assessment, by=physio)
    users = {"physio": physio, "frontdesk": front_desk}
    needle = NeedleSize.objects.filter(active=True).first()

    assert demo._notes_owed_demo(users, needle=needle, advice=[], rng=demo.random.Random(7)) == 2

    visits = Appointment.objects.filter(practitioner=physio.practitioner, is_ims=True)
    assert visits.filter(status=Appointment.Status.COMPLETED).count() == 3
    assert visits.filter(treatment_session__status="signed").count() == 1
    assert visits.filter(treatment_session__status="draft").count() == 1
    notes = open_notes(practitioner=physio.practitioner)
    assert sorted(n.kind for n in notes) == ["IMS session note", "IMS visit"]
    assert demo._notes_owed_demo(users, needle=needle, advice=[], rng=None) == 0
