"""Account views: sign in (throttled), sign out, sign up (behind a setting), password change.

Django's own auth views do the work; these only add the throttle and the sign-up switch.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from .forms import SignupForm, ThrottledAuthenticationForm


def signup_allowed() -> bool:
    return bool(getattr(settings, "CABLESEARCH_ALLOW_SIGNUP", False))


def safe_next(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    """``candidate`` when it is a path on this site, else ``default`` (no open redirects)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def mark_throttled(response: HttpResponse, form: object) -> HttpResponse:
    """A sign-in page refused by the throttle answers 429 with Retry-After (docs/deploy.md)."""
    lockout = getattr(form, "throttled", None)
    if lockout:
        response.status_code = 429
        response["Retry-After"] = str(lockout.retry_after_seconds)
    return response


def throttled_admin_login(login: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The admin site's login view, answering like LoginView when the throttle refuses."""

    @wraps(login)
    def view(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = login(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        return mark_throttled(response, context.get("form"))

    return view


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        return mark_throttled(super().form_invalid(form), form)

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        context["signup_allowed"] = signup_allowed()
        return context


def signup(request: HttpRequest) -> HttpResponse:
    if not signup_allowed():
        raise Http404("Sign-up is turned off: ask an administrator for an account.")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}. Your account is ready.")
        return redirect(next_url)
    return render(request, "registration/signup.html", {"form": form, "next": next_url})
