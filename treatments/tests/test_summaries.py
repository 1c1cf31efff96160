"""Visit and course summaries: made on signing, rendered by a task that is safe to repeat,
failures recorded and retried, stuck work swept, downloads only by their owner, logged.

The real-worker versions of acceptance 1 and 2 (a Celery worker killed mid-render, a broker
that was down) are in test_summaries_worker.py.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import OperationalError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from assessments.models import Muscle
from clinic.models import AccessLog, Patient
from clinic.permissions import Role
from clinic.tests.email_helpers import confirm_email
from clinic.tests.factories import UserFactory
from treatments import pdf, services, tasks
from treatments.models import CourseSummary, DocumentStatus, VisitSummary
from treatments.selectors import documents
from treatments.services import summaries
from treatments.tests.factories import complete_session, credential_for
from treatments.tests.summary_helpers import (
    named_patient,
    pdf_objects,
    pdf_text,
    signed_session,
    stored_pdfs,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def credentialed(physio):
    credential_for(physio)
    return physio


def _renders(enqueued) -> list:
    return [t for t in enqueued if t.name.endswith("_render_task")]


def _run_all(enqueued, django_capture_on_commit_callbacks) -> None:
    """Run what was enqueued (and what those tasks enqueue) as a worker would."""
    done = 0
    while done < len(enqueued):
        with django_capture_on_commit_callbacks(execute=True):
            enqueued[done].run()
        done += 1


@pytest.fixture
def ada(credentialed, make_user):
    user = make_user(Role.PATIENT, username="ada")
    patient = named_patient(credentialed, "Ada", "Lovelace", "ada@example.org")
    Patient.objects.filter(pk=patient.pk).update(user=user)
    patient.refresh_from_db()
    return patient


@pytest.fixture
def bob(credentialed, make_user):
    user = make_user(Role.PATIENT, username="bob")
    patient = named_patient(credentialed, "Bob", "Brunel", "bob@example.org")
    Patient.objects.filter(pk=patient.pk).update(user=user)
    patient.refresh_from_db()
    return patient


# --- Made on signing, sent after commit ----------------------------------------------------


def test_signing_adds_a_pending_summary_and_sends_it_only_after_commit(
    credentialed, ada, enqueued, django_capture_on_commit_callbacks
):
    session = complete_session(credentialed, ada)
    with django_capture_on_commit_callbacks() as callbacks:
        services.session_sign(session=session, by=credentialed)
        assert _renders(enqueued) == []  # nothing leaves before commit
    summary = VisitSummary.objects.get(session=session)
    assert (summary.version, summary.status) == (1, DocumentStatus.PENDING)
    for callback in callbacks:
        callback()
    [render] = _renders(enqueued)
    assert render.name == tasks.visit_summary_render_task.name
    assert render.args == (summary.pk,)


def test_render_tasks_follow_the_reliability_rules():
    from clinic.celery import app

    for task in (tasks.visit_summary_render_task, tasks.course_summary_render_task):
        assert task.acks_late
        assert task.reject_on_worker_lost
        assert 0 < task.soft_time_limit < task.time_limit
        route = app.amqp.router.route({}, task.name)
        assert route["queue"].name == "pdf"
    assert "summaries-sweep" in app.conf.beat_schedule


# --- Acceptance 1: content ------------------------------------------------------------------


def test_the_pdf_says_what_was_treated_in_lay_terms_and_nothing_of_anyone_else(
    credentialed, ada, bob, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        earlier = signed_session(credentialed, ada, nprs_before=7, nprs_after=5)
    with django_capture_on_commit_callbacks(execute=True):
        signed_session(
            credentialed,
            bob,
            muscles=(("Infraspinatus", "C5", "L"),),
            nprs_before=9,
            nprs_after=8,
        )
        session = signed_session(
            credentialed,
            ada,
            muscles=(("Supinator", "C6", "R"), ("Supinator", "C6", "L")),
            nprs_before=6,
            nprs_after=2,
        )
    _run_all(enqueued, django_capture_on_commit_callbacks)

    summary = VisitSummary.objects.get(session=session)
    assert summary.is_ready
    assert summary.error == ""
    text = pdf_text(stored_pdfs_for(summary))
    supinator = Muscle.objects.get(name="Supinator")
    assert supinator.lay_name in text
    assert "both sides" in text  # left and right merged into one line
    assert supinator.get_body_region_display() in text
    assert "6 / 10" in text
    assert "2 / 10" in text
    next_ims = session.session_date + dt.timedelta(days=7)
    assert f"{next_ims.day} {next_ims:%B %Y}" in text  # day month year, as the app
    assert "Ada Lovelace" in text
    # No internal codes, and nothing of Bob's.
    for absent in ("Supinator", "C6", "Infraspinatus", "Bob", "Brunel", "9 / 10"):
        assert absent not in text, absent
    assert Muscle.objects.get(name="Infraspinatus").lay_name not in text
    assert earlier.summaries.get().is_ready


@pytest.mark.parametrize(
    ("muscle", "warned"),
    [("Supraspinatus", True), ("Infraspinatus", True), ("Supinator", False)],
)
def test_the_summary_warns_about_breathlessness_after_chest_wall_needling(
    credentialed, ada, muscle, warned
):
    """Issue 17, acceptance 1: supraspinatus and infraspinatus carry the chest-wall flag
    after migrate (0005), so the patient's summary tells them what breathlessness means."""
    session = signed_session(credentialed, ada, muscles=((muscle, "C5" if warned else "C6", "L"),))
    summary = documents.visit_summary_with_relations(session.summaries.get().pk)
    context = documents.visit_summary_context(summary)
    html = render_to_string("pdf/visit_summary.html", context)
    assert context["chest_wall"] is warned
    assert ("short of breath" in html) is warned
    assert ("needling near the chest" in html) is warned


