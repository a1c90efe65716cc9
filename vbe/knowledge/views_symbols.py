"""/stod/symboler/: the symbol guide. Everyone signed in reads it (VIEW_SUPPORT) and may start an incident
report with an entry's symbol; the central coordinator keeps it (MANAGE_SYMBOL_GUIDE). The entries and
their write path are vbe.incidents' (``symbol_models``, ``symbols``): an incident names the symbol it saw.

An entry says where its symbol has been seen: the incidents that named it in the last 12 months, per
district, with small counts suppressed as every figure shown outside the handling organisation is
(vbe.statistics.suppression).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action, require
from vbe.core import submission
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import symbols, uploads
from vbe.incidents.models import Incident
from vbe.incidents.symbol_models import Symbol, SymbolImage
from vbe.knowledge.forms_symbols import ActiveForm, RemoveImageForm, SymbolFilterForm, SymbolForm, SymbolImageForm
from vbe.organisations.models import District, Organisation
from vbe.statistics import suppression

GET_POST = ["GET", "HEAD", "POST"]
PRIMARY_TEXT = gettext_lazy("färre än 5")
PRIMARY_NOTE = gettext_lazy(
    "Antal från 1 till 4 visas som ”färre än 5”, så att ingen enskild händelse eller person kan pekas ut."
)
CITY = "city"  # the key of the city's total among the district counts


# --- Reading ----------------------------------------------------------------------------------------


def _images() -> Prefetch:
    return Prefetch(
        "images",
        queryset=SymbolImage.objects.only(
            "pk", "symbol_id", "width", "height", "alt_text", "position", "content_type"
        ).order_by("position", "pk"),
    )


def _visible_symbols(request: HttpRequest) -> QuerySet[Symbol]:
    """The keeper also sees inactive entries (to activate them again); everyone else the active ones."""
    rows = Symbol.objects.all()
    if not permissions.can(request.user, Action.MANAGE_SYMBOL_GUIDE):
        rows = rows.filter(is_active=True)
    return rows


def _symbol(request: HttpRequest, slug: str) -> Symbol:
    return get_object_or_404(_visible_symbols(request).prefetch_related(_images()), slug=slug)


@require_safe
@login_required
def symbol_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_SUPPORT)
    form = SymbolFilterForm(request.GET or None)
    rows = _visible_symbols(request).only("pk", "slug", "name", "environment", "is_active").prefetch_related(_images())
    environment = ""
    if form.is_bound and form.is_valid():
        environment = form.cleaned_data["miljo"]
        if environment:
            rows = rows.filter(environment=environment)
    context = {
        "form": form,
        "symbols": list(rows.order_by("name", "pk")),
        "environment": Environment(environment).label if environment else "",
        "can_manage": permissions.can(request.user, Action.MANAGE_SYMBOL_GUIDE),
    }
    return render(request, "knowledge/symbol_list.html", context, status=400 if form.errors else 200)


@dataclass(frozen=True)
class SightingRow:
    district: str
    figure: suppression.Shown

    @property
    def text(self) -> str:
        return shown_text(self.figure)


@dataclass(frozen=True)
class Sightings:
    first_day: datetime.date
    last_day: datetime.date
    rows: list[SightingRow]
    total: suppression.Shown
    note: str

    @property
    def total_text(self) -> str:
        return shown_text(self.total)

    @property
    def any(self) -> bool:
        return self.total.count > 0


def shown_text(figure: suppression.Shown) -> str:
    return str(PRIMARY_TEXT) if figure.mark == suppression.Mark.PRIMARY else figure.text


def year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def sightings(symbol: Symbol, viewer, *, today: datetime.date | None = None) -> Sightings:
    """The incidents that named ``symbol`` and happened in the 12 months up to ``today``, per district and
    for the city, as ``viewer`` may see them: a district's coordinators see its count exactly, everyone
    else sees 1-4 as "färre än 5", and a count that would give one away through the city's total is hidden too."""
    today = today or timezone.localdate()
    first_day = year_before(today) + datetime.timedelta(days=1)
    counts = dict(
        Incident.objects.filter(symbol=symbol, occurred_on__gte=first_day, occurred_on__lte=today)
        .values_list("district")
        .annotate(n=Count("pk"))
        .order_by()
    )
    districts = list(
        District.objects.filter(Q(is_active=True) | Q(pk__in=list(counts))).only("pk", "name").order_by("name", "pk")
    )
    councils = dict(Organisation.objects.filter(district__in=districts).values_list("district_id", "pk"))
    own = suppression.exact_organisations(viewer)
    exact = {district for district, council in councils.items() if council in own}
    cells = {d.pk: counts.get(d.pk, 0) for d in districts}
    figures = suppression.protect(
        {**cells, CITY: sum(cells.values())},
        [suppression.Line(CITY, tuple(cells))],
        exact=exact,
    )
    marks = {f.mark for f in figures.values()}
    note = " ".join(
        str(text)
        for mark, text in (
            (suppression.Mark.PRIMARY, PRIMARY_NOTE),
            (suppression.Mark.SECONDARY, suppression.SECONDARY_NOTE),
        )
        if mark in marks
    )
    return Sightings(
        first_day=first_day,
        last_day=today,
        rows=[SightingRow(d.name, figures[d.pk]) for d in districts],
        total=figures[CITY],
        note=note,
    )


