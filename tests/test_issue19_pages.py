"""Issue 19, acceptance 7: every page the issue changed, opened in headless Chromium as the
role that uses it, with its new element visible, axe-core finding no critical or serious
violation, and a screenshot under var/screenshots/issue19-*.png for a person to look at
(desktop 1280x800; the day and week views also on a tablet, 820x1180; the portal also on a phone,
390x844). One small clinic per test, several pages per test, to keep the run short."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.tests.factories import practitioner_for
from clinic.models import AppointmentType, Location, Patient, WorkingHours
from clinic.permissions import Role
from clinic.tests.factories import (
    PatientFactory,
    UserFactory,
    make_patient,
    make_practitioner,
    write_appointment,
)
from tests.browser import assert_no_sideways_scroll, shot, sign_in
from tests.e2e import assert_accessible
from treatments import services as treatment_services
from treatments.models import AdverseEvent, RecordCopy, RomRetest
from treatments.tasks import record_copy_render_task
from treatments.tests.factories import complete_session, credential_for, ready_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}


def _check(page, name: str) -> None:
    """axe on the page as it stands, then its screenshot; no script errors on the way."""
    assert_accessible(page)
    shot(page, f"issue19-{name}")
    assert page.console_errors == [], page.console_errors


def _clinic_clock(page) -> None:
    """Run the page's clock in the clinic's time as this process reckons it. Django sets TZ
    to the clinic's zone, and the browser's own zone data may put America/Vancouver an hour
    away from Python's (permanent daylight time or not), which would draw the now line an
    hour from the visits around it. A fixed offset (Etc/GMT+8 is UTC-8) agrees with both."""
    hours = -int(timezone.localtime().utcoffset().total_seconds() // 3600)
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setTimezoneOverride", {"timezoneId": f"Etc/GMT{hours:+d}"})


def _next_weekday(days: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# --- Front desk --------------------------------------------------------------------------


def _desk_clinic():
    """A practitioner working 08:00-18:00 on weekdays and all of today (so today's grid has
    the current time on it whenever the test runs), and three of today's visits around now:
    one late (booked, not checked in, started 30 minutes ago), one checked in, one missed;
    three colleagues with a visit each (long names), one done and one booked online."""
    desk = UserFactory(username="desk19", first_name="Sam", roles={Role.FRONT_DESK})
    maya = make_practitioner(hours=((0, 4), (8, 18)), name="Maya Chen")
    today = timezone.localdate()
    WorkingHours.objects.filter(practitioner=maya, weekday=today.weekday()).delete()
    WorkingHours.objects.create(
        practitioner=maya,
        location=maya.locations.get(),
        weekday=today.weekday(),
        start=dt.time(0, 0),
        end=dt.time(23, 45),
    )
    now = timezone.localtime()
    slot = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    # Not before 01:30 (the missed visit is 75 minutes earlier) nor after 22:30 (the IMS
    # visit must end on today's grid: at 23:41 it once ran past midnight and was not shown).
    slot = min(max(slot, midnight + dt.timedelta(minutes=90)), midnight + dt.timedelta(hours=22.5))
    follow_up = AppointmentType.objects.get(name="Follow-up")
    ims = AppointmentType.objects.get(name="IMS treatment")
    late_patient = make_patient(
        legal_first_name="Alexandrina", legal_last_name="Montgomery-Fitzwilliam", by=desk
    )
    here_patient = make_patient(legal_first_name="Jordan", legal_last_name="Avery", by=desk)
    missed_patient = make_patient(legal_first_name="Priya", legal_last_name="Natarajan", by=desk)
    late = write_appointment(
        late_patient, maya, slot - dt.timedelta(minutes=30), follow_up, by=desk
    )
    here = write_appointment(here_patient, maya, slot, ims, by=desk, status="checked_in")
    missed = write_appointment(
        missed_patient, maya, slot - dt.timedelta(minutes=75), follow_up, by=desk,
        status="no_show",
    )  # fmt: skip
    # Three colleagues working today too: four columns narrow the blocks (on a tablet
    # especially), where long names must not spill out of a 30-minute block.
    for name, first, last in (
        ("Omar Haddad", "Maximiliana", "Vandenberghe-Oyelaran"),
        ("Li Wei", "Bartholomew", "Castellanos"),
        ("Sofia Rossi", "Kim", "Ng"),
    ):
        colleague = make_practitioner(
            hours=((today.weekday(), today.weekday()), (0, 23)), name=name
        )
        write_appointment(
            make_patient(legal_first_name=first, legal_last_name=last, by=desk),
            colleague, slot - dt.timedelta(minutes=30), ims, by=desk,
        )  # fmt: skip
        if name == "Omar Haddad":  # a visit done earlier (its colours, not faded: contrast)
            write_appointment(
                make_patient(legal_first_name="Dana", legal_last_name="Okoye", by=desk),
                colleague, slot - dt.timedelta(minutes=75), follow_up, by=desk,
                status="completed",
            )  # fmt: skip
        if name == "Li Wei":  # booked online, not yet seen by the desk
            write_appointment(
                make_patient(legal_first_name="Ines", legal_last_name="Moreau", by=desk),
                colleague, slot, follow_up, by=desk, booked_via="portal",
            )  # fmt: skip
    is_late = late.start <= timezone.now() - dt.timedelta(minutes=10)
    return desk, maya, late, here, missed, is_late


def test_front_desk_pages(page_for, touch_page_for):
    desk, maya, late, here, missed, is_late = _desk_clinic()
    page = page_for(**DESKTOP)
    _clinic_clock(page)
    sign_in(page, desk.username)

    # The day view: state icons with their words in the link, the legend, the now line,
    # the late flag, New appointment and Day sheet, the pickers without a Go button.
    page.goto(page.base + "/desk/")
    grid = page.locator("table.schedule-grid")
    expect(grid).to_be_visible()
    here_block = grid.locator("a.appt", has_text="Avery")
    expect(here_block).to_contain_text("Checked in.")
    expect(here_block).to_contain_text("Consent needed.")
    expect(grid.locator("a.appt", has_text="Okoye")).to_contain_text("Completed.")
    expect(grid.locator("a.appt", has_text="Moreau")).to_contain_text("Booked online.")
    if is_late:
        expect(grid.locator("a.appt.appt-late", has_text="Montgomery")).to_contain_text(
            "Late, not checked in."
        )
    expect(page.locator(".schedule-legend")).to_be_visible()
    if timezone.localtime().time() < dt.time(23, 45):  # the grid ends at 23:45
        expect(page.locator("tr.now-row")).to_have_count(1)
    expect(page.get_by_role("link", name="New appointment")).to_be_visible()
    expect(page.get_by_role("link", name="Day sheet")).to_be_visible()
    expect(page.get_by_role("button", name="Go")).to_be_hidden()
    _check(page, "desk-day-desktop")

    # The appointment modal of the checked-in visit: Undo check-in.
    here_block.click()
    dialog = page.locator("#app-modal")
    expect(dialog.get_by_role("button", name="Undo check-in")).to_be_visible()
    _check(page, "desk-appointment-modal-undo-check-in")
    dialog.get_by_role("button", name="Close").first.click()
    expect(dialog).to_be_hidden()

    # The missed visit's page: Undo no-show, Rebook, Find the next free time.
    page.goto(page.base + f"/appointments/{missed.pk}/")
    expect(page.get_by_role("button", name="Undo no-show")).to_be_visible()
    expect(page.get_by_role("link", name="Rebook")).to_be_visible()
    expect(page.get_by_role("link", name="Find the next free time")).to_be_visible()
    _check(page, "desk-appointment-page-no-show")

    # The printable day sheet.
    page.goto(page.base + "/desk/sheet/")
    expect(page.locator("main")).to_contain_text("Avery")
    _check(page, "desk-day-sheet")

    # The booking form with a patient chosen: its panel links to the slot finder.
    page.goto(page.base + f"/appointments/new/?patient={here.patient_id}")
    expect(
        page.locator(".patient-chosen").get_by_role("link", name="Find a free time")
    ).to_be_visible()
    _check(page, "desk-booking-form-patient-panel")

    # The slot finder with results.
    follow_up = AppointmentType.objects.get(name="Follow-up")
    day = _next_weekday(1)
    page.goto(
        page.base + f"/appointments/find/?patient={here.patient_id}&type={follow_up.pk}"
        f"&from_date={day.isoformat()}&practitioners={maya.pk}"
    )
    expect(page.locator(".slot-button").first).to_be_visible()
    _check(page, "desk-slot-finder-results")

    # The patient page: Find a free time.
    page.goto(page.base + f"/patients/{missed.patient_id}/")
    expect(page.get_by_role("link", name="Find a free time")).to_be_visible()
    _check(page, "desk-patient-page")

    # The registration form: the phone's help text, then the preferred contact's error.
    page.goto(page.base + "/patients/new/")
    expect(page.locator("#id_phone")).to_be_visible()
    expect(page.locator("#id_phone_helptext, #hint_id_phone")).to_be_visible()
    page.fill("#id_legal_first_name", "Robin")
    page.fill("#id_legal_last_name", "Okafor")
    page.fill("#id_date_of_birth", "1984-05-06")
    page.select_option("#id_preferred_contact", Patient.ContactMethod.EMAIL)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("E-mail is preferred but there is no e-mail address.")).to_be_visible()
    _check(page, "desk-registration-form-errors")

    # The week view: the day grid's blocks and icons, a sub-column per practitioner per
    # day, today marked with the now line in its columns, the pickers without a Go button.
    page.goto(page.base + "/schedule/week/")
    week = page.locator("table.week-table")
    expect(week.locator("a.appt", has_text="Avery")).to_contain_text("Checked in.")
    expect(week.locator("thead tr.week-days th.is-today")).to_have_count(1)
    if timezone.localtime().time() < dt.time(23, 45):
        expect(page.locator("tr.now-row")).to_have_count(1)
    expect(page.get_by_label("Practitioner")).to_be_visible()
    expect(page.get_by_role("button", name="Go")).to_be_hidden()
    _check(page, "desk-week-desktop")

    # The day view on a tablet at the desk.
    tablet = touch_page_for(TABLET)
    _clinic_clock(tablet)
    sign_in(tablet, desk.username)
    tablet.goto(tablet.base + "/desk/")
    expect(tablet.locator("a.appt", has_text="Avery")).to_be_visible()
    expect(tablet.get_by_role("link", name="New appointment")).to_be_visible()
    _check(tablet, "desk-day-tablet")
    tablet.goto(tablet.base + "/schedule/week/")
    expect(tablet.locator("table.week-table a.appt", has_text="Avery")).to_be_visible()
    _check(tablet, "desk-week-tablet")


# --- Clinic admin ------------------------------------------------------------------------


def test_clinic_admin_incident_pages(page_for, make_user):
    physio = make_user(Role.PHYSIO, username="physio19")
    admin = make_user(Role.CLINIC_ADMIN, username="admin19")
    credential_for(physio)
    signed = treatment_services.session_sign(session=complete_session(physio), by=physio)
    event = treatment_services.adverse_event_record(
        session=signed,
        by=physio,
        event=AdverseEvent(
            kind="headache", severity="moderate", action_taken="Rest; phoned next day."
        ),
    )
    page = page_for(**DESKTOP)
    sign_in(page, admin.username)

    page.goto(page.base + "/treatments/incidents/")
    filters = page.get_by_role("navigation", name="Review state")
    expect(filters.get_by_role("link", name="All")).to_be_visible()
    expect(page.locator(f"#incident-{event.pk}")).to_contain_text("Open")
    _check(page, "admin-incident-list")
    filters.get_by_role("link", name="Open").click()
    expect(page.locator(f"#incident-{event.pk}")).to_be_visible()

    # Review it, then try to close it without saying what was done: the error shows.
    page.goto(page.base + f"/treatments/incidents/{event.pk}/")
    page.get_by_label("Mark reviewed").check()
    page.get_by_label("Note").fill("Spoke with the physiotherapist; technique fine.")
    page.locator("#review form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Close: the follow-up is done").check()
    page.locator("#review form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#review .invalid-feedback, #review .alert-danger").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Spoke with the physiotherapist")
    # The refused step answers 400, which the browser logs as a failed load: expected.
    page.console_errors = [e for e in page.console_errors if "status of 400" not in e]
    _check(page, "admin-incident-review-error")


# --- Patient portal ----------------------------------------------------------------------


def _portal_clinic():
    kind = AppointmentType.objects.get(name="Follow-up")
    kind.bookable_online = True
    kind.save()
    maya = make_practitioner(hours=((0, 6), (8, 19)), name="Maya Chen")
    west = Location.objects.create(name="West side", address="12 Alma St")
    make_practitioner(location=west, hours=((0, 6), (13, 15)), name="Omar Haddad")
    user = UserFactory(username="pat19", roles={Role.PATIENT})
    patient = PatientFactory(
        user=user, legal_first_name="Pat", legal_last_name="Portal",
        email="pat.portal@example.org",
    )  # fmt: skip
    desk = UserFactory(roles={Role.FRONT_DESK})
    day = _next_weekday(7)
    write_appointment(patient, maya, _at(day, 9), kind, by=desk)
    write_appointment(patient, maya, _at(day + dt.timedelta(days=1), 10), kind, by=desk,
                      status="cancelled")  # fmt: skip
    return user, kind, _next_weekday(3)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_patient_portal_pages(page_for, touch_page_for, size):
    user, kind, day = _portal_clinic()
    page = touch_page_for(PHONE) if size == "phone" else page_for(**DESKTOP)
    sign_in(page, user.username)

    page.goto(page.base + f"/portal/book/?type={kind.pk}&date={day.isoformat()}")
    expect(page.get_by_label("With")).to_be_visible()
    expect(page.get_by_label("Where")).to_be_visible()
    expect(page.get_by_role("heading", name="Morning")).to_be_visible()
    expect(page.get_by_role("heading", name="Afternoon")).to_be_visible()
    _check(page, f"portal-book-{size}")

    page.locator(".slot-button").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("button", name="Confirm", exact=False).first).to_be_visible()
    _check(page, f"portal-book-confirm-{size}")

    page.goto(page.base + "/portal/appointments/")
    expect(page.get_by_role("link", name="Add to calendar").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Cancelled")
    _check(page, f"portal-appointments-{size}")


@pytest.mark.usefixtures("private_storage")
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_patient_record_pages(page_for, touch_page_for, size):
    """My records: the readable record (details, visits in plain words, scores, intake,
    consents, documents) and its PDF card, asked for and ready; no sideways scroll."""
    from tests.world import build_world

    world = build_world()
    page = touch_page_for(PHONE) if size == "phone" else page_for(**DESKTOP)
    sign_in(page, world.patient_a.user.username)

    page.goto(page.base + "/portal/my-records/")
    expect(page.get_by_role("link", name="Read my record")).to_be_visible()
    _check(page, f"portal-records-{size}")

    page.get_by_role("link", name="Read my record").click()
    main = page.locator("main")
    for heading in ("Your details", "Appointments", "Your IMS visits", "Your intake answers"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(main).to_contain_text(world.site.muscle.lay_name)
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()  # the world's copy
    assert_no_sideways_scroll(page, (PHONE if size == "phone" else DESKTOP)["width"])
    _check(page, f"portal-record-{size}")
    page.emulate_media(media="print")  # printed: no navigation, buttons or PDF card
    expect(page.locator("#record-pdf")).to_be_hidden()
    shot(page, f"issue19-portal-record-print-{size}")
    page.emulate_media(media="screen")

    # Asked for again: "being prepared" (a spinner, so a screenshot but no axe, which waits
    # for animations to end); the worker renders it and the polled card offers the file.
    page.get_by_role("button", name="Prepare a new PDF").click()
    card = page.locator("#record-pdf")
    expect(card).to_contain_text("Being prepared")
    shot(page, f"issue19-portal-record-pdf-pending-{size}")
    copy = RecordCopy.objects.filter(patient=world.patient_a).latest("created_at")
    assert record_copy_render_task.run(copy.pk) is True
    expect(card.get_by_role("link", name="Download PDF")).to_be_visible(timeout=15_000)
    expect(card).not_to_contain_text("Being prepared")
    _check(page, f"portal-record-pdf-ready-{size}")


# --- Physiotherapist ---------------------------------------------------------------------


def test_physio_session_form_sites(page_for, make_user):
    physio = make_user(Role.PHYSIO, username="physio19")
    credential_for(physio)
    patient = ready_patient(physio)  # physio on the care team, intake and consent done
    treatment_services.session_sign(session=complete_session(physio, patient, sites=2), by=physio)
    draft = treatment_services.session_start(patient=patient, practitioner=practitioner_for(physio))
    page = page_for(**DESKTOP)
    sign_in(page, physio.username)

    page.goto(page.base + f"/treatments/sessions/{draft.pk}/edit/")
    repeat = page.get_by_role("button", name="Repeat last session's sites")
    expect(repeat).to_be_visible()
    page.wait_for_load_state("networkidle")
    _check(page, "physio-session-empty-draft-repeat")

    repeat.click()
    page.wait_for_load_state("networkidle")
    copy = page.locator("#site-rows").get_by_role("button", name="Copy").first
    expect(copy).to_be_visible()
    _check(page, "physio-session-sites-copy")

    # The re-test's movement list follows the chosen joint (static/js/clinic.js).
    form = page.locator("#retest-new-form")
    form.locator('select[name$="-joint"]').select_option("knee")
    movement = form.locator('select[name$="-movement"]')
    assert movement.locator('option[value="rotation"]').evaluate("o => o.hidden && o.disabled")
    assert not movement.locator('option[value="extension"]').evaluate("o => o.hidden")
    movement.select_option("extension")
    form.locator('select[name$="-joint"]').select_option("cervical")
    assert movement.evaluate("s => s.value") == "extension"  # the neck extends too
    form.locator('select[name$="-joint"]').select_option("forearm")
    assert movement.evaluate("s => s.value") == ""  # forearm: pronation/supination only


# Each <select> of the re-test entry form with the room its text has (its inner width less
# the padding that holds the arrow) and the width of its widest option's text in its own
# font: an option wider than the room is cut short on screen.
_SELECT_ROOM = """form => [...form.querySelectorAll("select")].map(select => {
    const style = getComputedStyle(select);
    const context = document.createElement("canvas").getContext("2d");
    context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = select.clientWidth - padding;
    const widest = [...select.options].reduce(
        (best, option) => {
            const width = context.measureText(option.text).width;
            return width > best.width ? {width, text: option.text} : best;
        },
        {width: 0, text: ""},
    );
    return {name: select.name, room, widest: widest.width, text: widest.text};
})"""


def _retest_selects_fit(page) -> None:
    """Every re-test select shows its longest option whole, and the page does not scroll
    sideways (issue 19: "re-test selects cut short on the session form")."""
    form = page.locator("#retest-new-form")
    expect(form).to_be_visible()
    selects = form.evaluate(_SELECT_ROOM)
    assert len(selects) == 3, selects
    cut = [s for s in selects if s["widest"] > s["room"]]
    assert not cut, f"cut short at {page.viewport_size['width']}px: {cut}"
    assert_no_sideways_scroll(page, page.viewport_size["width"])


@pytest.mark.parametrize("size", ["desktop", "tablet"])
def test_physio_session_form_retest_selects_are_readable(page_for, touch_page_for, make_user, size):
    physio = make_user(Role.PHYSIO, username="physio19")
    credential_for(physio)
    patient = ready_patient(physio)
    draft = complete_session(
        physio,
        patient,
        subjective="Neck stiff on waking; turning to reverse the car still hurts.",
        objective="Rotation R limited and painful at end range; taut band in left levator.",
    )
    treatment_services.part_save(
        session=draft,
        by=physio,
        part=RomRetest(
            joint="cervical", movement="side_flexion", side="L", before_degrees=20,
            after_degrees=30,
        ),
    )  # fmt: skip
    page = touch_page_for(TABLET) if size == "tablet" else page_for(**DESKTOP)
    sign_in(page, physio.username)
    page.goto(page.base + f"/treatments/sessions/{draft.pk}/edit/")
    page.wait_for_load_state("networkidle")
    form = page.locator("#retest-new-form")
    form.locator('select[name$="-joint"]').select_option("cervical")
    form.locator('select[name$="-movement"]').select_option("side_flexion")
    form.locator('select[name$="-side"]').select_option("B")
    _retest_selects_fit(page)
    form.scroll_into_view_if_needed()
    expect(page.get_by_label("Subjective")).to_have_value(draft.subjective)
    _check(page, f"physio-session-retests-{size}")

    # The signed note shows the S and O in the physiotherapist's words.
    treatment_services.session_sign(session=draft, by=physio)
    page.goto(page.base + f"/treatments/sessions/{draft.pk}/")
    expect(page.locator("main")).to_contain_text(draft.objective)
    # Screenshot only: the pending visit summary's spinner runs for as long as no worker
    # renders it, and axe waits for animations to end.
    shot(page, f"issue19-physio-session-signed-soap-{size}")
    assert page.console_errors == [], page.console_errors
