"""The status report (nulägesrapport): KS's city-wide report to KF, in the years its reporting duty
names (``vbe.reports.cycle``).

A draft's figures are not stored: they are compiled from the portal's data whenever the draft is shown
or exported (``vbe.reports.compile.status_report_data``). What is stored of a draft is what people
write: the narrative sections, edited by the central coordinator, and the report's state.

A final report is frozen: when it is finalised (``vbe.reports.services.finalise``) the whole compiled
document, figures, narrative and facts, is stored in ``frozen_document`` (``vbe.reports.frozen``:
versioned JSON), and its page, PDF and DOCX render that stored copy for everyone who reads it. Data that
changes afterwards (incidents reported late, measure lists reported again, concerns assessed) does not
change the decided report. Opening it as a draft again (``reopen``) clears the copy; finalising it again
stores a new one.

A report finalised before the copy existed has none. A data migration cannot make one: the compiler
reads the current models and settings, not the migration's historical models. So the copy is compiled
and stored on the first read instead, under the report's row lock (``services.frozen_document``): its
figures are those of that first read, and its "Sammanställd" date says when that was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class StatusReportState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    FINAL = "final", _("Färdig")


# The narrative sections, in the document's order: field name -> heading. Everything else is compiled.
NARRATIVE_SECTIONS = {
    "summary": _("Sammanfattning"),
    "analysis": _("Analys av läget"),
    "conclusions": _("Slutsatser och fortsatt arbete"),
}


def status_report_title(year: int) -> str:
    """The report's title, saying what it reports on (issue 10)."""
    return gettext("Nulägesrapport om arbetet mot våldsbejakande extremism %(year)s") % {"year": year}


class StatusReport(models.Model):
    year = models.PositiveSmallIntegerField(
        _("år"), unique=True, help_text=_("Ett år då riktlinjerna kräver en nulägesrapport.")
    )
    state = models.CharField(
        _("status"), max_length=16, choices=StatusReportState.choices, default=StatusReportState.DRAFT
    )
    lock_version = models.PositiveIntegerField(default=1)  # forms carry it: concurrent edits are refused

    summary = models.TextField(_("sammanfattning"), blank=True)
    analysis = models.TextField(_("analys av läget"), blank=True)
    conclusions = models.TextField(_("slutsatser och fortsatt arbete"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    finalised_at = models.DateTimeField(_("färdigställd"), null=True, blank=True)
    # The decided document (vbe.reports.frozen.to_json) of a final report; None for a draft.
    frozen_document = models.JSONField(_("färdigställd rapport"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("nulägesrapport")
        verbose_name_plural = _("nulägesrapporter")

    def __str__(self) -> str:
        return status_report_title(self.year)

    def get_absolute_url(self) -> str:
        return reverse("reports:status_report", args=[self.year])

    @property
    def is_final(self) -> bool:
        return self.state == StatusReportState.FINAL

    def sections(self) -> list[tuple[str, str, str]]:
        """(field name, heading, text) of each narrative section, in order."""
        return [(name, str(heading), getattr(self, name)) for name, heading in NARRATIVE_SECTIONS.items()]
