"""/healthz tells a load balancer whether this node can serve."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from clinic.selectors import system as selectors


@pytest.mark.django_db
def test_healthy_node_answers_200_with_database_and_broker_status(client, settings):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    expected_broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert body["broker"] == expected_broker
    assert body["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_without_a_broker_the_status_is_eager(client):
    assert client.get(reverse("healthz")).json()["broker"] == "eager"


@pytest.mark.django_db
def test_database_down_answers_503_without_leaking_the_error(client, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("could not connect to server: secret-host:5432")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(selectors.connection, "cursor", lambda: BrokenCursor())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert "secret-host" not in response.content.decode()


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_broker_down_is_reported_but_the_node_still_serves(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(selectors.celery_app, "connection_for_write", refuse)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json() | {"worker_last_seen": None}
    assert {key: body[key] for key in ("status", "database", "broker", "worker_last_seen")} == {
        "status": "degraded",
        "database": "ok",
        "broker": "error",
        "worker_last_seen": None,
    }


@pytest.mark.django_db
def test_registered_checks_add_a_section_and_their_warnings(client, monkeypatch):
    monkeypatch.setattr(selectors, "_health_checks", {})
    selectors.health_check_register("quiet", lambda: selectors.HealthCheck({"n": 1}))
    selectors.health_check_register(
        "loud", lambda: selectors.HealthCheck({"n": 2}, warning="loud: look at me")
    )
    body = client.get(reverse("healthz")).json()
    assert body["quiet"] == {"n": 1}
    assert body["loud"] == {"n": 2}
    assert body["warnings"] == ["loud: look at me"]
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_a_failing_check_is_reported_without_its_error(client, monkeypatch):
    def broken():
        raise RuntimeError("secret-path")

    monkeypatch.setattr(selectors, "_health_checks", {"broken": broken})
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["broken"] == {"status": "error"}
    assert "secret-path" not in response.content.decode()
