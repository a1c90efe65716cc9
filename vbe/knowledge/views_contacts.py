"""/stod/kontakter/: who to call, generated from the registers (vbe.knowledge.contacts)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from vbe.accounts.permissions import Action, require
from vbe.knowledge.contacts import contacts_for, editing


@require_safe
@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_SUPPORT)
    context = {"contacts": contacts_for(request.user), **editing(request.user)}
    return render(request, "knowledge/contacts.html", context)


urlpatterns = [path("kontakter/", contacts, name="contacts")]
