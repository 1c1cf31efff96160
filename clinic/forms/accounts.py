"""Signing in, two-factor codes and accepting an invitation."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class TokenForm(forms.Form):
    """A one-time code: six digits from the authenticator app, or an eight-digit backup
    code. Spaces people type while reading it out are ignored."""

    token = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "form-control form-control-lg",
            }
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        # isascii(): isdigit() also takes "²" and "١", which int() reads differently or not.
        if not (token.isascii() and token.isdigit()) or len(token) not in (6, 8):
            raise forms.ValidationError(
                "Type the 6 digits your authenticator app shows, or an 8-digit backup code."
            )
        return token


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
        # AuthenticationForm sets max_length after the field is built, so no validator
        # enforces it; without one an overlong name reaches authenticate() and django-axes,
        # whose attempt log (varchar 255) refuses it on PostgreSQL.
        limit = self.fields["username"].max_length or 150
        self.fields["username"].validators.append(MaxLengthValidator(limit))
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        max_length=4096,  # a passphrase, not a document (Django's old limit)
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. A few unrelated words make a good password.",
    )
    password2 = forms.CharField(
        label="Type it again",
        strip=False,
        max_length=4096,  # a passphrase, not a document (Django's old limit)
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords are not the same.")
        return cleaned
