"""Users, their memberships in organisations, and the roles those memberships carry."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vbe.core.fields import EncryptedTextField
from vbe.organisations.models import Organisation, OrganisationKind


class Role(models.TextChoices):
    """The roles of security.md. Every signed-in user is at least `staff`."""

    STAFF = "staff", _("Medarbetare")
    UNIT_MANAGER = "unit_manager", _("Verksamhetschef")
    COORDINATOR = "coordinator", _("Lokal samordnare")
    CASEWORKER = "caseworker", _("Handläggare")
    CENTRAL_COORDINATOR = "central_coordinator", _("Central samordnare")
    BOARD_READER = "board_reader", _("Nämndläsare")
    AUDITOR = "auditor", _("Logggranskare")
    ADMIN = "admin", _("Systemadministratör")


# Most responsible role first: the header shows a user's first, and the access log picks by it.
ROLE_PRECEDENCE = (
    Role.ADMIN,
    Role.AUDITOR,
    Role.CENTRAL_COORDINATOR,
    Role.COORDINATOR,
    Role.CASEWORKER,
    Role.UNIT_MANAGER,
    Role.BOARD_READER,
    Role.STAFF,
)


def most_responsible(memberships: Iterable[Membership]) -> Membership:
    """The membership with the most responsible role (ROLE_PRECEDENCE), then the first organisation by
    name: the one the header shows and the access log names when no organisation is in scope."""
    return min(memberships, key=lambda m: (ROLE_PRECEDENCE.index(m.role), m.organisation.name))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError(gettext("E-postadress krävs."))
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        """A break-glass administrator: an `admin` membership in the executive board."""
        board = Organisation.objects.filter(kind=OrganisationKind.EXECUTIVE_BOARD).first()
        if board is None:
            raise ValueError(gettext("Läs in referensdata först (manage.py load_reference_data)."))
        user = self.create_user(email, password, **fields)
        Membership.objects.create(user=user, organisation=board, role=Role.ADMIN)
        return user


class User(AbstractBaseUser):
    email = models.EmailField(_("e-postadress"), unique=True)
    full_name = models.CharField(_("namn"), max_length=200)
    is_active = models.BooleanField(_("aktiv"), default=True)
    date_joined = models.DateTimeField(_("skapad"), default=timezone.now)
    # Who made the account in the admin site: the four-eyes rules check people, not only accounts
    # (an administrator may not propose roles for an address they just created; vbe.accounts.four_eyes).
    created_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("skapad av"),
    )

    # Lock-out after repeated failed sign-ins.
    failed_sign_ins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    # TOTP second factor. The secret is encrypted at rest.
    totp_secret = EncryptedTextField(blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    totp_last_step = models.BigIntegerField(default=0, editable=False)  # refuses a replayed code
    # A replacement factor waiting for its first code: the confirmed one above stays in force until
    # then, so the password alone never signs in while the user changes phones.
    totp_pending_secret = EncryptedTextField(blank=True, editable=False)

    # Bumping this ends every open session of the user ("logga ut överallt", deactivation).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()
    # The user's memberships, cached on this object by permissions.memberships() for the request;
    # absent until then, so read with getattr.
    _vbe_memberships: list[Membership]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def has_totp(self) -> bool:
        return self.totp_confirmed_at is not None

    def get_session_auth_hash(self) -> str:
        # Sessions are bound to the password hash *and* the session generation, so both a password
        # change and "end all sessions" invalidate every open session at once.
        return salted_hmac(
            "vbe.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()

    # Django admin asks these; the answer comes from the portal's permission rules.
    @property
    def is_staff(self) -> bool:
        from vbe.accounts import permissions

        return permissions.can(self, permissions.Action.USE_ADMIN_SITE)

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    def audit_facts(self, organisation_id: int | None = None) -> tuple[str, str]:
        """(role, organisation name) for the access log: the membership used for an access.

        The user's most responsible membership in ``organisation_id`` (the organisation in whose scope
        the access happened); without one there, the primary membership (most responsible role, then
        organisation name), as the header shows. An inactive user acts in no role.
        """
        if not self.is_active:
            return "", ""
        # permissions.memberships() caches the request's memberships on the user; reuse them if present.
        memberships = getattr(self, "_vbe_memberships", None)
        if memberships is None:
            memberships = list(self.memberships.select_related("organisation"))
        in_scope = [m for m in memberships if organisation_id is not None and m.organisation_id == organisation_id]
        candidates = in_scope or memberships
        if not candidates:
            return "", ""
        chosen = most_responsible(candidates)
        return chosen.role, chosen.organisation.name


class Membership(models.Model):
    """A user's place in an organisation (optionally a unit) with one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("användare"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("verksamhet"),
    )
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role_per_org")
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"


