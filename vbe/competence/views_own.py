"""One's own trainings (/utbildning/mina/) and the keepers' list of learners in an organisation.

Every member of staff registers what they completed and sees their own record; only the completions
they registered themselves can they remove. An organisation's coordinators, its unit managers (their
own units) and the central coordinator see who is placed in its units and what they completed: read
access to people's records, so each page view is one access-log row. Lists are alphabetical and
never ordered by how much or little anyone has completed.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.competence import certificates, learners, own
from vbe.competence.forms_own import PeopleFilterForm, RegisterForm, date_parts
from vbe.competence.models import Completion, Learner, Level, Placement, StaffGroup
from vbe.core import submission
from vbe.organisations.models import Organisation, Unit


def _today() -> datetime.date:
    return timezone.localdate()


# --- One's own ------------------------------------------------------------------------------------


@require_safe
@login_required
def own_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.REGISTER_OWN_TRAINING)
    context = {"own": own.own_record(request.user, _today())}
    return render(request, "competence/own/list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def own_register(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.REGISTER_OWN_TRAINING)
    today = _today()
    learner = learners.learner_of(request.user)
    units = None
    if learner is None or not learner.placements.exists():
        candidates = own.placement_units(request.user)
        units = candidates if candidates.exists() else None  # nowhere to choose: no placement asked
    course = request.GET.get("kurs", "")
    # Plain ASCII digits, and few: str.isdigit also takes "²", which int() refuses.
    initial = {
        "unit": own.default_unit_id(request.user),
        "course": int(course) if re.fullmatch(r"[0-9]{1,9}", course) else None,
    }
    if request.method == "POST":
        form = RegisterForm(request.POST, request.FILES, today=today, units=units)
    else:
        form = RegisterForm(initial=initial, today=today, units=units)

    def service(data: dict) -> own.Registration:
        return own.register_own_completion(
            actor=request.user,
            course_id=data["course"].pk,
            completed_on=data["completed_on"],
            today=today,
            certificate=data["certificate"],
            unit_id=data["unit"].pk if data.get("unit") else None,
            staff_group_id=data["staff_group"].pk if data.get("staff_group") else None,
        )

    def done(result: own.Registration) -> str:
        facts = {
            "course": result.completion.course.title,
            "date": formats.date_format(result.completion.completed_on, "j F Y"),
        }
        if result.created:
            return _("%(course)s den %(date)s är registrerad.") % facts
        return _("%(course)s den %(date)s finns redan i din registrering. Inget ändrades.") % facts

    return submission.submit(
        request,
        form,
        service,
        done=done,
        next_url=lambda result: reverse("competence:own_list"),
        page_again=lambda form: render(
            request,
            "competence/own/register.html",
            {"form": form, "date": date_parts(form["completed_on"]), "max_mb": certificates.MAX_BYTES // 2**20},
        ),
    )


@require_POST
@login_required
def own_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """A button on one's own list: the answer is a message on that list."""
    permissions.require(request.user, Action.REGISTER_OWN_TRAINING)
    try:
        completion = own.remove_own_completion(actor=request.user, completion_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(course)s den %(date)s är borttagen.")
            % {"course": completion.course.title, "date": formats.date_format(completion.completed_on, "j F Y")},
        )
    return redirect("competence:own_list")


