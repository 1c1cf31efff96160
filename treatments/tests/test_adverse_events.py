"""Issue 17, acceptance 6: adverse events graded mild or significant (White 2001, MacPherson
2001, Brady 2014: see AdverseEvent), a referral for medical care with where, four more
types; significant events e-mail the clinic admins, with nothing that identifies the
patient; the new types and the referral show in the form, the note, the chart, the
incident list, the course summary and the patient's export."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from clinic import selectors as clinic_selectors
from clinic import services as clinic_services
from clinic.permissions import Role
from clinic.tests.factories import UserFactory, fill_intake, join_care_team, make_patient
from treatments import services
from treatments.forms import AdverseEventForm
from treatments.models import AdverseEvent
from treatments.tasks import adverse_event_notify_task
from treatments.tests.factories import complete_session, credential_for

pytestmark = pytest.mark.django_db

NEW_KINDS = ["pain_during", "aggravation", "headache", "nausea"]
NEW_LABELS = {
    "pain_during": "Pain during treatment",
    "aggravation": "Aggravation of symptoms",
    "headache": "Headache",
    "nausea": "Nausea",
}
WHERE = "Emergency department, Lions Gate Hospital"


@pytest.fixture
def patient(physio):
    """A patient whose every identifier is distinctive, so an e-mail holding any is caught."""
    patient = make_patient(
        legal_first_name="Ottoline",
        legal_last_name="Quimby",
        preferred_name="Lina",
        date_of_birth=dt.date(1971, 3, 14),
        email="ottoline.quimby@example.org",
        phone="604 555 0199",
        health_number="9876543217",
    )
    join_care_team(physio, patient)
    fill_intake(patient, by=physio)
    clinic_services.consent_sign(
        patient=patient,
        version=clinic_selectors.consent_version_current(),
        typed_name=patient.legal_name,
        channel="clinic",
        by=physio,
    )
    return patient


@pytest.fixture
def signed(physio, patient):
    credential_for(physio)
    return services.session_sign(session=complete_session(physio, patient), by=physio)


@pytest.fixture
def admins(clinic_admin):
    """Two clinic admins who get the e-mail; an inactive one, one without an address, and a
    physiotherapist, who do not."""
    second = UserFactory(roles={Role.CLINIC_ADMIN}, username="admin2", email="admin2@clinic.test")
    UserFactory(roles={Role.CLINIC_ADMIN}, username="gone", email="gone@x.test", is_active=False)
    UserFactory(roles={Role.CLINIC_ADMIN}, username="nomail", email="")
    UserFactory(roles={Role.PHYSIO}, username="physio-x", email="physio-x@clinic.test")
    return sorted([clinic_admin.email, second.email])


def _identifiers(patient) -> list[str]:
    return [
        patient.legal_first_name,
        patient.legal_last_name,
        patient.preferred_name,
        patient.email,
        patient.phone,
        patient.health_number,
        patient.date_of_birth.isoformat(),
        patient.date_of_birth.strftime("%b %d, %Y").replace(" 0", " "),
    ]


def _record(session, physio, **fields):
    values = {"kind": "bruising", "severity": "mild", "action_taken": "Pressure."} | fields
    return services.adverse_event_record(session=session, by=physio, event=AdverseEvent(**values))


def _post(**fields) -> dict:
    data = {
        "kind": "headache",
        "severity": "mild",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "description": "",
        "action_taken": "Rested; water.",
        "follow_up": "",
        "referred_to": "",
    }
    return data | fields


# --- The e-mail ---------------------------------------------------------------------------


def test_a_significant_event_emails_the_admins_and_names_nobody(
    physio, signed, patient, admins, enqueued, mailoutbox, django_capture_on_commit_callbacks
):
    """A mild-intensity but significant event (it stopped the patient working) is e-mailed;
    the free text, which names the patient here, stays out of it."""
    with django_capture_on_commit_callbacks(execute=True):
        event = _record(
            signed,
            physio,
            kind="aggravation",
            significant=True,
            description="Ottoline Quimby could not work for two days.",
            action_taken="Called Ottoline (Lina) Quimby at 604 555 0199.",
            follow_up="Quimby to phone on Monday.",
            referred_for_care=True,
            referred_to="Dr. Hart, Quimby family's physician",
        )
    assert event.significant
    assert not event.is_serious
    assert [task.name for task in enqueued] == ["treatments.tasks.adverse_event_notify_task"]
    assert enqueued[0].args == (event.pk,)
    assert adverse_event_notify_task.run(event.pk) is True
    assert adverse_event_notify_task.run(event.pk) is False  # once
    [mail] = mailoutbox
    assert sorted(mail.to) == admins
    assert mail.subject.endswith("Significant adverse event: aggravation of symptoms")
    text = mail.subject + "\n" + mail.body
    for identifier in _identifiers(patient):
        assert identifier.lower() not in text.lower(), identifier
    for free_text in ("could not work", "Called", "Monday", "Dr. Hart"):
        assert free_text not in text
    assert f"/patients/{patient.pk}/" not in text
    assert "Referred for medical care: yes." in mail.body
    assert physio.practitioner.display_name in mail.body
    # The link opens that incident in the app (a clinic admin signs in to see it).
    [link] = re.findall(r"https?://\S+", mail.body)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert path == f"treatments/incidents/{event.pk}/"
    event.refresh_from_db()
    assert event.admin_notified_at is not None


def test_the_link_shows_that_incident(physio, signed, clinic_admin, client_for):
    other = _record(signed, physio, kind="nausea")
    event = _record(signed, physio, kind="headache", significant=True)
    admin = client_for(clinic_admin)
    page = admin.get(f"/treatments/incidents/{event.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Headache" in html
    assert "Nausea" not in html
    assert "All adverse events" in html
    # Links e-mailed before the review page existed still open that incident.
    old_link = admin.get(f"/treatments/incidents/?event={event.pk}")
    assert old_link.status_code == 302
    assert old_link["Location"] == f"/treatments/incidents/{event.pk}/"
    assert admin.get(f"/treatments/incidents/{other.pk}/").status_code == 200
    assert admin.get("/treatments/incidents/?event=%C2%B2").status_code == 200


def test_a_serious_event_email_carries_no_free_text_either(
    physio, signed, patient, admins, mailoutbox
):
    event = _record(
        signed,
        physio,
        kind="pneumothorax",
        severity="moderate",
        action_taken="Sent Ottoline Quimby to emergency by ambulance.",
        referred_for_care=True,
        referred_to=WHERE,
    )
    assert event.significant  # serious events are significant
    assert services.adverse_event_notify(event.pk) is True
    [mail] = mailoutbox
    assert sorted(mail.to) == admins
    assert "Serious adverse event: suspected pneumothorax" in mail.subject
    text = mail.subject + "\n" + mail.body
    for identifier in _identifiers(patient):
        assert identifier.lower() not in text.lower(), identifier
    assert "ambulance" not in text
    assert "Lions Gate" not in text


def test_a_mild_event_emails_nobody(
    physio, signed, admins, enqueued, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(physio).post(f"/treatments/sessions/{signed.pk}/events/", _post())
    assert response.status_code == 302
    event = AdverseEvent.objects.get()
    assert (event.kind, event.significant, event.referred_for_care) == ("headache", False, False)
    assert enqueued == []
    assert mailoutbox == []


def test_the_significant_box_through_the_form_notifies(
    physio, signed, admins, enqueued, client_for, django_capture_on_commit_callbacks
):
    url = f"/treatments/sessions/{signed.pk}/events/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(physio).post(url, _post(kind="nausea", significant="on"), follow=True)
    assert "The clinic admins are being notified." in response.content.decode()
    event = AdverseEvent.objects.get()
    assert event.significant
    assert [task.args for task in enqueued] == [(event.pk,)]


# --- Significance: the floor, and the database's own check --------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"severity": "severe"},
        {"kind": "broken_needle", "severity": "mild"},
        {"kind": "pneumothorax", "severity": "moderate"},
        {"referred_for_care": True, "referred_to": WHERE},
    ],
)
def test_serious_or_referred_events_are_always_significant(physio, signed, enqueued, fields):
    event = _record(signed, physio, **({"significant": False} | fields))
    assert AdverseEvent.objects.get(pk=event.pk).significant is True


@pytest.mark.parametrize("severity", ["mild", "moderate"])
def test_severity_alone_below_severe_is_not_significant(physio, signed, enqueued, severity):
    event = _record(signed, physio, kind="vasovagal", severity=severity)
    assert AdverseEvent.objects.get(pk=event.pk).significant is False
    assert enqueued == []


@pytest.mark.parametrize(
    "fields",
    [
        {"severity": "severe", "significant": False},
        {"kind": "pneumothorax", "significant": False},
        {"referred_for_care": True, "referred_to": WHERE, "significant": False},
        {"referred_for_care": True, "referred_to": "", "significant": True},
        {"referred_for_care": False, "referred_to": WHERE},
    ],
)
def test_the_database_refuses_rows_that_break_the_rules(physio, signed, fields):
    values = {
        "session": signed,
        "kind": "bruising",
        "severity": "mild",
        "action_taken": "x",
        "recorded_by": physio,
    } | fields
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.create(**values)


# --- Referral: where is required, errors next to the field, nothing written ----------------


def test_referral_without_where_is_refused_next_to_the_field(physio, signed, client_for, enqueued):
    url = f"/treatments/sessions/{signed.pk}/events/"
    response = client_for(physio).post(url, _post(referred_for_care="on", referred_to="  "))
    assert response.status_code == 400
    errors = response.context["event_form"].errors
    assert list(errors) == ["referred_to"]
    html = response.content.decode()
    wrap = html[html.index('id="id_referred_to-wrap"') :]
    wrap = wrap[: wrap.index("</div>\n", wrap.index("invalid-feedback"))]
    assert "Say where or to whom the patient was referred." in wrap
    assert not AdverseEvent.objects.exists()
    assert enqueued == []


def test_where_without_referral_is_refused_next_to_the_box(physio, signed, client_for):
    url = f"/treatments/sessions/{signed.pk}/events/"
    response = client_for(physio).post(url, _post(referred_to=WHERE))
    assert response.status_code == 400
    assert list(response.context["event_form"].errors) == ["referred_for_care"]
    html = response.content.decode()
    wrap = html[html.index('id="id_referred_for_care-wrap"') :]
    assert "Tick this if the patient was referred" in wrap[: wrap.index("</div>\n</div>")]
    assert not AdverseEvent.objects.exists()


def test_where_over_the_limit_is_refused(physio, signed, client_for):
    url = f"/treatments/sessions/{signed.pk}/events/"
    too_long = "x" * (AdverseEvent.REFERRED_TO_MAX + 1)
    response = client_for(physio).post(url, _post(referred_for_care="on", referred_to=too_long))
    assert response.status_code == 400
    assert "referred_to" in response.context["event_form"].errors
    assert not AdverseEvent.objects.exists()


def test_the_service_refuses_a_referral_without_where(physio, signed, enqueued):
    with pytest.raises(ValidationError) as refused:
        _record(signed, physio, referred_for_care=True, referred_to="")
    assert "referred_to" in refused.value.message_dict
    assert not AdverseEvent.objects.exists()
    assert enqueued == []


# --- Where they show -------------------------------------------------------------------------


def test_the_form_offers_the_new_types_the_flag_and_the_referral(physio, signed, client_for):
    form = AdverseEventForm()
    offered = [value for value, _ in form.fields["kind"].choices]
    assert set(NEW_KINDS) <= set(offered)
    html = client_for(physio).get(f"/treatments/sessions/{signed.pk}/").content.decode()
    form_html = html[html.index("Record an adverse event") :]
    for kind in NEW_KINDS:
        assert f'<option value="{kind}">{NEW_LABELS[kind]}</option>' in form_html
    for name in ("significant", "referred_for_care", "referred_to"):
        assert f'name="{name}"' in form_html


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_new_types_and_referral_show_everywhere(
    kind, physio, signed, patient, clinic_admin, client_for
):
    _record(signed, physio, kind=kind, referred_for_care=True, referred_to=WHERE)
    label = NEW_LABELS[kind]
    physio_client = client_for(physio)

    note = physio_client.get(f"/treatments/sessions/{signed.pk}/").content.decode()
    events = note[note.index('id="events"') : note.index("Record an adverse event")]
    assert f"<strong>{label}</strong>" in events
    assert f"Referred for medical care: {WHERE}" in events
    assert "significant" in events

    chart = physio_client.get(f"/treatments/patients/{patient.pk}/chart/").content.decode()
    badge = re.search(r'<span class="badge text-bg-danger">([^<]*)</span>', chart)
    assert badge, "no adverse-event badge on the chart"
    assert badge.group(1).startswith(f"{label} · significant · referred: Emergency department")

    incidents = client_for(clinic_admin).get("/treatments/incidents/").content.decode()
    row = incidents[incidents.index('id="incident-') :]
    row = row[: row.index("</tr>")]
    assert label in row
    assert WHERE in row
    assert "significant" in row


def test_the_patients_export_carries_the_new_fields(physio, signed, patient):
    _record(signed, physio, kind="headache", referred_for_care=True, referred_to=WHERE)
    _record(signed, physio, kind="pain_during")
    data = json.loads(json.dumps(clinic_services.patient_export(patient), default=str))
    [session] = data["treatment_sessions"]
    rows = [
        {k: row[k] for k in ("kind", "significant", "referred_for_care", "referred_to")}
        for row in session["adverse_events"]
    ]
    assert rows == [
        {"kind": "headache", "significant": True, "referred_for_care": True, "referred_to": WHERE},
        {
            "kind": "pain_during",
            "significant": False,
            "referred_for_care": False,
            "referred_to": "",
        },
    ]


def test_the_patients_download_carries_the_new_fields(physio, client_for):
    """The portal's "download my records" (the only export of a patient's records)."""
    from tests.world import build_world

    world = build_world()
    _record(world.session, world.physio, kind="nausea", referred_for_care=True, referred_to=WHERE)
    response = client_for(world.patient_a.user).get(reverse("clinic:portal_records_download"))
    [session] = json.loads(response.content)["treatment_sessions"]
    # The world's session has an event of its own (a bruise); this test's is the nausea.
    [event] = [e for e in session["adverse_events"] if e["kind"] == "nausea"]
    assert (event["kind"], event["significant"], event["referred_to"]) == ("nausea", True, WHERE)


# --- Existing rows keep their meaning (the migration) --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_earlier_serious_events_significant(physio):
    """Rolled back to before the migration, two events of a signed session are written the
    old way; migrating forward marks the serious one significant (on PostgreSQL, through the
    signed-session trigger) and leaves the mild one as it was."""
    credential_for(physio)
    session = services.session_sign(session=complete_session(physio), by=physio)
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    [target] = [
        key
        for key in graph.nodes
        if key[0] == "treatments" and key[1].endswith("_adverse_event_significance_referral")
    ]
    [before] = [
        parent for parent in graph.node_map[target].parents if parent.key[0] == "treatments"
    ]
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([before.key])
    old = executor.loader.project_state([before.key]).apps.get_model("treatments", "AdverseEvent")
    now = timezone.now()
    common = {"session_id": session.pk, "recorded_by_id": physio.pk, "action_taken": "x"}
    serious = old.objects.create(kind="vasovagal", severity="severe", occurred_at=now, **common)
    needle = old.objects.create(kind="broken_needle", severity="mild", occurred_at=now, **common)
    mild = old.objects.create(kind="bruising", severity="moderate", occurred_at=now, **common)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(leaves)
    flags = dict(AdverseEvent.objects.values_list("pk", "significant"))
    assert flags == {serious.pk: True, needle.pk: True, mild.pk: False}
    assert not AdverseEvent.objects.filter(referred_for_care=True).exists()
    if connection.vendor == "postgresql":  # the trigger is back on
        with pytest.raises(Exception, match="cannot be changed"), transaction.atomic():
            AdverseEvent.objects.filter(pk=mild.pk).update(significant=True)
