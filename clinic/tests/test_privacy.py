"""Issue 8, acceptance 5 (the second half) and data protection: a forced server error shows
a page with no patient data and logs nothing identifying; patient documents have no public
URL."""

from __future__ import annotations

import io
import logging
import sys
import types

import pytest
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from clinic.logging import WITHHELD, WithholdExceptionMessages
from clinic.permissions import allow_public
from clinic.tests.factories import make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_urlconf(settings):
    """A temporary URLconf with a view that fails while holding a patient's details."""

    @allow_public
    def boom(request):
        patient = make_patient(
            legal_first_name="Zenobia", legal_last_name="Quixote-Phi", email="zq@example.org"
        )
        raise ValueError(f"cannot bill {patient.legal_name} <{patient.email}>")

    @allow_public
    def fine(request):
        return HttpResponse("ok")

    module = types.ModuleType("failing_urlconf")
    module.urlpatterns = [path("boom/", boom), path("fine/", fine)]
    sys.modules["failing_urlconf"] = module
    settings.ROOT_URLCONF = "failing_urlconf"
    settings.DEBUG = False
    yield
    del sys.modules["failing_urlconf"]


@pytest.fixture
def console_log():
    """What the site's console log handler (the one production ships) writes."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, WithholdExceptionMessages) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_forced_error_shows_nothing_and_logs_nothing_identifying(failing_urlconf, console_log):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    for secret in ("Zenobia", "Quixote", "zq@example.org", "Traceback", "ValueError"):
        assert secret not in page
    logged = console_log.getvalue()
    assert "Internal Server Error: /boom/" in logged  # it was logged...
    assert "ValueError" in logged  # ...with its type and place...
    assert WITHHELD in logged
    for secret in ("Zenobia", "Quixote", "zq@example.org"):
        assert secret not in logged  # ...but not the patient


def test_the_filter_withholds_exception_messages_only():
    details = " ".join(["Ada", "Lovelace", "born", "1815-12-10"])
    try:
        raise KeyError(details)
    except KeyError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "Rendering %s failed", (42,), sys.exc_info()
        )
    assert WithholdExceptionMessages().filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert "Rendering 42 failed" in text
    assert "KeyError" in text
    assert "Lovelace" not in text


def test_patient_documents_have_no_public_url(client):
    with pytest.raises(ValueError, match="no public URL"):
        default_storage.url("visit-summaries/2026/11/anything.pdf")
    for url in ("/private/visit-summaries/x.pdf", "/media/x.pdf", "/var/private/x.pdf"):
        assert client.get(url).status_code == 404