@require_safe
@login_required
def own_certificate(request: HttpRequest, pk: int) -> FileResponse:
    """A certificate, to the learner and to the keepers of an organisation where they are placed, always
    as a download. Anyone else finds nothing (404), so the address says nothing of whether it exists."""
    completion = get_object_or_404(
        Completion.objects.select_related("learner", "course").exclude(certificate=""), pk=pk
    )
    owner = completion.learner.user_id is not None and completion.learner.user_id == request.user.pk
    keeper = None if owner else learners.keeper_organisation(request.user, completion.learner_id)
    if not owner and keeper is None:
        raise Http404(_("Intyget finns inte."))
    try:
        kind = certificates.kind_of(completion.certificate)
        handle = certificates.open_certificate(completion.certificate)
    except (FileNotFoundError, ValueError):
        raise Http404(_("Intyget finns inte.")) from None
    if keeper is not None:
        record(
            action="training_certificate_downloaded",
            actor=request.user,
            obj=completion,
            subject_ref=f"learner:{completion.learner_id}",
            organisation_id=keeper.pk,
        )
    name = f"intyg-{slugify(completion.course.title)[:60] or 'utbildning'}-{completion.completed_on.isoformat()}"
    response = FileResponse(
        handle, as_attachment=True, filename=f"{name}.{kind.extension}", content_type=kind.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The keepers' view ----------------------------------------------------------------------------


def _kept_organisation(request: HttpRequest, slug: str) -> tuple[Organisation, set[int] | None]:
    organisation = get_object_or_404(Organisation, slug=slug)
    permissions.require(request.user, Action.MANAGE_ORGANISATION_TRAINING, organisation)
    return organisation, permissions.training_unit_scope(request.user, organisation.pk)


def _latest_valid(completions: list[Completion], today: datetime.date) -> dict[int, dict[str, Completion]]:
    """Per learner, the latest completion of each level that counts today."""
    latest: dict[int, dict[str, Completion]] = defaultdict(dict)
    for c in completions:
        if not own.is_valid(c.course, c.completed_on, today):
            continue
        held = latest[c.learner_id].get(c.course.level)
        if held is None or c.completed_on > held.completed_on:
            latest[c.learner_id][c.course.level] = c
    return latest


@require_safe
@login_required
def people(request: HttpRequest, organisation: str) -> HttpResponse:
    kept, scope = _kept_organisation(request, organisation)
    today = _today()
    units = Unit.objects.filter(organisation=kept).only("pk", "name", "organisation_id").order_by("name")
    units = list(units if scope is None else units.filter(pk__in=scope))
    form = PeopleFilterForm(request.GET or None, units=units, staff_groups=list(StaffGroup.objects.all()))
    placements = learners.placements_in(kept, scope)
    wanted = Learner.objects.all()
    filtered = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["enhet"]:
            placements = placements.filter(unit_id=data["enhet"])
        if data["grupp"]:
            placements = placements.filter(staff_group_id=data["grupp"])
        if data["saknar"]:
            wanted = wanted.filter(own.lacking_required(placements, today))
        if term := data["sok"].strip():
            wanted = wanted.filter(Q(name__icontains=term) | Q(email__icontains=term.lower()))
        filtered = any((data["enhet"], data["grupp"], data["saknar"], term))
    wanted = wanted.filter(Exists(placements.filter(learner=OuterRef("pk")))).only("pk", "name", "email")
    page = learners.people_page(wanted, request.GET)
    ids = [learner.pk for learner in page]
    placed: dict[int, list[Placement]] = defaultdict(list)
    for p in (
        learners.placements_in(kept, scope)
        .filter(learner_id__in=ids)
        .select_related("unit", "staff_group")
        .order_by("unit__name")
    ):
        placed[p.learner_id].append(p)
    completions = Completion.objects.filter(learner_id__in=ids, completed_on__lte=today).select_related("course")
    latest = _latest_valid(list(completions), today)
    rows = [
        {
            "learner": learner,
            "placements": placed[learner.pk],
            "basic": latest[learner.pk].get(Level.BASIC),
            "advanced": latest[learner.pk].get(Level.ADVANCED),
        }
        for learner in page
    ]
    record(
        action="training_people_viewed",
        actor=request.user,
        obj=kept,
        detail=f"{len(rows)} deltagare" + (", filtrerat" if filtered else ""),
    )
    query = request.GET.copy()
    for parameter in (learners.AFTER, learners.BEFORE):
        query.pop(parameter, None)
    context = {
        "organisation": kept,
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "filtered": filtered,
        "scoped": scope is not None,
    }
    response = render(request, "competence/own/people.html", context)
    if form.is_bound and not form.is_valid():
        response.status_code = 400
    return response


@require_safe
@login_required
def person(request: HttpRequest, organisation: str, pk: int) -> HttpResponse:
    kept, scope = _kept_organisation(request, organisation)
    today = _today()
    placements = list(
        learners.placements_in(kept, scope)
        .filter(learner_id=pk)
        .select_related("learner", "unit", "staff_group")
        .order_by("unit__name")
    )
    if not placements:
        raise Http404(_("Personen finns inte bland deltagarna i organisationen."))
    learner = placements[0].learner
    completions = list(learner.completions.select_related("course").order_by("-completed_on", "course__title"))
    record(
        action="training_learner_viewed",
        actor=request.user,
        obj=learner,
        subject_ref=f"learner:{learner.pk}",
        organisation_id=kept.pk,
    )
    context = {
        "organisation": kept,
        "learner": learner,
        "placements": placements,
        "rows": own.completion_rows(completions, today),
        "missing": own.missing_required(placements, completions, today),
    }
    return render(request, "competence/own/person.html", context)


urlpatterns = [
    path("mina/", own_list, name="own_list"),
    path("mina/ny/", own_register, name="own_register"),
    path("mina/<id:pk>/ta-bort/", own_remove, name="own_remove"),
    path("mina/<id:pk>/intyg/", own_certificate, name="own_certificate"),
    path("<slug:organisation>/deltagare/", people, name="people"),
    path("<slug:organisation>/deltagare/<id:pk>/", person, name="person"),
]
