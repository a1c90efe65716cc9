"""/utbildning/: the competence home page, the training catalogue, staff groups, coverage targets and
the headcount grid.

Everyone signed in reads the catalogue; the central coordinator keeps it (courses, staff groups,
targets). An organisation's coordinators and unit managers type its headcounts, a unit manager only
for their own units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from vbe.accounts import permissions
from vbe.accounts.permissions import Action, require
from vbe.competence import catalogue, headcounts
from vbe.competence.forms_catalogue import (
    ActiveForm,
    CatalogueFilterForm,
    CourseForm,
    HeadcountGridForm,
    StaffGroupForm,
    TargetsForm,
)
from vbe.competence.models import Course, CoverageTarget, Level, StaffGroup
from vbe.core import submission
from vbe.guidelines.models import FocusArea
from vbe.organisations.models import Organisation, Unit

GET_POST = ["GET", "HEAD", "POST"]
# Django refuses a POST of more than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields, so the grid shows
# as many units per page as keep it under that, whatever the number of staff groups.
MAX_GRID_CELLS = 900


# --- The home page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    route: str  # a URL name in the "competence" namespace
    args: tuple[object, ...] = ()

    @property
    def url(self) -> str:
        return reverse(self.route, args=self.args)


@dataclass
class Section:
    title: str
    links: list[Link] = field(default_factory=list)


def home_sections(user) -> list[Section]:
    """The links of the home page, by what the user may do: everyone reads the catalogue and keeps
    their own trainings; the central coordinator keeps the catalogue and reads the city; each
    organisation the user keeps or reads gets its own section."""
    general = Section(
        _("Utbildningar"),
        [
            Link(_("Utbildningskatalogen"), "competence:catalogue"),
            Link(_("Mina utbildningar"), "competence:own_list"),
        ],
    )
    sections = [general]
    if permissions.can(user, Action.MANAGE_TRAINING_CATALOGUE):
        general.links += [
            Link(_("Personalgrupper"), "competence:staff_groups"),
            Link(_("Mål för andel utbildade"), "competence:targets"),
        ]
    if permissions.can(user, Action.VIEW_TRAINING_COVERAGE, None):
        general.links.append(Link(_("Andel utbildade i staden"), "competence:coverage_city"))
    keeps = permissions.org_ids_with(user, *permissions.TRAINING_KEEPER_ROLES)
    reads = permissions.training_organisation_ids(user)
    # The organisations come with the memberships (read once per request): no query of their own.
    organisations = {m.organisation_id: m.organisation for m in permissions.memberships(user)}
    year = timezone.localdate().year
    for organisation in sorted((organisations[pk] for pk in keeps | reads), key=lambda o: o.name):
        section = Section(organisation.name)
        if organisation.pk in reads:
            section.links.append(Link(_("Andel utbildade"), "competence:coverage_organisation", (organisation.slug,)))
        if organisation.pk in keeps:
            section.links += [
                Link(_("Medarbetare och deras utbildningar"), "competence:people", (organisation.slug,)),
                Link(_("Antal anställda"), "competence:headcounts", (organisation.slug, year)),
                Link(_("Importera från fil"), "competence:import_start", (organisation.slug,)),
            ]
        if permissions.can(user, Action.MANAGE_TRAINING_REMINDERS, organisation):
            section.links.append(Link(_("Påminnelser"), "competence:reminder_settings", (organisation.slug,)))
        sections.append(section)
    return sections


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_TRAINING_CATALOGUE)
    return render(request, "competence/catalogue/home.html", {"sections": home_sections(request.user)})


# --- The catalogue -----------------------------------------------------------------------------------


def _courses() -> QuerySet[Course]:
    groups = StaffGroup.objects.order_by("position", "name")
    return Course.objects.prefetch_related(
        Prefetch("required_for", queryset=groups),
        Prefetch("target_groups", queryset=groups),
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("number")),
    )


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_TRAINING_CATALOGUE)
    groups = list(StaffGroup.objects.filter(is_active=True))
    focus_areas = list(FocusArea.objects.filter(intervention_area__guideline__is_current=True).order_by("number"))
    form = CatalogueFilterForm(request.GET or None, groups=groups, focus_areas=focus_areas)
    courses = _courses().order_by("level", "title")
    filtered = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["niva"]:
            courses = courses.filter(level=data["niva"])
        if data["grupp"] is not None:
            courses = courses.filter(target_groups=data["grupp"])
        if data["omrade"] is not None:
            courses = courses.filter(focus_areas=data["omrade"])
        if not data["inaktiva"]:
            courses = courses.filter(is_active=True)
        filtered = bool(data["niva"] or data["grupp"] or data["omrade"])
    else:
        courses = courses.filter(is_active=True)
    # Filters that do not validate show the whole active catalogue under the error, status 400.
    context = {
        "form": form,
        "courses": list(courses.distinct()) if not form.errors else list(_courses().filter(is_active=True)),
        "filtered": filtered,
        "can_manage": permissions.can(request.user, Action.MANAGE_TRAINING_CATALOGUE),
    }
    return render(request, "competence/catalogue/list.html", context, status=400 if form.errors else 200)


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_TRAINING_CATALOGUE)
    course = get_object_or_404(_courses(), pk=pk)
    can_manage = permissions.can(request.user, Action.MANAGE_TRAINING_CATALOGUE)
    context = {
        "course": course,
        "validity": catalogue.validity_text(course.validity_years),
        "can_manage": can_manage,
        "active_form": ActiveForm(
            initial={"lock_version": course.lock_version, "active": "0" if course.is_active else "1"}
        ),
    }
    return render(request, "competence/catalogue/detail.html", context)


def _course_page(request: HttpRequest, course: Course | None) -> HttpResponse:
    require(request.user, Action.MANAGE_TRAINING_CATALOGUE)

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        return render(request, "competence/catalogue/course_form.html", {"course": course, "form": form})

    if request.method != "POST":
        return page_again(CourseForm(course=course, initial={"lock_version": 0}))
    form = CourseForm(request.POST, course=course)
    return submission.submit(
        request,
        form,
        lambda data: catalogue.save_course(
            actor=request.user,
            course_id=course.pk if course is not None else None,
            lock_version=data["lock_version"],
            **form.course_fields(),
        ),
        done=lambda saved: _("Utbildningen %(title)s är sparad.") % {"title": saved.title},
        next_url=lambda saved: reverse("competence:course_detail", args=[saved.pk]),
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def course_create(request: HttpRequest) -> HttpResponse:
    return _course_page(request, None)


@login_required
@require_http_methods(GET_POST)
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_TRAINING_CATALOGUE)
    return _course_page(request, get_object_or_404(_courses(), pk=pk))


@login_required
@require_POST
def course_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (or activate again): courses are never deleted, completions point at them."""
    require(request.user, Action.MANAGE_TRAINING_CATALOGUE)
    course = get_object_or_404(_courses(), pk=pk)

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        context = {
            "course": course,
            "validity": catalogue.validity_text(course.validity_years),
            "can_manage": True,
            "active_form": form,
        }
        return render(request, "competence/catalogue/detail.html", context)

    return submission.submit(
        request,
        ActiveForm(request.POST),
        lambda data: catalogue.set_course_active(
            actor=request.user, course_id=course.pk, lock_version=data["lock_version"], active=data["active"]
        ),
        done=lambda saved: (
            (
                _("Utbildningen %(title)s är aktiv igen.")
                if saved.is_active
                else _("Utbildningen %(title)s är inaktiv. Den visas inte längre i katalogen.")
            )
            % {"title": saved.title}
        ),
        next_url=lambda saved: reverse("competence:course_detail", args=[saved.pk]),
        page_again=page_again,
    )


