"""User and role administration (role `admin`). Every role change is written to the access log."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from vbe.accounts import services
from vbe.accounts.models import Membership, User
from vbe.accounts.permissions import Action
from vbe.core.admin_site import PortalInline, PortalModelAdmin, admin_site


class MembershipInline(PortalInline):
    model = Membership
    manage_action = Action.MANAGE_USERS
    fields = ("organisation", "unit", "role")
    autocomplete_fields = ("organisation", "unit")


class UserForm(forms.ModelForm):
    new_password = forms.CharField(
        label="Nytt lösenord",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Lämna tomt för att behålla nuvarande lösenord. Minst 12 tecken.",
    )

    class Meta:
        model = User
        fields = ("email", "full_name", "is_active")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_new_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data.get("new_password", "")
        if password:
            validate_password(password, self.instance)
        return password


@admin.register(User, site=admin_site)
class UserAdmin(PortalModelAdmin):
    manage_action = Action.MANAGE_USERS
    form = UserForm
    list_display = ("full_name", "email", "is_active", "has_totp", "date_joined")
    list_filter = ("is_active", "memberships__role")
    search_fields = ("full_name", "email")
    inlines = [MembershipInline]
    actions = ["reset_second_factor"]

    @admin.display(boolean=True, description="Tvåstegsverifiering")
    def has_totp(self, obj: User) -> bool:
        return obj.has_totp

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        was_active = User.objects.values_list("is_active", flat=True).get(pk=obj.pk) if change else None
        if form.cleaned_data.get("new_password"):
            obj.set_password(form.cleaned_data["new_password"])
        elif not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        services.log_account_change(request=request, user=obj, was_active=was_active)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.log_membership_change(request=request, membership=membership, change="revoked")
            membership.delete()
        for membership in instances:
            is_new = membership.pk is None
            membership.save()
            services.log_membership_change(
                request=request, membership=membership, change="granted" if is_new else "changed"
            )
        formset.save_m2m()

    @admin.action(description="Nollställ tvåstegsverifiering (användaren registrerar en ny app)")
    def reset_second_factor(self, request: HttpRequest, queryset) -> None:
        for user in queryset:
            services.reset_second_factor(request=request, user=user)
        self.message_user(
            request, f"Tvåstegsverifieringen är nollställd för {queryset.count()} konton.", messages.SUCCESS
        )
