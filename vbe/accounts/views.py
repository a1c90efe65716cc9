from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import four_eyes, four_eyes_decisions, permissions, recipients, services
from vbe.accounts.forms import ChoosePasswordForm, CodeForm, DecisionForm, ReauthenticateForm, SignInForm
from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState
from vbe.accounts.permissions import Action
from vbe.accounts.policy import second_factor_required
from vbe.accounts.reauth import reauth_redirect
from vbe.audit.log import record
from vbe.organisations.models import District
from vbe.organisations.services import merge_effect


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
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
        messages.info(request, _("Inloggningen tog för lång tid eller har inte påbörjats. Börja om."))
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
    messages.success(request, _("Du är utloggad."))
    return redirect("accounts:sign_in")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol the TOTP second factor (scan the code, confirm it with one code), or replace a confirmed
    one: the new secret waits until a code of it confirms it, and the old factor stays in force until
    then. Replacing needs a recent authentication (with the old factor) at every step."""
    user = request.user
    here = reverse("accounts:mfa_setup")
    form = CodeForm(request.POST if "code" in request.POST else None)
    # Whoever holds an open session must not swap the factor for their own: prove it is you first.
    replacement_step = user.has_totp and (request.method == "POST" or bool(user.totp_pending_secret))
    if replacement_step and (response := reauth_redirect(request, back=here)):
        return response
    if request.method == "POST" and user.has_totp:
        if "replace" in request.POST:
            services.replace_totp(user=user)
            return redirect("accounts:mfa_setup")
        if "cancel" in request.POST:
            services.cancel_totp_replacement(user=user)
            messages.info(request, _("Bytet är avbrutet. Den app du redan har gäller som förut."))
            return redirect("accounts:mfa_setup")
        if form.is_bound and form.is_valid() and user.totp_pending_secret:
            try:
                services.confirm_totp_replacement(user=user, code=form.cleaned_data["code"])
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                messages.success(request, _("Den nya appen gäller nu. Den gamla slutar fungera."))
                return redirect("portal:home")
    elif form.is_bound and form.is_valid() and user.totp_secret and not user.has_totp:
        try:
            services.verify_totp(request=request, user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session[services.SESSION_MFA_VERIFIED] = True
            messages.success(request, _("Tvåstegsverifiering är påslagen för ditt konto."))
            return redirect("portal:home")
    replacing = user.has_totp and bool(user.totp_pending_secret)
    context = {
        "form": form,
        "required": second_factor_required(user),
        "enrolled": user.has_totp,
        "replacing": replacing,
    }
    if not user.has_totp or replacing:
        secret = user.totp_pending_secret if replacing else (user.totp_secret or services.new_totp_secret(user=user))
        qr = segno.make(services.provisioning_uri(user, secret), error="m")
        context["secret_groups"] = [secret[i : i + 4] for i in range(0, len(secret), 4)]
        context["qr_svg"] = qr.svg_inline(scale=4, title=_("QR-kod för autentiseringsappen"), svgclass="app-qr")
    return render(request, "accounts/mfa_setup.html", context)


@login_required
@require_safe
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": permissions.memberships(request.user),
            "can_decide": permissions.can(request.user, Action.DECIDE_ACCESS_CHANGE),
        },
    )


@login_required
@require_POST
def end_sessions(request: HttpRequest) -> HttpResponse:
    services.end_all_sessions(request=request, user=request.user)
    messages.success(request, _("Alla dina sessioner är avslutade. Logga in igen."))
    return redirect("accounts:sign_in")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Password (and code) again before a sensitive step; then back to ``next``."""
    user = request.user
    form = ReauthenticateForm(request.POST if request.method == "POST" else None, with_code=user.has_totp)
    if request.method == "POST" and form.is_valid():
        try:
            services.reauthenticate(
                request=request, password=form.cleaned_data["password"], code=form.cleaned_data.get("code", "")
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Du har bekräftat att det är du. Gör om det du höll på med."))
            return redirect(_next_url(request))
    return render(request, "accounts/reauthenticate.html", {"form": form, "next": _next_url(request)})


# --- Four eyes ------------------------------------------------------------------------------------


@login_required
@require_safe
def access_changes(request: HttpRequest) -> HttpResponse:
    """Proposals waiting for a second person, and the latest decisions.

    Each proposal is shown as it was proposed (its snapshot), with what the decider needs to judge the
    person behind the account (who created it and when, whether a password has been chosen, the last
    sign-in) or what a merge would move; one that can no longer be approved says why, without buttons."""
    permissions.require(request.user, Action.DECIDE_ACCESS_CHANGE)
    four_eyes_decisions.expire_overdue()
    related = ("target", "target__created_by", "organisation", "unit", "district", "proposed_by", "decided_by")
    proposals = AccessChangeRequest.objects.select_related(*related)
    pending = list(proposals.filter(state=ChangeState.PENDING).order_by("proposed_at", "pk"))
    for proposal in pending:
        proposal.may_decide = permissions.can(
            request.user, Action.DECIDE_ACCESS_CHANGE, proposal
        ) and not four_eyes.gains_access(request.user, proposal)
        blocked = four_eyes.obstacle(proposal)
        proposal.obstacle = blocked[2] if blocked else ""
        if proposal.kind == ChangeKind.MERGE_DISTRICTS and proposal.district_id:
            proposal.merge = merge_effect(
                sources=list(District.objects.filter(pk__in=proposal.source_district_ids)), target=proposal.district
            )
            council = proposal.merge["target_council"]
            # Who would read what moves: the coordinators there now.
            proposal.merge["coordinators"] = list(recipients.coordinators_of(council.pk)) if council else []
    record(action="access_changes_listed", actor=request.user)
    return render(
        request,
        "accounts/access_changes.html",
        {
            "pending": pending,
            "decided": proposals.exclude(state=ChangeState.PENDING)[:20],
            "form": DecisionForm(),
            "expiry_days": settings.ACCESS_CHANGE_EXPIRY_DAYS,
        },
    )


@login_required
@require_POST
def access_change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(AccessChangeRequest, pk=pk)
    permissions.require(request.user, Action.DECIDE_ACCESS_CHANGE, proposal)
    if response := reauth_redirect(request, back=reverse("accounts:access_changes")):
        return response
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.info(request, _("Välj Godkänn eller Avslå."))
        return redirect("accounts:access_changes")
    try:
        if form.cleaned_data["decision"] == "approve":
            four_eyes_decisions.approve(actor=request.user, proposal_id=proposal.pk)
            messages.success(request, _("Förslag %(number)s är godkänt och gäller nu.") % {"number": proposal.pk})
        else:
            four_eyes_decisions.reject(actor=request.user, proposal_id=proposal.pk, reason=form.cleaned_data["reason"])
            messages.success(
                request, _("Förslag %(number)s är avslaget. Ingenting har ändrats.") % {"number": proposal.pk}
            )
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    return redirect("accounts:access_changes")


class ChoosePasswordView(auth_views.PasswordResetConfirmView):
    """The one-time link e-mailed to a new user, or after an approved password reset."""

    form_class = ChoosePasswordForm
    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("accounts:sign_in")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        services._clear_failures(user)
        record(action="password_chosen", actor=user, obj=user)
        messages.success(self.request, _("Ditt lösenord är sparat. Logga in med det."))
        return response


set_password = ChoosePasswordView.as_view()