# --- Staff groups and targets -------------------------------------------------------------------------


@login_required
def staff_group_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_TRAINING_CATALOGUE)
    return render(request, "competence/catalogue/staff_groups.html", {"groups": list(StaffGroup.objects.all())})


def _staff_group_page(request: HttpRequest, group: StaffGroup | None) -> HttpResponse:
    require(request.user, Action.MANAGE_TRAINING_CATALOGUE)

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        return render(request, "competence/catalogue/staff_group_form.html", {"group": group, "form": form})

    if request.method != "POST":
        return page_again(StaffGroupForm(group=group))
    return submission.submit(
        request,
        StaffGroupForm(request.POST, group=group),
        lambda data: catalogue.save_staff_group(
            actor=request.user,
            group_id=group.pk if group is not None else None,
            lock_version=data["lock_version"],
            name=data["name"],
            description=data["description"],
            position=data["position"],
            is_active=data["is_active"],
        ),
        done=lambda saved: _("Personalgruppen %(name)s är sparad.") % {"name": saved.name},
        next_url=lambda saved: reverse("competence:staff_groups"),
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def staff_group_create(request: HttpRequest) -> HttpResponse:
    return _staff_group_page(request, None)


@login_required
@require_http_methods(GET_POST)
def staff_group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_TRAINING_CATALOGUE)
    return _staff_group_page(request, get_object_or_404(StaffGroup, pk=pk))


