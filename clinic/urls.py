"""The site's URLconf. Every view declares its audience (clinic.permissions)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import views
from clinic.forms import LoginForm
from clinic.permissions import allow_public, allow_signed_in

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
    path("", views.account, name="account"),
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
        path("desk/", views.desk_today, name="desk_today"),
        path("my-day/", views.physio_day, name="physio_day"),
        path("portal/", views.portal_home, name="portal_home"),
        path("clinic-admin/", views.admin_home, name="admin_home"),
    ],
    "clinic",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include(account_patterns)),
    path("", include(office_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
