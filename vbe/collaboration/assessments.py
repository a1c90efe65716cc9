"""The democracy-condition assessments' one write path: start (or renew), fill in, decide.

An assessment is made for one organisation (a board or company) by those who may assess for it
(ASSESS_DEMOCRACY about the organisation). Each write locks the civil-society actor's row first and
then the assessment's, asks that right again under the lock (a role may have ended since the page was
shown), checks the version the form was shown with, writes and appends one access-log row.

- One open draft per actor, organisation and purpose: the actor's row lock makes the check hold when
  two people start at once.
- A draft answers every active criterion, with the criterion's wording copied, so a later edit of the
  criterion never changes what was answered.
- A decision is never edited. A new assessment supersedes it (``supersedes`` is one-to-one: the
  decision is renewed once), so the organisation's history of the actor stays a chain. Starting a new
  assessment where the organisation already has a decision in force for the same purpose renews it.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts.models import User
from vbe.accounts.permissions import Action, require
from vbe.audit.log import record
from vbe.collaboration.models import Actor, Assessment, Criterion, CriterionFinding, Decision, Finding, LinkKind
from vbe.core.textcheck import reject_identifying_numbers
from vbe.organisations.models import Organisation

STALE = gettext_lazy(
    "Bedömningen har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
DECIDED = gettext_lazy("Bedömningen är beslutad och kan inte ändras. Förnya den om aktören behöver bedömas på nytt.")
ALREADY_RENEWED = gettext_lazy("Bedömningen är redan förnyad. Öppna den nyare bedömningen i stället.")
OPEN_DRAFT = gettext_lazy(
    "Det finns redan en påbörjad bedömning av aktören för samma nämnd eller bolag och ändamål. "
    "Fortsätt med den i stället."
)
REASONS_REQUIRED = gettext_lazy(
    "Skriv en motivering. Ett beslut om att aktören inte uppfyller demokrativillkoret ska alltid motiveras."
)
MAX_TEXT = 20_000


def validity_months() -> int:
    """How long a "meets" decision holds unless the decision says otherwise."""
    return settings.VBE_DEMOCRACY_VALIDITY_MONTHS


def notice_days() -> int:
    """How long before a decision runs out it counts as due for renewal (list and reminders)."""
    return settings.VBE_DEMOCRACY_RENEWAL_NOTICE_DAYS


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (31 January + 1 month: the last day of February)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_valid_until(decided_on: datetime.date) -> datetime.date:
    return add_months(decided_on, validity_months())


@dataclass(frozen=True)
class Draft:
    """What the draft form says: the working notes and, per finding (by id), its answer and note."""

    evidence: str = ""
    sources: str = ""
    findings: Mapping[int, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Ruling:
    """What the decision form says."""

    decision: str
    deciding_body: str
    decided_on: datetime.date
    reasons: str = ""
    appeal_information: str = ""
    valid_until: datetime.date | None = None


def _check_texts(*texts: str) -> None:
    """Kept for years and read by colleagues: nobody's personnummer or phone number, and a sane length."""
    for text in texts:
        if len(text) > MAX_TEXT:
            raise ValidationError(_("En text får vara högst %(max)s tecken.") % {"max": MAX_TEXT})
        reject_identifying_numbers(text)


def _lock_actor(actor_id: int) -> Actor:
    return Actor.objects.select_for_update().get(pk=actor_id)


def _locked(user: User, assessment_id: int, lock_version: int) -> Assessment:
    """The actor's row and then the assessment's locked (always in that order, as in a create), the
    right over the assessing organisation asked again, the version the form saw."""
    actor_id = Assessment.objects.values_list("actor_id", flat=True).get(pk=assessment_id)
    _lock_actor(actor_id)
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("organisation", "actor").get(pk=assessment_id)
    )
    require(user, Action.ASSESS_DEMOCRACY, assessment.organisation)
    if assessment.lock_version != lock_version:
        raise ValidationError(STALE, code="stale")
    return assessment


def _new_draft(
    *, user: User, actor: Actor, organisation: Organisation, purpose: str, supersedes: Assessment | None
) -> Assessment:
    """Under the actor's row lock: refuses a second open draft, copies the active criteria's wording."""
    if Assessment.objects.filter(actor=actor, organisation=organisation, purpose=purpose, decision="").exists():
        raise ValidationError(OPEN_DRAFT, code="open_draft")
    try:
        with transaction.atomic():  # a savepoint: ``supersedes`` is one-to-one
            assessment = Assessment.objects.create(
                actor=actor, organisation=organisation, purpose=purpose, supersedes=supersedes, created_by=user
            )
    except IntegrityError:
        raise ValidationError(ALREADY_RENEWED, code="renewed") from None
    CriterionFinding.objects.bulk_create(
        CriterionFinding(assessment=assessment, criterion=criterion, text=criterion.text)
        for criterion in Criterion.objects.filter(is_active=True).order_by("number", "pk")
    )
    record(
        action="democracy_assessment_renewed" if supersedes else "democracy_assessment_created",
        actor=user,
        obj=assessment,
        organisation_id=organisation.pk,
        detail=f"aktör {actor.pk}" + (f", förnyar {supersedes.pk}" if supersedes else ""),
    )
    return assessment