@login_required
@require_http_methods(GET_POST)
def targets(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_TRAINING_CATALOGUE)
    current = {t.level: t for t in CoverageTarget.objects.select_related("updated_by")}

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        return render(request, "competence/catalogue/targets.html", {"form": form, "current": current.values()})

    if request.method != "POST":
        versions = {
            level: current[level].lock_version if level in current else catalogue.ABSENT for level in Level.values
        }
        return page_again(TargetsForm(versions=versions, percents={lvl: t.percent for lvl, t in current.items()}))
    form = TargetsForm(request.POST)
    return submission.submit(
        request,
        form,
        lambda data: catalogue.set_targets(actor=request.user, percents=form.percents(), versions=data["versions"]),
        done=_("Målen är sparade."),
        next_url=lambda saved: reverse("competence:targets"),
        page_again=page_again,
    )


# --- Headcounts --------------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def headcount_grid(request: HttpRequest, organisation: str, year: int) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=organisation)
    require(request.user, Action.MANAGE_ORGANISATION_TRAINING, org)
    if not headcounts.year_allowed(year):
        raise Http404
    scope = permissions.training_unit_scope(request.user, org.pk)
    units = Unit.objects.filter(organisation=org, is_active=True).only("pk", "name").order_by("name", "pk")
    if scope is not None:
        units = units.filter(pk__in=scope)
    groups = list(StaffGroup.objects.filter(is_active=True))
    page = Paginator(units, max(1, MAX_GRID_CELLS // max(1, len(groups)))).get_page(request.GET.get("sida"))
    page_units = list(page.object_list)
    rows = headcounts.cells_of(year=year, unit_ids=[u.pk for u in page_units], group_ids=[g.pk for g in groups])
    here = reverse("competence:headcounts", args=[org.slug, year])
    if page.number > 1:
        here += f"?sida={page.number}"

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        context = {
            "organisation": org,
            "year": year,
            "form": form,
            "groups": groups,
            "page": page,
            "previous_year": year - 1 if headcounts.year_allowed(year - 1) else None,
            "next_year": year + 1 if headcounts.year_allowed(year + 1) else None,
            "all_units": scope is None,
        }
        return render(request, "competence/catalogue/headcounts.html", context)

    if request.method != "POST":
        return page_again(HeadcountGridForm(units=page_units, groups=groups, rows=rows))
    form = HeadcountGridForm(request.POST, units=page_units, groups=groups, rows=rows)
    return submission.submit(
        request,
        form,
        lambda data: headcounts.save_headcounts(
            actor=request.user, organisation_id=org.pk, year=year, entered=form.entered(), shown=data["shown"]
        ),
        done=lambda n: (
            ngettext("%(n)s uppgift om antal anställda är sparad.", "%(n)s uppgifter om antal anställda är sparade.", n)
            % {"n": n}
            if n
            else _("Inget ändrades.")
        ),
        next_url=lambda n: here,
        page_again=page_again,
    )


urlpatterns = [
    path("", home, name="home"),
    path("katalog/", course_list, name="catalogue"),
    path("katalog/ny/", course_create, name="course_create"),
    path("katalog/<id:pk>/", course_detail, name="course_detail"),
    path("katalog/<id:pk>/andra/", course_edit, name="course_edit"),
    path("katalog/<id:pk>/aktiv/", course_active, name="course_active"),
    path("personalgrupper/", staff_group_list, name="staff_groups"),
    path("personalgrupper/ny/", staff_group_create, name="staff_group_create"),
    path("personalgrupper/<id:pk>/andra/", staff_group_edit, name="staff_group_edit"),
    path("mal/", targets, name="targets"),
    path("<slug:organisation>/anstallda/<int:year>/", headcount_grid, name="headcounts"),
]
