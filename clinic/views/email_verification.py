"""Confirming a patient's e-mail address: the public page the e-mailed link opens, and the
desk's "send the link" action on the patient's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clinic import services
from clinic.inputs import safe_next
from clinic.models import Patient
from clinic.origin import Origin
from clinic.permissions import Role, allow_public, allow_roles


@allow_public
@never_cache
@require_http_methods(["GET", "POST"])
def email_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation e-mail. GET asks, POST confirms: a mail scanner that
    opens every link must not use up (or fake) the patient's confirmation. The token names
    the row and the address; nothing in the form can point it at another patient."""
    verification = services.email_verification_for_token(token)
    if verification is None or not verification.is_usable:
        state = verification.state if verification else "invalid"
        return _refused(request, state)
    if request.method == "POST":
        try:
            services.email_verification_confirm(
                verification=verification, origin=Origin.of(request)
            )
        except services.EmailVerificationError as error:
            return _refused(request, str(error))
    context = {"done": request.method == "POST", "email": verification.email}
    return render(request, "clinic/email_verify.html", context)


def _refused(request: HttpRequest, state: str) -> HttpResponse:
    return render(request, "clinic/email_verify_invalid.html", {"state": state}, status=410)


@allow_roles(Role.FRONT_DESK, Role.CLINIC_ADMIN)
@require_POST
def patient_email_verification_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send (again) the link that confirms the address on file. Only the newest link works."""
    patient = get_object_or_404(Patient, pk=pk)
    try:
        verification = services.email_verification_create(patient=patient, by=request.user)
    except services.EmailVerificationError as error:
        messages.info(request, str(error))
    else:
        messages.success(
            request,
            f"A confirmation link is on its way to {verification.email}. Documents go there "
            "once the patient opens it.",
        )
    return redirect(safe_next(request, reverse("clinic:patient_detail", args=[patient.pk])))
