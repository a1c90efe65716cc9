"""Issue 7 item 18: purge leaves nothing behind.

Every text field of every model tied to a concern (found by introspection, so a new model or field
is covered the day it is added) is either encrypted at rest and cleared by the purge, or named below
as holding no personal data.
"""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.db import connection, models

from vbe.audit.models import AccessLogEntry
from vbe.collaboration.models import Forum
from vbe.collaboration.raising import raise_in_forum
from vbe.concerns import closure, retention, services, sharing
from vbe.concerns.models import Concern, Outcome
from vbe.concerns.retention import purge_expired
from vbe.concerns.tests.conftest import TEST_PNR
from vbe.core.fields import EncryptedTextField
from vbe.organisations.models import Organisation

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)

# Text fields that hold no personal data: codes from a fixed list, process states, references.
# Adding a field here is a decision that it can never hold anything about a person.
NOT_PERSONAL = {
    "concerns.concern.reference": "reference number ORO-ÅÅÅÅ-NNNNN, the handle the log uses",
    "concerns.concern.state": "process step (choices)",
    "concerns.concern.idempotency_key": "random token of the report form",
    "concerns.concern.environment": "the handler's assessment from a fixed list, kept for statistics",
    "concerns.concern.concerns_child": "yes/no/unknown, kept for statistics",
    "concerns.concern.child_report_made": "yes/no/unknown",
    "concerns.concern.outcome": "outcome (choices), kept for statistics",
    "concerns.event.kind": "kind of step (code)",
    "concerns.event.from_state": "process step (choices)",
    "concerns.event.to_state": "process step (choices)",
    "concerns.actiontaken.kind": "kind of action (choices)",
    "concerns.referral.kind": "kind of referral (choices), as an action's kind",
}
# About the person but not encrypted (they must be matched or filtered on): cleared by the purge.
CLEARED_NOT_ENCRYPTED = {
    "concerns.concern.person_pnr_index": "keyed hash of the personnummer (blind index for look-up)",
    "concerns.concern.assessment_areas": "which risk and protective areas were considered for the person",
    "concerns.referral.preconditions": "which facts about the person were confirmed for a referral",
}


def concern_related_models() -> list[type[models.Model]]:
    """Concern and every model with a foreign-key path to it."""
    related = {Concern}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in related:
                continue
            if any(
                f.is_relation and f.concrete and (f.many_to_one or f.one_to_one) and f.related_model in related
                for f in model._meta.get_fields()
            ):
                related.add(model)
                grew = True
    return sorted(related, key=lambda m: m._meta.label_lower)


def text_fields() -> list[tuple[type[models.Model], models.Field, str]]:
    return [
        (model, field, f"{model._meta.label_lower}.{field.name}")
        for model in concern_related_models()
        for field in model._meta.concrete_fields
        if isinstance(field, TEXT_FIELDS)
    ]


def test_the_introspection_finds_the_concern_models():
    labels = {m._meta.label_lower for m in concern_related_models()}
    assert {"concerns.concern", "concerns.event", "concerns.consent", "concerns.disclosure"} <= labels
    assert "concerns.retentionperiod" not in labels


def test_every_text_field_is_encrypted_and_purged_or_declared_not_personal():
    problems = []
    for model, field, name in text_fields():
        if name in NOT_PERSONAL:
            if isinstance(field, EncryptedTextField):
                problems.append(f"{name}: encrypted, so remove it from NOT_PERSONAL")
            continue
        purged = retention.purged_fields().get(model, {})
        if name in CLEARED_NOT_ENCRYPTED:
            if field.name not in purged:
                problems.append(f"{name}: not cleared by the purge (retention.PURGED_FIELDS)")
            continue
        if not isinstance(field, EncryptedTextField):
            problems.append(f"{name}: neither encrypted nor declared as holding no personal data")
        if field.name not in purged:
            problems.append(f"{name}: not cleared by the purge (retention.PURGED_FIELDS)")
    assert not problems, "\n".join(problems)


