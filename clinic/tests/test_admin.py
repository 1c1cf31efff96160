"""The clinic admin's screens open (and clinical content is not among them)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_admin_list_the_clinic_admin_may_see_opens(client_for, clinic_admin):
    client = client_for(clinic_admin)
    opened = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(_request(clinic_admin)):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        opened.append(model._meta.model_name)
    assert {"user", "screeningitem", "consentversion", "practitioner", "accesslog"} <= set(opened)
    assert "intake" not in opened


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request
