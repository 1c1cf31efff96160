"""Golden test of the chart's session lines (issue 18): the page now reads the sessions as
values and renders their lines with a Jinja2 fragment
(treatments/jinja2/treatments/chart_sessions.html). Each page of lines must carry what the
Django template loop it replaced showed from model instances: every link, date, badge,
name, pain score and site, in the same order, with the same spacing between the badges
(whitespace runs compared as one space). The loop and its reads are kept here, as they were.
Likewise the readiness and consent badges, which the chart now loads right after it shows
(treatments:readiness): the row as htmx fills it must be the row the page rendered before.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.db.models import Count
from django.template import Context, Template
from django.urls import reverse

from assessments.tests.factories import make_assessment
from clinic import selectors as selectors_clinic
from clinic.models import ScreeningItem
from clinic.tests.factories import fill_intake, join_care_team, make_patient
from treatments import selectors, services
from treatments.models import AdverseEvent, TreatmentSession
from treatments.tests.factories import add_site, ready_patient
from treatments.tests.test_query_budgets import _grow_history, credentialed  # noqa: F401

pytestmark = pytest.mark.django_db

# templates/treatments/chart.html's loop before issue 18 (commit a6c18a2).
BEFORE = Template(
    """{% for session in sessions %}
            <li class="list-group-item session-item">
              <div class="d-flex flex-wrap justify-content-between gap-2">
                <a class="fw-semibold" href="{% url 'treatments:session' session.pk %}">{{ session.session_date|date:"D j M Y" }}</a>
                <span>
                  {% if session.is_signed %}
                    <span class="badge text-bg-success"><i class="bi bi-lock-fill" aria-hidden="true"></i> Signed</span>
                  {% else %}
                    <span class="badge text-bg-secondary">Draft</span>
                  {% endif %}
                  {% if session.n_addenda %}<span class="badge text-bg-info">{{ session.n_addenda }} addend{{ session.n_addenda|pluralize:"um,a" }}</span>{% endif %}
                  {% for event in session.adverse_events.all %}<span class="badge {% if event.significant %}text-bg-danger{% else %}text-bg-warning{% endif %}">{{ event.get_kind_display }}{% if event.significant %} · significant{% endif %}{% if event.referred_for_care %} · referred: {{ event.referred_to|truncatechars:40 }}{% endif %}</span>{% endfor %}
                </span>
              </div>
              <div class="small text-body-secondary">
                {{ session.practitioner.display_name }} · pain {{ session.nprs_before|default_if_none:"—" }} → {{ session.nprs_after|default_if_none:"—" }}
              </div>
              <div class="small">
                {{ session.sites_line|default:"No sites recorded." }}
              </div>
            </li>
          {% empty %}
            <li class="list-group-item text-body-secondary">No sessions yet.</li>
          {% endfor %}"""  # noqa: E501
)


def _before(patient, page: int) -> str:
    """The lines as the chart built them before: model instances, the events prefetched,
    the addenda counted, the sites' line from the model's own depth_direction."""
    sessions = list(
        TreatmentSession.objects.filter(patient=patient)
        .select_related("practitioner")
        .prefetch_related("adverse_events", "sites__muscle", "sites__segment")
        .annotate(n_addenda=Count("addenda"))
        .order_by("-session_date", "-created_at")
    )[(page - 1) * 10 : page * 10]
    for session in sessions:
        session.sites_line = ", ".join(
            f"{site.muscle.name} {site.side} ({site.segment.code}"
            + (f"; {site.depth_direction})" if site.depth_direction else ")")
            for site in session.sites.all()
        )
    return BEFORE.render(Context({"sessions": sessions}))


def _lines(html: str) -> str:
    found = re.search(
        r'id="sessions-heading".*?<ul class="list-group list-group-flush">(.*?)</ul>',
        html,
        re.DOTALL,
    )
    assert found, "no session list on the page"
    return found.group(1)


def _same(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@pytest.fixture
def history(credentialed, client_for):  # noqa: F811
    physio = credentialed
    patient = ready_patient(physio)
    _grow_history(physio, patient, 14)
    newest = TreatmentSession.objects.filter(patient=patient).order_by("-session_date").first()
    services.adverse_event_record(
        session=newest,
        by=physio,
        event=AdverseEvent(
            kind="pneumothorax",
            severity="severe",
            significant=True,
            referred_for_care=True,
            referred_to="Emergency department, City Hospital & <Clinic>, a long name",
            action_taken="Sent.",
        ),
    )
    services.session_addendum_add(session=newest, by=physio, text="One more.")
    services.session_start(patient=patient, practitioner=physio.practitioner)  # no sites
    draft = services.session_start(patient=patient, practitioner=physio.practitioner)
    add_site(draft, physio, muscle="Supinator", segment="C6", side="L", needle_depth_mm=12)
    add_site(
        draft, physio, muscle="Infraspinatus", segment="C5", side="R", needle_direction="caudal"
    )
    make_assessment(physio, patient, chief_complaint="A draft")
    return client_for(physio), patient


@pytest.mark.parametrize("page", [1, 2])
def test_the_session_lines_are_those_of_the_template_they_replaced(history, page):
    client, patient = history
    response = client.get(reverse("treatments:chart", args=[patient.pk]), {"page": page})
    lines = _lines(response.content.decode())
    assert _same(lines) == _same(_before(patient, page))
    assert lines.count('class="list-group-item session-item"') == (10 if page == 1 else 6)


def test_the_comparison_notices_a_missing_badge(history):
    client, patient = history
    lines = _lines(client.get(reverse("treatments:chart", args=[patient.pk])).content.decode())
    assert "Suspected pneumothorax · significant · referred: Emergency" in lines
    assert "12 mm deep" in lines
    assert "caudal" in lines
    broken = lines.replace("1 addendum</span>", "1 addendum</span><!-- -->", 1)
    assert _same(broken) != _same(_before(patient, 1))


# --- The readiness badges (loaded after the page, treatments:readiness) ------------------

# templates/treatments/chart.html's badge row before it loaded after the page (commit
# 1d4f4d0), read with needling_readiness and consent_status as the chart view did.
BADGES_BEFORE = Template(
    """<div class="d-flex flex-wrap gap-2 mb-3">
    {% if readiness.ready %}
      <span class="badge bg-success-subtle text-success-emphasis fs-6"><i class="bi bi-check-circle" aria-hidden="true"></i> Ready for IMS</span>
    {% else %}
      {% for reason in readiness.reasons %}<span class="badge text-bg-danger fs-6">{{ reason }}</span>{% endfor %}
    {% endif %}
    {% for item in readiness.screening.precautions %}
      <span class="badge bg-warning-subtle text-warning-emphasis fs-6">Precaution: {{ item.label }}</span>
    {% endfor %}
    <span class="badge bg-light text-dark border fs-6">Consent: {{ consent_status }}</span>
  </div>"""  # noqa: E501
)
READINESS_LOADER = re.compile(
    r'<div id="readiness"\s+class="(d-flex flex-wrap gap-2 mb-3) readiness-slot"[^>]*'
    r'hx-get="([^"]+)"\s+hx-trigger="load"\s+hx-swap="innerHTML">.*?</div>',
    re.DOTALL,
)


def _badges_as_shown(client, patient) -> str:
    """The chart's badge row once htmx has loaded treatments:readiness into it."""
    page = client.get(reverse("treatments:chart", args=[patient.pk])).content.decode()
    found = READINESS_LOADER.findall(page)
    assert len(found) == 1
    classes, url = found[0]
    assert url == reverse("treatments:readiness", args=[patient.pk])
    badges = client.get(url, HTTP_HX_REQUEST="true")
    assert badges.status_code == 200
    return f'<div class="{classes}">{badges.content.decode()}</div>'


