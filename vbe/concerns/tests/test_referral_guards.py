"""Red-team findings on referrals (vbe.concerns.referrals), at the service: the adult fact comes only from
the ``adult`` answer, never from a tick, and a SIG referral points to an active consent of this concern
given on or before the day of the referral."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from vbe.concerns import referrals, sharing
from vbe.concerns.models import Concern, Referral, ReferralKind

NOV = datetime.date(2026, 11, 1)


def _version(concern: Concern) -> int:
    return Concern.objects.get(pk=concern.pk).lock_version


def _refer(cast, concern, **data):
    return referrals.record_referral(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        lock_version=_version(concern),
        **{"referred_on": NOV + datetime.timedelta(days=1), "adult": None, "confirmed": [], **data},
    )


def _consent(cast, concern, given_on):
    return sharing.record_consent(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        lock_version=_version(concern),
        purpose="Informationsdelning inom SIG",
        given_by="Personen",
        given_on=given_on,
    )


@pytest.mark.parametrize("adult", [False, None])
@pytest.mark.parametrize(
    "kind, fact",
    [
        (ReferralKind.EXIT_SERVICE, "protection_need"),
        (ReferralKind.JOBBTORG_EXIT, "has_left"),
        (ReferralKind.RETURNEE, "returned"),
    ],
)
def test_a_ticked_adult_does_not_make_a_child_an_adult(cast, make_concern, kind, fact, adult):
    concern = make_concern()
    with pytest.raises(ValidationError) as refused:
        _refer(cast, concern, kind=kind, adult=adult, confirmed=["adult", fact])
    assert "personen har fyllt 18 år" in refused.value.messages[0]
    assert not Referral.objects.exists()


def test_the_adult_answer_alone_makes_the_adult_fact(cast, make_concern):
    concern = make_concern()
    referral = _refer(cast, concern, kind=ReferralKind.EXIT_SERVICE, adult=True, confirmed=["protection_need"])
    assert referral.preconditions == ["adult", "protection_need"]
    assert referral.adult is True


def test_a_ticked_adult_on_a_referral_without_an_age_rule_is_not_recorded(cast, make_concern):
    concern = make_concern()
    referral = _refer(
        cast, concern, kind=ReferralKind.RELATIVES_DISTRICT, adult=False, confirmed=["adult", "relative_wants_support"]
    )
    assert referral.preconditions == ["relative_wants_support"]


def test_sig_refuses_the_consent_of_another_concern(cast, make_concern):
    concern, other = make_concern("k1"), make_concern("k2")
    foreign = _consent(cast, other, NOV)
    with pytest.raises(ValidationError, match="gällande samtycke"):
        _refer(
            cast,
            concern,
            kind=ReferralKind.SIG,
            adult=False,
            confirmed=["consent_information_sharing"],
            consent_id=foreign.pk,
        )
    assert not Referral.objects.exists()


def test_sig_refuses_a_consent_given_after_the_referral_date(cast, make_concern):
    concern = make_concern()
    consent = _consent(cast, concern, datetime.date(2026, 11, 5))
    sig = {
        "kind": ReferralKind.SIG,
        "adult": False,
        "confirmed": ["consent_information_sharing"],
        "consent_id": consent.pk,
    }
    with pytest.raises(ValidationError) as refused:
        _refer(cast, concern, referred_on=datetime.date(2026, 11, 4), **sig)
    assert refused.value.messages[0] == (
        "Samtycket lämnades 2026-11-05, efter hänvisningens datum 2026-11-04. En hänvisning till SIG kräver "
        "ett samtycke som lämnats senast samma dag."
    )
    assert not Referral.objects.exists()
    # Given the same day as the referral: enough.
    referral = _refer(cast, concern, referred_on=datetime.date(2026, 11, 5), **sig)
    assert referral.consent == consent and referral.referred_on == datetime.date(2026, 11, 5)
