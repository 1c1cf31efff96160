"""The patient's side of access requests: ask, follow, download what was released."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from clinic.access import access_log_record
from clinic.forms.common import form_add_errors
from clinic.models import AccessLog
from clinic.permissions import Role, allow_roles, own_patient
from custody import selectors, services
from custody.forms import PortalAccessRequestForm
from custody.models import AccessRequest


@allow_roles(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_requests(request: HttpRequest) -> HttpResponse:
    """The signed-in patient's access requests and a form to make one."""
    patient = own_patient(request)
    form = PortalAccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.access_request_create(
                patient=patient,
                by=request.user,
                channel=AccessRequest.Channel.PORTAL,
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(
                request, f"Request received. The clinic answers by {created.due_on:%-d %B %Y}."
            )
            return redirect("custody:portal_requests")
    return render(
        request,
        "custody/portal_requests.html",
        {"form": form, "requests": selectors.portal_access_requests(patient)},
    )


@allow_roles(Role.PATIENT)
@require_GET
@never_cache
def portal_release_download(request: HttpRequest, token: str) -> FileResponse:
    """The archive released for one of the signed-in patient's own requests (another
    patient's token answers 404); logged."""
    patient = own_patient(request)
    access_request = get_object_or_404(
        AccessRequest,
        token=token,
        patient=patient,
        status=AccessRequest.Status.RELEASED,
    )
    if not access_request.release_file:
        raise Http404("Nothing to download.")
    access_log_record(
        request=request,
        patient=patient,
        what=f"access request {access_request.pk}: released archive",
        action=AccessLog.Action.DOWNLOAD,
    )
    response = FileResponse(
        default_storage.open(access_request.release_file.name, "rb"),
        as_attachment=True,
        filename=f"my-clinic-record-{access_request.answered_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
