from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions, services
from vbe.accounts.forms import CodeForm, SignInForm
from vbe.accounts.policy import second_factor_required


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.check_password(
                request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if user.has_totp:
                services.start_pending_sign_in(request=request, user=user)
                return redirect(f"{reverse('accounts:sign_in_code')}?{urlencode({'next': _next_url(request)})}")
            services.complete_sign_in(request=request, user=user, mfa_verified=False)
            if second_factor_required(user):
                return redirect("accounts:mfa_setup")
            return redirect(_next_url(request))
    return render(request, "accounts/sign_in.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = services.pending_user(request)
    if user is None:
        messages.info(request, "Inloggningen tog för lång tid eller har inte påbörjats. Börja om.")
        return redirect("accounts:sign_in")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_totp(request=request, user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            services.complete_sign_in(request=request, user=user, mfa_verified=True)
            return redirect(_next_url(request))
    return render(request, "accounts/sign_in_code.html", {"form": form, "next": _next_url(request)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.sign_out(request=request)
    messages.success(request, "Du är utloggad.")
    return redirect("accounts:sign_in")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol (or replace) the TOTP second factor: scan the code, then confirm it with one code."""
    user = request.user
    form = CodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and "replace" in request.POST:
        services.new_totp_secret(user=user)
        return redirect("accounts:mfa_setup")
    if form.is_bound and form.is_valid() and user.totp_secret and not user.has_totp:
        try:
            services.verify_totp(request=request, user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session[services.SESSION_MFA_VERIFIED] = True
            messages.success(request, "Tvåstegsverifiering är påslagen för ditt konto.")
            return redirect("core:home")
    context = {"form": form, "required": second_factor_required(user), "enrolled": user.has_totp}
    if not user.has_totp:
        secret = user.totp_secret or services.new_totp_secret(user=user)
        qr = segno.make(services.provisioning_uri(user, secret), error="m")
        context["secret_groups"] = [secret[i : i + 4] for i in range(0, len(secret), 4)]
        context["qr_svg"] = qr.svg_inline(scale=4, title="QR-kod för autentiseringsappen", svgclass="app-qr")
    return render(request, "accounts/mfa_setup.html", context)


@login_required
@require_safe
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", {"memberships": permissions.memberships(request.user)})


@login_required
@require_POST
def end_sessions(request: HttpRequest) -> HttpResponse:
    services.end_all_sessions(request=request, user=request.user)
    messages.success(request, "Alla dina sessioner är avslutade. Logga in igen.")
    return redirect("accounts:sign_in")
