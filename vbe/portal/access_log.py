from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.audit.models import AccessLogEntry, Outcome

ROWS_PER_PAGE = 50


class LogFilterForm(forms.Form):
    action = forms.CharField(label=_("Händelse"), required=False, max_length=64)
    outcome = forms.ChoiceField(label=_("Utfall"), required=False, choices=[("", _("Alla")), *Outcome.choices])
    actor_id = forms.IntegerField(label=_("Användar-id"), required=False, min_value=1)
    date_from = forms.DateField(
        label=_("Från och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )
    date_to = forms.DateField(
        label=_("Till och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )


@require_safe
@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The auditor's view of the access log. Reading the log is itself logged."""
    permissions.require(request.user, Action.VIEW_ACCESS_LOG)
    form = LogFilterForm(request.GET or None)  # unbound without filters: no errors on first view
    entries = AccessLogEntry.objects.all()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["outcome"]:
            entries = entries.filter(outcome=data["outcome"])
        if data["actor_id"]:
            entries = entries.filter(actor_id=data["actor_id"])
        if data["date_from"]:
            entries = entries.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(created_at__date__lte=data["date_to"])
    page = Paginator(entries.order_by("-id"), ROWS_PER_PAGE).get_page(request.GET.get("sida"))
    record(action="access_log_viewed", actor=request.user, detail=f"sida {page.number}")
    query = request.GET.copy()
    query.pop("sida", None)
    return render(request, "audit/access_log.html", {"form": form, "page": page, "query": query.urlencode()})
