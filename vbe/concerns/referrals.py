"""Referrals to support to leave a violent extremist environment, and to relatives' support (the
guideline's sections "Stöd att lämna våldsbejakande extremistiska miljöer" and "Anhörigstöd").

Each referral has preconditions the guideline names. The handler confirms each as a fact when recording
the referral (which, by whom, when: the referral row keeps the codes, its recorder and time); the service
refuses a referral whose preconditions are not all confirmed and names what is missing. A checklist of
facts, never a score. Every write goes through vbe.concerns.writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.concerns.models import Consent, Referral, ReferralKind
from vbe.concerns.writes import _check_date, _locked, _log, _open, _save


@dataclass(frozen=True)
class Precondition:
    code: str
    label: Promise
    adults_only: bool = False  # asked only when the person has turned 18


ADULT = "adult"
RELATIVE_WANTS_SUPPORT = Precondition(
    "relative_wants_support", gettext_lazy("Den anhöriga har tillfrågats och vill ha stöd för egen del")
)
PRECONDITIONS: dict[str, tuple[Precondition, ...]] = {
    # Adults only ("avhopparverksamhet för vuxna individer"), and only with a particular need for protection
    # as assessed by the police's personal-protection unit.
    ReferralKind.EXIT_SERVICE: (
        Precondition(ADULT, gettext_lazy("Personen har fyllt 18 år")),
        Precondition(
            "protection_need",
            gettext_lazy(
                "Polismyndighetens personsäkerhetsverksamhet har bedömt att personen har ett särskilt skyddsbehov"
            ),
        ),
    ),
    # The person's consent to information sharing between authorities, for everyone; their own will to
    # change, for those who have turned 18.
    ReferralKind.SIG: (
        Precondition("own_will", gettext_lazy("Personen har en egen vilja till förändring"), adults_only=True),
        Precondition(
            "consent_information_sharing",
            gettext_lazy("Personen har samtyckt till att relevant information delas mellan berörda myndigheter"),
        ),
    ),
    ReferralKind.JOBBTORG_EXIT: (
        Precondition(ADULT, gettext_lazy("Personen har fyllt 18 år")),
        Precondition(
            "has_left",
            gettext_lazy("Personen har lämnat, eller vill lämna, grov kriminalitet eller våldsbejakande extremism"),
        ),
    ),
    ReferralKind.RETURNEE: (
        Precondition(ADULT, gettext_lazy("Personen har fyllt 18 år")),
        Precondition(
            "returned",
            gettext_lazy(
                "Personen har återvänt från ett krigsdrabbat område med koppling till våldsbejakande extremism"
            ),
        ),
    ),
    ReferralKind.RELATIVES_DISTRICT: (RELATIVE_WANTS_SUPPORT,),
    ReferralKind.RELATIVES_TREATMENT: (RELATIVE_WANTS_SUPPORT,),
}


def checklist() -> list[tuple[str, str]]:
    """The facts to confirm, each once, saying which referrals need it. Whether the person has turned 18
    is asked as its own question, not ticked."""
    needed_by: dict[str, list[str]] = {}
    label: dict[str, str] = {}
    for kind, preconditions in PRECONDITIONS.items():
        for p in preconditions:
            if p.code != ADULT:
                label[p.code] = str(p.label)
                needed_by.setdefault(p.code, []).append(str(ReferralKind(kind).label))
    return [
        (code, _("%(fact)s (för %(referrals)s)") % {"fact": label[code], "referrals": " och ".join(needed_by[code])})
        for code in label
    ]


def required(kind: str, *, adult: bool | None) -> tuple[Precondition, ...]:
    """The preconditions of ``kind`` for a person who has (``adult``) or has not turned 18."""
    return tuple(p for p in PRECONDITIONS[kind] if not p.adults_only or adult)


def labels(referral: Referral) -> list[str]:
    """The confirmed preconditions of a recorded referral, in words."""
    known = {p.code: p.label for p in PRECONDITIONS.get(referral.kind, ())}
    return [str(known[code]) for code in referral.preconditions if code in known]


@transaction.atomic
def record_referral(
    *,
    actor: User,
    concern_id: int,
    lock_version: int,
    kind: str,
    referred_on: datetime.date | None,
    adult: bool | None,
    confirmed: list[str],
    consent_id: int | None = None,
    note: str = "",
) -> Referral:
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=lock_version)
    _open(concern)
    if kind not in PRECONDITIONS:
        raise ValidationError(_("Välj vart personen hänvisas."))
    if kind == ReferralKind.SIG and adult is None:
        raise ValidationError(_("Ange om personen har fyllt 18 år: för en vuxen krävs en egen vilja till förändring."))
    needed = required(kind, adult=adult)
    # Whether the person has turned 18 is asked as its own question, never ticked: a tick for it in
    # ``confirmed`` counts for nothing, only ``adult is True`` does.
    given = (set(confirmed) - {ADULT}) | ({ADULT} if adult is True else set())
    missing = [str(p.label) for p in needed if p.code not in given]
    if missing:
        raise ValidationError(
            _("Hänvisningen kan inte registreras förrän alla förutsättningar är bekräftade. Saknas: %(missing)s.")
            % {"missing": "; ".join(m[0].lower() + m[1:] for m in missing)}
        )
    # Belt and braces: a referral for adults is never recorded unless the person is said to be one.
    if any(p.code == ADULT for p in needed) and adult is not True:
        raise ValidationError(_("Hänvisningen gäller bara personer som har fyllt 18 år."))
    referred_on = _check_date(concern, referred_on)
    consent = None
    if kind == ReferralKind.SIG:
        # The consent is a recorded fact in this case, not only a ticked box: the referral points to it.
        # Only a consent of this concern, not withdrawn, and given by the day of the referral counts.
        consent = Consent.objects.filter(pk=consent_id).first() if consent_id else None
        if consent is None or consent.concern_id != concern.pk or consent.withdrawn_on is not None:
            raise ValidationError(
                _(
                    "Välj personens gällande samtycke till informationsdelning. Registrera samtycket under "
                    "”Registrera samtycke” först om det inte finns i ärendet."
                )
            )
        if consent.given_on > referred_on:
            raise ValidationError(
                _(
                    "Samtycket lämnades %(given_on)s, efter hänvisningens datum %(referred_on)s. En hänvisning "
                    "till SIG kräver ett samtycke som lämnats senast samma dag."
                )
                % {"given_on": f"{consent.given_on:%Y-%m-%d}", "referred_on": f"{referred_on:%Y-%m-%d}"}
            )
    referral = Referral.objects.create(
        concern=concern,
        kind=kind,
        referred_on=referred_on,
        preconditions=[p.code for p in needed],
        adult=adult,
        consent=consent,
        note=note.strip(),
        recorded_by=actor,
    )
    _save(
        concern,
        actor=actor,
        kind="referral",
        summary=_("Hänvisning: %(kind)s") % {"kind": ReferralKind(kind).label},
    )
    _log(actor=actor, action="concern_referral_recorded", concern=concern, detail=kind)
    return referral
