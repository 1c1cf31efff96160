"""The age of the last good backup on /healthz and the clinic admin's home: a warning past
26 hours, or when no backup ever succeeded (issue 22)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from custody.models import BackupRun

pytestmark = pytest.mark.django_db


def _run(hours_ago: float, *, ok: bool = True, error: str = "") -> BackupRun:
    finished = timezone.now() - dt.timedelta(hours=hours_ago)
    run = BackupRun.objects.create(ok=ok, error=error, path="/backups/x.tar", size_bytes=2048)
    BackupRun.objects.filter(pk=run.pk).update(
        started_at=finished - dt.timedelta(minutes=3), finished_at=finished
    )
    return run


def test_healthz_without_any_backup_warns(client):
    body = client.get(reverse("healthz")).json()
    assert body["backup"]["status"] == "stale"
    assert body["backup"]["last_ok"] is None
    assert body["warnings"] == ["backup: no backup has succeeded yet"]
    assert body["status"] == "ok"  # the node still serves


def test_healthz_shows_the_age_of_a_recent_good_backup_without_warning(client):
    _run(hours_ago=5)
    _run(hours_ago=30)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["backup"]["status"] == "ok"
    assert body["backup"]["age_hours"] == pytest.approx(5, abs=0.1)
    assert body["backup"]["max_age_hours"] == 26
    assert "warnings" not in body


def test_healthz_warns_past_26_hours_even_if_a_later_run_failed(client):
    _run(hours_ago=27)
    _run(hours_ago=1, ok=False, error="pg_dump failed")
    body = client.get(reverse("healthz")).json()
    assert body["backup"]["status"] == "stale"
    assert body["backup"]["age_hours"] == pytest.approx(27, abs=0.1)
    assert body["warnings"][0].startswith("backup: the last good backup is 27")


def test_healthz_does_not_leak_backup_paths_or_errors(client):
    _run(hours_ago=1, ok=False, error="pg_dump failed: secret-host")
    content = client.get(reverse("healthz")).content.decode()
    assert "secret-host" not in content
    assert "/backups/" not in content


def test_the_admin_home_shows_a_fresh_backup(clinic_admin, client_for):
    _run(hours_ago=2)
    html = client_for(clinic_admin).get(reverse("clinic:admin_home")).content.decode()
    assert "Last good backup 2" in html
    assert "Backups are overdue" not in html


def test_the_admin_home_warns_of_an_overdue_backup_and_a_later_failure(clinic_admin, client_for):
    _run(hours_ago=30)
    _run(hours_ago=3, ok=False, error="No space left on device")
    html = client_for(clinic_admin).get(reverse("clinic:admin_home")).content.decode()
    assert "Backups are overdue" in html
    assert "more than 26 hours old" in html
    assert "No space left on device" in html


def test_the_admin_home_says_when_no_backup_ever_succeeded(clinic_admin, client_for):
    html = client_for(clinic_admin).get(reverse("clinic:admin_home")).content.decode()
    assert "No backup has succeeded yet." in html
    # A warning, without claiming a "last good one" that never was.
    assert "Set up the nightly backup and check that it runs." in html
    assert "hours old" not in html


def test_backup_runs_are_read_only_in_the_admin(clinic_admin, client_for):
    admin_client = client_for(clinic_admin)
    run = _run(hours_ago=1)
    changelist = admin_client.get(reverse("admin:custody_backuprun_changelist"))
    assert changelist.status_code == 200
    assert "/backups/x.tar" in changelist.content.decode()
    assert admin_client.get(reverse("admin:custody_backuprun_add")).status_code == 403
    delete = admin_client.post(reverse("admin:custody_backuprun_delete", args=[run.pk]))
    assert delete.status_code == 403
    assert BackupRun.objects.filter(pk=run.pk).exists()