def test_the_allow_lists_name_only_existing_fields():
    names = {name for _, _, name in text_fields()}
    assert not (set(NOT_PERSONAL) | set(CLEARED_NOT_ENCRYPTED)) - names


# --- A concern with every kind of text, purged --------------------------------------------------

TEXTS = {
    "observation": "OBS-Eleven hyllade attentatet",
    "name": "Testperson Testsson",
    "contact": "KONTAKT-Testgatan 1",
    "note": "ANTECKNING-samtal med mamma",
    "assessment": "BEDÖMNING-oro kvarstår",
    "action_note": "ÅTGÄRD-SIP med skolan",
    "made_by": "GJORD-AV-Rektor Rektorsson",
    "consent_purpose": "SAMTYCKE-för SIG med Anna",
    "given_by": "GIVARE-Vårdnadshavare Vårdnadsson",
    "disclosure_ground": "RÖJ-GRUND-OSL 10:28 om Testperson",
    "decided_by": "BESLUTARE-Enhetschef Chefsson",
    "withdrawal_reason": "ÅTERKALLAT-fel grund för Testperson",
    "hold_reason": "BEVARA-förundersökning mot Testperson",
    "transfer_ground": "ÖVERLÄMNA-GRUND-OSL 10:2 om Testperson",
    "closure": "AVSLUT-skäl om Testperson",
    "no_report_reason": "INGEN-ANMÄLAN-polisen har anmält",
    "forum_ground": "FORUM-GRUND-OSL 10 kap. 2 § om Testperson",
}


@pytest.fixture
def purged_concern(cast, make_concern):
    coordinator, other = cast["coordinator"], cast["coordinator_other"]
    concern = make_concern("purge", concerns_child="yes", person_contact=TEXTS["contact"])
    Concern.objects.filter(pk=concern.pk).update(observation=TEXTS["observation"])
    pk = concern.pk

    def version():
        return Concern.objects.get(pk=pk).lock_version

    services.advance(concern_id=pk, actor=coordinator, lock_version=version(), note=TEXTS["note"])
    services.record_assessment(
        concern_id=pk, actor=coordinator, lock_version=version(), areas=["family"], text=TEXTS["assessment"]
    )
    services.record_action(
        concern_id=pk,
        actor=coordinator,
        lock_version=version(),
        kind="child_welfare_report",
        done_on=datetime.date(2025, 12, 1),
        district_id=Organisation.objects.get(slug="jarva").district_id,
        made_by=TEXTS["made_by"],
        note=TEXTS["action_note"],
    )
    sharing.record_consent(
        concern_id=pk,
        actor=coordinator,
        lock_version=version(),
        purpose=TEXTS["consent_purpose"],
        given_by=TEXTS["given_by"],
        given_on=datetime.date(2025, 12, 2),
    )
    disclosure = sharing.disclose(
        concern_id=pk,
        actor=coordinator,
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground=TEXTS["disclosure_ground"],
        decided_by=TEXTS["decided_by"],
    )
    sharing.withdraw_disclosure(
        concern_id=pk, disclosure_id=disclosure.pk, actor=coordinator, reason=TEXTS["withdrawal_reason"]
    )
    closure.set_legal_hold(
        concern_id=pk, actor=coordinator, lock_version=version(), hold=True, reason=TEXTS["hold_reason"]
    )
    closure.set_legal_hold(concern_id=pk, actor=coordinator, lock_version=version(), hold=False)
    raise_in_forum(
        actor=coordinator,
        concern_id=pk,
        lock_version=version(),
        kind="raised_in_sspf",
        forum_id=Forum.objects.get(name="SSPF Järva").pk,
        done_on=datetime.date(2025, 12, 3),
        legal_ground=TEXTS["forum_ground"],
    )
    sharing.transfer(
        concern_id=pk,
        actor=coordinator,
        lock_version=version(),
        to_organisation=Organisation.objects.get(slug="sodermalm"),
        legal_ground=TEXTS["transfer_ground"],
    )
    closure.close(
        concern_id=pk,
        actor=other,
        lock_version=version(),
        outcome=Outcome.NO_FURTHER_ACTION,
        reason=TEXTS["closure"],
    )
    # The orosanmälan is on record above, so closing asked for no reason; one written on another
    # concern's path lands in the same field.
    Concern.objects.filter(pk=pk).update(child_report_not_made_reason=TEXTS["no_report_reason"])
    # Before the purge every text is there (so the test below proves something).
    assert _texts_found(pk) == set(TEXTS.values()) - {TEXTS["hold_reason"]}  # lifting a hold clears its reason
    Concern.objects.filter(pk=pk).update(retain_until=datetime.date(2026, 1, 1))
    assert purge_expired(today=datetime.date(2026, 1, 2)).purged == 1
    return Concern.objects.get(pk=pk)


