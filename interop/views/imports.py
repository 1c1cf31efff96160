"""The clinic admin's import page: upload a Cliniko or Jane export, read the dry run's
report (progress while a worker checks it), adjust the column mapping, then import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clinic.access import access_log_record
from clinic.forms.common import form_add_errors
from clinic.permissions import Role, allow_roles
from interop import selectors
from interop.forms import ImportMappingForm, ImportUploadForm
from interop.models import ImportJob
from interop.services import (
    ImportFileError,
    file_headers,
    import_job_commit,
    import_job_create,
    import_job_progress,
    import_job_remap,
)
from interop.services.import_presets import builtin_mapping, mapping_guess

POLL_SECONDS = 2


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "POST"])
def import_home(request: HttpRequest) -> HttpResponse:
    """Upload a file; its dry run starts at once."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        source, kind = form.cleaned_data["source"], form.cleaned_data["kind"]
        preset = form.cleaned_data["preset"]
        data = upload.read()
        try:
            headers = file_headers(data, upload.name)
            wanted = preset.mapping if preset else builtin_mapping(source, kind)
            job = import_job_create(
                by=request.user,
                source=source,
                kind=kind,
                file_name=upload.name,
                data=data,
                mapping=mapping_guess(headers, kind, wanted),
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            return redirect("interop:import_job", pk=job.pk)
    return render(
        request,
        "interop/import_home.html",
        {"form": form, "jobs": selectors.import_jobs_recent()},
        status=422 if form.errors else 200,
    )


def _mapping_form(job: ImportJob, data=None) -> ImportMappingForm:
    headers = sorted(set(job.mapping.values()))
    if job.file:  # gone once the file is imported
        try:
            with job.file.open("rb") as handle:
                headers = file_headers(handle.read(), job.file_name)
        except (ImportFileError, OSError):
            pass
    initial = {f"map_{key}": header for key, header in job.mapping.items()}
    return ImportMappingForm(data, kind=job.kind, headers=headers, initial=initial)


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "POST"])
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run's report (or the import's), with progress while it runs; a POST sends a
    new column mapping and runs the dry run again."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    form = _mapping_form(job, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            import_job_remap(
                job=job,
                by=request.user,
                mapping=form.mapping,
                save_as=form.cleaned_data["save_as"].strip(),
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            if form.cleaned_data["save_as"].strip():
                messages.success(request, "Mapping saved as a preset.")
            return redirect("interop:import_job", pk=job.pk)
    # The report names patients (invalid rows, possible duplicates): its reads are logged.
    if not request.htmx:
        access_log_record(request=request, patient=None, what=f"import report of {job.file_name}")
    done, total = import_job_progress(job) if job.running else (job.rows_done, job.rows_total)
    context = {
        "job": job,
        "report": job.report,
        "form": form,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "poll_seconds": POLL_SECONDS,
    }
    template = "interop/_import_status.html" if request.htmx else "interop/import_job.html"
    return render(request, template, context, status=422 if form.errors else 200)


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def import_job_start(request: HttpRequest, pk: int) -> HttpResponse:
    """After reading the dry run: import the file."""
    job = get_object_or_404(ImportJob, pk=pk)
    try:
        import_job_commit(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("interop:import_job", pk=job.pk)
