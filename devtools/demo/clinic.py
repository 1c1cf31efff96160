"""The demo clinic's people and their state, built through the same services the app uses.

`seed_demo` calls `build_front_office`; every step looks before it writes, so running it
again changes nothing (it only restores the demo passwords and roles).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from clinic import outcomes, search, selectors, services
from clinic.models import (
    Appointment,
    AppointmentType,
    Consent,
    ConsentVersion,
    Location,
    Patient,
    Practitioner,
    Room,
    ScreeningItem,
    User,
    WorkingHours,
)
from clinic.origin import Origin
from clinic.permissions import Role
from clinic.selectors.scheduling import ims_next_eligible


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    email: str


DEMO_USERS = (
    DemoUser("admin", "Alex", "Morgan", Role.CLINIC_ADMIN, "alex.morgan@cedar-ims.example"),
    DemoUser("physio", "Maya", "Chen", Role.PHYSIO, "maya.chen@cedar-ims.example"),
    DemoUser("physio2", "Daniel", "Okafor", Role.PHYSIO, "daniel.okafor@cedar-ims.example"),
    DemoUser("physio3", "Sara", "Lindgren", Role.PHYSIO, "sara.lindgren@cedar-ims.example"),
    DemoUser("frontdesk", "Priya", "Singh", Role.FRONT_DESK, "priya.singh@cedar-ims.example"),
    DemoUser("patient", "Jordan", "Avery", Role.PATIENT, "jordan.avery@example.com"),
)

# legal first, legal last, preferred, born, state
# states: complete (intake + current consent), draft (intake started), new (nothing yet),
# precaution, contraindication (blocked), cleared (contraindication cleared), stale (signed
# an older consent version only)
CONSENTED = frozenset({"complete", "precaution", "contraindication", "cleared"})
DEMO_PATIENTS: tuple[tuple[str, str, str, dt.date, str], ...] = (
    ("Jordan", "Avery", "", dt.date(1984, 3, 12), "complete"),
    ("Hélène", "Tremblay", "Lena", dt.date(1971, 9, 2), "precaution"),
    ("Samuel", "O'Neill", "Sam", dt.date(1992, 6, 24), "contraindication"),
    ("Aiko", "Tanaka", "", dt.date(1966, 1, 30), "complete"),
    ("Mateo", "García", "", dt.date(1988, 11, 5), "draft"),
    ("Priyanka", "Patel", "Priya", dt.date(1979, 4, 18), "stale"),
    ("Liam", "MacDonald", "", dt.date(1958, 7, 9), "precaution"),
    ("Zoë", "Lefèvre", "", dt.date(1995, 2, 14), "new"),
    ("Kwame", "Mensah", "", dt.date(1973, 12, 1), "complete"),
    ("Olivia", "Nguyen", "Liv", dt.date(1990, 5, 27), "cleared"),
    ("Ethan", "Kowalski", "", dt.date(1982, 8, 16), "draft"),
    ("Fatima", "Haddad", "", dt.date(1969, 3, 3), "complete"),
    ("Noah", "Desjardins", "", dt.date(2001, 10, 21), "new"),
    ("Amelia", "Brooks", "", dt.date(1963, 6, 11), "stale"),
    ("Ravi", "Sharma", "", dt.date(1977, 9, 29), "precaution"),
    ("Chloé", "Gagnon", "", dt.date(1986, 1, 8), "complete"),
    ("Lucas", "Silva", "", dt.date(1994, 4, 4), "new"),
    ("Grace", "Whitehorse", "", dt.date(1955, 11, 23), "complete"),
    ("Hiroshi", "Yamamoto", "", dt.date(1970, 2, 17), "draft"),
    ("Isabella", "Rossi", "Bella", dt.date(1999, 7, 31), "complete"),
    ("Owen", "Fitzgerald", "", dt.date(1961, 5, 6), "precaution"),
    ("Mei", "Lin", "", dt.date(1983, 12, 19), "new"),
    ("Benjamin", "Cohen", "Ben", dt.date(1975, 3, 25), "complete"),
    ("Sofia", "Petrov", "", dt.date(1991, 8, 8), "contraindication"),
    ("Thomas", "Bergström", "", dt.date(1967, 10, 13), "complete"),
    ("Aaliyah", "Johnson", "", dt.date(1987, 6, 2), "draft"),
    ("William", "Chang", "Will", dt.date(1959, 1, 26), "stale"),
    ("Emma", "St-Pierre", "", dt.date(1998, 9, 15), "new"),
    ("Diego", "Hernández", "", dt.date(1980, 2, 9), "complete"),
    ("Nora", "Lindqvist", "", dt.date(1972, 4, 22), "precaution"),
)

COMPLAINTS = {
    "neck": "Neck pain and stiffness for months, with headaches at the end of the work day.",
    "low_back": "Low back pain that spreads into the right buttock; sitting makes it worse.",
    "upper_limb": "Pain on the outside of the elbow (tennis elbow) when gripping and lifting.",
    "lower_limb": "Knee and calf pain when running or using stairs.",
}
MARKS = {
    "neck": [{"view": "back", "x": 0.5, "y": 0.17, "kind": "pain", "note": ""}],
    "low_back": [
        {"view": "back", "x": 0.5, "y": 0.47, "kind": "pain", "note": ""},
        {"view": "back", "x": 0.56, "y": 0.55, "kind": "paraesthesia", "note": "Tingling"},
    ],
    "upper_limb": [{"view": "front", "x": 0.2, "y": 0.42, "kind": "pain", "note": ""}],
    "lower_limb": [{"view": "front", "x": 0.41, "y": 0.72, "kind": "pain", "note": ""}],
}
CONSENT_V2_NOTE = (
    "\n\nIf electrical stimulation is used with the needles, you will feel a tapping or "
    "pulsing sensation; tell your physiotherapist if it becomes uncomfortable."
)


def build_users(password: str) -> dict[str, User]:
    users = {}
    for demo in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": demo.email,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        users[demo.username] = services.user_set_roles(user=user, roles={demo.role})
        if demo.role in Role.staff_roles():
            demo_totp_device(user)
    return users


def demo_totp_key(username: str) -> str:
    """A fixed authenticator key per demo account (hex), so the printed secret stays valid
    across `make run`. Demo data only: seed_demo runs only with DEBUG on."""
    return hashlib.sha1(f"gunn-ims-demo-totp:{username}".encode()).hexdigest()  # noqa: S324


def demo_totp_device(user: User):
    """The demo staff member's confirmed authenticator, with its fixed key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.update_or_create(
        user=user,
        name="Demo authenticator",
        defaults={"key": demo_totp_key(user.username), "confirmed": True},
    )
    return device


