"""Chronology summaries written before summaries became fixed wording can hold free text: the legal
ground and the decision maker of a disclosure or hand-over, a consent's purpose, a caseworker's name.
Migration 0005 encrypted them; this one rewrites them, by the event's ``kind``, to the wording the
services write today, so no such text stays in a summary (those texts live on, encrypted, on the
Disclosure, Transfer and Consent records, where the purge clears them).

- ``disclosed``: "Röjd för <organisation>, beslutat av <namn> (grund: <grund>)" -> "Röjd för <organisation>"
- ``transferred``: "Överlämnad till <organisation> (grund: <grund>)" -> "Överlämnad till <organisation>"
- ``consent`` / ``consent_withdrawn``: "Samtycke registrerat/återkallat: <syfte>" -> without the purpose
- ``assigned``: "Tilldelad <namn>" -> "Handläggare tilldelad" ("Tilldelning borttagen" stays)
- ``assessment``: always "Bedömningen uppdaterades"

Every other kind was always written in fixed words from codes and organisation names and is left as
it is. Raw SQL as in 0005 (values are encrypted under "concerns.event.summary"); rows are walked in
primary-key batches; a summary already in today's wording maps to itself and is not written, so the
migration can be re-run. There is no way back: the free text is gone on purpose.
"""

from django.db import migrations

BATCH = 500
CONTEXT = "concerns.event.summary"
ORGANISATION_NAME_MAX = 100  # organisations.Organisation.name
SOMEONE_ELSE = "en annan organisation"  # should an old summary not name an organisation after all


def _organisation(summary: str, prefix: str, ends: tuple[str, ...]) -> str:
    """The organisation's name: the text after ``prefix`` up to the first of ``ends`` (old wording) or
    to the end (today's wording)."""
    rest = summary[len(prefix) :] if summary.startswith(prefix) else ""
    cut = min((i for end in ends if (i := rest.find(end)) >= 0), default=len(rest))
    name = rest[:cut].strip()
    return name if name and len(name) <= ORGANISATION_NAME_MAX else SOMEONE_ELSE


def _disclosed(summary: str) -> str:
    return "Röjd för " + _organisation(summary, "Röjd för ", (", beslutat av", " (grund:"))


def _transferred(summary: str) -> str:
    return "Överlämnad till " + _organisation(summary, "Överlämnad till ", (" (grund:",))


REWRITES = {
    "disclosed": _disclosed,
    "transferred": _transferred,
    "consent": lambda summary: "Samtycke registrerat",
    "consent_withdrawn": lambda summary: "Samtycke återkallat",
    "assigned": lambda summary: summary if summary == "Tilldelning borttagen" else "Handläggare tilldelad",
    "assessment": lambda summary: "Bedömningen uppdaterades",
}


def rewrite_summaries(apps, schema_editor) -> None:
    from vbe.core import crypto

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    Event = apps.get_model("concerns", "Event")
    table, pk = quote(Event._meta.db_table), quote(Event._meta.pk.column)
    kind, summary = quote(Event._meta.get_field("kind").column), quote(Event._meta.get_field("summary").column)
    kinds = sorted(REWRITES)
    marks = ", ".join(["%s"] * len(kinds))
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {kind}, {summary} FROM {table} "  # noqa: S608
                f"WHERE {kind} IN ({marks}) AND {pk} > %s ORDER BY {pk} LIMIT {BATCH}",
                [*kinds, last],
            )
            rows = cursor.fetchall()
            for row_pk, row_kind, token in rows:
                if not token:
                    continue  # purged
                try:
                    old = crypto.decrypt(token, context=CONTEXT)
                except crypto.DecryptionError:
                    old = token  # never encrypted (0005 encrypts all): plaintext all the same
                new = REWRITES[row_kind](old)
                if new != old or token == old:
                    cursor.execute(
                        f"UPDATE {table} SET {summary} = %s WHERE {pk} = %s",  # noqa: S608
                        [crypto.encrypt(new, context=CONTEXT), row_pk],
                    )
        if len(rows) < BATCH:
            break
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("concerns", "0005_encrypt_handling_texts")]

    operations = [migrations.RunPython(rewrite_summaries, migrations.RunPython.noop)]
