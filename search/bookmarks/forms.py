"""Forms for signing in (throttled), signing up, and keeping searches and cables."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from . import throttle
from .models import MAX_NAME_CHARS, MAX_NOTE_CHARS, CableBookmark

THROTTLED_MESSAGE = (
    "Too many failed sign-in attempts for this username from your address. "
    "Try again in %(minutes)d minute%(plural)s."
)


class ThrottleMixin:
    """For Django's sign-in forms: refuse a (username, address) pair after too many failures.

    Each attempt is recorded before its password is checked (throttle.begin_attempt) and
    forgotten unless Django reports it as a wrong password (code "invalid_login"); the count is
    cleared by a successful sign-in (signals.py)."""

    throttled: throttle.Lockout | None = None

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()
        ip = throttle.client_ip(self.request)
        attempt, self.throttled = throttle.begin_attempt(username, ip)
        if self.throttled:
            # Refused before the password is checked: a right guess now must not help.
            minutes = self.throttled.minutes
            raise forms.ValidationError(
                THROTTLED_MESSAGE,
                code="throttled",
                params={"minutes": minutes, "plural": "" if minutes == 1 else "s"},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if getattr(error, "code", None) != "invalid_login":
                throttle.forget_attempt(attempt)  # e.g. an inactive account: not a guess
            raise
        throttle.forget_attempt(attempt)  # the right password (the signal clears the rest)
        return cleaned


class ThrottledAuthenticationForm(ThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottleMixin, AdminAuthenticationForm):
    pass


class SignupForm(UserCreationForm):
    pass


class SaveSearchForm(forms.Form):
    # The search's querystring as the page had it; canonicalised before it is stored.
    query = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)
    name = forms.CharField(required=False, max_length=MAX_NAME_CHARS, strip=True)


class RenameSearchForm(forms.Form):
    name = forms.CharField(max_length=MAX_NAME_CHARS, strip=True)


class NoteForm(forms.ModelForm):
    note = forms.CharField(
        required=False,
        max_length=MAX_NOTE_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = CableBookmark
        fields = ["note"]
