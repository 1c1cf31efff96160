"""Notes still owed: unsigned drafts and completed IMS visits with no signed note.

The clinical records live in the apps above clinic (assessments, treatments), which clinic
must not import. Each of them registers, from its AppConfig.ready, a provider that lists its
own open notes (`open_notes_register`), the way they register care relations and export
sections. "My day" (clinic) and the patient chart (treatments) read the same list through
`open_notes`, so both pages agree on what counts as owed.

A registry rather than a fragment rendered through a URL name: My day stays one request and
one template (no second round trip, no second permission and access-log path to keep in
step). Each provider gives a query of the same named columns (`open_notes_rows`), and
`open_notes` reads them all in ONE query (a UNION ALL), whatever the data and however many
providers there are, so the page's query count stays fixed (tested in the query budgets).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import router
from django.db.models import CharField, F, IntegerField, QuerySet, Value
from django.utils import timezone

from clinic.compiled_sql import CompiledQuery
from clinic.models import Patient, Practitioner


@dataclass(frozen=True, slots=True)
class OpenNote:
    """One note owed, dated `on` (the visit or the note's date), which orders the list,
    oldest first, and gives its age; `since` (the visit's start or the draft's creation)
    breaks ties. A `missing` note has no draft yet: its action is a POST
    to `url` with `appointment_id` (start the note); a draft's is a link to continue it."""

    kind: str  # what the note is, e.g. "IMS session note"
    patient_id: int
    patient_name: str
    practitioner_name: str
    practitioner_user_id: int  # whose note it is: only its author continues or starts it
    on: dt.date  # the clinical date of the note or visit
    since: dt.datetime  # the visit's start, or when the draft was started
    url: str
    missing: bool = False
    appointment_id: int | None = None

    @property
    def age_days(self) -> int:
        """Days since the visit or the note's date: a note is owed from the treatment on,
        however recently its draft was opened."""
        return max(0, (timezone.localdate() - self.on).days)

    @property
    def age(self) -> str:
        days = self.age_days
        if days == 0:
            return "today"
        return "1 day ago" if days == 1 else f"{days} days ago"

    @property
    def action(self) -> str:
        return "Start note" if self.missing else "Continue"


# The columns every provider's rows carry, in this order (a UNION matches them by position).
_COLUMNS = (
    "provider",
    "row_pk",
    "row_patient_id",
    "row_preferred_name",
    "row_first_name",
    "row_last_name",
    "row_practitioner_name",
    "row_practitioner_user_id",
    "row_on",
    "row_since",
    "row_appointment_id",
)


@dataclass(frozen=True, slots=True)
class OpenNotesProvider:
    """What an app registers: `rows(practitioner or None, patient or None)` gives its open
    notes as a query built by `open_notes_rows`; `url(row pk, patient id)` is each note's
    action; `missing` says the note has no draft yet (its action starts one)."""

    kind: str
    rows: Callable[[Practitioner | None, Patient | None], QuerySet]
    url: Callable[[int, int], str]
    missing: bool = False


_providers: dict[str, OpenNotesProvider] = {}


def open_notes_scope(
    rows: QuerySet, practitioner: Practitioner | None, patient: Patient | None
) -> QuerySet:
    """A provider's rows narrowed to the practitioner's (My day) and/or the patient's (the
    chart): every provider filters the same way, so they say it once here."""
    if practitioner is not None:
        rows = rows.filter(practitioner=practitioner)
    if patient is not None:
        rows = rows.filter(patient=patient)
    return rows


def open_notes_rows(
    name: str,
    rows: QuerySet,
    practitioner: Practitioner | None,
    patient: Patient | None,
    *,
    on: str,
    since: str,
    appointment: str | None,
) -> QuerySet:
    """A provider's rows (a queryset of a model with `patient` and `practitioner`), scoped,
    as the named columns `open_notes` unions: `on` and `since` name the model's clinical
    date and its start time, `appointment` its appointment id field (None: it has none)."""
    rows = open_notes_scope(rows, practitioner, patient).order_by()
    return rows.annotate(
        provider=Value(name, output_field=CharField()),
        row_pk=F("pk"),
        row_patient_id=F("patient_id"),
        row_preferred_name=F("patient__preferred_name"),
        row_first_name=F("patient__legal_first_name"),
        row_last_name=F("patient__legal_last_name"),
        row_practitioner_name=F("practitioner__display_name"),
        row_practitioner_user_id=F("practitioner__user_id"),
        row_on=F(on),
        row_since=F(since),
        row_appointment_id=(
            F(appointment) if appointment else Value(None, output_field=IntegerField())
        ),
    ).values_list(*_COLUMNS)


def open_notes_register(name: str, provider: OpenNotesProvider) -> None:
    """Called by apps above clinic (AppConfig.ready): `provider` lists their open notes,
    filtered to the practitioner's own and/or the patient's when given. Registering the same
    name again replaces the provider (ready() may run more than once in tests)."""
    _providers[name] = provider
    _compiled.clear()


def _union(*, shape: tuple[bool, bool], practitioner: int, patient: int) -> QuerySet:
    """Every provider's rows, scoped to the practitioner and/or the patient (by id) as
    `shape` says, as one UNION ALL."""
    first, *rest = (
        provider.rows(
            Practitioner(pk=practitioner) if shape[0] else None,
            Patient(pk=patient) if shape[1] else None,
        )
        for provider in _providers.values()
    )
    return first.union(*rest, all=True) if rest else first


# The UNION's SQL, compiled once per process for each scope (practitioner, patient or
# both): building the providers' querysets (eleven annotations each) and compiling the
# union took 2.1 + 0.9 = 3.0 ms of every chart and My day (timeit on the loaded 2-core
# machine, issue 18), running the compiled statement none of that (clinic.compiled_sql).
_compiled = CompiledQuery(_union, {"practitioner": -7340034, "patient": -7340033})


def _rows(practitioner: Practitioner | None, patient: Patient | None):
    """The providers' rows, as the UNION ALL queryset gives them."""
    values = {}
    if practitioner is not None:
        values["practitioner"] = practitioner.pk
    if patient is not None:
        values["patient"] = patient.pk
    shape = (practitioner is not None, patient is not None)
    return _compiled.rows(shape, router.db_for_read(Patient), **values)


def open_notes(
    *, practitioner: Practitioner | None = None, patient: Patient | None = None
) -> list[OpenNote]:
    """Open notes of the practitioner (their own drafts and their completed IMS visits with
    no note) and/or of the patient (anyone's), oldest first. One query for all providers."""
    if practitioner is None and patient is None:
        raise ValueError("open_notes needs a practitioner or a patient")
    if not _providers:
        return []
    notes = []
    for row in _rows(practitioner, patient):
        name, pk, patient_id, preferred, first_name, last_name, *more = row
        practitioner_name, practitioner_user_id, on, since, appointment_id = more
        provider = _providers[name]
        notes.append(
            OpenNote(
                kind=provider.kind,
                patient_id=patient_id,
                patient_name=Patient(
                    preferred_name=preferred, legal_first_name=first_name, legal_last_name=last_name
                ).display_name,
                practitioner_name=practitioner_name,
                practitioner_user_id=practitioner_user_id,
                on=on,
                since=since,
                url=provider.url(pk, patient_id),
                missing=provider.missing,
                appointment_id=appointment_id,
            )
        )
    return sorted(notes, key=lambda note: (note.on, note.since, note.patient_name))
