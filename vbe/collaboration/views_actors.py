"""/samverkan/aktorer/: the register of civil-society actors and their links to grants, premises and
partnerships.

Coordinators, unit managers, the central coordinator and board readers of any organisation read the
register (VIEW_ACTOR_REGISTER); all but the board readers register and change actors (MANAGE_ACTORS).
A link is added and removed by those who assess the democracy condition for its organisation
(ASSESS_DEMOCRACY about it). An inactive actor does not exist here (404). The decisions on an actor
are their own section of its page (vbe.collaboration.decisions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action, require
from vbe.collaboration import actors, decisions, org_number
from vbe.collaboration.forms_actors import ActorForm, ActorSearchForm, LinkForm, RemoveLinkForm
from vbe.collaboration.models import Actor, ActorLink, LinkKind
from vbe.core import submission

GET_POST = ["GET", "HEAD", "POST"]
PER_PAGE = 25
AFTER = "efter"  # the id of the last actor shown: the next page starts after it in (name, id) order
LIST_FIELDS = ("pk", "name", "org_number", "kind")


# --- The register ----------------------------------------------------------------------------------


@dataclass
class RegisterPage:
    rows: list[Actor]
    next_query: str  # the query string of the next page ("" when this is the last)
    first_query: str  # the query string of the first page with the same search
    first: bool


def _after(rows: QuerySet[Actor], value: str | None) -> tuple[QuerySet[Actor], bool]:
    """Rows after the actor ``value`` names, in (name, id) order: the index is read from there, no
    OFFSET. An id that names no active actor shows the first page."""
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not value or not re.fullmatch(r"[0-9]{1,18}", value, re.ASCII):
        return rows, False
    anchor = Actor.objects.filter(pk=int(value), is_active=True).values_list("name", flat=True).first()
    if anchor is None:
        return rows, False
    # The first condition alone bounds the index range.
    return rows.filter(Q(name__gte=anchor) & (Q(name__gt=anchor) | Q(name=anchor, pk__gt=int(value)))), True


def register_page(search: dict[str, str], after: str | None) -> RegisterPage:
    """One page of active actors by name: matching the name (any part of it), or the start of the
    organisation number when the search is written like one; of one kind when asked. Two queries."""
    rows = Actor.objects.filter(is_active=True)
    text = search.get("sok", "")
    if text:
        prefix = org_number.search_prefix(text)
        rows = rows.filter(org_number__startswith=prefix) if prefix else rows.filter(name__icontains=text)
    if search.get("typ"):
        rows = rows.filter(kind=search["typ"])
    rows, later = _after(rows, after)
    shown = list(rows.only(*LIST_FIELDS).order_by("name", "pk")[: PER_PAGE + 1])
    kept = {key: value for key, value in search.items() if value}
    more = len(shown) > PER_PAGE
    shown = shown[:PER_PAGE]
    return RegisterPage(
        rows=shown,
        next_query=urlencode({**kept, AFTER: shown[-1].pk}) if more else "",
        first_query=urlencode(kept),
        first=not later,
    )


@login_required
@require_safe
def register(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_ACTOR_REGISTER)
    form = ActorSearchForm(request.GET if ("sok" in request.GET or "typ" in request.GET) else None)
    search = {}
    if form.is_bound and form.is_valid():
        search = {"sok": form.cleaned_data["sok"].strip(), "typ": form.cleaned_data["typ"]}
    context = {
        "form": form,
        "page": register_page(search, request.GET.get(AFTER)) if not form.errors else None,
        "searched": any(search.values()),
        "can_manage": permissions.can(request.user, Action.MANAGE_ACTORS),
    }
    return render(request, "collaboration/actor_list.html", context, status=400 if form.errors else 200)


# --- One actor -------------------------------------------------------------------------------------


def _active_actor(pk: int) -> Actor:
    return get_object_or_404(Actor, pk=pk, is_active=True)


@dataclass(frozen=True)
class LinkRow:
    link: ActorLink
    can_remove: bool


@dataclass(frozen=True)
class LinkGroup:
    label: str
    rows: list[LinkRow]


def link_groups(request: HttpRequest, actor: Actor) -> list[LinkGroup]:
    """The actor's links by kind (grants, premises, partnerships), each newest first. One query."""
    links = list(actor.links.select_related("organisation").order_by("-starts_on", "pk"))
    groups = []
    for kind in LinkKind:
        rows = [
            LinkRow(link, permissions.can(request.user, Action.ASSESS_DEMOCRACY, link.organisation))
            for link in links
            if link.kind == kind
        ]
        if rows:
            groups.append(LinkGroup(str(kind.label), rows))
    return groups


