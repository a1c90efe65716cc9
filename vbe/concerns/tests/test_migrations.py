"""Issue 7 item 18: migration 0005 encrypts the texts already in the database, and can be reversed;
0006 rewrites the chronology's old summaries, which held free text, to today's fixed wording."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = ("concerns", "0004_child_report_and_disclosure_withdrawal")
AFTER = ("concerns", "0005_encrypt_handling_texts")
PLAIN = {
    ("concerns_concern", "legal_hold_reason"): "Förundersökning mot Testperson",
    ("concerns_consent", "purpose"): "SIG för Testperson",
    ("concerns_disclosure", "legal_ground"): "OSL 10:28 om Testperson",
    ("concerns_disclosure", "decided_by"): "Enhetschef Chefsson",
    ("concerns_event", "summary"): "Röjd för X, beslutat av Enhetschef Chefsson",
    ("concerns_transfer", "legal_ground"): "OSL 10:2 om Testperson",
}
# What each text is after the last migration: the same, but for the summary's free text (0006).
CURRENT = {**PLAIN, ("concerns_event", "summary"): "Röjd för X"}


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    leaves = executor.loader.graph.leaf_nodes()
    # Forward to concerns' newest migration means forward to every app's: going back unapplied the
    # apps that depend on concerns (collaboration) too, and the next test needs their tables.
    executor.migrate(leaves if target in leaves else [target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_existing_plaintext_is_encrypted_readable_and_reversible(cast):
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes("concerns")[0]
    old = _migrate(BEFORE)
    try:
        Concern = old.get_model("concerns", "Concern")
        # only(): the historical model is that of an older organisations migration than the table's.
        Organisation = old.get_model("organisations", "Organisation").objects.only("slug")
        jarva, sodermalm = Organisation.get(slug="jarva"), Organisation.get(slug="sodermalm")
        concern = Concern.objects.create(
            reference="ORO-2025-00001",
            reporter_id=cast["staff"].pk,
            reporter_organisation=jarva,
            reported_to=jarva,
            organisation=jarva,
            idempotency_key="migration",
            observation="Observerat",
            observed_on=datetime.date(2025, 1, 1),
            concerns_child="no",
            legal_hold=True,
            legal_hold_reason=PLAIN[("concerns_concern", "legal_hold_reason")],
        )
        actor = cast["coordinator"].pk
        old.get_model("concerns", "Consent").objects.create(
            concern=concern,
            purpose=PLAIN[("concerns_consent", "purpose")],
            given_by="Personen",
            given_on=datetime.date(2025, 1, 2),
            recorded_by_id=actor,
        )
        old.get_model("concerns", "Disclosure").objects.create(
            concern=concern,
            to_organisation=sodermalm,
            legal_ground=PLAIN[("concerns_disclosure", "legal_ground")],
            decided_by=PLAIN[("concerns_disclosure", "decided_by")],
            decided_at=timezone.now(),
            recorded_by_id=actor,
        )
        old.get_model("concerns", "Event").objects.create(
            concern=concern, actor_id=actor, kind="disclosed", summary=PLAIN[("concerns_event", "summary")]
        )
        old.get_model("concerns", "Transfer").objects.create(
            concern=concern,
            from_organisation=jarva,
            to_organisation=sodermalm,
            legal_ground=PLAIN[("concerns_transfer", "legal_ground")],
            by_id=actor,
        )
        for (table, column), text in PLAIN.items():
            assert _raw(table, column) == [text]

        _migrate(AFTER)
        for (table, column), text in PLAIN.items():
            (value,) = _raw(table, column)
            assert value.startswith("v1:") and text not in value, (table, column)
        _migrate(leaf)
        from vbe.concerns.models import Concern as Current

        current = Current.objects.get(reference="ORO-2025-00001")
        assert current.legal_hold_reason == PLAIN[("concerns_concern", "legal_hold_reason")]
        assert current.consents.get().purpose == PLAIN[("concerns_consent", "purpose")]
        disclosure = current.disclosures.get()
        assert (disclosure.legal_ground, disclosure.decided_by) == (
            PLAIN[("concerns_disclosure", "legal_ground")],
            PLAIN[("concerns_disclosure", "decided_by")],
        )
        assert current.events.get().summary == CURRENT[("concerns_event", "summary")]
        assert current.transfers.get().legal_ground == PLAIN[("concerns_transfer", "legal_ground")]

        _migrate(BEFORE)  # backwards: plaintext again, in the old column types (the free text stays gone)
        for (table, column), text in CURRENT.items():
            assert _raw(table, column) == [text]
    finally:
        _migrate(leaf)


# kind -> (a summary as services wrote it before summaries became fixed wording, today's wording).
OLD_SUMMARIES = [
    (
        "disclosed",
        "Röjd för Utbildningsnämnden, beslutat av Enhetschef Chefsson (grund: OSL 10:28 om Testperson)",
        "Röjd för Utbildningsnämnden",
    ),
    ("disclosed", "Röjd för Södermalm stadsdelsnämnd (grund: OSL)", "Röjd för Södermalm stadsdelsnämnd"),
    (
        "transferred",
        "Överlämnad till Södermalm stadsdelsnämnd (grund: OSL 10:2, Testperson bor där)",
        "Överlämnad till Södermalm stadsdelsnämnd",
    ),
    ("consent", "Samtycke registrerat: SIG för Testperson", "Samtycke registrerat"),
    ("consent_withdrawn", "Samtycke återkallat: SIG för Testperson", "Samtycke återkallat"),
    ("assigned", "Tilldelad Hanna Handläggarsson", "Handläggare tilldelad"),
    ("assigned", "Tilldelning borttagen", "Tilldelning borttagen"),
    ("assessment", "Bedömningen uppdaterades", "Bedömningen uppdaterades"),
    # Already today's wording, and kinds that never held free text: left as they are.
    ("disclosed", "Röjd för Utbildningsnämnden", "Röjd för Utbildningsnämnden"),
    ("advanced", "Från mottagen till första bedömning", "Från mottagen till första bedömning"),
    ("submitted", "Oron rapporterades till Järva stadsdelsnämnd", "Oron rapporterades till Järva stadsdelsnämnd"),
    ("closed", "Avslutad: Ingen vidare åtgärd", "Avslutad: Ingen vidare åtgärd"),
]
FREE_TEXT = ("Chefsson", "Testperson", "OSL", "grund", "Hanna", "SIG")


@pytest.mark.django_db(transaction=True)
def test_old_summaries_are_rewritten_to_todays_wording_and_a_rerun_changes_nothing(cast):
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes("concerns")[0]
    old = _migrate(BEFORE)
    try:
        Concern = old.get_model("concerns", "Concern")
        # only(): the historical model is that of an older organisations migration than the table's.
        jarva = old.get_model("organisations", "Organisation").objects.only("slug").get(slug="jarva")
        concern = Concern.objects.create(
            reference="ORO-2025-00002",
            reporter_id=cast["staff"].pk,
            reporter_organisation=jarva,
            reported_to=jarva,
            organisation=jarva,
            idempotency_key="summaries",
            observation="Observerat",
            observed_on=datetime.date(2025, 1, 1),
            concerns_child="no",
        )
        Event = old.get_model("concerns", "Event")
        for kind, summary, _ in OLD_SUMMARIES:
            Event.objects.create(concern=concern, actor_id=cast["coordinator"].pk, kind=kind, summary=summary)
        Event.objects.create(concern=concern, kind="consent", summary="")  # purged: stays empty

        new = _migrate(leaf)
        from vbe.concerns.models import Event as Current

        events = list(Current.objects.filter(concern__reference="ORO-2025-00002").order_by("pk"))
        assert [e.summary for e in events] == [expected for *_, expected in OLD_SUMMARIES] + [""]
        raw = _raw("concerns_event", "summary")
        assert all(value.startswith("v1:") for value in raw[:-1]) and raw[-1] == ""
        for value in (e.summary for e in events):
            assert not any(text in value for text in FREE_TEXT), value

        # Idempotent: run again, nothing is written (every stored token stays as it was).
        migration = importlib.import_module("vbe.concerns.migrations.0006_rewrite_old_event_summaries")
        with connection.schema_editor() as editor:
            migration.rewrite_summaries(new, editor)
        assert _raw("concerns_event", "summary") == raw
    finally:
        _migrate(leaf)
