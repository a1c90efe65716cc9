"""The search index of support resources, one for each database (see vbe/knowledge/search.py).

PostgreSQL: a weighted tsvector per resource (title A, summary B, body and attachments C, config
``swedish``) under a GIN index, and pg_trgm for the suggestions. SQLite: an FTS5 table of stems,
tokenised by unicode61 with diacritics kept (å, ä, ö stay apart from a, o). Both: the words seen in
the index with their stems, for "did you mean". Django models none of these tables: they are read and
written with SQL by search_postgres.py, search_sqlite.py and suggestions.py only.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

POSTGRESQL = [
    """CREATE TABLE knowledge_search (
        resource_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX knowledge_search_document ON knowledge_search USING gin (document)",
    "CREATE TABLE knowledge_search_term (word text PRIMARY KEY, stem text NOT NULL)",
    "CREATE INDEX knowledge_search_term_stem ON knowledge_search_term (stem)",
    "CREATE INDEX knowledge_search_term_trigram ON knowledge_search_term USING gin (word gin_trgm_ops)",
]
SQLITE = [
    # The rowid is the resource's id. Columns hold stems (stemming.stemmed_text), not the text itself.
    """CREATE VIRTUAL TABLE knowledge_search_fts USING fts5(
        title, summary, body, tokenize = "unicode61 remove_diacritics 0"
    )""",
    "CREATE TABLE knowledge_search_term (word TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX knowledge_search_term_stem ON knowledge_search_term (stem)",
]
DROP = {
    "postgresql": ["DROP TABLE IF EXISTS knowledge_search_term", "DROP TABLE IF EXISTS knowledge_search"],
    "sqlite": ["DROP TABLE IF EXISTS knowledge_search_term", "DROP TABLE IF EXISTS knowledge_search_fts"],
}


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """Django's operation skips other databases going forwards but not backwards; this does both."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_resources_versions_attachments_reviews")]
    operations = [
        # Does nothing on SQLite; on PostgreSQL the extension is trusted (a database owner may create it).
        TrigramExtensionOnPostgreSQL(),
        migrations.RunPython(forwards, backwards),
    ]
