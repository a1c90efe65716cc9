"""Democracy condition and collaboration.

- **Civil-society actors** (``Actor``) that a board or company gives grants or premises to, or works
  with in a partnership, with references (``ActorLink``) to those grants, bookings and partnerships in
  the systems that hold them.
- **Democracy-condition assessments** (``Assessment``): the criteria are data (``Criterion``, the city's
  wording, kept by the central coordinator), each assessment answers them (``CriterionFinding``, a copy
  of the wording it answered) and ends in a decision. A decision is never edited: a new assessment
  supersedes it, so the history stays. Another board or company sees the decision, the deciding body,
  the date and how long it holds, never the working notes (evidence, sources, findings).
- **Forums and meetings** (``Forum``, ``Meeting``, ``MeetingAction``): SSPF, BUS, the local police area
  meetings, the coordinator network, Redex. A meeting record names organisations, never people, and no
  meeting record points at a concern (a concern raised in a forum points at the forum only:
  ``ForumRaising``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from vbe.core.fields import EncryptedTextField


class ActorKind(models.TextChoices):
    NON_PROFIT = "non_profit", _("Ideell förening")
    FAITH_COMMUNITY = "faith_community", _("Trossamfund")
    FOUNDATION = "foundation", _("Stiftelse")
    ECONOMIC_ASSOCIATION = "economic_association", _("Ekonomisk förening")
    COMPANY = "company", _("Företag")
    OTHER = "other", _("Annan aktör")


class Actor(models.Model):
    """A civil-society actor: an association, a faith community, a foundation … Its contact details are
    the organisation's own (its address, e-mail, phone), not a person's."""

    name = models.CharField(_("namn"), max_length=200)
    # NNNNNN-NNNN, checked with its check digit (vbe.collaboration.org_number); empty when it has none.
    org_number = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    kind = models.CharField(_("typ"), max_length=32, choices=ActorKind.choices)
    email = models.EmailField(_("e-postadress"), blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    website = models.URLField(_("webbplats"), blank=True)
    address = models.CharField(_("adress"), max_length=300, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aktör")
        verbose_name_plural = _("aktörer")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org_number"], condition=~Q(org_number=""), name="actor_org_number_unique")
        ]
        indexes = [models.Index(fields=["name", "id"], name="actor_by_name")]

    def __str__(self) -> str:
        return self.name


class LinkKind(models.TextChoices):
    GRANT = "grant", _("Bidrag")
    PREMISES = "premises", _("Lokalupplåtelse")
    PARTNERSHIP = "partnership", _("Idéburet offentligt partnerskap (IOP)")


class ActorLink(models.Model):
    """A grant, a booking of premises or a partnership, by its reference in the system that holds it
    (a diary number, a booking number): the portal points at it, it does not keep it."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="links", verbose_name=_("aktör"))
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("nämnd eller bolag")
    )
    kind = models.CharField(_("typ"), max_length=16, choices=LinkKind.choices)
    reference = models.CharField(_("referens"), max_length=100, help_text=_("Diarienummer, bokningsnummer e.d."))
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)
    starts_on = models.DateField(_("från"), null=True, blank=True)
    ends_on = models.DateField(_("till"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("koppling")
        verbose_name_plural = _("kopplingar")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "organisation", "kind", "reference"], name="actor_link_unique")
        ]


class Criterion(models.Model):
    """One criterion of the democracy condition, in the city's wording. Retired, never deleted: an
    assessment keeps the wording it answered (CriterionFinding.text)."""

    number = models.PositiveSmallIntegerField(_("nummer"))
    text = models.TextField(_("lydelse"))
    guidance = models.TextField(_("vägledning"), blank=True)
    is_active = models.BooleanField(_("gäller"), default=True)
    lock_version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kriterium")
        verbose_name_plural = _("kriterier")
        ordering = ["number", "pk"]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Decision(models.TextChoices):
    MEETS = "meets", _("Uppfyller demokrativillkoret")
    FAILS = "fails", _("Uppfyller inte demokrativillkoret")
    INVESTIGATE = "investigate", _("Behöver utredas vidare")


class Assessment(models.Model):
    """One board's or company's assessment of one actor for one purpose. A draft holds the working
    notes; a decision freezes it. ``supersedes`` chains the history of the same organisation's
    assessments of the actor."""

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("aktör"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="democracy_assessments",
        verbose_name=_("nämnd eller bolag"),
    )
    purpose = models.CharField(_("gäller"), max_length=16, choices=LinkKind.choices)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    # Working notes: the assessing organisation's only.
    evidence = models.TextField(_("underlag"), blank=True)
    sources = models.TextField(_("källor"), blank=True)
    # The decision: shared with every board and company (decision, body, date, validity), reasons and
    # appeal information with the assessing organisation and the actor.
    decision = models.CharField(_("beslut"), max_length=16, choices=Decision.choices, blank=True)
    deciding_body = models.CharField(_("beslutande organ"), max_length=200, blank=True)
    decided_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    reasons = models.TextField(_("motivering"), blank=True)
    appeal_information = models.TextField(_("hur man överklagar"), blank=True)
    valid_until = models.DateField(_("gäller till"), null=True, blank=True)
    # Set when the renewal reminder went out, so a reminder is sent once.
    renewal_reminded_on = models.DateField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bedömning av demokrativillkoret")
        verbose_name_plural = _("bedömningar av demokrativillkoret")
        ordering = ["-decided_on", "-pk"]
        indexes = [
            models.Index(fields=["actor", "organisation"], name="assessment_actor_org"),
            models.Index(fields=["valid_until"], name="assessment_valid_until"),
        ]

    @property
    def is_decided(self) -> bool:
        return bool(self.decision)


