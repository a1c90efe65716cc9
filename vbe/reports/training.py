"""Training in the reports: the status report's section on it, and the compliance overview's column.

The figures are ``vbe.competence.coverage``'s, never counted here: the share of posts (HR's headcount per
unit and staff group) held by someone with a valid training of the level on the day, against the target
the central coordinator set. Reports leave the portal, so they read the figures as a board reader would
(``exact=False``: a group of one to four people is not shown); the compliance page is the central
coordinator's, who keeps every organisation's figures, so it reads them exact.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.competence import coverage
from vbe.competence.coverage import Share
from vbe.competence.models import Level
from vbe.organisations.models import Organisation
from vbe.reports.compliance import Compliance
from vbe.reports.document import BulletList, Figure, Paragraph, Section, Table
from vbe.reports.requirements import date_sv

# Kept word for word from before there were figures: the report says so while no headcount is known.
NO_TRAINING_DATA = gettext_lazy(
    "Det finns ännu inga uppgifter om utbildning i portalen. Uppgifter om hur många medarbetare som har gått "
    "stadens utbildningar redovisas här när de har förts in."
)
NO_HEADCOUNTS = gettext_lazy(
    "Andelen utbildade räknas när organisationerna har fört in hur många som arbetar i varje verksamhet och "
    "personalgrupp. Det har ingen organisation gjort ännu."
)
SHARE_DEFINITION = gettext_lazy(
    "Andelen utbildade är den andel av de anställda som den %(date)s har en giltig genomförd utbildning på "
    "nivån. De anställda är antalet per verksamhet och personalgrupp enligt organisationernas uppgifter från "
    "personalsystemet, för det senaste året som finns. En utbildning som ska förnyas räknas bara så länge den "
    "gäller, och den som arbetar i två verksamheter räknas i båda. Verksamheter och personalgrupper där inga "
    "anställda är registrerade räknas inte med, och grupper med färre än 5 anställda visas inte."
)


def report_day(year: int, today: datetime.date) -> datetime.date:
    """The day the figures of a report for ``year`` are taken: 31 December, or today in the running year."""
    return min(datetime.date(year, 12, 31), today)


def targets_sentence(targets: dict[str, int | None]) -> str:
    basic, advanced = targets.get(Level.BASIC), targets.get(Level.ADVANCED)
    if basic is None and advanced is None:
        return _("Kommunstyrelsen har inte satt något mål för andelen utbildade.")
    return _("Målet är att %(basic)s ska ha grundläggande utbildning och %(advanced)s fördjupning.") % {
        "basic": coverage.target_text(basic),
        "advanced": coverage.target_text(advanced),
    }


def _row(label: str, shares: dict[str, Share]) -> tuple[str, ...]:
    return (label, shares[Level.BASIC].text, shares[Level.ADVANCED].text)


def _counted(shares: dict[str, Share]) -> bool:
    return shares[Level.BASIC].headcount > 0


def training_section(year: int, *, today: datetime.date, organisations: Sequence[Organisation]) -> Section:
    """The status report's section "Utbildning": coverage per organisation and per staff group on the
    report's day, against the targets. One count (``coverage.city_report``), whatever the number of
    learners or completions. ``organisations``: the report's, already read; the table lists those of
    them with a headcount."""
    on = report_day(year, today)
    report = coverage.city_report(on=on, years=[], exact=False, organisations=organisations)
    if not _counted(report.total):
        return Section(_("Utbildning"), "utbildning", (Paragraph(str(NO_TRAINING_DATA)), Paragraph(str(NO_HEADCOUNTS))))
    targets = report.targets
    columns = (_("Grundläggande"), _("Fördjupning"))
    organisations = [(org, shares) for org, shares in report.rows if _counted(shares)]
    without = len(report.rows) - len(organisations)
    by_organisation = Table(
        caption=_("Andel anställda med giltig utbildning per organisation, %(date)s") % {"date": date_sv(on)},
        columns=(_("Organisation"), *columns),
        rows=(
            *(_row(org.name, shares) for org, shares in organisations),
            _row(_("Hela staden"), report.total),
            (
                _("Mål"),
                coverage.target_text(targets.get(Level.BASIC)),
                coverage.target_text(targets.get(Level.ADVANCED)),
            ),
        ),
    )
    by_group = Table(
        caption=_("Andel anställda med giltig utbildning per personalgrupp, %(date)s") % {"date": date_sv(on)},
        columns=(_("Personalgrupp"), *columns),
        rows=tuple(_row(group.name, shares) for group, shares in report.by_group if _counted(shares)),
    )
    total = report.total
    blocks: list = [
        Paragraph(
            _(
                "Den %(date)s hade %(basic)s av stadens anställda en giltig grundläggande utbildning om "
                "våldsbejakande extremism och %(advanced)s en fördjupning."
            )
            % {"date": date_sv(on), "basic": total[Level.BASIC].text, "advanced": total[Level.ADVANCED].text}
            + " "
            + targets_sentence(targets)
        ),
        Paragraph(str(SHARE_DEFINITION) % {"date": date_sv(on)}),
    ]
    if without:
        blocks.append(
            Paragraph(
                _(
                    "%(count)s organisationer med verksamheter har ännu inte fört in antal anställda och saknas i tabellen."
                )
                % {"count": without}
            )
        )
    blocks.append(Figure(by_organisation))
    below = [
        org.name
        for org, shares in organisations
        if coverage.below_target(shares[Level.BASIC], targets.get(Level.BASIC))
    ]
    if below:
        blocks.append(Paragraph(_("Organisationer under målet för grundläggande utbildning:")))
        blocks.append(BulletList(tuple(below)))
    blocks.append(Figure(by_group))
    return Section(_("Utbildning"), "utbildning", tuple(blocks))


# --- The compliance overview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingCell:
    """An organisation's basic-level coverage on the compliance overview."""

    share: Share | None  # None: the organisation has no unit with figures
    target: int | None

    @property
    def text(self) -> str:
        if self.share is None or self.share.headcount == 0:
            return _("Antal anställda saknas")
        return self.share.text

    @property
    def below(self) -> bool:
        return self.share is not None and coverage.below_target(self.share, self.target)

    @property
    def target_text(self) -> str:
        return coverage.target_text(self.target)


def basic_coverage_by_organisation(on: datetime.date) -> tuple[dict[int, TrainingCell], int | None]:
    """{organisation id: its basic-level cell} for the central coordinator, and the basic target."""
    target = coverage.targets().get(Level.BASIC)
    cells = {
        org.pk: TrainingCell(shares[Level.BASIC], target)
        for org, shares in coverage.shares_by_organisation(on=on, exact=True)
    }
    return cells, target


@dataclass(frozen=True)
class TrainingLine:
    organisation: Organisation
    cell: TrainingCell


def training_lines(compliance: Compliance, *, on: datetime.date) -> list[TrainingLine]:
    """The coordinator duty "se till att personalen är utbildad": one line per organisation of the
    overview that must have a coordinator, in the overview's order. Seven queries, however many learners."""
    cells, target = basic_coverage_by_organisation(on)
    return [
        TrainingLine(row.organisation, cells.get(row.organisation.pk, TrainingCell(None, target)))
        for row in compliance.rows
        if row.organisation.requires_coordinator
    ]
