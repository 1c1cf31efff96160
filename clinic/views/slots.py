"""The staff's free-slot finder: the next times a patient can be booked for a type of visit,
each already checked by the booking rules, with a link that opens the booking form filled
in."""

from __future__ import annotations

from itertools import groupby
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic import selectors, services
from clinic.forms.scheduling import SlotFinderForm
from clinic.inputs import parse_date, parse_id
from clinic.models import AppointmentType, Patient
from clinic.permissions import Role, allow_roles

RESULTS = 24


@allow_roles(Role.FRONT_DESK, Role.PHYSIO)
@require_GET
def slot_finder(request: HttpRequest) -> HttpResponse:
    """`?patient=<id>` and the finder's fields; without the fields, the form with today
    (for IMS: the patient's next eligible day) and the patient's usual type (IMS when they
    have had IMS) filled in. Without a patient, a pointer to where to start from."""
    patient_id = parse_id(request.GET.get("patient"))
    patient = Patient.objects.filter(pk=patient_id).first() if patient_id else None
    if patient is None:
        return render(request, "clinic/schedule/slot_finder.html", {"patient": None})
    ims = selectors.patient_ims_summary(patient)
    searched = "type" in request.GET
    default_type = AppointmentType.objects.filter(active=True, is_ims=bool(ims.last)).first()
    earliest = (
        max(timezone.localdate(), ims.next_eligible)
        if default_type and default_type.is_ims
        else timezone.localdate()
    )
    # "Book next" from a signed note links here with the recommended date and the note's
    # physiotherapist: the form opens with them filled in.
    wanted = parse_date(request.GET.get("from_date", ""))
    practitioners = [pk for pk in map(parse_id, request.GET.getlist("practitioners")) if pk]
    form = SlotFinderForm(
        request.GET if searched else None,
        initial={
            "from_date": max(wanted, earliest) if wanted else earliest,
            "type": default_type,
            "practitioners": practitioners,
        },
    )
    days = []
    if searched and form.is_valid():
        data = form.cleaned_data
        slots = services.slots_find(
            patient=patient,
            type=data["type"],
            by=request.user,
            from_date=data["from_date"],
            practitioners=list(data["practitioners"]) or None,
            location=data["location"],
            limit=RESULTS,
        )
        for day, group in groupby(slots, key=lambda s: timezone.localtime(s.start).date()):
            days.append(
                (
                    day,
                    [(slot, _booking_url(patient, data["type"], slot)) for slot in group],
                )
            )
    return render(
        request,
        "clinic/schedule/slot_finder.html",
        {
            "patient": patient,
            "form": form,
            "searched": searched and form.is_valid(),
            "days": days,
            "ims": ims,
            "limit": RESULTS,
        },
    )


def _booking_url(patient: Patient, kind: AppointmentType, slot) -> str:
    query = {
        "patient": patient.pk,
        "type": kind.pk,
        "practitioner": slot.practitioner.pk,
        "location": slot.location.pk,
        "start": timezone.localtime(slot.start).replace(tzinfo=None).isoformat(timespec="minutes"),
    }
    return reverse("clinic:appointment_new") + "?" + urlencode(query)
