"""The demo clinic's records custody: the province chosen (British Columbia), one open
access request from the portal demo patient and one row in the breach register. Idempotent:
each is made once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clinic.models import Patient, User
from custody import services
from custody.models import AccessRequest, Breach

LABEL = "custody records"  # how seed_demo counts what build() made


def build(*, users: dict[str, User], patients: list[Patient]) -> int:
    admin = users["admin"]
    services.custody_province_set(province="BC", by=admin)
    created = 0
    portal_patient = next((p for p in patients if p.user_id), None)
    if portal_patient and not AccessRequest.objects.filter(patient=portal_patient).exists():
        services.access_request_create(
            patient=portal_patient,
            by=portal_patient.user,
            details="A copy of my whole record, including the visit summaries.",
            channel=AccessRequest.Channel.PORTAL,
            received_on=timezone.localdate() - dt.timedelta(days=4),
        )
        created += 1
    if not Breach.objects.exists():
        services.breach_record(
            by=admin,
            what="Tomorrow's day sheet was e-mailed to a former locum's personal address.",
            category=Breach.Category.DISCLOSED,
            occurred_on=timezone.localdate() - dt.timedelta(days=9),
            discovered_on=timezone.localdate() - dt.timedelta(days=8),
            patients_affected=14,
            real_risk=False,
            risk_reasoning=(
                "Names and visit times only, no health information; the recipient confirmed "
                "in writing that the message was deleted unread."
            ),
            patients_notified_on=timezone.localdate() - dt.timedelta(days=6),
        )
        created += 1
    return created
