"""Collaboration in the status report: the section on the forums' work under focus area 3 (*Samverkan
med det civila samhället*) and focus area 5 (*Samordnade stödinsatser för individer i risk*).

The figures are ``vbe.collaboration.counts``'s, never counted here: per forum the meetings held in the
year and the follow-up actions due in it, in all and followed up. A forum counts under the focus areas it
is kept under (``Forum.focus_areas``), so a forum of both areas is in both tables.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils.translation import gettext as _

from vbe.collaboration.counts import ForumCount, focus_area_counts, year_span
from vbe.guidelines.models import FocusArea
from vbe.reports.document import Figure, Paragraph, Section, Table
from vbe.reports.requirements import date_sv

# The guideline's focus areas whose work is done in the forums: civil society (3) and coordinated
# support for individuals at risk (5).
FOCUS_AREAS = (3, 5)


def _table(caption: str, rows: list[ForumCount]) -> Table:
    total = (
        _("Totalt"),
        "",
        str(sum(r.meetings_held for r in rows)),
        str(sum(r.actions_due for r in rows)),
        str(sum(r.followed_up for r in rows)),
    )
    return Table(
        caption=caption,
        columns=(_("Forum"), _("Stadsdelsområde"), _("Möten"), _("Åtgärder att följa upp"), _("Uppföljda")),
        rows=(
            *(
                (
                    r.name,
                    r.district or _("Hela staden"),
                    str(r.meetings_held),
                    str(r.actions_due),
                    str(r.followed_up),
                )
                for r in rows
            ),
            total,
        ),
        numeric_from=2,
    )


def _area_section(year: int, number: int, name: str, rows: list[ForumCount], until: datetime.date) -> Section:
    heading = f"{number}. {name}"
    key = f"samverkan-omrade-{number}"
    if not rows:
        return Section(heading, key, (Paragraph(_("Inga samverkansforum räknas till området i portalen.")),))
    meetings = sum(r.meetings_held for r in rows)
    due, done = sum(r.actions_due for r in rows), sum(r.followed_up for r in rows)
    if meetings:
        text = _(
            "Forumen i området höll %(meetings)s möten under %(year)s. Av %(due)s åtgärder från mötena som skulle "
            "följas upp under året var %(done)s uppföljda den %(date)s."
        ) % {"meetings": meetings, "year": year, "due": due, "done": done, "date": date_sv(until)}
    else:
        text = _(
            "Inga möten i forumen i området är registrerade i portalen för %(year)s. Av %(due)s åtgärder som "
            "skulle följas upp under året var %(done)s uppföljda den %(date)s."
        ) % {"year": year, "due": due, "done": done, "date": date_sv(until)}
    caption = _("Möten och uppföljning per forum, %(area)s, %(year)s") % {"area": heading, "year": year}
    return Section(heading, key, (Paragraph(text), Figure(_table(caption, rows))))


def collaboration_section(year: int, *, today: datetime.date, focus_areas: Sequence[FocusArea]) -> Section:
    """The status report's section "Samverkan" with a subsection per focus area of ``FOCUS_AREAS``.
    ``focus_areas``: the current guideline's, already read (the coverage matrix's). One query."""
    _first, until = year_span(year, today)
    grouped = focus_area_counts(year, today=today, numbers=FOCUS_AREAS)
    names = {area.number: area.name for area in focus_areas}
    intro = Paragraph(
        _(
            "Samverkan i stadens forum: SSPF, BUS, samverkansmöten med lokalpolisområdena, stadens nätverk för "
            "samordnare, Redex via socialjouren och dialogen med civilsamhället. Räknat är de möten som hölls under "
            "%(year)s och de åtgärder från mötena som skulle vara klara under året; en åtgärd är uppföljd när "
            "uppföljningen är registrerad. Ett forum som hör till två områden räknas i båda. Mötesanteckningarna "
            "innehåller inga uppgifter om enskilda personer."
        )
        % {"year": year}
    )
    subsections = tuple(
        _area_section(year, number, names[number], grouped[number], until) for number in FOCUS_AREAS if number in names
    )
    return Section(_("Samverkan %(year)s") % {"year": year}, "samverkan", (intro,), subsections=subsections)
