"""A small clinic with one of everything, for tests that visit every URL: patient A (with a
portal account, intake, consent, an appointment, a signed assessment with findings, a signed
session with a site, a ready visit summary, a course summary and a PDF of their record),
patient B (a portal account and nothing clinical), their physiotherapist (on both care
teams), a colleague on patient A's care team who wrote none of A's records, a second
physiotherapist outside A's care team (who had an attended visit with A, booked by
themselves: it grants nothing), a locum on A's team for the "remove from the care team"
route, and the front desk and a clinic admin. Records custody: patient A's access request,
released to the portal; one breach in the register; a legal hold on patient B.

`world_url(world, "app:name")` gives each route a URL pointing at patient A's records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, SignFinding
from assessments.tests.factories import add_sign, practitioner_for
from clinic import services as clinic_services
from clinic.models import (
    AccessLog,
    Appointment,
    AppointmentType,
    CarePlan,
    CorrectionRequest,
    Patient,
    ScreeningItem,
    SpacingAlert,
    User,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.origin import Origin
from clinic.permissions import Role
from clinic.tests.factories import UserFactory, join_care_team, write_appointment
from custody import services as custody_services
from custody.models import AccessRequest, Breach, LegalHold
from interop.models import BulkExport
from interop.services import bulk_export_request, bulk_export_run
from treatments.models import (
    AdverseEvent,
    CourseSummary,
    DischargeSummary,
    NeedlingSite,
    RecordCopy,
    TreatmentSession,
    VisitSummary,
)
from treatments.services import summaries
from treatments.tests.factories import credential_for
from treatments.tests.summary_helpers import named_patient, signed_session


@dataclass
class World:
    physio: User
    physio2: User
    colleague: User
    locum: User
    front_desk: User
    clinic_admin: User
    patient_a: Patient
    patient_b: Patient
    appointment: Appointment
    alert: SpacingAlert
    assessment: Assessment
    finding: SignFinding
    session: TreatmentSession
    site: NeedlingSite
    event: AdverseEvent
    summary: VisitSummary
    course: CourseSummary
    record_copy: RecordCopy
    screening_item: ScreeningItem
    emergency: AccessLog
    correction: CorrectionRequest
    plan: CarePlan
    waitlist: WaitlistEntry
    # A pending offer of a time to the waitlist entry (the desk may withdraw it).
    offer: WaitlistOffer
    discharge: DischargeSummary
    access_request: AccessRequest
    breach: Breach
    hold: LegalHold
    bulk_export: BulkExport
    # An uploaded import file (interop), its dry run done.
    import_job: Any = None
    # A live link to the physiotherapist's schedule feed (interop): the token is the key.
    feed_token: str = ""


def _portal_user(patient: Patient, username: str) -> User:
    user = UserFactory(roles={Role.PATIENT}, username=username)
    Patient.objects.filter(pk=patient.pk).update(user=user)
    patient.refresh_from_db()
    return user


def build_world() -> World:
    physio = UserFactory(roles={Role.PHYSIO}, username="w-physio")
    physio2 = UserFactory(roles={Role.PHYSIO}, username="w-physio2")
    front_desk = UserFactory(roles={Role.FRONT_DESK}, username="w-desk")
    admin = UserFactory(roles={Role.CLINIC_ADMIN}, username="w-admin")
    credential_for(physio)
    practitioner = practitioner_for(physio)
    outsider = practitioner_for(physio2)
    colleague = UserFactory(roles={Role.PHYSIO}, username="w-colleague")
    locum = UserFactory(roles={Role.PHYSIO}, username="w-locum")

    patient_a = named_patient(physio, "Ada", "Lovelace", "ada@example.org")
    _portal_user(patient_a, "w-ada")
    patient_b = named_patient(physio, "Bob", "Brunel", "bob@example.org")
    _portal_user(patient_b, "w-bob")

    ims = AppointmentType.objects.get(name="IMS treatment")
    start = timezone.now().replace(hour=17, minute=0, second=0, microsecond=0) + dt.timedelta(
        days=30
    )
    appointment = write_appointment(patient_a, practitioner, start, ims, by=front_desk)
    second = write_appointment(
        patient_a, practitioner, start + dt.timedelta(days=2), ims, by=front_desk
    )
    alert = SpacingAlert.objects.create(
        patient=patient_a,
        first=appointment,
        second=second,
        first_date=appointment.local_date,
        second_date=second.local_date,
        pair=f"a{appointment.pk}-a{second.pk}",
        days_apart=2,
    )
    # The care team is explicit: the desk assigns the colleague and the locum. The outsider
    # has an attended visit with patient A, booked by themselves: it grants nothing.
    join_care_team(colleague, patient_a, by=front_desk)
    join_care_team(locum, patient_a, by=front_desk)
    write_appointment(
        patient_a, outsider, start - dt.timedelta(days=60), ims, by=physio2, status="completed"
    )

    assessment = services_assessment(physio, patient_a)
    finding = assessment.sign_findings.first()
    session = signed_session(physio, patient_a)
    site = session.sites.first()
    event = AdverseEvent.objects.create(
        session=session,
        kind="bruising",
        severity="mild",
        action_taken="Pressure.",
        recorded_by=physio,
    )
    summary = VisitSummary.objects.get(session=session)
    summaries.document_render(VisitSummary, summary.pk)
    summary.refresh_from_db()
    course = CourseSummary.objects.create(
        patient=patient_a,
        date_from=session.session_date,
        date_to=session.session_date,
        requested_by=physio,
    )
    summaries.document_render(CourseSummary, course.pk)
    course.refresh_from_db()
    record_copy = summaries.record_copy_request(patient=patient_a, by=patient_a.user)
    summaries.document_render(RecordCopy, record_copy.pk)
    record_copy.refresh_from_db()
    # An earlier course of patient A, discharged: its discharge summary for the portal.
    earlier = clinic_services.care_plan_create(
        patient=patient_a,
        practitioner=practitioner,
        by=physio,
        condition="Left neck pain",
        region="neck",
        goals="Turn the head to reverse the car.",
        measure="NDI",
        started_on=session.session_date,
    )
    clinic_services.care_plan_discharge(plan=earlier, by=physio, reason="goals_met")
    discharge = DischargeSummary.objects.get(care_plan=earlier)
    summaries.document_render(DischargeSummary, discharge.pk)
    discharge.refresh_from_db()
    plan = clinic_services.care_plan_create(
        patient=patient_a,
        practitioner=practitioner,
        by=physio,
        condition="Right lateral elbow pain",
        region="upper_limb",
        goals="Carry the shopping without pain.",
        measure="QUICKDASH",
    )
    waitlist = clinic_services.waitlist_entry_create(
        patient=patient_b,
        by=front_desk,
        type=ims,
        earliest_date=timezone.localdate(),
        weekdays="01234",
    )
    # Records custody: patient A's access request, answered by a release to the portal; a
    # breach in the register; a legal hold on patient B's records.
    access_request = custody_services.access_request_create(
        patient=patient_a, by=patient_a.user, details="My whole record.", channel="portal"
    )
    access_request = custody_services.access_request_release(
        request=access_request, by=admin, origin=Origin.NONE
    )
    breach = custody_services.breach_record(
        by=admin,
        what="A day sheet left at the front counter.",
        category="disclosed",
        discovered_on=timezone.localdate(),
        patients_affected=12,
        real_risk=False,
        risk_reasoning="Names and times only, seen by one other patient.",
    )
    hold = custody_services.legal_hold_place(patient=patient_b, reason="Insurer's claim.", by=admin)
    # The clinic's FHIR bulk export, run here and now (its files are in private storage).
    bulk_export = bulk_export_request(by=admin)
    bulk_export_run(bulk_export.pk)
    bulk_export.refresh_from_db()
    offer = WaitlistOffer.objects.create(
        entry=waitlist,
        practitioner=practitioner,
        location=appointment.location,
        type=ims,
        start=start + dt.timedelta(days=1),
        expires_at=timezone.now() + dt.timedelta(hours=2),
        created_by=front_desk,
    )
    world = World(
        access_request=access_request,
        breach=breach,
        hold=hold,
        bulk_export=bulk_export,
        plan=plan,
        waitlist=waitlist,
        offer=offer,
        discharge=discharge,
        physio=physio,
        physio2=physio2,
        colleague=colleague,
        locum=locum,
        front_desk=front_desk,
        clinic_admin=admin,
        patient_a=patient_a,
        patient_b=patient_b,
        appointment=appointment,
        alert=alert,
        assessment=assessment,
        finding=finding,
        session=session,
        site=site,
        event=event,
        summary=summary,
        course=course,
        record_copy=record_copy,
        screening_item=ScreeningItem.objects.first(),
        emergency=AccessLog.objects.create(
            user=physio2,
            patient=patient_a,
            action=AccessLog.Action.EMERGENCY,
            what="emergency access to the chart",
            reason="Covering for a colleague who is away today.",
        ),
        correction=CorrectionRequest.objects.create(
            patient=patient_a,
            record="Intake: medications",
            requested_change="Stopped warfarin in June.",
            requested_by=front_desk,
        ),
        feed_token=_schedule_feed_token(practitioner, physio),
    )
    world.import_job = _import_job(admin)
    return world


def _import_job(admin: User) -> Any:
    from django.core.files.base import ContentFile

    from interop.models import ImportJob

    job = ImportJob(
        source="cliniko",
        kind="patients",
        file_name="patients.csv",
        mapping={"id": "id"},
        status=ImportJob.Status.CHECKED,
        report={"counts": {"new": 1, "updated": 0, "skipped": 0, "invalid": 0}},
        created_by=admin,
    )
    job.file.save("world.csv", ContentFile(b"id,first_name\n1,Ada\n"), save=False)
    job.save()
    return job


def _schedule_feed_token(practitioner, physio: User) -> str:
    from interop import services as interop_services

    return interop_services.practitioner_feed_issue(practitioner=practitioner, by=physio).token


def services_assessment(physio: User, patient: Patient) -> Assessment:
    from assessments import services as assessment_services

    assessment = assessment_services.assessment_start(
        patient=patient, practitioner=practitioner_for(physio)
    )
    assessment = assessment_services.assessment_update(
        assessment=assessment, by=physio, chief_complaint="Elbow pain for a year."
    )
    add_sign(assessment, physio, segment="C6", region="peripheral", muscle="Supinator")
    return assessment_services.assessment_sign(assessment=assessment, by=physio)


def world_url(world: World, name: str) -> str | None:
    """A URL for route `name` aimed at patient A's records (None: not a page to visit)."""
    a, s = world.patient_a, world.session
    kwargs: dict[str, dict] = {
        "clinic:appointment_detail": {"pk": world.appointment.pk},
        "clinic:appointment_status": {"pk": world.appointment.pk},
        "clinic:appointment_cancel": {"pk": world.appointment.pk},
        "clinic:appointment_reschedule": {"pk": world.appointment.pk},
        "clinic:series_cancel": {"pk": world.appointment.pk},
        "clinic:series_move": {"pk": world.appointment.pk},
        "clinic:series_plan": {"pk": world.plan.pk},
        "clinic:waitlist_edit": {"pk": world.waitlist.pk},
        "clinic:waitlist_remove": {"pk": world.waitlist.pk},
        "clinic:waitlist_offer_create": {"pk": world.waitlist.pk},
        "clinic:waitlist_offer": {"token": "not-a-real-offer"},
        "clinic:waitlist_offer_withdraw": {"pk": world.offer.pk},
        "clinic:spacing_alert_resolve": {"pk": world.alert.pk},
        "clinic:patient_detail": {"pk": a.pk},
        "clinic:patient_edit": {"pk": a.pk},
        "clinic:patient_invite": {"pk": a.pk},
        "clinic:patient_email_verification_send": {"pk": a.pk},
        "clinic:email_verify": {"token": "not-a-real-link"},
        # Public: the signed token is the credential; a forged one changes nothing.
        "clinic:visit_confirm": {"pk": world.appointment.pk, "token": "not-a-real-link"},
        "clinic:visit_cancel": {"pk": world.appointment.pk, "token": "not-a-real-link"},
        "clinic:care_team_add": {"pk": a.pk},
        "clinic:care_team_remove": {"pk": a.pk, "practitioner_pk": world.locum.practitioner.pk},
        "clinic:intake_detail": {"pk": a.pk},
        "clinic:intake_review": {"pk": a.pk},
        "clinic:intake_step": {"pk": a.pk, "step": "pain"},
        "clinic:screening_clear": {"pk": a.pk, "item_pk": world.screening_item.pk},
        "clinic:screening_answer": {"pk": a.pk},
        "clinic:consent_in_clinic": {"pk": a.pk},
        "clinic:recall_plan": {"pk": a.pk},
        "clinic:care_plan_new": {"pk": a.pk},
        "clinic:care_plan_detail": {"pk": world.plan.pk},
        "clinic:care_plan_edit": {"pk": world.plan.pk},
        "clinic:care_plan_status": {"pk": world.plan.pk},
        "clinic:care_plan_discharge": {"pk": world.plan.pk},
        "clinic:emergency_access": {"pk": a.pk},
        "clinic:access_review": {"pk": world.emergency.pk},
        "clinic:correction_add": {"pk": a.pk},
        "clinic:correction_settle": {"pk": world.correction.pk},
        "clinic:portal_intake_step": {"step": "pain"},
        "clinic:portal_appointment_cancel": {"pk": world.appointment.pk},
        "clinic:portal_appointment_calendar": {"pk": world.appointment.pk},
        "clinic:portal_invitation": {"token": "not-a-real-invitation"},
        "interop:calendar_feed": {"token": world.feed_token},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "assessments:patient_list": {"patient_pk": a.pk},
        "assessments:start": {"patient_pk": a.pk},
        "assessments:detail": {"pk": world.assessment.pk},
        "assessments:edit": {"pk": world.assessment.pk},
        "assessments:header_save": {"pk": world.assessment.pk, "part": "text"},
        "assessments:summary": {"pk": world.assessment.pk},
        "assessments:sign": {"pk": world.assessment.pk},
        "assessments:addendum_add": {"pk": world.assessment.pk},
        "assessments:finding_add": {"pk": world.assessment.pk, "kind": "sign"},
        "assessments:finding_refresh": {"pk": world.assessment.pk, "kind": "sign"},
        "assessments:finding_edit": {
            "pk": world.assessment.pk, "kind": "sign", "finding_pk": world.finding.pk,
        },
        "assessments:finding_row": {
            "pk": world.assessment.pk, "kind": "sign", "finding_pk": world.finding.pk,
        },
        "assessments:finding_remove": {
            "pk": world.assessment.pk, "kind": "sign", "finding_pk": world.finding.pk,
        },
        "treatments:chart": {"patient_pk": a.pk},
        "treatments:readiness": {"patient_pk": a.pk},
        "treatments:chart_scores": {"patient_pk": a.pk},
        "treatments:session_start": {"patient_pk": a.pk},
        "treatments:session": {"pk": s.pk},
        "treatments:session_edit": {"pk": s.pk},
        "treatments:session_entries": {"pk": s.pk},
        "treatments:session_retests": {"pk": s.pk},
        "treatments:session_sites": {"pk": s.pk},
        "treatments:session_save": {"pk": s.pk},
        "treatments:sign_panel": {"pk": s.pk},
        "treatments:session_sign": {"pk": s.pk},
        "treatments:session_addendum": {"pk": s.pk},
        "treatments:adverse_event_add": {"pk": s.pk},
        "treatments:session_summaries": {"pk": s.pk},
        "treatments:part_add": {"pk": s.pk, "kind": "site"},
        "treatments:sites_repeat": {"pk": s.pk},
        "treatments:part_refresh": {"pk": s.pk, "kind": "site"},
        "treatments:part_remove": {"pk": s.pk, "kind": "site", "part_pk": world.site.pk},
        "treatments:portal_document_download": {"token": world.summary.token},
        "treatments:portal_record_download": {"token": world.record_copy.token},
        "treatments:portal_discharge_download": {"token": world.discharge.token},
        "treatments:discharge_summary_download": {"token": world.discharge.token},
        "treatments:patient_documents": {"patient_pk": a.pk},
        "treatments:course_summary_new": {"patient_pk": a.pk},
        "treatments:summary_download": {"token": world.summary.token},
        "treatments:summary_retry": {"pk": world.summary.pk},
        "treatments:summary_email": {"pk": world.summary.pk},
        "treatments:course_summary": {"token": world.course.token},
        "treatments:course_summary_download": {"token": world.course.token},
        "treatments:course_summary_retry": {"token": world.course.token},
        "treatments:incident": {"pk": world.event.pk},
        "custody:legal_hold_new": {"patient_pk": a.pk},
        "custody:legal_hold_lift": {"pk": world.hold.pk},
        "custody:destroy": {"patient_pk": a.pk},
        "custody:request_new": {"patient_pk": a.pk},
        "custody:request_detail": {"pk": world.access_request.pk},
        "custody:request_extend": {"pk": world.access_request.pk},
        "custody:request_release": {"pk": world.access_request.pk},
        "custody:request_refuse": {"pk": world.access_request.pk},
        "custody:breach_edit": {"pk": world.breach.pk},
        "custody:portal_release_download": {"token": world.access_request.token},
        "interop:patient_bundle": {"patient_pk": a.pk},
        "interop:export_resume": {"token": world.bulk_export.token},
        "interop:export_manifest": {"token": world.bulk_export.token},
        "interop:export_file": {"token": world.bulk_export.token, "resource_type": "Patient"},
        "interop:import_job": {"pk": world.import_job.pk},
        "interop:import_job_start": {"pk": world.import_job.pk},
    }  # fmt: skip
    return reverse(name, kwargs=kwargs.get(name, {}))
