"""A test-only page with two body chart widgets (used by test_bodychart.py's browser test).

The site's own URLs are included so base.html's navigation links resolve.
"""

from __future__ import annotations

import json

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from clinic.bodychart import BodyChartField
from clinic.permissions import allow_public


class ChartTestForm(forms.Form):
    chart = BodyChartField(label="Where are the findings?", required=False)
    intake_chart = BodyChartField(
        label="Where does it hurt?", kinds={"pain", "paraesthesia"}, required=False
    )


PAGE = """{% extends "base.html" %}
{% load bodychart %}
{% block title %}Body chart{% endblock %}
{% block content %}
  {{ form.media }}
  <div class="page-header"><h1>Body chart</h1></div>
  {% if received is not None %}
    <section class="card mb-4"><div class="card-body">
      <p id="received-count">Received {{ received|length }} mark{{ received|length|pluralize }}.</p>
      <pre id="received" class="small">{{ received_json }}</pre>
      {% bodychart received %}
    </div></section>
  {% endif %}
  <form method="post" novalidate>
    {% csrf_token %}
    <div class="card"><div class="card-body">{{ form.as_div }}</div>
      <div class="card-footer bg-white py-3">
        <button type="submit" class="btn btn-primary" id="save">Save</button>
      </div>
    </div>
  </form>
{% endblock %}
"""


@allow_public
def chart_page(request: HttpRequest) -> HttpResponse:
    received = None
    if request.method == "POST":
        form = ChartTestForm(request.POST)
        if form.is_valid():
            received = form.cleaned_data["chart"]
    else:
        form = ChartTestForm()
    template = engines["django"].from_string(PAGE)
    context = {
        "form": form,
        "received": received,
        "received_json": json.dumps(received) if received is not None else "",
    }
    return HttpResponse(template.render(context, request))


urlpatterns = [
    path("bodychart-test/", chart_page, name="bodychart_test"),
    path("", include("clinic.urls")),
]
