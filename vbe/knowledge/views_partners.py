"""/stod/samverkanspartner/: the partners outside the city, what each does in this work and how to reach
them. Read by everyone signed in; kept in the admin site."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from vbe.accounts.permissions import Action, require
from vbe.knowledge.contacts import editing, partner_groups, partner_page


@require_safe
@login_required
def partners(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_SUPPORT)
    return render(request, "knowledge/partners.html", {"groups": partner_groups(), **editing(request.user)})


@require_safe
@login_required
def partner(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_SUPPORT)
    return render(request, "knowledge/partner.html", {"page": partner_page(pk), **editing(request.user)})


urlpatterns = [
    path("samverkanspartner/", partners, name="partners"),
    path("samverkanspartner/<id:pk>/", partner, name="partner"),
]
