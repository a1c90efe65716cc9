"""The portal's admin site: reached only by roles the permission rules allow, signed in the portal's way."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vbe.accounts import permissions
from vbe.accounts.permissions import Action


class PortalAdminSite(admin.AdminSite):
    site_header = _("VBE-portalen – administration")
    site_title = _("VBE-portalen")
    index_title = _("Register och behörigheter")
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        return permissions.can(request.user, Action.USE_ADMIN_SITE)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # One sign-in for the whole portal (with its lock-out, second factor and access log).
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args, **kwargs):
            # Signed in but without an admin role: refuse (and log) instead of looping to sign-in.
            if request.user.is_authenticated and not self.has_permission(request):
                permissions.require(request.user, Action.USE_ADMIN_SITE)
            return inner(request, *args, **kwargs)

        guarded.__wrapped__ = inner
        return guarded


class RuleBasedPermissions:
    """Every admin permission (module, view, add, change, delete) is one action of the portal's rules."""

    manage_action: Action = Action.MANAGE_ORGANISATIONS

    def _allowed(self, request: HttpRequest, *args) -> bool:
        return permissions.can(request.user, self.manage_action)

    has_module_permission = _allowed
    has_view_permission = _allowed
    has_add_permission = _allowed
    has_change_permission = _allowed
    has_delete_permission = _allowed


class PortalModelAdmin(RuleBasedPermissions, admin.ModelAdmin):
    pass


class PortalInline(RuleBasedPermissions, admin.TabularInline):
    extra = 0


admin_site = PortalAdminSite(name="admin")
