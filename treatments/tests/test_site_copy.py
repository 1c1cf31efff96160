"""Issue 19, acceptance 4: "copy previous site" fills the site form with a site's values
(every value editable) and adding it gives a new site with the same values; "repeat last
session's sites" copies every site of the last signed session into a draft, none into a
signed note, and never carries the pneumothorax acknowledgement over."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clinic.tests.factories import join_care_team
from treatments import services
from treatments.models import NeedlingSite
from treatments.services.sessions import SITE_COPY_FIELDS
from treatments.tests.factories import add_site, complete_session, credential_for

pytestmark = pytest.mark.django_db


def _values(site: NeedlingSite) -> dict:
    return {field: getattr(site, field) for field in SITE_COPY_FIELDS}


@pytest.fixture
def draft(physio):
    credential_for(physio)
    session = complete_session(physio)
    add_site(
        session, physio, muscle="Supinator", segment="C5", side="L",
        technique="retained", retained_minutes=10, insertions=2, twitch="small",
        needle_depth_mm=20,
    )  # fmt: skip
    return session


def test_copy_fills_the_form_and_adding_makes_the_same_site(draft, physio, client_for):
    client = client_for(physio)
    source = draft.sites.get(side="L")
    form = client.get(f"/treatments/sessions/{draft.pk}/edit/entries/", {"copy": source.pk})
    assert form.status_code == 200
    site_form = form.context["entries"]["site"]
    assert site_form.initial["muscle"] == source.muscle_id
    assert site_form.initial["technique"] == "retained"
    assert "copied into the form" in form.content.decode()
    # Posting the filled-in form unchanged adds a second, identical site.
    data = {"prefix": "site-new"}
    for name, value in site_form.initial.items():
        if value in (None, ""):
            continue
        if isinstance(value, bool):
            if value:
                data[f"site-new-{name}"] = "on"
            continue
        data[f"site-new-{name}"] = str(value)
    added = client.post(f"/treatments/sessions/{draft.pk}/site/", data)
    assert added.status_code == 200, added.content.decode()[:500]
    copies = list(draft.sites.filter(side="L").order_by("pk"))
    assert len(copies) == 2
    assert _values(copies[1]) == _values(copies[0])


def test_copy_only_from_the_draft_itself(draft, physio, client_for):
    other = complete_session(physio)
    foreign = other.sites.first()
    answer = client_for(physio).get(
        f"/treatments/sessions/{draft.pk}/edit/entries/", {"copy": foreign.pk}
    )
    assert answer.status_code == 404


def test_repeat_last_copies_every_site_of_the_last_signed_session(draft, physio, client_for):
    signed = services.session_sign(session=draft, by=physio)
    before = [_values(site) for site in signed.sites.order_by("created_at", "pk")]
    today = services.session_start(patient=signed.patient, practitioner=signed.practitioner)
    answer = client_for(physio).post(f"/treatments/sessions/{today.pk}/sites/repeat-last/")
    assert answer.status_code == 302
    after = [_values(site) for site in today.sites.order_by("created_at", "pk")]
    assert after == before
    assert signed.sites.count() == len(before)  # the signed note is untouched
    # A second click doubles nothing.
    with pytest.raises(ValidationError, match="has sites already"):
        services.sites_repeat_last(session=today, by=physio)
    assert today.sites.count() == len(before)


def test_nothing_is_repeated_into_a_signed_note(draft, physio, client_for):
    signed = services.session_sign(session=draft, by=physio)
    count = signed.sites.count()
    with pytest.raises(services.SessionLocked):
        services.sites_repeat_last(session=signed, by=physio)
    client_for(physio).post(f"/treatments/sessions/{signed.pk}/sites/repeat-last/")
    assert signed.sites.count() == count


def test_chest_wall_sites_are_not_repeated(physio, client_for):
    credential_for(physio)
    session = complete_session(physio, sites=0)
    add_site(session, physio)
    add_site(session, physio, muscle="Intercostals", segment="T2")
    signed = services.session_sign(session=session, by=physio)
    today = services.session_start(patient=signed.patient, practitioner=signed.practitioner)
    copies, skipped = services.sites_repeat_last(session=today, by=physio)
    assert [c.muscle.name for c in copies] == ["Supinator"]
    assert len(skipped) == 1
    assert "Intercostals lies over the chest wall" in skipped[0]


def test_repeat_needs_a_signed_session_and_the_author(physio, physio2, client_for):
    credential_for(physio)
    first_visit = complete_session(physio, sites=0)
    with pytest.raises(ValidationError, match="no signed session"):
        services.sites_repeat_last(session=first_visit, by=physio)
    join_care_team(physio2, first_visit.patient)
    answer = client_for(physio2).post(f"/treatments/sessions/{first_visit.pk}/sites/repeat-last/")
    assert answer.status_code in (403, 404)
    assert not first_visit.sites.exists()