def _path_to_concern(model: type[models.Model]) -> str:
    """The lookup from ``model`` to its concern: straight (``concern``), or through the record it hangs
    on (a forum raising through its action: ``action__concern``)."""
    links = [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]
    for field in links:
        if field.related_model is Concern:
            return field.name
    for field in links:
        if field.related_model is not Concern and field.related_model in concern_related_models():
            return f"{field.name}__{_path_to_concern(field.related_model)}"
    raise AssertionError(f"{model._meta.label}: no path to the concern")


def _related_rows(concern_pk: int) -> list[models.Model]:
    rows: list[models.Model] = list(Concern.objects.filter(pk=concern_pk))
    for model in concern_related_models():
        if model is Concern:
            continue
        rows += list(model.objects.filter(**{_path_to_concern(model): concern_pk}))
    return rows


def _texts_found(concern_pk: int) -> set[str]:
    found = set()
    for row in _related_rows(concern_pk):
        for field in row._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                value = str(getattr(row, field.attname))
                found |= {text for text in TEXTS.values() if text in value}
    return found


def test_after_the_purge_no_related_row_holds_any_of_the_original_texts(purged_concern):
    assert _texts_found(purged_concern.pk) == set()
    assert purged_concern.person_pnr == "" and purged_concern.reporter_id is None


def test_after_the_purge_every_personal_text_field_is_empty(purged_concern):
    left = [
        f"{row._meta.label_lower}.{field.name}={getattr(row, field.attname)!r}"
        for row in _related_rows(purged_concern.pk)
        for field in row._meta.concrete_fields
        if isinstance(field, TEXT_FIELDS)
        and f"{row._meta.label_lower}.{field.name}" not in NOT_PERSONAL
        and getattr(row, field.attname) not in ("", [], None)
    ]
    assert not left


def test_after_the_purge_the_reporter_is_not_linked_through_the_chronology(purged_concern, cast):
    assert not purged_concern.events.filter(actor=cast["staff"]).exists()


def test_the_database_holds_the_texts_only_encrypted_before_the_purge(cast, make_concern):
    """The raw columns: no free text or name in plain text, whatever the ORM shows."""
    concern = make_concern()
    sharing.record_consent(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=1,
        purpose=TEXTS["consent_purpose"],
        given_by=TEXTS["given_by"],
        given_on=datetime.date(2025, 12, 2),
    )
    sharing.disclose(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground=TEXTS["disclosure_ground"],
        decided_by=TEXTS["decided_by"],
    )
    closure.set_legal_hold(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=3,
        hold=True,
        reason=TEXTS["hold_reason"],
    )
    sharing.transfer(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        lock_version=4,
        to_organisation=Organisation.objects.get(slug="sodermalm"),
        legal_ground=TEXTS["transfer_ground"],
    )
    with connection.cursor() as cursor:
        for model, field, _ in text_fields():
            cursor.execute(f"SELECT {field.column} FROM {model._meta.db_table}")  # noqa: S608
            for (value,) in cursor.fetchall():
                assert not any(text in str(value) for text in TEXTS.values()), (model, field.name)
                assert TEST_PNR not in str(value)


def test_the_access_log_holds_none_of_the_texts(purged_concern):
    for entry in AccessLogEntry.objects.all():
        row = " ".join(str(getattr(entry, f.attname)) for f in AccessLogEntry._meta.concrete_fields)
        assert not any(text in row for text in TEXTS.values()), entry.action