def stored_pdfs_for(summary: VisitSummary) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(summary.file.name, "rb") as handle:
        return handle.read()


def test_the_pdf_is_tagged_for_screen_readers(credentialed, ada, enqueued):
    signed_session(credentialed, ada)
    summary = VisitSummary.objects.get()
    assert summaries.document_render(VisitSummary, summary.pk)
    content = stored_pdfs_for(VisitSummary.objects.get())
    assert content.startswith(b"%PDF-1.7")
    objects = pdf_objects(content)
    assert b"/StructTreeRoot" in objects
    assert b"/MarkInfo" in objects
    assert b"/Lang (en)" in objects or b"/Lang(en)" in objects


# --- Idempotence ---------------------------------------------------------------------------


def test_running_the_task_twice_stores_one_file(credentialed, ada, private_storage):
    signed_session(credentialed, ada)
    summary = VisitSummary.objects.get()
    assert tasks.visit_summary_render_task.apply(args=[summary.pk]).get() is True
    assert tasks.visit_summary_render_task.apply(args=[summary.pk]).get() is False
    assert len(stored_pdfs(private_storage)) == 1
    summary.refresh_from_db()
    assert summary.attempts == 1


def test_a_run_that_died_after_writing_is_replaced_not_duplicated(
    credentialed, ada, private_storage
):
    """A worker killed after saving the file but before committing leaves a file and a
    pending row; the next delivery must overwrite that file, not add a second one."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    signed_session(credentialed, ada)
    summary = VisitSummary.objects.get()
    default_storage.save(summaries.storage_name(summary), ContentFile(b"half a PDF"))
    assert summaries.document_render(VisitSummary, summary.pk)
    files = stored_pdfs(private_storage)
    assert len(files) == 1
    assert files[0].read_bytes().startswith(b"%PDF")


# --- Acceptance 2b: the broker is down when the session is signed ----------------------------


def test_broker_down_at_signing_signs_anyway_and_the_sweeper_sends_it_later(
    credentialed, ada, client_for, enqueued, django_capture_on_commit_callbacks
):
    session = complete_session(credentialed, ada)
    client = client_for(credentialed)
    with mock.patch.object(
        tasks.visit_summary_render_task, "apply_async", side_effect=BrokerDown("refused")
    ) as send:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("treatments:session_sign", args=[session.pk]))
        assert send.called  # it tried, and the failure did not reach the user
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_signed
    summary = VisitSummary.objects.get(session=session)
    assert summary.is_pending
    assert _renders(enqueued) == []

    # Too recent: the sweeper leaves it (its message may still be in the queue).
    assert summaries.summaries_sweep() == 0
    VisitSummary.objects.filter(pk=summary.pk).update(
        queued_at=timezone.now() - dt.timedelta(minutes=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.summaries_sweep_task.apply().get() == 1
    [render] = _renders(enqueued)
    render.run()
    summary.refresh_from_db()
    assert summary.is_ready
    # Sent again once per period, not on every sweep.
    assert summaries.summaries_sweep() == 0


def test_the_sweeper_ignores_ready_and_failed_summaries(credentialed, ada, enqueued):
    signed_session(credentialed, ada)
    summary = VisitSummary.objects.get()
    old = timezone.now() - dt.timedelta(hours=1)
    for status in (DocumentStatus.READY, DocumentStatus.FAILED):
        VisitSummary.objects.filter(pk=summary.pk).update(status=status, queued_at=old)
        assert summaries.summaries_sweep() == 0


# --- Acceptance 2c: permanent and transient errors -------------------------------------------


def test_a_permanent_error_is_recorded_shown_to_staff_and_retried_by_a_button(
    credentialed, ada, client_for, enqueued, django_capture_on_commit_callbacks
):
    session = signed_session(credentialed, ada)
    summary = VisitSummary.objects.get()
    with mock.patch.object(pdf, "html_to_pdf", side_effect=ValueError("font table is broken")):
        assert tasks.visit_summary_render_task.apply(args=[summary.pk]).get() is False
    summary.refresh_from_db()
    assert summary.is_failed
    assert "font table is broken" in summary.error
    assert summary.attempts == 1

    client = client_for(credentialed)
    page = client.get(reverse("treatments:session", args=[session.pk])).content.decode()
    assert "font table is broken" in page
    retry_url = reverse("treatments:summary_retry", args=[summary.pk])
    assert retry_url in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url)
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.is_pending
    [render] = _renders(enqueued)
    render.run()
    summary.refresh_from_db()
    assert summary.is_ready
    assert summary.error == ""


def test_a_transient_error_is_retried_not_failed(credentialed, ada):
    signed_session(credentialed, ada)
    summary = VisitSummary.objects.get()
    with (
        mock.patch.object(pdf, "html_to_pdf", side_effect=OperationalError("db restarting")),
        mock.patch.object(tasks.visit_summary_render_task, "retry", side_effect=Retry) as retry,
        pytest.raises(Retry),
    ):
        tasks.visit_summary_render_task.apply(args=[summary.pk], throw=True)
    assert retry.call_args.kwargs["countdown"] == 2
    summary.refresh_from_db()
    assert summary.is_pending
    assert summary.error == ""


def test_retries_that_run_out_mark_the_summary_failed(credentialed, ada):
    signed_session(credentialed, ada)
    summary = VisitSummary.objects.get()
    task = tasks.visit_summary_render_task
    with mock.patch.object(pdf, "html_to_pdf", side_effect=OperationalError("db gone")):
        task.apply(args=[summary.pk], retries=task.max_retries)
    summary.refresh_from_db()
    assert summary.is_failed
    assert "db gone" in summary.error


# --- Versions -------------------------------------------------------------------------------


def test_an_addendum_renders_a_new_version_and_keeps_the_old_one(
    credentialed, ada, client_for, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = signed_session(credentialed, ada)
    _run_all(enqueued, django_capture_on_commit_callbacks)
    first = VisitSummary.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_addendum_add(
            session=session, by=credentialed, text="Right side only: the left was not needled."
        )
    second = VisitSummary.objects.get(version=2)
    assert second.is_pending
    assert second.reason == "Addendum added"

    # While v2 renders the patient still has v1, and is told an update is coming.
    portal = client_for(ada.user)
    page = portal.get(reverse("treatments:portal_documents")).content.decode()
    assert reverse("treatments:portal_document_download", args=[first.token]) in page
    assert "updated version is being prepared" in page

    _run_all(enqueued, django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert second.is_ready
    page = portal.get(reverse("treatments:portal_documents")).content.decode()
    assert reverse("treatments:portal_document_download", args=[second.token]) in page
    assert reverse("treatments:portal_document_download", args=[first.token]) not in page
    assert "Right side only" in pdf_text(stored_pdfs_for(second))
    # Staff can still fetch the older version.
    staff = client_for(credentialed)
    response = staff.get(reverse("treatments:summary_download", args=[first.token]))
    assert response.status_code == 200


# --- Acceptance 3: who may download ---------------------------------------------------------


@pytest.fixture
def ready_summary(credentialed, ada):
    signed_session(credentialed, ada)
    summary = VisitSummary.objects.get()
    summaries.document_render(VisitSummary, summary.pk)
    summary.refresh_from_db()
    return summary


def test_the_patient_downloads_their_own_summary_and_it_is_logged(ready_summary, ada, client_for):
    client = client_for(ada.user)
    url = reverse("treatments:portal_document_download", args=[ready_summary.token])
    assert str(ready_summary.pk) not in url.replace(str(ready_summary.token), "")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert (log.user, log.patient) == (ada.user, ada)
    assert log.ip_address == "127.0.0.1"


def test_another_patient_gets_not_found_for_any_id(ready_summary, bob, client_for):
    client = client_for(bob.user)
    for token in (ready_summary.token, uuid.uuid4()):
        url = reverse("treatments:portal_document_download", args=[token])
        assert client.get(url).status_code == 404
    assert client.get(f"/treatments/documents/{ready_summary.pk}/download/").status_code == 404
    page = client.get(reverse("treatments:portal_documents")).content.decode()
    assert str(ready_summary.token) not in page
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).exists()


def test_anonymous_is_sent_to_sign_in(ready_summary, client):
    url = reverse("treatments:portal_document_download", args=[ready_summary.token])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_downloads_are_physio_only_and_logged(
    ready_summary, ada, credentialed, front_desk, client_for
):
    url = reverse("treatments:summary_download", args=[ready_summary.token])
    assert client_for(front_desk).get(url).status_code == 403
    assert client_for(ada.user).get(url).status_code == 403
    response = client_for(credentialed).get(url)
    assert response.status_code == 200
    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert (log.user, log.patient) == (credentialed, ada)


def test_a_summary_that_is_not_ready_is_not_found(credentialed, ada, client_for):
    signed_session(credentialed, ada)
    summary = VisitSummary.objects.get()
    url = reverse("treatments:portal_document_download", args=[summary.token])
    assert client_for(ada.user).get(url).status_code == 404


# --- The portal and the front desk ---------------------------------------------------------


def test_the_documents_page_lists_own_summaries_with_state(
    credentialed, ada, bob, client_for, django_capture_on_commit_callbacks
):
    signed_session(credentialed, ada)
    signed_session(credentialed, bob)
    mine = VisitSummary.objects.get(session__patient=ada)
    client = client_for(ada.user)
    page = client.get(reverse("treatments:portal_documents")).content.decode()
    assert "Being prepared" in page
    assert "every" in page  # polls while one is pending
    assert "X-Clinic-Poll" in page  # and polling does not count as activity (idle timeout)
    summaries.document_render(VisitSummary, mine.pk)
    page = client.get(reverse("treatments:portal_documents")).content.decode()
    assert "Download PDF" in page
    assert page.count("Visit summary,") == 1  # Bob's is not listed


def test_the_documents_page_is_in_the_patient_menu_only(ada, client_for, credentialed):
    url = reverse("treatments:portal_documents")
    assert url in client_for(ada.user).get(reverse("clinic:portal_home")).content.decode()
    assert client_for(credentialed).get(url).status_code == 403


def test_query_count_of_the_documents_page_does_not_grow(
    credentialed, ada, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(ada.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("treatments:portal_documents")).status_code == 200
        return len(captured)

    signed_session(credentialed, ada)
    small = count()
    for _ in range(9):
        session = signed_session(credentialed, ada)
        services.session_addendum_add(session=session, by=credentialed, text="Checked.")
    assert VisitSummary.objects.count() == 19
    assert count() == small


def test_the_patient_is_emailed_a_link_never_the_pdf(
    ready_summary, ada, enqueued, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    assert summaries.visit_summary_notify(ready_summary.pk)
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    assert reverse("treatments:portal_documents") in message.body
    assert message.attachments == []
    assert Muscle.objects.get(name="Supinator").lay_name not in message.body
    # Once per version.
    assert not summaries.visit_summary_notify(ready_summary.pk)
    assert len(mail.outbox) == 1


def test_a_patient_without_a_portal_account_is_not_emailed(credentialed, enqueued):
    patient = named_patient(credentialed, "Cy", "Noportal", "cy@example.org")
    signed_session(credentialed, patient)
    summary = VisitSummary.objects.get()
    summaries.document_render(VisitSummary, summary.pk)
    mail.outbox.clear()
    assert not summaries.visit_summary_notify(summary.pk)
    assert mail.outbox == []


def test_front_desk_sees_the_summary_exists_and_emails_it_without_reading_it(
    ready_summary, ada, front_desk, client_for, enqueued, django_capture_on_commit_callbacks
):
    confirm_email(ada, front_desk)
    client = client_for(front_desk)
    page = client.get(reverse("treatments:patient_documents", args=[ada.pk])).content.decode()
    assert "Ready" in page
    assert "E-mail to patient" in page
    assert reverse("treatments:summary_download", args=[ready_summary.token]) not in page
    for clinical in (Muscle.objects.get(name="Supinator").lay_name, "Supinator", "C6"):
        # As a word: a random CSRF token in the page may contain "C6".
        assert not re.search(rf"\b{re.escape(clinical)}\b", page), clinical

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("treatments:summary_email", args=[ready_summary.pk]))
    assert response.status_code == 302
    [send] = [t for t in enqueued if t.name == tasks.visit_summary_email_task.name]
    mail.outbox.clear()
    send.run()
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    log = AccessLog.objects.get(action=AccessLog.Action.EMAIL)
    assert (log.user, log.patient) == (front_desk, ada)


def test_emailing_without_an_address_on_file_explains(
    credentialed, front_desk, client_for, enqueued
):
    patient = named_patient(credentialed, "No", "Email")
    signed_session(credentialed, patient)
    summary = VisitSummary.objects.get()
    summaries.document_render(VisitSummary, summary.pk)
    client = client_for(front_desk)
    response = client.post(reverse("treatments:summary_email", args=[summary.pk]), follow=True)
    assert "no e-mail address on file" in response.content.decode()
    assert [t for t in enqueued if t.name == tasks.visit_summary_email_task.name] == []


# --- Course summaries ------------------------------------------------------------------------


def test_course_summary_form_errors_are_shown_next_to_the_field_and_nothing_is_saved(
    credentialed, ada, client_for
):
    signed_session(credentialed, ada)
    client = client_for(credentialed)
    url = reverse("treatments:course_summary_new", args=[ada.pk])
    today = timezone.localdate()
    cases = [
        ({"date_from": today, "date_to": today - dt.timedelta(days=3)}, "on or after"),
        ({"date_from": today, "date_to": today + dt.timedelta(days=3)}, "future"),
        ({"date_from": "", "date_to": today}, "This field is required"),
        ({"date_from": "31/31/2026", "date_to": today}, "Enter a valid date"),
        (
            {"date_from": today - dt.timedelta(days=90), "date_to": today - dt.timedelta(days=60)},
            "No signed sessions between these dates",
        ),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 422, data
        assert message in response.content.decode(), data
    assert not CourseSummary.objects.exists()


def test_course_summary_renders_async_with_progress_and_covers_only_its_range(
    credentialed, ada, client_for, enqueued, django_capture_on_commit_callbacks
):
    signed_session(credentialed, ada, muscles=(("Infraspinatus", "C5", "L"),), days_ago=60)
    for days_ago in (20, 13, 6):
        signed_session(credentialed, ada, days_ago=days_ago)
    client = client_for(credentialed)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("treatments:course_summary_new", args=[ada.pk]),
            {"date_from": today - dt.timedelta(days=30), "date_to": today, "recipient": "Dr. Lee"},
        )
    summary = CourseSummary.objects.get()
    assert response["Location"] == reverse("treatments:course_summary", args=[summary.token])
    page = client.get(response["Location"]).content.decode()
    assert "Being prepared" in page
    assert 'hx-trigger="every' in page
    [render] = [t for t in enqueued if t.name == tasks.course_summary_render_task.name]
    render.run()
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "Download PDF" in fragment
    assert "every" not in fragment
    download = client.get(reverse("treatments:course_summary_download", args=[summary.token]))
    text = pdf_text(b"".join(download.streaming_content))
    assert "Dr. Lee" in text
    assert "Supinator" in text
    assert "C6" in text
    assert "Infraspinatus" not in text  # outside the range
    assert AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD, patient=ada).count() == 1


# --- Offline rendering ------------------------------------------------------------------------


def test_the_fetcher_serves_our_static_files_and_nothing_else():
    fetcher = pdf._fetcher()
    font = pdf.STATIC_DIR / "vendor/source-sans-3/source-sans-3-latin-400-normal.woff"
    assert fetcher.fetch(font.as_uri()).read()[:4] == b"wOFF"
    for url in (
        "https://example.org/tracker.png",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        (pdf.STATIC_DIR / "../clinic/settings.py").as_uri(),
        "ftp://example.org/x",
    ):
        with pytest.raises(pdf.BlockedURL):
            fetcher.fetch(url)


def test_a_document_asking_for_the_network_renders_without_fetching(monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the renderer tried to reach the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    html = '<p>Hi</p><img src="https://example.org/x.png" alt="x"><img src="/etc/hosts" alt="y">'
    assert pdf.html_to_pdf(html).startswith(b"%PDF")


def test_page_size_follows_the_setting(settings):
    settings.SUMMARY_PAGE_SIZE = "a4"
    assert pdf.page_size() == "A4"
    settings.SUMMARY_PAGE_SIZE = "Letter"
    assert pdf.page_size() == "Letter"


def test_staff_document_list_is_for_physio_and_front_desk(ada, client_for, make_user):
    url = reverse("treatments:patient_documents", args=[ada.pk])
    admin = UserFactory(roles={Role.CLINIC_ADMIN})
    assert client_for(admin).get(url).status_code == 403
    assert client_for(ada.user).get(url).status_code == 403