def _badges_before(patient) -> str:
    readiness = selectors_clinic.needling_readiness(patient)
    status = selectors_clinic.consent_status(patient, current=readiness.consent)
    return BADGES_BEFORE.render(Context({"readiness": readiness, "consent_status": status}))


def test_the_readiness_badges_are_those_the_chart_showed(credentialed, client_for):  # noqa: F811
    physio = credentialed
    ready = ready_patient(physio)
    items = {item.code: item for item in ScreeningItem.objects.all()}
    blocked = make_patient(legal_first_name="Blocked")
    join_care_team(physio, blocked)
    fill_intake(blocked, by=physio, screening=[items["needle-phobia"], items["diabetes"]])
    pending = make_patient(legal_first_name="Pending")
    join_care_team(physio, pending)
    client = client_for(physio)
    shown = {}
    for patient in (ready, blocked, pending):
        shown[patient] = _same(_badges_as_shown(client, patient))
        assert shown[patient] == _same(_badges_before(patient))
    assert "Ready for IMS" in shown[ready]
    assert "Consent: current" in shown[ready]
    assert "Precaution: " in shown[blocked]
    assert "Contraindication not cleared" in shown[blocked]
    assert "Consent: missing" in shown[blocked]
    assert "Safety screening (intake) not completed." in shown[pending]