@transaction.atomic
def create_assessment(*, user: User, actor_id: int, organisation: Organisation, purpose: str) -> Assessment:
    """A new draft. Where the organisation has a decision on the actor for the same purpose that nothing
    has superseded yet, the draft renews it, so the history stays one chain."""
    require(user, Action.ASSESS_DEMOCRACY, organisation)
    if purpose not in LinkKind.values:
        raise ValidationError(_("Välj vad bedömningen gäller."))
    actor = _lock_actor(actor_id)
    current = (
        Assessment.objects.filter(actor=actor, organisation=organisation, purpose=purpose, superseded_by__isnull=True)
        .exclude(decision="")
        .order_by("-decided_on", "-pk")
        .first()
    )
    return _new_draft(user=user, actor=actor, organisation=organisation, purpose=purpose, supersedes=current)


@transaction.atomic
def renew_assessment(*, user: User, assessment_id: int, lock_version: int) -> Assessment:
    """A new draft that supersedes the decided assessment; a second renewal of it is refused."""
    old = _locked(user, assessment_id, lock_version)
    if not old.is_decided:
        raise ValidationError(_("Bara en beslutad bedömning kan förnyas."), code="draft")
    if Assessment.objects.filter(supersedes=old).exists():
        raise ValidationError(ALREADY_RENEWED, code="renewed")
    return _new_draft(user=user, actor=old.actor, organisation=old.organisation, purpose=old.purpose, supersedes=old)


@transaction.atomic
def update_draft(*, user: User, assessment_id: int, lock_version: int, draft: Draft) -> Assessment:
    """Saves the working notes of a draft; a decided assessment is never changed."""
    assessment = _locked(user, assessment_id, lock_version)
    if assessment.is_decided:
        raise ValidationError(DECIDED, code="decided")
    evidence, sources = draft.evidence.strip(), draft.sources.strip()
    _check_texts(evidence, sources)
    findings = {finding.pk: finding for finding in assessment.findings.all()}
    changed = []
    for pk, (answer, note) in draft.findings.items():
        finding = findings.get(pk)
        if finding is None or (answer and answer not in Finding.values):
            raise ValidationError(STALE, code="stale")
        note = note.strip()
        _check_texts(note)
        if (finding.finding, finding.note) != (answer, note):
            finding.finding, finding.note = answer, note
            changed.append(finding)
    if not changed and (assessment.evidence, assessment.sources) == (evidence, sources):
        return assessment
    CriterionFinding.objects.bulk_update(changed, ["finding", "note"])
    assessment.evidence, assessment.sources = evidence, sources
    assessment.lock_version += 1
    assessment.save(update_fields=["evidence", "sources", "lock_version"])
    record(
        action="democracy_assessment_changed",
        actor=user,
        obj=assessment,
        organisation_id=assessment.organisation_id,
    )
    return assessment


def _check_ruling(assessment: Assessment, ruling: Ruling, today: datetime.date) -> Ruling:
    """The rules of a decision; the form says the same first, the service is the last word."""
    if ruling.decision not in Decision.values:
        raise ValidationError(_("Välj ett beslut."))
    body, reasons, appeal = ruling.deciding_body.strip(), ruling.reasons.strip(), ruling.appeal_information.strip()
    if not body:
        raise ValidationError(_("Skriv vilket organ som fattade beslutet."))
    if ruling.decided_on > today:
        raise ValidationError(_("Beslutsdatumet kan inte ligga i framtiden."))
    started = timezone.localtime(assessment.created_at).date()
    if ruling.decided_on < started:
        raise ValidationError(
            _("Beslutsdatumet kan inte ligga före den dag bedömningen påbörjades (%(day)s).")
            % {"day": started.isoformat()}
        )
    if ruling.decision == Decision.FAILS and not reasons:
        raise ValidationError(REASONS_REQUIRED, code="reasons")
    if ruling.decision in (Decision.MEETS, Decision.FAILS) and any(
        not finding.finding for finding in assessment.findings.all()
    ):
        raise ValidationError(
            _(
                "Besvara alla kriterier i bedömningen innan du beslutar att aktören uppfyller eller inte uppfyller villkoret."
            )
        )
    valid_until = ruling.valid_until
    if valid_until is None and ruling.decision == Decision.MEETS:
        valid_until = default_valid_until(ruling.decided_on)
    if valid_until is not None and valid_until <= ruling.decided_on:
        raise ValidationError(_("Beslutet ska gälla till ett datum efter beslutsdatumet."))
    _check_texts(body, reasons, appeal)
    return Ruling(ruling.decision, body, ruling.decided_on, reasons, appeal, valid_until)


@transaction.atomic
def decide(
    *, user: User, assessment_id: int, lock_version: int, ruling: Ruling, today: datetime.date | None = None
) -> Assessment:
    """Records the decision; from then on the assessment is frozen."""
    today = today or timezone.localdate()
    assessment = _locked(user, assessment_id, lock_version)
    if assessment.is_decided:
        raise ValidationError(DECIDED, code="decided")
    ruling = _check_ruling(assessment, ruling, today)
    assessment.decision, assessment.deciding_body = ruling.decision, ruling.deciding_body
    assessment.decided_on, assessment.reasons = ruling.decided_on, ruling.reasons
    assessment.appeal_information, assessment.valid_until = ruling.appeal_information, ruling.valid_until
    assessment.decided_by = user
    assessment.lock_version += 1
    assessment.save()
    record(
        action="democracy_assessment_decided",
        actor=user,
        obj=assessment,
        organisation_id=assessment.organisation_id,
        detail=f"{ruling.decision} {ruling.decided_on.isoformat()}",
    )
    return assessment