class Finding(models.TextChoices):
    MET = "met", _("Uppfyllt")
    NOT_MET = "not_met", _("Inte uppfyllt")
    UNCLEAR = "unclear", _("Oklart")


class CriterionFinding(models.Model):
    """What the assessment found on one criterion: a working note, never shown outside the assessing
    organisation. ``text`` is the criterion's wording when it was answered."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("lydelse"))
    finding = models.CharField(_("bedömning"), max_length=16, choices=Finding.choices, blank=True)
    note = models.TextField(_("anteckning"), blank=True)

    class Meta:
        ordering = ["criterion__number", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="finding_once_per_criterion")]


class ForumKind(models.TextChoices):
    SSPF = "sspf", _("SSPF (skola, socialtjänst, polis, fritid)")
    BUS = "bus", _("BUS (barn och unga i samverkan)")
    POLICE_AREA = "police_area", _("Samverkansmöte med lokalpolisområdet")
    COORDINATOR_NETWORK = "coordinator_network", _("Stadens nätverk för samordnare")
    REDEX = "redex", _("Redex (via socialjouren)")
    CIVIL_SOCIETY = "civil_society", _("Dialog med civilsamhället")
    OTHER = "other", _("Annat forum")


class Forum(models.Model):
    """A standing collaboration forum and the organisations (the city's and partners outside it) that
    take part. ``focus_areas`` says which of the guideline's focus areas its meetings count for."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    kind = models.CharField(_("typ"), max_length=24, choices=ForumKind.choices)
    district = models.ForeignKey(
        "organisations.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stadsdelsområde"),
    )
    description = models.TextField(_("beskrivning"), blank=True)
    member_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="forums", verbose_name=_("stadens deltagare")
    )
    member_partners = models.ManyToManyField(
        "organisations.Partner", blank=True, related_name="forums", verbose_name=_("andra deltagare")
    )
    focus_areas = models.ManyToManyField(
        "guidelines.FocusArea", blank=True, related_name="forums", verbose_name=_("områden")
    )
    is_active = models.BooleanField(_("aktivt"), default=True)
    lock_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("samverkansforum")
        verbose_name_plural = _("samverkansforum")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def member_organisation_ids(self) -> frozenset[int]:
        """What the permission rules ask (vbe.accounts.collaboration_rules.ForumFacts); read through a
        prefetch of ``member_organisations`` when there is one."""
        return frozenset(organisation.pk for organisation in self.member_organisations.all())


class Meeting(models.Model):
    """A meeting of a forum: which organisations took part, the agenda and the decisions. Free text is
    checked for personnummer and phone numbers and warned about names of concern subjects
    (vbe.collaboration.meeting_text)."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("forum"))
    held_on = models.DateField(_("datum"))
    participant_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="+", verbose_name=_("stadens deltagare")
    )
    participant_partners = models.ManyToManyField(
        "organisations.Partner", blank=True, related_name="+", verbose_name=_("andra deltagare")
    )
    agenda = models.TextField(_("dagordning"), blank=True)
    decisions = models.TextField(_("beslut och slutsatser"), blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    # The one-time key of the form that recorded it: the same form sent twice records one meeting.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["forum", "-held_on", "-id"], name="meeting_forum_newest")]


class MeetingAction(models.Model):
    """A follow-up action decided at a meeting: what, which organisation owns it, by when, and when and
    how it was followed up."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions", verbose_name=_("möte"))
    description = models.CharField(_("åtgärd"), max_length=500)
    owner_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig i staden"),
    )
    owner_partner = models.ForeignKey(
        "organisations.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig utanför staden"),
    )
    due_on = models.DateField(_("klart senast"))
    done_on = models.DateField(_("följdes upp"), null=True, blank=True)
    follow_up = models.TextField(_("uppföljning"), blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    # The one-time key of the form that added it: the same form sent twice adds one action.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("uppföljningsåtgärd")
        verbose_name_plural = _("uppföljningsåtgärder")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_organisation__isnull=False) | Q(owner_partner__isnull=False),
                name="meeting_action_has_owner",
            )
        ]
        indexes = [
            models.Index(fields=["owner_organisation", "done_on", "due_on"], name="meeting_action_open"),
            # The central coordinator's list of every open action, by due date.
            models.Index(fields=["done_on", "due_on", "id"], name="meeting_action_open_city"),
        ]


class ForumRaising(models.Model):
    """A concern raised in a forum (the concern's action "Lyft i SSPF" / "Lyft i BUS"): on what ground
    (the person's recorded consent, or a legal ground written out) and in which forum. It points at the
    forum, never at a meeting: the minutes know nothing of the concern."""

    action = models.OneToOneField("concerns.ActionTaken", on_delete=models.CASCADE, related_name="forum_raising")
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="+", verbose_name=_("forum"))
    consent = models.ForeignKey(
        "concerns.Consent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("samtycke"),
    )
    # Encrypted like the legal grounds of a hand-over or a disclosure, and cleared when the concern is
    # purged (vbe.concerns.retention): written out, it may still say something of the person.
    legal_ground = EncryptedTextField(_("rättslig grund"), blank=True)

    class Meta:
        verbose_name = _("lyft i forum")
        verbose_name_plural = _("lyft i forum")