# --- The outcome scores and assessments (loaded after the page, treatments:chart_scores) --

# templates/treatments/chart.html's right-hand column before it loaded after the page, and
# the Progress card's scores chart, read with what chart_for_patient read for them.
COLUMN_BEFORE = Template(
    """    <div class="col-lg-4">
      <section class="card mb-3 outcome-scores" aria-labelledby="scores-heading">
        <div class="card-header bg-white py-3">
          <h2 class="h5 mb-0" id="scores-heading">Outcome scores</h2>
          <p class="small text-body-secondary mb-0">Change from baseline: each score against the patient's first score on that measure.</p>
        </div>
        {% for track in chart.outcomes %}
          <div class="card-body border-bottom outcome-track" data-measure="{{ track.code }}">
            <table class="table table-sm mb-0 align-middle">
              <caption class="caption-top pt-0 text-body">
                <strong>{{ track.label }}</strong>
                <span class="small text-body-secondary">
                  · {% if track.higher_is_worse %}lower is better{% else %}higher is better{% endif %}
                  {% if track.mcid %}· MCID {{ track.mcid.display }}{% endif %}
                </span>
              </caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col" class="text-end">Score</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {% for row in track.rows %}
                  <tr class="outcome-row">
                    <td class="measure">{{ row.score.recorded_at|date:"j M Y" }}</td>
                    <td class="measure text-end">{{ row.score.display }}</td>
                    <td class="outcome-change">
                      {% if row.is_baseline %}
                        <span class="text-body-secondary">Baseline</span>
                      {% elif row.change %}
                        <span class="measure">{{ row.change.words }}</span>
                        {% if row.change.reaches_mcid %}
                          <span class="badge text-bg-success"><i class="bi bi-check-circle-fill" aria-hidden="true"></i> reaches MCID</span>
                        {% elif row.change.important %}
                          <span class="badge text-bg-danger"><i class="bi bi-exclamation-triangle-fill" aria-hidden="true"></i> beyond MCID</span>
                        {% else %}
                          <span class="badge text-bg-light border text-body">below MCID</span>
                        {% endif %}
                      {% else %}
                        <span class="text-body-secondary">—</span>
                      {% endif %}
                    </td>
                  </tr>
                {% endfor %}
              </tbody>
            </table>
          </div>
        {% empty %}
          <p class="card-body text-body-secondary small mb-0">No scores yet.</p>
        {% endfor %}
      </section>
      <section class="card mb-3" aria-labelledby="assessments-heading">
        <div class="card-header bg-white py-3 d-flex justify-content-between align-items-center gap-2">
          <h2 class="h5 mb-0" id="assessments-heading">Assessments</h2>
          <div class="d-flex align-items-center gap-3">
            <a class="small" href="{% url 'assessments:patient_list' patient.pk %}">All</a>
            {% include "assessments/_start_button.html" with style="outline-primary" %}
          </div>
        </div>
        <ul class="list-group list-group-flush">
          {% for assessment in chart.assessments %}
            <li class="list-group-item">
              <a href="{% if assessment.is_signed or assessment.practitioner_user_id != request.user.pk %}{% url 'assessments:detail' assessment.pk %}{% else %}{% url 'assessments:edit' assessment.pk %}{% endif %}">{{ assessment.assessed_on|date:"j M Y" }}</a>
              · {{ assessment.practitioner_name }} · {{ assessment.status_label }}
            </li>
          {% empty %}
            <li class="list-group-item text-body-secondary small">No assessments yet.</li>
          {% endfor %}
        </ul>
      </section>
    </div>"""  # noqa: E501
)
SCORES_LOADER = re.compile(
    r'<div class="(col-lg-4)"\s+id="chart-scores"[^>]*'
    r'hx-get="([^"]+)"\s+hx-trigger="load"\s+hx-swap="innerHTML">.*?</div>',
    re.DOTALL,
)
SCORES_CHART_SLOT = '<div id="scores-chart" aria-busy="true"></div>'
SCORES_CHART_OOB = re.compile(
    r'<div id="scores-chart" hx-swap-oob="true">(.*)</div>\s*$', re.DOTALL
)
OPEN_NOTES_SLOT = '<div id="open-notes-slot"></div>'
OPEN_NOTES_OOB = re.compile(
    r'<div id="open-notes-slot" hx-swap-oob="true">(.*?)</div>\s*<div id="scores-chart"',
    re.DOTALL,
)
# The chart's "Unsigned and missing notes" card before it loaded after the page.
OPEN_NOTES_BEFORE = Template(
    """{% if chart.open_notes %}
        <section class="card mb-3 border-warning"
                 aria-labelledby="open-notes-heading"
                 id="open-notes">
          <div class="card-header bg-white py-3 d-flex justify-content-between align-items-baseline">
            <h2 class="h5 mb-0" id="open-notes-heading">Unsigned and missing notes</h2>
            <span class="badge text-bg-warning">{{ chart.open_notes|length }}</span>
          </div>
          {% include "clinic/_open_notes.html" with notes=chart.open_notes show_author=True %}
        </section>
      {% endif %}"""  # noqa: E501
)
CSRF = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


