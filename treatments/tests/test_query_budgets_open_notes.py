"""Query budgets of the notes-owed cards (My day, the chart): one query for all providers, however
many drafts and note-less IMS visits there are (clinic/tests/budgets.py)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.tests.factories import make_assessment, practitioner_for
from clinic.models import AppointmentType
from clinic.tests.budgets import assert_constant, render_counted
from clinic.tests.factories import join_care_team, make_patient, write_appointment
from treatments import services

pytestmark = pytest.mark.django_db


def owe(users, *, n: int, patient=None, start: int = 0) -> None:
    """For each of `users`, `n` draft session notes, `n` draft assessments and `n` completed
    IMS visits without a note, for `patient` or a new patient each."""
    ims = AppointmentType.objects.get(name="IMS treatment")
    now = timezone.now().replace(microsecond=0)
    for hours, user in enumerate(users):
        practitioner = practitioner_for(user)
        for index in range(start, start + n):
            services.session_start(patient=patient or make_patient(), practitioner=practitioner)
            make_assessment(user, patient or make_patient())
            # A week apart, and hours apart between practitioners: one patient's visits
            # never overlap (PostgreSQL refuses it).
            when = now - dt.timedelta(days=7 * (index + 1), hours=2 * hours)
            write_appointment(
                patient or make_patient(), practitioner, when, ims, by=user, status="completed"
            )


def test_my_day_notes_owed_query_count_is_constant(client_for, physio, physio2):
    client = client_for(physio)
    url = reverse("clinic:physio_day")
    owe([physio, physio2], n=1)
    small = render_counted(client, url)
    assert small.html.count('class="list-group-item open-note ') == 3

    owe([physio, physio2], n=9, start=1)
    large = render_counted(client, url)
    assert large.html.count('class="list-group-item open-note ') == 30  # mine only
    # 15 -> 10: the three providers' rows in one UNION ALL query (clinic open_notes).
    assert_constant(small, large, ceiling=10)


def test_chart_notes_owed_query_count_is_constant(client_for, physio, physio2):
    patient = make_patient()
    join_care_team(physio, patient)
    client = client_for(physio)
    # The chart's card loads right after it (treatments:chart_scores, out of band).
    url = reverse("treatments:chart_scores", args=[patient.pk])
    owe([physio, physio2], n=1, patient=patient)
    small = render_counted(client, url)
    assert small.html.count('class="list-group-item open-note ') == 6  # anyone's

    owe([physio, physio2], n=9, patient=patient, start=1)
    large = render_counted(client, url)
    assert large.html.count('class="list-group-item open-note ') == 60
    # 33 -> 21: the three providers' rows in one UNION ALL query (clinic open_notes).
    # 21 -> 19: the chart's sessions in one read (issue 18; see test_query_budgets.py).
    # 19 -> 13: the card loads after the chart, with its scores and assessments.
    assert_constant(small, large, ceiling=13)


def test_the_compiled_union_reads_what_the_queryset_reads(physio, physio2):
    """open_notes runs the UNION's SQL compiled once per process with the ids filled in:
    the rows (types included) are the queryset's own, in every scope, for any ids."""
    module = importlib.import_module("clinic.selectors.open_notes")  # the name is a function's

    patient = make_patient()
    owe([physio, physio2], n=2, patient=patient)
    owe([physio, physio2], n=1, start=2)  # other patients, a week further back
    me, other = practitioner_for(physio), practitioner_for(physio2)
    for practitioner, who in ((me, patient), (other, None), (None, patient), (me, None)):
        expected = list(
            module._union(
                shape=(practitioner is not None, who is not None),
                practitioner=practitioner.pk if practitioner else 0,
                patient=who.pk if who else 0,
            )
        )
        assert expected, (practitioner, who)
        assert list(module._rows(practitioner, who)) == expected
        assert [type(value) for value in next(iter(module._rows(practitioner, who)))] == [
            type(value) for value in expected[0]
        ]
    assert list(module._rows(None, make_patient())) == []
