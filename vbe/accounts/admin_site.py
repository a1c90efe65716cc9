"""The portal's admin site: reached only by roles the permission rules allow, signed in the portal's way."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from vbe.accounts import permissions
from vbe.accounts.models import AccessChangeRequest, ChangeState
from vbe.accounts.permissions import Action


class PortalAdminSite(admin.AdminSite):
    site_header = _("VBE-portalen – administration")
    site_title = _("VBE-portalen")
    index_title = _("Register och behörigheter")
    index_template = "admin/portal_index.html"
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

    def get_urls(self):
        # Django's "view on site" redirect (/admin/r/<content type>/<id>/) resolves any object of any
        # model, so its answer (redirect or 404) would tell which concerns exist. Only models this
        # site administers, and that the user may view here, are looked up; everything else is 404.
        urls = [u for u in super().get_urls() if getattr(u, "name", None) != "view_on_site"]
        view_on_site = path(
            "r/<path:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        return [view_on_site, *urls]

    def view_on_site(self, request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_permission(request):
            raise Http404
        return shortcut(request, content_type_id, object_id)

    def index(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        context = dict(extra_context or {})
        if permissions.can(request.user, Action.DECIDE_ACCESS_CHANGE):
            context["access_changes_pending"] = AccessChangeRequest.objects.filter(state=ChangeState.PENDING).count()
        return super().index(request, context)


class RuleBasedPermissions:
    """Every admin permission (module, view, add, change, delete) is one action of the portal's rules."""

    manage_action: Action = Action.MANAGE_ORGANISATIONS

    def _allowed(self, request: HttpRequest, obj=None) -> bool:
        # Django passes the object positionally or as ``obj=`` (the autocomplete view does the latter).
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

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            """A tabular inline names its columns in <th> only, which does not label the inputs of each
            row for assistive technology: every input gets its column's name as aria-label."""

            def add_fields(self, form, index) -> None:
                super().add_fields(form, index)
                for field in form.fields.values():
                    # A related field's wrapper keeps the attrs of the widget it was copied from, not of
                    # the copy it renders (RelatedFieldWidgetWrapper.__deepcopy__): name the inner widget.
                    widget = getattr(field.widget, "widget", field.widget)
                    widget.attrs.setdefault("aria-label", str(field.label or ""))

        return LabelledFormSet


admin_site = PortalAdminSite(name="admin")
