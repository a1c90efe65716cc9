"""User and role administration (role `admin`). Every change is written to the access log.

Four eyes on power (vbe.accounts.four_eyes): a role that sees personal data, a new password, a reset
second factor, a new e-mail address for an existing account or reactivating an account that holds
roles with personal data is never applied here. The admin site records a proposal instead, and a
second person decides on the proposals page.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import (
    admin_organisations,  # noqa: F401  (registers the organisation tree)
    four_eyes,
    four_eyes_mail,
    four_eyes_proposals,
    services,
)
from vbe.accounts.admin_site import PortalInline, PortalModelAdmin, admin_site
from vbe.accounts.coordinators import watching_coordinators
from vbe.accounts.models import ChangeKind, Membership, User
from vbe.accounts.permissions import Action


class MembershipForm(forms.ModelForm):
    def clean(self) -> dict:
        data = super().clean()
        organisation, unit = data.get("organisation"), data.get("unit")
        if organisation is not None and unit is not None and unit.organisation_id != organisation.pk:
            # A role in a unit is scoped by the unit (incidents of own units): never one of another organisation.
            raise ValidationError(
                _("Verksamheten %(unit)s hör inte till %(organisation)s.")
                % {"unit": unit.name, "organisation": organisation.name}
            )
        return data


class MembershipInline(PortalInline):
    model = Membership
    form = MembershipForm
    manage_action = Action.MANAGE_USERS
    fields = ("organisation", "unit", "role")
    autocomplete_fields = ("organisation", "unit")


class UserForm(forms.ModelForm):
    propose_password_reset = forms.BooleanField(
        label=gettext_lazy("Föreslå nytt lösenord"),
        required=False,
        help_text=gettext_lazy(
            "När en andra person har godkänt förslaget slutar det nuvarande lösenordet att fungera och "
            "användaren får en engångslänk via e-post för att välja ett nytt. Ingen administratör ser lösenordet."
        ),
    )

    class Meta:
        model = User
        fields = ("email", "full_name", "is_active")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if self.instance.pk is None or email != self.instance.email:
            # settings.ACCOUNT_EMAIL_DOMAINS, for new addresses only: an older account outside them can
            # still be edited (deactivated above all).
            four_eyes.check_email_domain(email)
        return email


@admin.register(User, site=admin_site)
class UserAdmin(PortalModelAdmin):
    manage_action = Action.MANAGE_USERS
    form = UserForm
    list_display = ("full_name", "email", "is_active", "has_totp", "date_joined")
    list_filter = ("is_active", "memberships__role")
    search_fields = ("full_name", "email")
    inlines = [MembershipInline]
    actions = ["propose_second_factor_reset"]

    def get_fields(self, request: HttpRequest, obj: User | None = None):
        # A new account gets a one-time link to choose its own password; an existing one a proposal.
        return ("email", "full_name", "is_active") + (("propose_password_reset",) if obj else ())

    @admin.display(boolean=True, description=gettext_lazy("Tvåstegsverifiering"))
    def has_totp(self, obj: User) -> bool:
        return obj.has_totp

    def _propose(self, request: HttpRequest, **fields) -> bool:
        try:
            four_eyes_proposals.propose(actor=request.user, **fields)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.WARNING)
            return False
        return True

    def _tell_proposed(self, request: HttpRequest, what: str) -> None:
        self.message_user(
            request,
            format_html(
                _(
                    "{what} är inte genomfört än: det är ett förslag som en annan administratör eller den centrala "
                    'samordnaren måste godkänna på sidan <a href="{url}">Behörighetsförslag</a>.'
                ),
                what=what,
                url=reverse("accounts:access_changes"),
            ),
            messages.WARNING,
        )

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
            obj.created_by = request.user  # shown to whoever decides on this account's roles (four eyes)
            super().save_model(request, obj, form, change)
            services.log_account_change(actor=request.user, user=obj, was_active=None)
            transaction.on_commit(lambda: four_eyes_mail.send_password_link(user_id=obj.pk, reason="new"))
            self.message_user(request, _("Användaren får en länk via e-post för att välja lösenord."), messages.INFO)
            return
        stored = User.objects.values("is_active", "email").get(pk=obj.pk)
        new_email = obj.email
        obj.email = stored["email"]  # a new address (where reset links go) is a proposal, not an edit
        # Reactivating an account restores its roles: with personal data, that is a proposal too.
        reactivating = not stored["is_active"] and obj.is_active and bool(four_eyes.personal_data_memberships(obj))
        if reactivating:
            obj.is_active = False
        with watching_coordinators(
            actor=request.user, user_ids=[obj.pk]
        ):  # deactivating an organisation's last coordinator
            super().save_model(request, obj, form, change)
            services.log_account_change(actor=request.user, user=obj, was_active=stored["is_active"])
        if new_email != stored["email"] and self._propose(
            request, kind=ChangeKind.CHANGE_EMAIL, target=obj, new_email=new_email
        ):
            self._tell_proposed(request, _("Den nya e-postadressen"))
        if reactivating and self._propose(request, kind=ChangeKind.REACTIVATE_ACCOUNT, target=obj):
            self._tell_proposed(request, _("Återaktiveringen av kontot"))
        if form.cleaned_data.get("propose_password_reset") and self._propose(
            request, kind=ChangeKind.RESET_PASSWORD, target=obj
        ):
            self._tell_proposed(request, _("Det nya lösenordet"))

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        with watching_coordinators(
            actor=request.user, user_ids=[form.instance.pk]
        ):  # removing an organisation's last coordinator
            self._save_formset(request, form, formset)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        with watching_coordinators(actor=request.user, user_ids=[obj.pk]):
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        with watching_coordinators(actor=request.user, user_ids=list(queryset.values_list("pk", flat=True))):
            super().delete_queryset(request, queryset)

    def _save_formset(self, request: HttpRequest, form, formset) -> None:
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.log_membership_change(actor=request.user, membership=membership, change="revoked")
            membership.delete()
        for membership in instances:
            if four_eyes.needs_four_eyes(membership.role):
                # Not saved: a new or changed membership with personal data waits for a second person.
                proposed = self._propose(
                    request,
                    kind=ChangeKind.GRANT_ROLE,
                    target=form.instance,
                    organisation=membership.organisation,
                    unit=membership.unit,
                    role=membership.role,
                )
                if proposed:
                    self._tell_proposed(
                        request,
                        _("Rollen %(role)s i %(organisation)s")
                        % {"role": membership.get_role_display(), "organisation": membership.organisation.name},
                    )
                continue
            is_new = membership.pk is None
            membership.save()
            services.log_membership_change(
                actor=request.user, membership=membership, change="granted" if is_new else "changed"
            )
        formset.save_m2m()
        # The admin's own history must not claim that the proposed memberships were added or changed.
        formset.new_objects = [m for m in formset.new_objects if m.pk is not None]
        formset.changed_objects = [
            (m, fields) for m, fields in formset.changed_objects if not four_eyes.needs_four_eyes(m.role)
        ]

    @admin.action(description=gettext_lazy("Föreslå nollställd tvåstegsverifiering (en annan person godkänner)"))
    def propose_second_factor_reset(self, request: HttpRequest, queryset) -> None:
        proposed = sum(self._propose(request, kind=ChangeKind.RESET_SECOND_FACTOR, target=user) for user in queryset)
        if proposed:
            self._tell_proposed(request, _("Nollställningen för %(count)s konton") % {"count": proposed})
