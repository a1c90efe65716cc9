"""What has no domain but must live in the database: the counters behind reference numbers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceCounter(models.Model):
    """The last number handed out for one prefix and year (ORO 2026 → 42). Only
    ``vbe.core.sequences.allocate`` changes it, with the row locked."""

    prefix = models.CharField(_("prefix"), max_length=10)
    year = models.PositiveSmallIntegerField(_("år"))
    last_number = models.PositiveIntegerField(_("senast utdelade nummer"), default=0)

    class Meta:
        verbose_name = _("referensräknare")
        verbose_name_plural = _("referensräknare")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_one_per_year")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"
