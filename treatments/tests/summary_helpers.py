"""Shared set-up for the summary tests (the in-process ones and the real-worker ones)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from django.utils import timezone

from clinic.models import Patient
from treatments import services
from treatments.models import TreatmentSession
from treatments.tests.factories import add_site, complete_session, ready_patient


def stored_pdfs(root: Path) -> list[Path]:
    return sorted(root.rglob("*.pdf"))


def named_patient(physio, first: str, last: str, email: str = "") -> Patient:
    patient = ready_patient(physio)
    Patient.objects.filter(pk=patient.pk).update(
        legal_first_name=first, legal_last_name=last, email=email
    )
    patient.refresh_from_db()
    return patient


def signed_session(
    physio, patient, *, muscles=(("Supinator", "C6", "R"),), days_ago: int | None = None, **fields
):
    """A signed session with the given (muscle, segment, side) sites, `days_ago` days back
    (by default a week after the patient's latest, so IMS spacing allows it)."""
    if days_ago is None:
        taken = TreatmentSession.objects.filter(patient=patient).count()
        days_ago = 7 * (30 - taken)
    session = complete_session(physio, patient, sites=0, needles_opened=len(muscles),
                               needles_removed=len(muscles), needles_disposed=len(muscles),
                               session_date=timezone.localdate() - dt.timedelta(days=days_ago),
                               **fields)  # fmt: skip
    for muscle, segment, side in muscles:
        add_site(session, physio, muscle=muscle, segment=segment, side=side)
    return services.session_sign(session=session, by=physio)


def pdf_text(path_or_bytes) -> str:
    """The PDF's text as pdftotext (poppler) extracts it, layout kept."""
    if not shutil.which("pdftotext"):
        pytest.skip("needs pdftotext (apt-get install poppler-utils)")
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (object streams hold the catalog)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)
