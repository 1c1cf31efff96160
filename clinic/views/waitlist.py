"""The waitlist: the desk's list, adding and editing entries, the matches for a free slot
(after a cancellation, or any time asked), offering a slot by e-mail, and the public page
the e-mailed offer link opens.

Physiotherapists may read the list and the matches; the front desk and the clinic admin
change them. The offer page is public: its signed one-time token is the key, and GET only
shows the time (a mail scanner opening the link takes nothing); the POST takes it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import selectors
from clinic.forms.common import form_add_errors
from clinic.forms.scheduling import SlotForm
from clinic.forms.waitlist import RemoveForm, WaitlistEntryForm
from clinic.inputs import parse_id
from clinic.models import Appointment, Patient, Practitioner, WaitlistEntry, WaitlistOffer
from clinic.permissions import Role, allow_public, allow_roles
from clinic.selectors import waitlist as waitlist_selectors
from clinic.services import waitlist as waitlist_services
from clinic.services.scheduling import Slot

WRITERS = (Role.FRONT_DESK, Role.CLINIC_ADMIN)
READERS = (*WRITERS, Role.PHYSIO)


def slot_query(slot: Slot) -> str:
    """The matches page's query string for a slot (clinic-local date and time)."""
    local = timezone.localtime(slot.start)
    return urlencode(
        {
            "practitioner": slot.practitioner.pk,
            "location": slot.location.pk,
            "type": slot.type.pk,
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
        }
    )


def slot_of_appointment(appointment: Appointment) -> Slot:
    return Slot(
        practitioner=appointment.practitioner,
        location=appointment.location,
        start=appointment.start,
        type=appointment.type,
    )


def matches_url(appointment: Appointment) -> str:
    return reverse("clinic:waitlist_matches") + "?" + slot_query(slot_of_appointment(appointment))


def after_cancel_url(appointment: Appointment) -> str | None:
    """Where the desk goes after cancelling `appointment`: the waitlist matches for the
    freed time when it is still ahead and someone waits for that type of visit (else None:
    back to the schedule as before)."""
    if appointment.start <= timezone.now():
        return None
    waiting = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.WAITING, type_id=appointment.type_id
    ).exists()
    if not waiting:
        return None
    return matches_url(appointment) + f"&cancelled={appointment.pk}"


@allow_roles(*READERS)
@require_GET
def waitlist_list(request: HttpRequest) -> HttpResponse:
    """Who is waiting (filter by practitioner or status), the slots freed by recent
    cancellations, a form to find matches for any time, and the latest offers."""
    statuses = dict(WaitlistEntry.Status.choices)
    status = request.GET.get("status", WaitlistEntry.Status.WAITING)
    if status not in statuses:
        status = WaitlistEntry.Status.WAITING
    practitioners = list(Practitioner.objects.filter(active=True))
    chosen = parse_id(request.GET.get("practitioner"))
    practitioner = next((p for p in practitioners if p.pk == chosen), None)
    entries = list(waitlist_selectors.waitlist_entries(status=status, practitioner=practitioner))
    freed = [
        (appointment, slot_query(slot_of_appointment(appointment)))
        for appointment in waitlist_selectors.freed_slots()
    ]
    query = (request.GET.get("q") or "").strip()[:100]
    found = list(selectors.patient_search(query=query)[:10]) if len(query) >= 2 else []
    return render(
        request,
        "clinic/waitlist/list.html",
        {
            "entries": entries,
            "status": status,
            "statuses": statuses,
            "practitioners": practitioners,
            "practitioner": practitioner,
            "freed": freed,
            "slot_form": _styled(SlotForm()),
            "offers": waitlist_selectors.waitlist_offers_recent(limit=10),
            "query": query,
            "found": found,
            "can_write": request.user.has_role(Role.FRONT_DESK)
            or request.user.has_role(Role.CLINIC_ADMIN),
        },
    )


@allow_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def waitlist_add(request: HttpRequest) -> HttpResponse:
    """Add a patient (?patient=<id>, from the patient's page or the list's search)."""
    patient_id = parse_id(request.GET.get("patient") or request.POST.get("patient"))
    if patient_id is None:
        messages.info(request, "Find the patient first, then choose 'Add to the waitlist'.")
        return redirect("clinic:waitlist_list")
    patient = get_object_or_404(Patient, pk=patient_id)
    form = WaitlistEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            waitlist_services.waitlist_entry_create(
                patient=patient, by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, f"{patient.display_name} is on the waitlist.")
            return redirect("clinic:waitlist_list")
    form.mark_errors()
    return render(
        request, "clinic/waitlist/form.html", {"form": form, "patient": patient, "entry": None}
    )


@allow_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def waitlist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(WaitlistEntry.objects.select_related("patient"), pk=pk)
    form = WaitlistEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            waitlist_services.waitlist_entry_update(
                entry=entry, by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, f"Saved {entry.patient.display_name}'s waitlist entry.")
            return redirect("clinic:waitlist_list")
    form.mark_errors()
    return render(
        request,
        "clinic/waitlist/form.html",
        {"form": form, "patient": entry.patient, "entry": entry},
    )


