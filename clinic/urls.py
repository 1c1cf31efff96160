"""The site's URLconf. Every view declares its audience (clinic.permissions)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic.forms.accounts import LoginForm
from clinic.permissions import allow_public, allow_signed_in
from clinic.views import (
    audit,
    care,
    dashboard,
    email_verification,
    floor,
    intake,
    patients,
    portal,
    records,
    reminder_links,
    schedule,
    series,
    slots,
    two_factor,
    waitlist,
)
from clinic.views import home as views

admin.site.site_header = "Clinic administration"
admin.site.site_title = "Clinic administration"
admin.site.index_title = "Reference data, users and audit"

account_patterns = [
    path(
        "login/",
        allow_public(
            auth_views.LoginView.as_view(
                authentication_form=LoginForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", allow_public(views.SignOutView.as_view()), name="logout"),
    path("2fa/", two_factor.two_factor, name="two_factor"),
    path("2fa/setup/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("2fa/backup-codes/", two_factor.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("", views.account, name="account"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path(
        "password/change/",
        allow_signed_in(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/change/done/",
        allow_signed_in(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        allow_public(
            auth_views.PasswordResetView.as_view(
                extra_email_context={"site_name": settings.CLINIC_NAME}
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        allow_public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        allow_public(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        allow_public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

office_patterns = (
    [
        path("desk/", schedule.day_view, name="desk_today"),
        path("desk/notices/", schedule.day_notices, name="desk_notices"),
        path("desk/sheet/", schedule.day_sheet, name="day_sheet"),
        path("schedule/week/", schedule.week_view, name="schedule_week"),
        path("appointments/new/", schedule.appointment_new, name="appointment_new"),
        path(
            "appointments/patients/",
            schedule.booking_patient_search,
            name="booking_patient_search",
        ),
        path(
            "appointments/patient-panel/",
            schedule.booking_patient_panel,
            name="booking_patient_panel",
        ),
        path("appointments/find/", slots.slot_finder, name="slot_finder"),
        path("appointments/<int:pk>/", schedule.appointment_detail, name="appointment_detail"),
        path(
            "appointments/<int:pk>/status/", schedule.appointment_status, name="appointment_status"
        ),
        path(
            "appointments/<int:pk>/cancel/", schedule.appointment_cancel, name="appointment_cancel"
        ),
        path(
            "appointments/<int:pk>/reschedule/",
            schedule.appointment_reschedule,
            name="appointment_reschedule",
        ),
        path(
            "schedule/alerts/<int:pk>/resolve/",
            schedule.spacing_alert_resolve,
            name="spacing_alert_resolve",
        ),
        path("schedule/online-seen/", schedule.online_bookings_seen, name="online_bookings_seen"),
        path("schedule/notices-seen/", schedule.desk_notices_seen, name="desk_notices_seen"),
        path("my-day/", views.physio_day, name="physio_day"),
        path("portal/", views.portal_home, name="portal_home"),
        path("clinic-admin/", views.admin_home, name="admin_home"),
        path("clinic-admin/audit/", audit.audit, name="audit"),
        path("dashboard/", dashboard.dashboard, name="dashboard"),
        path("dashboard/csv/", dashboard.dashboard_csv, name="dashboard_csv"),
        path("clinic-admin/audit/<int:pk>/review/", audit.access_review, name="access_review"),
        path(
            "patients/<int:pk>/emergency-access/",
            audit.emergency_access,
            name="emergency_access",
        ),
        # Patients (front desk and physiotherapists)
        path("patients/", patients.patient_list, name="patient_list"),
        path("patients/new/", patients.patient_create, name="patient_create"),
        path("patients/<int:pk>/", patients.patient_detail, name="patient_detail"),
        path("patients/<int:pk>/edit/", patients.patient_edit, name="patient_edit"),
        path("patients/<int:pk>/invite/", patients.patient_invite, name="patient_invite"),
        path(
            "patients/<int:pk>/email/confirm/",
            email_verification.patient_email_verification_send,
            name="patient_email_verification_send",
        ),
        path("patients/<int:pk>/care-team/", patients.care_team_add, name="care_team_add"),
        path(
            "patients/<int:pk>/care-team/<int:practitioner_pk>/remove/",
            patients.care_team_remove,
            name="care_team_remove",
        ),
        # Clinical intake, screening and consent (physiotherapists)
        path("patients/<int:pk>/intake/", intake.intake_detail, name="intake_detail"),
        path("patients/<int:pk>/intake/review/", intake.intake_review, name="intake_review"),
        path("patients/<int:pk>/intake/<slug:step>/", intake.intake_step, name="intake_step"),
        path(
            "patients/<int:pk>/screening/<int:item_pk>/clear/",
            intake.screening_clear,
            name="screening_clear",
        ),
        path(
            "patients/<int:pk>/screening/answers/",
            intake.screening_answer,
            name="screening_answer",
        ),
        path("patients/<int:pk>/consent/", intake.consent_in_clinic, name="consent_in_clinic"),
        path("patients/<int:pk>/recall/", schedule.recall_plan, name="recall_plan"),
        # Plans of care (physiotherapists write; the front desk reads)
        path("patients/<int:pk>/plans/new/", care.care_plan_new, name="care_plan_new"),
        path("plans/<int:pk>/", care.care_plan_detail, name="care_plan_detail"),
        path("plans/<int:pk>/edit/", care.care_plan_edit, name="care_plan_edit"),
        path("plans/<int:pk>/status/", care.care_plan_status, name="care_plan_status"),
        path("plans/<int:pk>/discharge/", care.care_plan_discharge, name="care_plan_discharge"),
        # Weekly series of a plan, and "this and later ones" of a series visit
        path("plans/<int:pk>/series/", series.series_plan, name="series_plan"),
        path("appointments/<int:pk>/series/cancel/", series.series_cancel, name="series_cancel"),
        path("appointments/<int:pk>/series/move/", series.series_move, name="series_move"),
        # Waitlist (front desk; physiotherapists read) and its e-mailed offers (public)
        path("waitlist/", waitlist.waitlist_list, name="waitlist_list"),
        path("waitlist/add/", waitlist.waitlist_add, name="waitlist_add"),
        path("waitlist/<int:pk>/edit/", waitlist.waitlist_edit, name="waitlist_edit"),
        path("waitlist/<int:pk>/remove/", waitlist.waitlist_remove, name="waitlist_remove"),
        path("waitlist/matches/", waitlist.waitlist_matches, name="waitlist_matches"),
        path(
            "waitlist/<int:pk>/offer/", waitlist.waitlist_offer_create, name="waitlist_offer_create"
        ),
        path("waitlist/offer/<str:token>/", waitlist.waitlist_offer, name="waitlist_offer"),
        path(
            "waitlist/offers/<int:pk>/withdraw/",
            waitlist.waitlist_offer_withdraw,
            name="waitlist_offer_withdraw",
        ),
        # Patient portal
        path("portal/intake/", intake.portal_intake, name="portal_intake"),
        path("portal/intake/review/", intake.portal_intake_review, name="portal_intake_review"),
        path("portal/intake/<slug:step>/", intake.portal_intake_step, name="portal_intake_step"),
        path("portal/consent/", intake.portal_consent, name="portal_consent"),
        path("portal/appointments/", portal.portal_appointments, name="portal_appointments"),
        path(
            "portal/appointments/<int:pk>/cancel/",
            portal.portal_appointment_cancel,
            name="portal_appointment_cancel",
        ),
        path(
            "portal/appointments/<int:pk>/calendar.ics",
            portal.portal_appointment_calendar,
            name="portal_appointment_calendar",
        ),
        path("portal/book/", portal.portal_book, name="portal_book"),
        path("portal/questionnaire/", portal.portal_remeasure, name="portal_remeasure"),
        path("portal/my-records/", records.portal_records, name="portal_records"),
        path(
            "portal/my-records/download/",
            records.portal_records_download,
            name="portal_records_download",
        ),
        path("patients/<int:pk>/corrections/", records.correction_add, name="correction_add"),
        path("corrections/<int:pk>/settle/", records.correction_settle, name="correction_settle"),
        path("portal/welcome/<str:token>/", portal.portal_invitation, name="portal_invitation"),
        path("email/confirm/<str:token>/", email_verification.email_verify, name="email_verify"),
        path(
            "visit/<int:pk>/confirm/<str:token>/",
            reminder_links.visit_confirm,
            name="visit_confirm",
        ),
        path(
            "visit/<int:pk>/cancel/<str:token>/", reminder_links.visit_cancel, name="visit_cancel"
        ),
    ],
    "clinic",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include(account_patterns)),
    path("", include(office_patterns)),
    # The apps above clinic (clinic <- assessments <- treatments <- interop <- custody) are
    # included by dotted path, so the site's URLconf does not import them.
    path("assessments/", include("assessments.urls")),
    path("treatments/", include("treatments.urls")),
    path("interop/", include("interop.urls")),
    path("custody/", include("custody.urls")),
    path("healthz", views.healthz, name="healthz"),
    # An empty staff page: the benchmark's floor and a cheap authenticated health check.
    path("floor/", floor.floor, name="floor"),
    path("admin/", admin.site.urls),
]
