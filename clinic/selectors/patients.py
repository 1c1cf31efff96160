"""Reads about patients, shaped for the front desk's and physiotherapists' pages."""

from __future__ import annotations

import datetime as dt
import functools

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.fields import CharField
from django.utils import timezone

from clinic import search
from clinic.models import Appointment, Consent, Intake, Patient
from clinic.selectors.consent import consent_version_current_id


def patient_search(*, query: str = "", date_of_birth: dt.date | None = None) -> QuerySet[Patient]:
    """Patients matching every term of `query` (names, e-mail, phone digits; partial,
    accent- and case-insensitive) and the date of birth if given.

    Each term is a substring test on the normalised `search_text`, which the trigram index
    serves on PostgreSQL. Rows come annotated for the list: intake status and whether
    consent to the current version is on file.
    """
    patients = _matching(query, date_of_birth)
    return with_list_status(patients).order_by(*LIST_ORDER)


LIST_ORDER = ("legal_last_name", "legal_first_name", "pk")
# What the patient list shows of each patient (templates/clinic/patients/_results.html).
LIST_FIELDS = (
    "legal_last_name",
    "legal_first_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
)
# Up to this many matches, a search reads their ids in list order and then the one page.
FEW_MATCHES = 1000
# The first pages of a search come from one query (see _early_search_page).
EARLY_PAGES = 4


def _matching(
    query: str, date_of_birth: dt.date | None, patients: QuerySet[Patient] | None = None
) -> QuerySet[Patient]:
    """`patients` (all of them unless given) that match the search."""
    patients = Patient.objects.all() if patients is None else patients
    for term in search.query_terms(query):
        patients = patients.filter(search_text__contains=term)
    if date_of_birth:
        patients = patients.filter(date_of_birth=date_of_birth)
    return patients


def patient_search_page(
    *, query: str = "", date_of_birth: dt.date | None = None, number: str | None, per_page: int
) -> Page:
    """One page of `patient_search`, as the patient list shows it.

    A search's first pages (nearly every search the desk makes) come from one query: see
    `_early_search_page`. A later page of a search matching few patients (a surname, a
    phone number) reads the matching ids in list order from the trigram index and then only
    the page's patients with their status: walking the name index until the page is full
    would pass over every earlier name (most of the table for "smith"), and the status of
    the page's patients costs a few index probes instead of a pass over all consents. The
    count is the number of ids. Without a search, or with many matches, the page is read in
    list order from the name index.
    """
    if query or date_of_birth:
        page = _early_search_page(query, date_of_birth, number, per_page)
        if page is not None:
            return page
    matching = _matching(query, date_of_birth)
    if query or date_of_birth:
        ids = list(matching.order_by(*LIST_ORDER).values_list("pk", flat=True)[: FEW_MATCHES + 1])
        if len(ids) <= FEW_MATCHES:
            page = Paginator(ids, per_page).get_page(number)
            shown = Patient.objects.filter(pk__in=page.object_list).only(*LIST_FIELDS)
            rows = {patient.pk: patient for patient in with_list_status(shown).order_by()}
            page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
            return page
    patients = with_list_status(matching.only(*LIST_FIELDS)).order_by(*LIST_ORDER)
    return Paginator(patients, per_page).get_page(number)


def _early_search_page(
    query: str, date_of_birth: dt.date | None, number: str | None, per_page: int
) -> Page | None:
    """Page `number` of a search, if it is one of the first EARLY_PAGES and exists, from one
    query: the page's patients in list order with their status, each row also carrying the
    number of matches (a window count). PostgreSQL sorts the matches and works the status
    out only for the rows up to the page's end (tested on the benchmark's data: the status
    subqueries run once per row returned, not per match).

    None for what Paginator.get_page would answer differently (a page past the end or below
    1: the last page) or what one query would do badly (a deep page: the status of every
    row before it): the caller then pages as before. Not a number means the first page,
    as get_page has it."""
    try:
        wanted = int(number) if number not in (None, "") else 1
    except (TypeError, ValueError):
        wanted = 1
    if not 1 <= wanted <= EARLY_PAGES:
        return None
    offset = (wanted - 1) * per_page
    rows = list(_early_search_rows(query, date_of_birth)[offset : offset + per_page])
    if not rows and wanted > 1:
        return None
    paginator = Paginator([], per_page)
    paginator.count = rows[0].matches if rows else 0  # a cached_property, set ahead
    return Page(rows, wanted, paginator)


def _early_search_rows(query: str, date_of_birth: dt.date | None) -> QuerySet[Patient]:
    """The matches in list order, with their status and the number of matches (`matches`,
    the same on every row), for `_early_search_page` to slice.

    Ordered by `matches` first: the same order (every row has the same count), but it tells
    PostgreSQL 15 what its plan costing misses, that the window count reads every match
    before the first row comes out. Without it the planner may walk the whole name index
    (20,000 patients) hoping to stop after a page, instead of taking the matches from the
    trigram index and sorting them (EXPLAIN ANALYZE of "smith" on the benchmark's data:
    12 ms -> 0.5 ms; clinic/tests/test_search_plan_postgres.py)."""
    return (
        _matching(query, date_of_birth, _listed())
        .annotate(next_visit=_next_visit(), matches=Window(Count("pk")))
        .order_by("matches", *LIST_ORDER)
    )


def with_list_status(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate `intake_state` ("submitted", "draft" or None), `consent_current` and
    `next_visit` (the start of the next booked or checked-in appointment, or None)."""
    return _with_standing(patients).annotate(next_visit=_next_visit())


def _with_standing(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """`intake_state` and `consent_current` of `with_list_status`: the part that depends
    on no moment, so it can be built once (`_listed`)."""
    latest_intake = Intake.objects.filter(patient=OuterRef("pk")).order_by("-created_at")
    current = Consent.objects.filter(patient=OuterRef("pk"), version=consent_version_current_id())
    # Consent as "the signature's id IS NOT NULL", not EXISTS: PostgreSQL may answer an
    # EXISTS for many rows by hashing every consent in the table, where a page needs 25
    # index probes (a scalar subquery is always probed per row).
    return patients.alias(consent_id=Subquery(current.order_by().values("pk")[:1])).annotate(
        intake_state=Subquery(latest_intake.values("status")[:1], output_field=CharField()),
        consent_current=ExpressionWrapper(Q(consent_id__isnull=False), output_field=BooleanField()),
    )


def _next_visit() -> Subquery:
    """`next_visit` of `with_list_status`, from now on (so built per request)."""
    upcoming = Appointment.objects.filter(
        patient=OuterRef("pk"),
        start__gte=timezone.now(),
        status__in=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN),
    ).order_by("start")
    return Subquery(upcoming.values("start")[:1])


@functools.cache
def _listed() -> QuerySet[Patient]:
    """Every patient, with the list's fields only and `_with_standing`'s annotations, built
    once per process (it depends on no request, data or setting: the consent version is a
    subquery) and then filtered, as a queryset kept on a class-based view is: the search's
    first page is then `with_list_status` of the matches at a third of the cost of building
    it each time (timeit: 3.0 -> 1.0 ms; the same SQL)."""
    return _with_standing(Patient.objects.only(*LIST_FIELDS))