@allow_roles(*WRITERS)
@require_POST
def waitlist_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(WaitlistEntry.objects.select_related("patient"), pk=pk)
    form = RemoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        waitlist_services.waitlist_entry_remove(entry=entry, by=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{entry.patient.display_name} is off the waitlist.")
    return redirect("clinic:waitlist_list")


def _styled(form: SlotForm) -> SlotForm:
    """The sidebar's slot form with Bootstrap's classes (the booking modal styles its own)."""
    form.fields["practitioner"].empty_label = "Choose a practitioner"
    for field in form.fields.values():
        kind = "form-select" if hasattr(field, "queryset") else "form-control"
        field.widget.attrs["class"] = kind
    return form


def _slot_from(data) -> tuple[SlotForm, Slot | None]:
    form = SlotForm(data)
    if not form.is_valid():
        return form, None
    cleaned = form.cleaned_data
    return form, Slot(
        practitioner=cleaned["practitioner"],
        location=cleaned["location"],
        start=cleaned["start"],
        type=cleaned["type"],
    )


@allow_roles(*READERS)
@require_GET
def waitlist_matches(request: HttpRequest) -> HttpResponse:
    """The ranked waitlist matches for one slot (?practitioner, location, type, date, time),
    each with 'Book' (the booking form filled in) and 'Offer by e-mail'."""
    form, slot = _slot_from(request.GET)
    labels = dict(WaitlistOffer.Status.choices)
    found = None
    offered: dict[int, str] = {}
    book_query = ""
    if slot is not None:
        found = waitlist_services.waitlist_matches(slot=slot, by=request.user)
        offered = waitlist_selectors.waitlist_offers_for_slot(
            practitioner=slot.practitioner, start=slot.start
        )
        book_query = urlencode(
            {
                "practitioner": slot.practitioner.pk,
                "location": slot.location.pk,
                "type": slot.type.pk,
                "start": timezone.localtime(slot.start).replace(tzinfo=None).isoformat(),
            }
        )
    return render(
        request,
        "clinic/waitlist/matches.html",
        {
            "form": form,
            "slot": slot,
            "found": found,
            "rows": [
                (m, labels.get(offered.get(m.entry.pk, ""), ""))
                for m in (found.matches if found else [])
            ],
            "slot_query": request.GET.urlencode(),
            "book_query": book_query,
            "cancelled": parse_id(request.GET.get("cancelled")),
            "can_write": request.user.has_role(Role.FRONT_DESK)
            or request.user.has_role(Role.CLINIC_ADMIN),
        },
    )


@allow_roles(*WRITERS)
@require_POST
def waitlist_offer_create(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail this entry's patient an offer of the slot in the form (after commit)."""
    entry = get_object_or_404(WaitlistEntry.objects.select_related("patient"), pk=pk)
    form, slot = _slot_from(request.POST)
    back = reverse("clinic:waitlist_matches") + "?" + request.POST.get("slot_query", "")
    if slot is None:
        messages.error(request, "That time could not be read; choose it again.")
        return redirect("clinic:waitlist_list")
    try:
        offer = waitlist_services.waitlist_offer_create(entry=entry, slot=slot, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        until = timezone.localtime(offer.expires_at)
        messages.success(
            request,
            f"Offer e-mailed to {entry.patient.display_name}; the link works until "
            f"{until:%H:%M} on {until:%a %d %b}.",
        )
    return redirect(back if request.POST.get("slot_query") else "clinic:waitlist_list")


@allow_roles(*WRITERS)
@require_POST
def waitlist_offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a pending offer (the link then says so); an offer already answered,
    expired or withdrawn is left as it is, with a message."""
    offer = get_object_or_404(WaitlistOffer.objects.select_related("entry__patient"), pk=pk)
    try:
        waitlist_services.waitlist_offer_withdraw(offer=offer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Offer to {offer.entry.patient.display_name} withdrawn.")
    return redirect("clinic:waitlist_list")


# --- The e-mailed offer (public, by its token) ---------------------------------------------

_REFUSED = {
    waitlist_services.Outcome.USED: "used",
    waitlist_services.Outcome.TAKEN: "taken",
    waitlist_services.Outcome.EXPIRED: "expired",
    waitlist_services.Outcome.WITHDRAWN: "withdrawn",
}


def _offer_state(offer: WaitlistOffer | None) -> str:
    if offer is None:
        return "invalid"
    if offer.status == WaitlistOffer.Status.PENDING:
        return "open" if offer.is_open else "expired"
    return {
        WaitlistOffer.Status.ACCEPTED: "used",
        WaitlistOffer.Status.GONE: "taken",
        WaitlistOffer.Status.EXPIRED: "expired",
        WaitlistOffer.Status.WITHDRAWN: "withdrawn",
    }[offer.status]


@allow_public
@never_cache
@require_http_methods(["GET", "POST"])
def waitlist_offer(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the offered time and a 'Take this time' button; POST books it (first to
    accept wins). A used, taken, expired, withdrawn or unreadable link gets a page that
    says so, and nothing changes."""
    offer = waitlist_services.waitlist_offer_for_token(token)
    state = _offer_state(offer)
    if state != "open":
        return _offer_refused(request, state, offer)
    if request.method == "POST":
        outcome, appointment = waitlist_services.waitlist_offer_accept(offer=offer)
        if outcome is not waitlist_services.Outcome.BOOKED:
            return _offer_refused(request, _REFUSED[outcome], offer)
        return render(request, "clinic/waitlist/offer.html", {"offer": offer, "booked": True})
    return render(request, "clinic/waitlist/offer.html", {"offer": offer, "booked": False})


def _offer_refused(request: HttpRequest, state: str, offer: WaitlistOffer | None) -> HttpResponse:
    # 410 for every refusal, an unreadable link included (as the e-mail confirmation link).
    return render(
        request,
        "clinic/waitlist/offer_closed.html",
        {"state": state, "offer": offer},
        status=410,
    )
