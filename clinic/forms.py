"""Forms of the front office: parsing and field validation only."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's sign-in form with messages written for the front desk, not developers."""

    error_messages = {
        "invalid_login": (
            "That username and password do not match an account. Check both and try "
            "again; the password is case-sensitive."
        ),
        "inactive": "This account has been deactivated. Please ask the clinic admin.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )
