"""/stod/: every support resource by title, or the hits of a search with their passages, filtered by
type, focus area, method and staff group. A GET form that works without JavaScript; pages are cut by
position (``efter``), never counted past search.COUNT_CAP."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from vbe.accounts.permissions import Action, require
from vbe.competence.models import StaffGroup
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge import search
from vbe.knowledge.forms_search import CURSOR_ERROR, SearchForm

PAGE_SIZE = 25


def _link(params: QueryDict, **changes: str) -> str:
    """The page's address with some parameters changed; empty ones are left out."""
    query = params.copy()
    for name, value in changes.items():
        query[name] = value
    kept = QueryDict(mutable=True)
    for name in query:
        if query[name]:
            kept[name] = query[name]
    return "?" + kept.urlencode()


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_SUPPORT)
    focus_areas = list(FocusArea.objects.filter(intervention_area__guideline__is_current=True).order_by("number"))
    methods = list(
        Method.objects.filter(focus_area__intervention_area__guideline__is_current=True)
        .select_related("focus_area")
        .order_by("focus_area__number", "name")
    )
    groups = list(StaffGroup.objects.filter(is_active=True).order_by("position", "name"))
    form = SearchForm(request.GET or None, focus_areas=focus_areas, methods=methods, groups=groups)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    query = data.get("q", "")
    results = None
    if data:
        try:
            results = search.search(
                query,
                kind=data["typ"] or None,
                focus_area=data["omrade"],
                method=data["metod"],
                staff_group=data["malgrupp"],
                after=data["efter"] or None,
                limit=PAGE_SIZE,
            )
        except search.InvalidCursor:
            form.add_error(None, CURSOR_ERROR)
    if results is None:  # no filters yet, or filters that do not validate: the first page of everything
        results = search.search("", limit=PAGE_SIZE)
    suggestion = search.suggest(query) if query and not data.get("efter") else None
    filtered = bool(data) and any(data[name] for name in ("typ", "omrade", "metod", "malgrupp"))
    context = {
        "form": form,
        "query": query,
        "results": results,
        "count_cap": search.COUNT_CAP,
        "filtered": filtered,
        "suggestion": suggestion,
        "suggestion_url": _link(request.GET, q=suggestion or "", efter="") if suggestion else "",
        "next_url": _link(request.GET, efter=results.next_after) if results.next_after else "",
        "first_url": _link(request.GET, efter="") if data.get("efter") else "",
    }
    return render(request, "knowledge/search.html", context, status=400 if form.errors else 200)


urlpatterns: list[URLPattern] = [path("", index, name="index")]
