"""The audit foundation: access log rows and change history."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from clinic.access import access_log_record
from clinic.models import AccessLog
from clinic.origin import client_ip
from clinic.tests.factories import PatientFactory, join_care_team

pytestmark = pytest.mark.django_db


def test_access_log_records_who_read_what_of_which_patient_from_where(physio):
    patient = PatientFactory()
    join_care_team(physio, patient)
    request = RequestFactory().get(
        "/patients/7/chart/?tab=sessions", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Tablet"
    )
    request.user = physio

    entry = access_log_record(request=request, patient=patient, what="chart")

    stored = AccessLog.objects.get(pk=entry.pk)
    assert (stored.user, stored.patient, stored.what, stored.action) == (
        physio,
        patient,
        "chart",
        AccessLog.Action.VIEW,
    )
    assert stored.ip_address == "10.1.2.3"
    assert stored.path == "/patients/7/chart/?tab=sessions"
    assert stored.user_agent == "Tablet"
    assert stored.at is not None


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.5", "10.0.0.5"),  # no proxy: the header is the client's lie
        (1, "6.6.6.6, 203.0.113.9", "10.0.0.5", "203.0.113.9"),  # one LB appended the client
        (2, "198.51.100.4, 203.0.113.9", "10.0.0.5", "198.51.100.4"),
        (1, "", "10.0.0.5", "10.0.0.5"),
        (0, "", "not-an-ip", None),
    ],
)
def test_client_ip_trusts_forwarded_for_only_as_far_as_our_proxies(
    settings, proxies, forwarded, remote, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_patient_changes_keep_a_history_with_the_author(front_desk):
    from simple_history.utils import update_change_reason  # noqa: F401  (API check)

    patient = PatientFactory(phone="604-555-0000")
    patient._history_user = front_desk
    patient.phone = "604-555-9999"
    patient.save()
    history = list(patient.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert [h.phone for h in history] == ["604-555-0000", "604-555-9999"]
    assert history[-1].history_user == front_desk


def test_user_history_never_stores_password_hashes(make_user):
    user = make_user()
    historical = user.history.model
    field_names = {f.name for f in historical._meta.get_fields()}
    assert "password" not in field_names
    assert user.history.count() >= 1
