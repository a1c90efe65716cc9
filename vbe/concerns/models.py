"""The concern routine: staff report concern about a person; coordinators handle it under secrecy.

The portal is not the social services' case record: it keeps what the routine needs (what was
observed, which steps were taken, where it was handed on and why) and nothing more. Identifiers and
free text are encrypted at rest; the personnummer is found through a keyed hash (blind index).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vbe.core.fields import EncryptedTextField
from vbe.guidelines.vocabulary import Environment


class State(models.TextChoices):
    """The process steps (after CVE's model). Each transition is a named service in services.py."""

    RECEIVED = "received", _("Mottagen")
    INITIAL_ASSESSMENT = "initial_assessment", _("Första bedömning")
    GATHERING_INFORMATION = "gathering_information", _("Informationsinhämtning")
    ASSESSMENT = "assessment", _("Bedömning")
    MEASURES = "measures", _("Insatser")
    FOLLOW_UP = "follow_up", _("Uppföljning")
    CLOSED = "closed", _("Avslutad")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Ja")
    NO = "no", _("Nej")
    UNKNOWN = "unknown", _("Vet inte")


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", _("Ingen vidare åtgärd")
    HANDED_OVER = "handed_over", _("Överlämnad till annan aktör")
    MEASURES_COMPLETED = "measures_completed", _("Insatser genomförda")
    REFERRED_TO_SOCIAL_SERVICES = "referred_to_social_services", _("Hanteras av socialtjänsten")


class AssessmentArea(models.TextChoices):
    """Areas of risk and protective factors a professional may consider. A checklist, never a score."""

    INDIVIDUAL = "individual", _("Individuella faktorer (t.ex. psykisk hälsa, identitetssökande)")
    FAMILY = "family", _("Familj och närstående")
    SCHOOL_WORK = "school_work", _("Skola, arbete och sysselsättning")
    PEERS = "peers", _("Vänner och sociala nätverk")
    ONLINE = "online", _("Digitala miljöer")
    CRIME_VIOLENCE = "crime_violence", _("Kriminalitet och våld")
    IDEOLOGY_CONTACTS = "ideology_contacts", _("Kontakter med våldsbejakande miljöer")
    PROTECTIVE = "protective", _("Skyddsfaktorer (trygga vuxna, fritid, framtidstro)")


class Concern(models.Model):
    reference = models.CharField(_("referensnummer"), max_length=20, unique=True)
    state = models.CharField(_("steg"), max_length=32, choices=State.choices, default=State.RECEIVED, db_index=True)
    lock_version = models.PositiveIntegerField(default=1)  # optimistic lock: forms carry the version they saw

    # Cleared when the concern is purged: the reporter's link is personal data too.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reported_concerns",
        verbose_name=_("rapportör"),
    )
    reporter_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rapportörens organisation"),
    )
    # Where the reporter sent it. Never changes: the reporter's receipt always shows this, never where
    # the concern went afterwards (a hand-over is the handlers' business, not the reporter's).
    reported_to = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rapporterad till"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="concerns",
        verbose_name=_("ansvarig organisation"),
    )
    # The organisation it was sent or last handed to had no active coordinator when it arrived (cleared
    # once it is written there while a coordinator is: taken over). The central coordinators read it only
    # while this holds and that organisation still has none (vbe.accounts.permissions
    # .concern_in_central_queue); a concern whose coordinators left later they may hand over, unread.
    without_coordinator = models.BooleanField(_("saknar samordnare"), default=False, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_concerns",
        verbose_name=_("handläggare"),
    )
    idempotency_key = models.CharField(max_length=64)

    # What the reporter saw. Free text is encrypted.
    observation = EncryptedTextField(_("vad som har observerats"))
    observed_on = models.DateField(_("när"))
    district = models.ForeignKey(
        "organisations.District", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("stadsdelsområde")
    )
    unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("verksamhet")
    )
    environment = models.CharField(_("miljö"), max_length=32, choices=Environment.choices, default=Environment.UNKNOWN)
    concerns_child = models.CharField(_("gäller ett barn"), max_length=8, choices=YesNoUnknown.choices)
    child_report_made = models.CharField(
        _("orosanmälan redan gjord"), max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    # A concern about a child is closed only with an orosanmälan on record (an ActionTaken of kind
    # CHILD_WELFARE_REPORT saying by whom and when) or this written reason why none was made.
    child_report_not_made_reason = EncryptedTextField(_("varför ingen orosanmälan har gjorts"), blank=True)

    # The person, only when the reporter chose to say. Encrypted; the personnummer also as blind index.
    person_name = EncryptedTextField(_("namn"), blank=True)
    person_pnr = EncryptedTextField(_("personnummer"), blank=True)
    person_pnr_index = models.CharField(max_length=64, blank=True, db_index=True)
    person_contact = EncryptedTextField(_("kontaktuppgifter"), blank=True)

    # The handler's work.
    assessment_areas = models.JSONField(_("områden som har beaktats"), default=list, blank=True)
    assessment = EncryptedTextField(_("bedömning"), blank=True)
    outcome = models.CharField(_("utfall"), max_length=32, choices=Outcome.choices, blank=True)
    closure_reason = EncryptedTextField(_("motivering"), blank=True)
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)

    # Retention.
    retain_until = models.DateField(_("gallras"), null=True, blank=True, db_index=True)
    legal_hold = models.BooleanField(_("bevaras (rättsligt skäl)"), default=False)
    legal_hold_reason = EncryptedTextField(_("skäl att bevara"), blank=True)
    purged_at = models.DateTimeField(_("gallrad"), null=True, blank=True)

    # No index of its own: concern_newest_first begins with it and serves every search by time, so the
    # planner has one index to read the case list along, not two of nearly equal cost.
    created_at = models.DateTimeField(_("mottagen"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("oro")
        verbose_name_plural = _("oro")
        constraints = [
            models.UniqueConstraint(fields=["reporter", "idempotency_key"], name="concern_one_per_submission")
        ]
        indexes = [
            models.Index(fields=["organisation", "state", "created_at"]),
            # The case list's order (newest first, the id breaking ties) and its keyset pages: a scope that
            # holds many concerns is read backwards along it, 25 rows at a time, never sorted (a small one
            # is gathered from the indexes of its branches instead, and only its rows sorted).
            models.Index(fields=["created_at", "id"], name="concern_newest_first"),
            # The open concerns only (a small share: older ones are closed), oldest first: the central
            # coordinators' "waiting for a new coordinator" section and its count.
            models.Index(fields=["created_at", "id"], condition=~models.Q(state="closed"), name="concern_open_by_age"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("concerns:detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.state != State.CLOSED

    @property
    def reporter_status(self) -> str:
        """All the reporter ever learns: received, being handled, or closed."""
        if self.state == State.RECEIVED:
            return gettext("Mottagen")
        return gettext("Avslutad") if self.state == State.CLOSED else gettext("Under hantering")


class Event(models.Model):
    """The chronology: every step and every recorded action, in order."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    # Empty only after a purge, for the "submitted" entry: its actor is the reporter, whose link to
    # the concern the purge removes.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=40)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    # What happened, never about whom: no names, no free text, no legal grounds (those live, encrypted,
    # on their own records). Encrypted and purged all the same, for rows written before that rule.
    summary = EncryptedTextField()
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class ActionKind(models.TextChoices):
    CHILD_WELFARE_REPORT = "child_welfare_report", _("Orosanmälan skickad till socialtjänsten")
    # Redex (the police's and the Security Service's work against violent extremism) is not a place a
    # case is handed to: the city reaches it through the social emergency service, so the contact and
    # the information exchange are two steps (the guideline's note 11).
    SOCIAL_EMERGENCY = "social_emergency", _("Kontakt med socialjouren")
    REDEX_EXCHANGE = "redex_exchange", _("Informationsutbyte inom Redex via socialjouren")
    SIP = "sip", _("Samordnad individuell plan (SIP) påbörjad")
    # Raised in a collaboration forum: recorded only with the person's consent or a legal ground and the
    # forum (vbe.collaboration.raising, which keeps them in a ForumRaising), never as a plain action.
    RAISED_IN_SSPF = "raised_in_sspf", _("Lyft i SSPF")
    RAISED_IN_BUS = "raised_in_bus", _("Lyft i BUS")


class ActionTaken(models.Model):
    """A step taken for the person: an orosanmälan sent, a hand-over, a SIP, a referral …"""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("åtgärd"), max_length=32, choices=ActionKind.choices)
    done_on = models.DateField(_("datum"))
    district = models.ForeignKey(
        "organisations.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("till vilket område"),
        help_text=_("För orosanmälan: stadsdelsområdet vars socialtjänst tog emot den."),
    )
    # For an orosanmälan: who made it (a name or a role). Required for that kind, and what makes it
    # count as the record a child concern needs before it can be closed.
    made_by = EncryptedTextField(_("gjord av"), blank=True)
    note = EncryptedTextField(_("anteckning"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "pk"]


class ReferralKind(models.TextChoices):
    """Support to leave a violent extremist environment, and support to relatives (the guideline's
    sections "Stöd att lämna våldsbejakande extremistiska miljöer" and "Anhörigstöd")."""

    EXIT_SERVICE = "exit_service", _("Stadsövergripande avhopparverksamheten")
    SIG = "sig", _("Social insatsgrupp (SIG)")
    JOBBTORG_EXIT = "jobbtorg_exit", _("Jobbtorg Citys avhopparteam")
    RETURNEE = "returnee", _("Stöd till återvändare från konfliktområden")
    RELATIVES_DISTRICT = "relatives_district", _("Anhörigstöd hos stadsdelsnämndens socialtjänst")
    RELATIVES_TREATMENT = "relatives_treatment", _("Stödsamtal för anhöriga hos socialnämndens behandlingsenhet")


class Referral(models.Model):
    """A referral to support to leave, or to relatives' support, with the preconditions the handler
    confirmed as facts when recording it (vbe.concerns.referrals): a checklist, never a score."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("hänvisning"), max_length=32, choices=ReferralKind.choices)
    referred_on = models.DateField(_("datum"))
    # The codes of the preconditions confirmed (vbe.concerns.referrals.PRECONDITIONS), by whom and when.
    # Empty only for referrals recorded as plain actions before the checklist existed (``before_checklist``).
    preconditions = models.JSONField(_("förutsättningar"), default=list, blank=True)
    adult = models.BooleanField(_("personen har fyllt 18 år"), null=True, blank=True)
    # For a social intervention group: the person's consent to information sharing between authorities.
    consent = models.ForeignKey(
        "Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals", verbose_name=_("samtycke")
    )
    note = EncryptedTextField(_("anteckning"), blank=True)
    before_checklist = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    class Meta:
        ordering = ["referred_on", "pk"]


class Consent(models.Model):
    """Consent for a SIG or similar collaboration: who gave it, when, and its withdrawal."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="consents")
    purpose = EncryptedTextField(_("för vad"))
    given_by = EncryptedTextField(_("lämnat av"))
    given_on = models.DateField(_("lämnat"))
    withdrawn_on = models.DateField(_("återkallat"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["given_on", "pk"]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class Transfer(models.Model):
    """A hand-over of the concern to another organisation, with its legal ground."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="transfers")
    from_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    # Free text that may name the person: encrypted, purged with the concern, and never logged (the
    # log refers to this record as "transfer:<id>").
    legal_ground = EncryptedTextField(_("rättslig grund"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)


class Disclosure(models.Model):
    """Showing the concern to another organisation: an explicit decision, recorded."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="disclosures")
    to_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="disclosed_concerns"
    )
    # Encrypted and purged with the concern; the log refers to this record as "disclosure:<id>".
    legal_ground = EncryptedTextField(_("rättslig grund"))
    decided_by = EncryptedTextField(_("beslutat av"))
    decided_at = models.DateTimeField(_("beslutat"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Withdrawn by the owning organisation's coordinator: the other organisation's access ends at once.
    revoked_at = models.DateTimeField(_("återkallat"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_reason = EncryptedTextField(_("skäl till återkallandet"), blank=True)

    class Meta:
        ordering = ["decided_at", "pk"]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RetentionPeriod(models.Model):
    """How long a closed concern is kept, per outcome (the city's information management plan)."""

    outcome = models.CharField(_("utfall"), max_length=32, choices=Outcome.choices, unique=True)
    days = models.PositiveIntegerField(_("dagar efter avslut"))

    class Meta:
        ordering = ["outcome"]
        verbose_name = _("gallringsfrist")
        verbose_name_plural = _("gallringsfrister")

    def __str__(self) -> str:
        return gettext("%(outcome)s: %(days)s dagar") % {"outcome": self.get_outcome_display(), "days": self.days}


class PurgeRecord(models.Model):
    """Gallringsprotokoll: what a purge run did (or, on a dry run, would do)."""

    run_at = models.DateTimeField(auto_now_add=True)
    run_for = models.DateField()
    dry_run = models.BooleanField()
    purged = models.PositiveIntegerField()
    held = models.PositiveIntegerField()
    references = models.TextField(blank=True)  # the purged concerns' reference numbers, not people

    class Meta:
        ordering = ["-run_at"]
