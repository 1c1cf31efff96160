"""The patient's way in: accepting a portal invitation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clinic import services
from clinic.forms import InvitationAcceptForm
from clinic.permissions import allow_public


@allow_public
@never_cache
@require_http_methods(["GET", "POST"])
def portal_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password from an invitation link and land in the portal, signed in.

    The token names the invitation, and the invitation names the patient: nothing in the
    URL or the form can point the new account at another patient's record.
    """
    invitation = services.invitation_for_token(token)
    if invitation is None or not invitation.is_usable:
        state = invitation.state if invitation else "invalid"
        return render(
            request, "clinic/portal/invitation_invalid.html", {"state": state}, status=410
        )
    if request.user.is_authenticated:
        # Someone else is signed in on this device; the new account must not inherit it.
        logout(request)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.portal_invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form.add_error("password1", error)
        except services.InvitationError as error:
            return render(
                request,
                "clinic/portal/invitation_invalid.html",
                {"state": "used", "message": str(error)},
                status=410,
            )
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome, {invitation.patient.first_name}. Your account is ready; sign in "
                f"next time with {user.username}.",
            )
            return redirect("clinic:portal_home")
    return render(
        request,
        "clinic/portal/invitation_accept.html",
        {"form": form, "invitation": invitation, "patient": invitation.patient},
    )
