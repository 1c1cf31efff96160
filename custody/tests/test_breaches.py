"""Issue 22, acceptance 5: breach rows cannot be deleted through any view or the admin
(nor, on PostgreSQL, by SQL), and the annual export's counts equal hand counts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from clinic.tests.factories import UserFactory, verified_client
from custody import services
from custody.models import Breach
from tests.urlwalk import app_routes

pytestmark = [pytest.mark.django_db]


def _breach(by, category: str, discovered: dt.date, affected: int) -> Breach:
    return services.breach_record(
        by=by,
        what=f"{category} incident",
        category=category,
        discovered_on=discovered,
        patients_affected=affected,
        real_risk=category == "stolen",
        risk_reasoning="Health numbers and diagnoses involved.",
    )


def test_annual_export_counts_equal_hand_counts(clinic_admin, client_for):
    rows = [
        ("stolen", dt.date(2025, 3, 1), 40),
        ("stolen", dt.date(2025, 11, 30), 2),
        ("lost", dt.date(2025, 1, 1), 1),
        ("disclosed", dt.date(2025, 12, 31), 3),
        ("used", dt.date(2024, 12, 31), 9),  # another year
        ("lost", dt.date(2026, 1, 1), 5),  # another year
    ]
    for category, discovered, affected in rows:
        _breach(clinic_admin, category, discovered, affected)
    response = client_for(clinic_admin).get(reverse("custody:breach_export"), {"year": 2025})
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    got = {row["category"]: (int(row["breaches"]), int(row["patients_affected"])) for row in table}
    assert got == {
        "Stolen": (2, 42),
        "Lost": (1, 1),
        "Used without authority": (0, 0),
        "Disclosed without authority": (1, 3),
        "Total": (4, 46),
    }


def test_no_view_deletes_a_breach_and_the_admin_may_not(clinic_admin, client_for):
    breach = _breach(clinic_admin, "lost", dt.date(2025, 5, 5), 1)
    custody_routes = [route for route in app_routes() if route.namespace == "custody"]
    assert custody_routes
    assert not [r for r in custody_routes if "delete" in r.full_name or "remove" in r.full_name]
    # Posting to every breach page leaves the row in place.
    client = client_for(clinic_admin)
    for name in ("custody:breach_edit",):
        client.post(reverse(name, args=[breach.pk]), {})
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    admin = verified_client(superuser)
    delete = reverse("admin:custody_breach_delete", args=[breach.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:custody_breach_changelist")
    admin.post(changelist, {"action": "delete_selected", "_selected_action": [breach.pk]})
    assert Breach.objects.filter(pk=breach.pk).exists()


def test_a_breach_form_with_bad_dates_says_so_and_writes_nothing(clinic_admin, client_for):
    response = client_for(clinic_admin).post(
        reverse("custody:breach_new"),
        {
            "what": "Laptop left on a bus.",
            "category": "lost",
            "occurred_on": "2025-05-06",
            "discovered_on": "2025-05-05",
            "patients_affected": "12",
            "real_risk": "yes",
            "risk_reasoning": "Unencrypted disk.",
        },
    )
    assert response.status_code == 400
    assert "after it was discovered" in response.content.decode()
    assert not Breach.objects.exists()


def test_a_breach_is_completed_later_and_keeps_its_history(clinic_admin, client_for):
    breach = _breach(clinic_admin, "disclosed", dt.date(2025, 5, 5), 1)
    data = {
        "what": breach.what,
        "category": "disclosed",
        "discovered_on": "2025-05-05",
        "patients_affected": "1",
        "real_risk": "no",
        "risk_reasoning": "Sent to the patient's own other address.",
        "commissioner_notified_on": "2025-05-07",
    }
    response = client_for(clinic_admin).post(reverse("custody:breach_edit", args=[breach.pk]), data)
    assert response.status_code == 302
    breach.refresh_from_db()
    assert breach.commissioner_notified_on == dt.date(2025, 5, 7)
    assert breach.real_risk is False
    assert breach.history.count() == 2


@pytest.mark.postgres
def test_postgresql_refuses_deleting_a_breach(clinic_admin):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the register trigger")
    breach = _breach(clinic_admin, "stolen", dt.date(2025, 5, 5), 3)
    with pytest.raises(DatabaseError, match="kept"), transaction.atomic():
        Breach.objects.filter(pk=breach.pk).delete()
    assert Breach.objects.filter(pk=breach.pk).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("what", "Laptop\x00 left on a bus."),
        ("what", "x" * 100_000),
        ("discovered_on", "9999-12-31"),
        ("occurred_on", "0001-01-01"),
        ("patients_affected", "99999999999999999999"),
    ],
    ids=["nul", "huge-text", "far-future", "far-past", "huge-number"],
)
def test_a_breach_form_refuses_values_that_could_not_be_read_back(
    clinic_admin, client_for, field, value
):
    data = {
        "what": "Laptop left on a bus.",
        "category": "lost",
        "discovered_on": "2026-05-05",
        "patients_affected": "12",
        "real_risk": "yes",
        "risk_reasoning": "Unencrypted disk.",
    } | {field: value}
    response = client_for(clinic_admin).post(reverse("custody:breach_new"), data)
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode()
    assert not Breach.objects.exists()