def totp_secret(device) -> str:
    """The base32 key an authenticator app takes when typed in."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _consent_versions() -> tuple[ConsentVersion, ConsentVersion]:
    """Version 1 and the current version (2, from migration 0014, which names infection and
    a broken needle), so a patient who signed only v1 shows the "consent needed" state."""
    v1 = ConsentVersion.objects.get(version=1)
    current = selectors.consent_version_current()
    if current is None or current.pk == v1.pk:  # a database from before migration 0014
        current = ConsentVersion.objects.create(
            version=services.consent_version_next_number(),
            title=v1.title,
            body=v1.body + CONSENT_V2_NOTE,
        )
        services.consent_version_publish(version=current)
    return v1, current


def build_front_office(users: dict[str, User]) -> list[Patient]:
    desk, physio = users["frontdesk"], users["physio"]
    rng = random.Random(20261120)  # noqa: S311 (demo data, the same clinic every time)
    v1, v2 = _consent_versions()
    items = {item.code: item for item in ScreeningItem.objects.all()}
    patients = []
    for index, (first, last, preferred, born, state) in enumerate(DEMO_PATIENTS):
        email = f"{_email_part(first)}.{_email_part(last)}@example.com"
        patient = Patient.objects.filter(
            legal_first_name=first, legal_last_name=last, date_of_birth=born
        ).first()
        if patient is None:
            patient = services.patient_create(
                by=desk,
                legal_first_name=first,
                legal_last_name=last,
                preferred_name=preferred,
                date_of_birth=born,
                email=email if index != 0 else "jordan.avery@example.com",
                phone=f"604-555-{1000 + index * 37:04d}",
                sex=rng.choice([Patient.Sex.FEMALE, Patient.Sex.MALE, Patient.Sex.UNDISCLOSED]),
                city="Vancouver",
                province="BC",
                referring_physician=rng.choice(["", "Dr. R. Banerjee", "Dr. S. Wong"]),
            )
        if index == 0 and patient.user_id is None:
            patient.user = users["patient"]
            patient.save(update_fields=["user"])
        _demo_confirm_email(patient, state)
        patients.append(patient)
        if patient.intakes.exists() or state == "new":
            if state in CONSENTED and selectors.consent_current(patient) is None:
                # A demo seeded before a newer consent text: the consented patients sign it
                # (once), and the "stale" one stays on v1.
                _sign(patient, v2, physio)
            continue
        _demo_intake(patient, state, index, rng, physio, items)
        if state in CONSENTED:
            _sign(patient, v2, physio)
        elif state == "stale":
            _sign(patient, v1, physio, when=timezone.now() - dt.timedelta(days=120))
    return patients


def _demo_confirm_email(patient: Patient, state: str) -> None:
    """Patients already seen (and the portal patient) confirmed their address long ago, so
    the desk can e-mail them documents; new patients have not yet, which shows the
    "not confirmed" state and its Send link button. Done once: a later run leaves it."""
    if patient.email and not patient.email_verified and (state != "new" or patient.user_id):
        patient.email_verified = patient.email
        patient.email_verified_at = patient.created_at
        patient.save(update_fields=["email_verified", "email_verified_at"])


def _email_part(text: str) -> str:
    return search.normalize(text).replace(" ", "").replace("-", "")


def _demo_intake(patient, state, index, rng, physio, items) -> None:
    # The registry's regions, those the demo has a story for (COMPLAINTS).
    regions = [region.code for region in outcomes.registry.regions() if region.code in COMPLAINTS]
    region = regions[index % len(regions)]
    intake = services.intake_start(patient=patient, by=patient.user or physio, channel="portal")
    by = patient.user or physio
    services.intake_save_step(
        intake=intake,
        step="pain",
        by=by,
        data={
            "presenting_complaint": COMPLAINTS[region],
            "pain_marks": MARKS[region],
            "onset": rng.choice(["gradual", "injury", "sudden"]),
            "duration": rng.choice(["3-6m", "6-12m", "gt1y"]),
            "nprs_now": rng.randint(3, 7),
            "nprs_best": 2,
            "nprs_worst": 8,
            "aggravating_factors": "Sitting at the computer, lifting groceries.",
            "easing_factors": "Heat, walking, stretching.",
        },
    )
    if state == "draft":
        return
    screening = []
    anticoagulants = "no"
    if state == "precaution":
        code = ["anticoagulants", "diabetes", "vasovagal", "recent-surgery"][index % 4]
        screening = [items[code]]
        anticoagulants = "yes" if code == "anticoagulants" else "no"
    elif state in {"contraindication", "cleared"}:
        screening = [items["local-infection" if state == "contraindication" else "needle-phobia"]]
    services.intake_save_step(
        intake=intake,
        step="history",
        by=by,
        data={
            "past_treatments": "Massage and exercises; helped for a few days.",
            "medical_history": "No major illnesses.",
            "medications": "Ibuprofen as needed."
            + (" Apixaban 5 mg." if anticoagulants == "yes" else ""),
            "anticoagulants": anticoagulants,
            "anticoagulant_details": "Apixaban" if anticoagulants == "yes" else "",
        },
    )
    services.intake_save_step(
        intake=intake,
        step="screening",
        by=by,
        data={"screening_items": screening, "screening_reviewed": True, "screening_notes": ""},
    )
    instrument = outcomes.REGION_INSTRUMENT[region]
    answers = {item.key: rng.choice(item.options[:4]).value for item in instrument.items}
    services.intake_save_step(
        intake=intake,
        step="function",
        by=by,
        data={
            "region": region,
            "region_answers": answers,
            "psfs": [
                {"activity": "Sitting through a work meeting", "rating": rng.randint(2, 6)},
                {"activity": "Carrying groceries", "rating": rng.randint(3, 7)},
            ],
        },
    )
    services.intake_submit(intake=intake, by=by)
    if state == "cleared":
        services.screening_clear(
            patient=patient,
            item=items["needle-phobia"],
            reason="Discussed at length; patient wishes to proceed lying down with breaks.",
            by=physio,
        )


def _sign(patient, version, physio, when=None) -> None:
    if version.pk == _current_version_pk():
        services.consent_sign(
            patient=patient,
            version=version,
            typed_name=patient.legal_name,
            channel=Consent.Channel.CLINIC,
            by=physio,
            origin=Origin(ip="127.0.0.1"),
        )
        return
    # The service signs only the current version (by design); the demo backdates a
    # signature on an older one to show what a stale consent looks like.
    Consent.objects.get_or_create(
        patient=patient,
        version=version,
        defaults={
            "typed_name": patient.legal_name,
            "channel": Consent.Channel.CLINIC,
            "recorded_by": physio,
            "ip_address": "127.0.0.1",
            "signed_at": when or timezone.now(),
        },
    )


def _current_version_pk() -> int | None:
    current = selectors.consent_version_current()
    return current.pk if current else None


# --- Scheduling -----------------------------------------------------------------------------

# username, display name, [(location, weekdays, opens, closes)]
DEMO_PRACTITIONERS = (
    ("physio", "Maya Chen", [("Kitsilano", (0, 1, 2, 3, 4), 8, 16)]),
    ("physio2", "Daniel Okafor", [("Kitsilano", (0, 2, 4), 10, 18), ("Downtown", (1, 3), 9, 17)]),
    ("physio3", "Sara Lindgren", [("Kitsilano", (1, 2, 3, 4, 5), 9, 15)]),
)
LOCATIONS = {
    "Kitsilano": "2150 West 4th Avenue, Vancouver, BC",
    "Downtown": "1055 West Georgia Street, Vancouver, BC",
}


def build_schedule(users: dict[str, User], patients: list[Patient]) -> int:
    """Locations, three practitioners with hours, and two weeks of bookings around today
    (three days back, eleven ahead). Adds bookings only when nothing is booked in the
    coming week, so running it again changes nothing."""
    locations = {}
    for name, address in LOCATIONS.items():
        locations[name], _ = Location.objects.get_or_create(
            name=name, defaults={"address": address}
        )
    for number in (1, 2, 3):
        Room.objects.get_or_create(location=locations["Kitsilano"], name=f"Room {number}")
    practitioners = []
    for order, (username, display, blocks) in enumerate(DEMO_PRACTITIONERS):
        practitioner, created = Practitioner.objects.get_or_create(
            user=users[username], defaults={"display_name": display, "order": order}
        )
        if created:
            for location_name, weekdays, opens, closes in blocks:
                practitioner.locations.add(locations[location_name])
                for weekday in weekdays:
                    WorkingHours.objects.create(
                        practitioner=practitioner,
                        location=locations[location_name],
                        weekday=weekday,
                        start=dt.time(opens),
                        end=dt.time(closes),
                    )
        practitioners.append((practitioner, blocks))

    now = timezone.now()
    if Appointment.objects.filter(start__gte=now, start__lt=now + dt.timedelta(days=7)).exists():
        care_team_demo(users["frontdesk"])
        waitlist_demo(users["frontdesk"], patients)
        return 0
    rng = random.Random(4242)  # noqa: S311 (demo data)
    types = {t.name: t for t in AppointmentType.objects.all()}
    desk = users["frontdesk"]
    today = timezone.localdate()
    booked = 0
    for offset in range(-3, 12):
        day = today + dt.timedelta(days=offset)
        for practitioner, blocks in practitioners:
            for location_name, weekdays, opens, closes in blocks:
                if day.weekday() not in weekdays:
                    continue
                booked += _demo_day(
                    rng,
                    day,
                    practitioner,
                    locations[location_name],
                    opens,
                    closes,
                    patients,
                    types,
                    desk,
                    users,
                )
    spacing_alerts_demo(patients, practitioners[0][0], locations["Kitsilano"], types, desk)
    confirmations_demo(desk)
    care_team_demo(desk)
    waitlist_demo(desk, patients)
    return booked


def confirmations_demo(desk: User) -> int:
    """Some of the next three days' visits confirmed (issue 20): most from the reminder's
    link (so the day view lists them as patients' replies), a few by phone at the desk.
    Its own random sequence, so the bookings above stay as they were. Returns how many."""
    rng = random.Random(2020)  # noqa: S311 (demo data)
    now = timezone.now()
    upcoming = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        start__gt=now,
        start__lt=now + dt.timedelta(days=3),
        confirmed_at__isnull=True,
    ).select_related("patient")
    confirmed = 0
    for appointment in upcoming.order_by("start"):
        draw = rng.random()
        if draw < 0.35:
            by, via = appointment.patient.user, Appointment.ConfirmedVia.LINK
        elif draw < 0.5:
            by, via = desk, Appointment.ConfirmedVia.PHONE
        else:
            continue
        services.appointment_confirm(appointment=appointment, by=by, via=via)
        confirmed += 1
    return confirmed


def waitlist_demo(desk: User, patients: list[Patient]) -> int:
    """A few patients on the waitlist (IMS, different days and times; one asks for the
    first practitioner). Only when the list is empty, so running it again changes nothing.
    Returns how many entries were added."""
    from clinic.models import WaitlistEntry

    if WaitlistEntry.objects.exists() or len(patients) < 4:
        return 0
    ims = AppointmentType.objects.filter(is_ims=True, active=True).first()
    first = Practitioner.objects.order_by("order").first()
    if ims is None or first is None:
        return 0
    today = timezone.localdate()
    wishes = [
        ({"weekdays": "01234", "windows": "morning"}, [first], "Works afternoons."),
        ({"weekdays": "13", "windows": "afternoon,evening"}, [], ""),
        ({"weekdays": "024", "time_from": dt.time(11), "time_to": dt.time(14)}, [], "Lunch hour."),
    ]
    for patient, (fields, wanted, note) in zip(patients[-3:], wishes, strict=True):
        services.waitlist_entry_create(
            patient=patient,
            by=desk,
            type=ims,
            practitioners=wanted,
            earliest_date=today,
            note=note,
            **fields,
        )
    return len(wishes)


def care_team_demo(desk: User) -> int:
    """The desk puts each demo patient's practitioners (those of their booked, checked-in
    or attended visits) on the patient's care team, as it would when booking: booking
    alone grants no access to the clinical record. Idempotent (an existing membership is
    kept and not logged again). Returns how many memberships were added."""
    pairs = (
        Appointment.objects.exclude(status__in=["cancelled", "no_show"])
        .values_list("patient_id", "practitioner_id")
        .distinct()
    )
    patients = {p.pk: p for p in Patient.objects.filter(pk__in={pk for pk, _ in pairs})}
    practitioners = {p.pk: p for p in Practitioner.objects.all()}
    added = 0
    for patient_id, practitioner_id in pairs:
        _member, created = services.care_team_add(
            patient=patients[patient_id], practitioner=practitioners[practitioner_id], by=desk
        )
        added += created
    return added


def _demo_day(rng, day, practitioner, location, opens, closes, patients, types, desk, users):
    tz = timezone.get_current_timezone()
    booked = 0
    minute = opens * 60 + rng.choice([0, 15, 30])
    while minute < closes * 60 - 30:
        if rng.random() < 0.3:  # a gap in the day
            minute += rng.choice([15, 30, 45])
            continue
        patient = rng.choice(patients)
        start = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)
        eligible = ims_next_eligible(patient, on_or_after=day) == day
        kind = (
            types["IMS treatment"]
            if eligible and rng.random() < 0.7
            else (types["Initial assessment"] if rng.random() < 0.2 else types["Follow-up"])
        )
        if start + kind.duration > dt.datetime.combine(day, dt.time(closes), tzinfo=tz):
            break
        if start < timezone.now():
            created = _demo_past(rng, patient, practitioner, location, kind, start, desk)
        else:
            via = Appointment.Via.PORTAL if rng.random() < 0.03 else Appointment.Via.DESK
            try:
                services.appointment_book(
                    patient=patient,
                    slot=services.Slot(
                        practitioner=practitioner, location=location, start=start, type=kind
                    ),
                    by=patient.user if via == Appointment.Via.PORTAL and patient.user else desk,
                    via=via,
                )
                created = True
            except services.BookingError:
                created = False
        booked += int(created)
        minute += kind.duration_minutes
    return booked


def _demo_past(rng, patient, practitioner, location, kind, start, desk) -> bool:
    """Past visits cannot be booked through the service (it refuses the past), so the demo
    writes them as the history they would be."""
    end = start + kind.duration
    clash = (
        Appointment.objects.filter(start__lt=end, end__gt=start)
        .exclude(status=Appointment.Status.CANCELLED)
        .filter(Q(practitioner=practitioner) | Q(patient=patient))
    )
    day = timezone.localtime(start).date()
    too_close = kind.is_ims and ims_next_eligible(patient, on_or_after=day) != day
    if clash.exists() or too_close:
        return False
    status = Appointment.Status.NO_SHOW if rng.random() < 0.05 else Appointment.Status.COMPLETED
    if start > timezone.now() - dt.timedelta(minutes=45):
        status = Appointment.Status.CHECKED_IN  # with the physio right now
    cancelled = {}
    if (
        status == Appointment.Status.COMPLETED
        and kind.is_ims
        and not selectors.consent_current(patient)
    ):
        # An IMS visit cannot be completed without current consent (the desk is refused):
        # the history shows it called off at the door instead.
        status = Appointment.Status.CANCELLED
        cancelled = {
            "cancelled_at": start,
            "cancelled_by": desk,
            "cancel_reason": "No current consent for IMS; to rebook after signing",
        }
    Appointment.objects.create(
        patient=patient,
        practitioner=practitioner,
        location=location,
        type=kind,
        start=start,
        end=end,
        is_ims=kind.is_ims,
        local_date=day,
        status=status,
        booked_by=desk,
        **cancelled,
    )
    return True


def spacing_alerts_demo(patients, practitioner, location, types, desk) -> None:
    """One IMS pair only three days apart, as an import from an old system would leave it,
    so the nightly audit has something to show on the front desk's page."""
    from clinic.services.reminders import spacing_audit

    patient = patients[-1]
    tz = timezone.get_current_timezone()
    base = timezone.localdate() + dt.timedelta(days=20)
    for offset in (0, 3):
        day = base + dt.timedelta(days=offset)
        start = dt.datetime.combine(day, dt.time(7, 0), tzinfo=tz)
        Appointment.objects.get_or_create(
            patient=patient,
            practitioner=practitioner,
            start=start,
            defaults={
                "location": location,
                "type": types["IMS treatment"],
                "end": start + dt.timedelta(minutes=30),
                "is_ims": True,
                "local_date": day,
                "booked_by": desk,
                "note": "Imported",
            },
        )
    spacing_audit(notify=False)
