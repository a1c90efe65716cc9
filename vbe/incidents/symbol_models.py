"""The symbol guide's entries: symbols and marks an incident may report having seen (a sticker's rune, a
flag, a number code), described in the guideline's terms. The guide's pages are vbe.knowledge's; the
entries live here because an incident names the one it saw (``Incident.symbol``).

Symbols are deactivated, never deleted: incidents point at them. Their images are uploaded like an
incident's photos (vbe.incidents.uploads: checked, re-encoded, stored under random names) and always
carry a text alternative.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vbe.guidelines.vocabulary import Environment

MAX_ALT_TEXT = 250
# The width a list shows an image at: its height follows the image's shape.
THUMBNAIL_WIDTH = 96
# The longest side an entry's page shows an image at: it fits the narrowest screen (320 CSS pixels,
# less the page's margins) without scrolling sideways.
DISPLAY_SIDE = 280


class Symbol(models.Model):
    # Made once from the first name and never changed, so links to the entry keep working.
    slug = models.SlugField(_("kortadress"), max_length=80, unique=True, editable=False)
    name = models.CharField(_("namn"), max_length=120)
    environment = models.CharField(_("miljö"), max_length=32, choices=Environment.choices)
    description = models.TextField(_("beskrivning"))
    # Blank: the incident routine's advice alone (the entry page always shows it).
    what_to_do = models.TextField(_("vad du gör om du ser den"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    updated_at = models.DateTimeField(_("ändrad"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("symbol")
        verbose_name_plural = _("symboler")
        constraints = [
            # The service compares names case-folded; this catches two new entries of one name at once.
            models.UniqueConstraint(Lower("name"), name="symbol_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:symbol", args=[self.slug])


class SymbolImage(models.Model):
    """A re-encoded picture of a symbol, stored outside the web root under a random name."""

    symbol = models.ForeignKey(Symbol, on_delete=models.CASCADE, related_name="images", verbose_name=_("symbol"))
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    content_type = models.CharField(max_length=40, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    alt_text = models.CharField(_("bildbeskrivning"), max_length=MAX_ALT_TEXT)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uppladdad av")
    )
    uploaded_at = models.DateTimeField(_("uppladdad"), default=timezone.now)

    class Meta:
        ordering = ["symbol", "position", "id"]
        verbose_name = _("symbolbild")
        verbose_name_plural = _("symbolbilder")
        constraints = [
            # A picture nobody can read about is not shown: every image says what it shows.
            models.CheckConstraint(condition=~Q(alt_text=""), name="symbol_image_alt_text_required"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol_id}/{self.pk}"

    @property
    def thumbnail_height(self) -> int:
        return max(1, round(THUMBNAIL_WIDTH * self.height / max(1, self.width)))

    @property
    def thumbnail_width(self) -> int:
        return THUMBNAIL_WIDTH

    @property
    def display_size(self) -> tuple[int, int]:
        scale = min(1.0, DISPLAY_SIDE / max(1, self.width, self.height))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))
