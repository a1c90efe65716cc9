"""/utbildning/<organisation>/paminnelser/: whether the organisation's staff are reminded of their
required training. Its coordinators and the central coordinator change it; its unit managers read it."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.competence import own, reminders
from vbe.competence.forms_reminders import ReminderSettingForm
from vbe.competence.models import ReminderSetting
from vbe.core import submission
from vbe.organisations.models import Organisation


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reminder_settings(request: HttpRequest, organisation: str) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=organisation, is_active=True)
    permissions.require(request.user, Action.MANAGE_ORGANISATION_TRAINING, org)
    setting = ReminderSetting.objects.filter(organisation=org).select_related("updated_by").first()
    may_change = permissions.can(request.user, Action.MANAGE_TRAINING_REMINDERS, org)
    enabled = setting.staff_reminders if setting is not None else True

    def page_again(form: django_forms.BaseForm | None) -> HttpResponse:
        context = {
            "organisation": org,
            "setting": setting,
            "enabled": enabled,
            "form": form,
            "notice_days": own.notice_days(),
        }
        return render(request, "competence/reminders/settings.html", context)

    if not may_change:
        if request.method == "POST":  # a unit manager reads the choice, never makes it (403, logged)
            raise PermissionDenied(Action.MANAGE_TRAINING_REMINDERS.value)
        return page_again(None)
    if request.method != "POST":
        initial = {"staff_reminders": enabled, "version": reminders.setting_version(setting)}
        return page_again(ReminderSettingForm(initial=initial))
    form = ReminderSettingForm(request.POST)
    return submission.submit(
        request,
        form,
        lambda data: reminders.set_staff_reminders(
            actor=request.user, organisation=org, enabled=data["staff_reminders"], version=data["version"]
        ),
        done=lambda saved: (
            _("Medarbetarna får påminnelser om sina obligatoriska utbildningar.")
            if saved.staff_reminders
            else _("Medarbetarna får inga påminnelser om utbildning.")
        ),
        next_url=lambda _saved: reverse("competence:reminder_settings", args=[org.slug]),
        page_again=page_again,
    )


urlpatterns = [path("<slug:organisation>/paminnelser/", reminder_settings, name="reminder_settings")]