def _detail_context(request: HttpRequest, actor: Actor, remove_form: django_forms.BaseForm | None = None) -> dict:
    can_manage = permissions.can(request.user, Action.MANAGE_ACTORS)
    return {
        "actor": actor,
        "link_groups": link_groups(request, actor),
        "can_manage": can_manage,
        "can_add_link": can_manage and permissions.can(request.user, Action.ASSESS_DEMOCRACY),
        "remove_form": remove_form or RemoveLinkForm(),
        **decisions.actor_section(request.user, actor),
    }


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_ACTOR_REGISTER)
    actor = _active_actor(pk)
    return render(request, "collaboration/actor_detail.html", _detail_context(request, actor))


def _form_page(request: HttpRequest, actor: Actor | None) -> HttpResponse:
    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        assert isinstance(form, ActorForm)
        context = {"actor": actor, "form": form, "duplicate": form.found_duplicate() if form.is_bound else None}
        return render(request, "collaboration/actor_form.html", context)

    if request.method != "POST":
        initial = {"lock_version": 0}
        if actor is not None:
            fields = ("name", "org_number", "kind", "email", "phone", "website", "address", "lock_version")
            initial = {name: getattr(actor, name) for name in fields}
        return page_again(ActorForm(actor=actor, initial=initial))
    form = ActorForm(request.POST, actor=actor)

    def save(data: dict) -> tuple[Actor, bool]:
        if actor is None:
            return actors.create_actor(user=request.user, details=form.details()), True
        saved = actors.update_actor(
            user=request.user, actor_id=actor.pk, lock_version=data["lock_version"], details=form.details()
        )
        return saved, saved.lock_version != actor.lock_version

    return submission.submit(
        request,
        form,
        save,
        done=lambda result: (
            (_("Aktören %(name)s är registrerad.") if actor is None else _("Aktören %(name)s är sparad."))
            % {"name": result[0].name}
            if result[1]
            else _("Inget ändrades.")
        ),
        next_url=lambda result: reverse("collaboration:actor", args=[result[0].pk]),
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_ACTORS)
    return _form_page(request, None)


@login_required
@require_http_methods(GET_POST)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_ACTORS)
    return _form_page(request, _active_actor(pk))


# --- Links -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_ACTORS)
    require(request.user, Action.ASSESS_DEMOCRACY)  # for some organisation
    actor = _active_actor(pk)
    form = LinkForm(request.POST if request.method == "POST" else None, user=request.user, actor=actor)
    return submission.submit(
        request,
        form,
        lambda data: actors.add_link(user=request.user, actor_id=actor.pk, link=form.link()),
        done=lambda link: _("Kopplingen till %(organisation)s är tillagd.") % {"organisation": link.organisation.name},
        next_url=lambda link: reverse("collaboration:actor", args=[actor.pk]) + "#kopplingar",
        page_again=lambda form: render(request, "collaboration/actor_link_form.html", {"actor": actor, "form": form}),
    )


@login_required
@require_POST
def link_remove(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_ACTOR_REGISTER)
    actor = _active_actor(pk)
    link = get_object_or_404(ActorLink.objects.select_related("organisation"), pk=link_pk, actor=actor)
    require(request.user, Action.ASSESS_DEMOCRACY, link.organisation)
    return submission.submit(
        request,
        RemoveLinkForm(request.POST),
        lambda data: actors.remove_link(user=request.user, actor_id=actor.pk, link_id=link.pk),
        done=_("Kopplingen %(reference)s är borttagen.") % {"reference": link.reference},
        next_url=lambda saved: reverse("collaboration:actor", args=[actor.pk]) + "#kopplingar",
        page_again=lambda form: render(
            request, "collaboration/actor_detail.html", _detail_context(request, actor, form)
        ),
    )


urlpatterns = [
    path("aktorer/", register, name="actors"),
    path("aktorer/ny/", create, name="actor_create"),
    path("aktorer/<id:pk>/", detail, name="actor"),
    path("aktorer/<id:pk>/andra/", edit, name="actor_edit"),
    path("aktorer/<id:pk>/kopplingar/ny/", link_add, name="actor_link_add"),
    path("aktorer/<id:pk>/kopplingar/<id:link_pk>/ta-bort/", link_remove, name="actor_link_remove"),
]