def _detail_page(
    request: HttpRequest,
    symbol: Symbol,
    *,
    active_form: django_forms.BaseForm | None = None,
    remove_form: django_forms.BaseForm | None = None,
) -> HttpResponse:
    can_manage = permissions.can(request.user, Action.MANAGE_SYMBOL_GUIDE)
    context = {
        "symbol": symbol,
        "images": list(symbol.images.all()),
        "sightings": sightings(symbol, request.user),
        "can_report": permissions.can(request.user, Action.REPORT_INCIDENT),
        "report_url": f"{reverse('incidents:report')}?symbol={symbol.slug}",
        "can_manage": can_manage,
        "active_form": active_form
        or ActiveForm(initial={"lock_version": symbol.lock_version, "active": not symbol.is_active}),
        "remove_form": remove_form,
        "max_images": symbols.MAX_IMAGES,
    }
    return render(request, "knowledge/symbol_detail.html", context)


@require_safe
@login_required
def symbol_detail(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, Action.VIEW_SUPPORT)
    return _detail_page(request, _symbol(request, slug))


@require_safe
@login_required
def symbol_image(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """An entry's image, to those who may read the guide: never sniffed into another type, and like every
    signed-in answer never stored in a cache (SecurityHeadersMiddleware)."""
    require(request.user, Action.VIEW_SUPPORT)
    image = get_object_or_404(
        SymbolImage.objects.filter(symbol__in=_visible_symbols(request)).only("stored_name", "content_type"),
        symbol__slug=slug,
        pk=pk,
    )
    try:
        handle = uploads.open_photo(image.stored_name)
    except (FileNotFoundError, ValueError):
        raise Http404(_("Bilden finns inte.")) from None
    extension = image.stored_name.rsplit(".", 1)[-1]
    # As an attachment, like every upload: an <img> still shows it, a visit to its address downloads it.
    response = FileResponse(
        handle, as_attachment=True, filename=f"{slug}-{pk}.{extension}", content_type=image.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Keeping the guide --------------------------------------------------------------------------------


def _form_page(request: HttpRequest, symbol: Symbol | None) -> HttpResponse:
    require(request.user, Action.MANAGE_SYMBOL_GUIDE)

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        return render(request, "knowledge/symbol_form.html", {"symbol": symbol, "form": form})

    if request.method != "POST":
        if symbol is None:
            return page_again(SymbolForm(initial={"lock_version": 0}))
        initial = {
            "lock_version": symbol.lock_version,
            "name": symbol.name,
            "environment": symbol.environment,
            "description": symbol.description,
            "what_to_do": symbol.what_to_do,
        }
        return page_again(SymbolForm(initial=initial))
    form = SymbolForm(request.POST)

    def save(data: dict) -> Symbol:
        if symbol is None:
            return symbols.create_symbol(actor=request.user, **form.symbol_fields())
        return symbols.update_symbol(
            actor=request.user, symbol_id=symbol.pk, lock_version=data["lock_version"], **form.symbol_fields()
        )

    return submission.submit(
        request,
        form,
        save,
        done=lambda saved: _("Symbolen %(name)s är sparad.") % {"name": saved.name},
        next_url=lambda saved: saved.get_absolute_url(),
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def symbol_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
@require_http_methods(GET_POST)
def symbol_edit(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, Action.MANAGE_SYMBOL_GUIDE)
    return _form_page(request, get_object_or_404(Symbol, slug=slug))


@login_required
@require_POST
def symbol_active(request: HttpRequest, slug: str) -> HttpResponse:
    """Deactivate (or activate again): entries are never deleted, incidents name them."""
    require(request.user, Action.MANAGE_SYMBOL_GUIDE)
    symbol = _symbol(request, slug)
    return submission.submit(
        request,
        ActiveForm(request.POST),
        lambda data: symbols.set_symbol_active(
            actor=request.user, symbol_id=symbol.pk, lock_version=data["lock_version"], active=data["active"]
        ),
        done=lambda saved: (
            (
                _("Symbolen %(name)s är aktiv igen.")
                if saved.is_active
                else _("Symbolen %(name)s är inaktiv. Den visas inte längre i symbolguiden eller i rapportformuläret.")
            )
            % {"name": saved.name}
        ),
        next_url=lambda saved: saved.get_absolute_url(),
        page_again=lambda form: _detail_page(request, symbol, active_form=form),
    )


@login_required
@require_http_methods(GET_POST)
def symbol_image_add(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, Action.MANAGE_SYMBOL_GUIDE)
    symbol = _symbol(request, slug)

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        context = {"symbol": symbol, "form": form, "file_dropped": form.is_bound and bool(form.errors)}
        return render(request, "knowledge/symbol_image_form.html", context)

    if request.method != "POST":
        return page_again(SymbolImageForm())
    return submission.submit(
        request,
        SymbolImageForm(request.POST, request.FILES),
        lambda data: symbols.add_image(
            actor=request.user, symbol_id=symbol.pk, image=data["image"], alt_text=data["alt_text"]
        ),
        done=_("Bilden är uppladdad."),
        next_url=lambda image: symbol.get_absolute_url(),
        page_again=page_again,
    )


@login_required
@require_POST
def symbol_image_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_SYMBOL_GUIDE)
    symbol = _symbol(request, slug)
    return submission.submit(
        request,
        RemoveImageForm(request.POST),
        lambda data: symbols.remove_image(actor=request.user, symbol_id=symbol.pk, image_id=pk),
        done=_("Bilden är borttagen."),
        next_url=lambda saved: saved.get_absolute_url(),
        page_again=lambda form: _detail_page(request, symbol, remove_form=form),
    )


urlpatterns = [
    path("symboler/", symbol_list, name="symbols"),
    path("symboler/ny/", symbol_create, name="symbol_create"),
    path("symboler/<slug:slug>/", symbol_detail, name="symbol"),
    path("symboler/<slug:slug>/andra/", symbol_edit, name="symbol_edit"),
    path("symboler/<slug:slug>/aktiv/", symbol_active, name="symbol_active"),
    path("symboler/<slug:slug>/bilder/ny/", symbol_image_add, name="symbol_image_add"),
    path("symboler/<slug:slug>/bilder/<id:pk>/", symbol_image, name="symbol_image"),
    path("symboler/<slug:slug>/bilder/<id:pk>/ta-bort/", symbol_image_remove, name="symbol_image_remove"),
]