def chart_as_shown(client, patient) -> str:
    """The chart once htmx has loaded treatments:chart_scores into its right-hand column
    and swapped the scores chart into the Progress card and the notes owed into their
    slot above it (out of band)."""
    page = client.get(reverse("treatments:chart", args=[patient.pk])).content.decode()
    found = SCORES_LOADER.findall(page)
    assert len(found) == 1
    classes, url = found[0]
    assert url == reverse("treatments:chart_scores", args=[patient.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    partial = response.content.decode()
    oob = SCORES_CHART_OOB.search(partial)
    assert oob, "no scores chart in the partial"
    notes = OPEN_NOTES_OOB.search(partial)
    assert notes, "no notes owed slot in the partial"
    column = partial[: notes.start()]
    assert page.count(SCORES_CHART_SLOT) == 1
    page = page.replace(SCORES_CHART_SLOT, oob.group(1))
    assert page.count(OPEN_NOTES_SLOT) == 1
    page = page.replace(OPEN_NOTES_SLOT, f'<div id="open-notes-slot">{notes.group(1)}</div>')
    return SCORES_LOADER.sub(lambda _: f'<div class="{classes}">{column}</div>', page)


def test_the_scores_and_assessments_are_those_the_chart_showed(history):
    client, patient = history
    shown = chart_as_shown(client, patient)
    user = client.get(reverse("treatments:chart", args=[patient.pk])).wsgi_request.user
    data = selectors.chart_scores(patient)
    before = COLUMN_BEFORE.render(
        Context({"chart": data, "patient": patient, "request": SimpleNamespace(user=user)})
    )
    column = _same(CSRF.sub("", _column_only(shown)))
    assert column == _same(CSRF.sub("", before))
    assert "reaches MCID" in column or "below MCID" in column or "beyond MCID" in column
    assert "Baseline" in column
    assert "Draft" in column  # the draft assessment's status
    broken = column.replace("Baseline", "Baseline ·", 1)
    assert broken != _same(CSRF.sub("", before))
    # The Progress card: the pain chart, then the scores chart in the slot it had.
    progress = re.search(
        r'id="progress-heading".*?<div class="card-body">(.*?)</section>', shown, re.DOTALL
    )
    assert progress
    pain = selectors.chart_for_patient(patient).pain_svg
    assert _same(progress.group(1)) == _same(f"{pain}\n<hr>\n{data.scores_svg}\n</div>")
    assert "<svg" in data.scores_svg
    # The notes owed (a draft session and a draft assessment), in their slot at the top.
    context = {"chart": data, "user": user}
    notes = re.search(r'<div id="open-notes-slot">(.*?)</div>\s*<section', shown, re.DOTALL)
    assert notes
    assert _same(CSRF.sub("", notes.group(1))) == _same(
        CSRF.sub("", OPEN_NOTES_BEFORE.render(Context(context)))
    )
    assert "Unsigned and missing notes" in notes.group(1)
    assert shown.index("open-notes-heading") < shown.index("progress-heading")


def test_a_chart_without_notes_owed_shows_no_card(credentialed, client_for):  # noqa: F811
    physio = credentialed
    patient = ready_patient(physio)
    shown = chart_as_shown(client_for(physio), patient)
    assert "Unsigned and missing notes" not in shown


def _column_only(html: str) -> str:
    start = html.index('<div class="col-lg-4">')
    depth, pos = 0, start
    for tag in re.finditer(r"<(/?)div\b[^>]*>", html[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            pos = start + tag.end()
            break
    return html[start:pos]


def test_the_scores_partial_is_logged(history):
    client, patient = history
    url = reverse("treatments:chart_scores", args=[patient.pk])
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    assert patient.access_logs.filter(what="chart scores").count() == 1