class SignInThrottle(models.Model):
    """A failure counter for something that is not a user row: an e-mail address without an account,
    or the client address one-time codes come from. Only a keyed hash of the address is stored, so
    the table neither lists who tried nor which addresses exist."""

    key = models.CharField(max_length=80, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key[:12]}… ({self.failures})"


class ChangeKind(models.TextChoices):
    GRANT_ROLE = "grant_role", _("Ge en roll")
    RESET_PASSWORD = "reset_password", _("Nytt lösenord")
    RESET_SECOND_FACTOR = "reset_second_factor", _("Nollställ tvåstegsverifiering")
    CHANGE_EMAIL = "change_email", _("Ny e-postadress")
    REACTIVATE_ACCOUNT = "reactivate_account", _("Återaktivera konto")
    MERGE_DISTRICTS = "merge_districts", _("Slå ihop stadsdelsområden")


class ChangeState(models.TextChoices):
    PENDING = "pending", _("Väntar på beslut")
    APPROVED = "approved", _("Godkänd")
    REJECTED = "rejected", _("Avslagen")
    # Closed without a decision: older than settings.ACCESS_CHANGE_EXPIRY_DAYS, or no longer what was
    # proposed (a name changed since, the proposer is no longer an administrator, …). A new proposal
    # is needed; nothing was changed.
    EXPIRED = "expired", _("Har gått ut")
    VOID = "void", _("Ogiltigt")


class AccessChangeRequest(models.Model):
    """Four eyes on power: a change that gives access to personal data, or resets someone's
    credentials, or moves personal data between organisations (a merge of districts), is proposed by
    one administrator and takes effect only when a second person (another administrator or the central
    coordinator) approves it. No password is ever stored here: an approved password reset makes the
    password unusable and e-mails the user a one-time link.

    ``snapshot`` holds, as shown when proposed, the names the decider reads (user, organisation, unit,
    role, districts): the page shows those, and approval is refused when they no longer match, so a
    rename between proposal and approval cannot make the decider approve something else. It also keeps
    the record readable after the user is deleted."""

    kind = models.CharField(_("ändring"), max_length=32, choices=ChangeKind.choices)
    target = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_change_requests",
        verbose_name=_("användare"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verksamhet"),
    )
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices, blank=True)
    new_email = models.EmailField(_("ny e-postadress"), blank=True)
    # A merge of districts: the target district here, the districts merged into it by id.
    district = models.ForeignKey(
        "organisations.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stadsdelsområde"),
    )
    source_district_ids = models.JSONField(_("områden som slås ihop"), default=list, blank=True)
    snapshot = models.JSONField(_("uppgifter när förslaget lades fram"), default=dict, blank=True, editable=False)
    state = models.CharField(_("status"), max_length=16, choices=ChangeState.choices, default=ChangeState.PENDING)
    proposed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("föreslagen av")
    )
    proposed_at = models.DateTimeField(_("föreslagen"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("beslutad av")
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    # The decider's note (why rejected). Shown on the proposal page only: never logged or e-mailed.
    reason = models.TextField(_("motivering"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("behörighetsförslag")
        verbose_name_plural = _("behörighetsförslag")
        indexes = [models.Index(fields=["state", "proposed_at"])]

    def __str__(self) -> str:
        return gettext("Förslag %(number)s: %(kind)s") % {"number": self.pk, "kind": self.get_kind_display()}

    def describe(self) -> str:
        """What the change is, as proposed (the snapshot), without naming the person: for pages and e-mails."""
        shot = self.snapshot or {}
        if self.kind == ChangeKind.GRANT_ROLE:
            where = shot.get("organisation", "")
            if shot.get("unit"):
                where += f", {shot['unit']}"
            return gettext("Rollen %(role)s i %(where)s") % {
                "role": shot.get("role", self.get_role_display()),
                "where": where,
            }
        if self.kind == ChangeKind.REACTIVATE_ACCOUNT:
            roles = "; ".join(shot.get("memberships", []))
            if not roles:
                return str(self.get_kind_display())
            return gettext("%(kind)s med rollerna %(roles)s") % {"kind": self.get_kind_display(), "roles": roles}
        if self.kind == ChangeKind.MERGE_DISTRICTS:
            return gettext(
                "%(kind)s: %(sources)s in i %(target)s; händelserna i %(councils)s flyttas till %(council)s"
            ) % {
                "kind": self.get_kind_display(),
                "sources": ", ".join(shot.get("districts", [])),
                "target": shot.get("target_district", ""),
                "councils": ", ".join(shot.get("source_councils", [])) or "–",
                "council": shot.get("target_council", "") or "–",
            }
        return str(self.get_kind_display())
