"""The search index: a trigram index of each customer's search text, kept by triggers.

SQLite: an FTS5 table with the trigram tokenizer (substring matching, rowid = party id).
PostgreSQL: a table with a pg_trgm GIN index. Either way, every insert, change of search
text and delete is mirrored by the database itself, except rows an import creates, which
the import indexes in bulk once they are in (see customers/search.py).
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE customers_party_fts USING fts5(doc, tokenize='trigram')",
    """CREATE TRIGGER customers_party_fts_insert AFTER INSERT ON customers_party
       WHEN NEW.import_job_id IS NULL
       BEGIN INSERT INTO customers_party_fts(rowid, doc) VALUES (NEW.id, NEW.search_text); END""",
    """CREATE TRIGGER customers_party_fts_update AFTER UPDATE OF search_text ON customers_party
       BEGIN
         DELETE FROM customers_party_fts WHERE rowid = OLD.id;
         INSERT INTO customers_party_fts(rowid, doc) VALUES (NEW.id, NEW.search_text);
       END""",
    """CREATE TRIGGER customers_party_fts_delete AFTER DELETE ON customers_party
       BEGIN DELETE FROM customers_party_fts WHERE rowid = OLD.id; END""",
    "INSERT INTO customers_party_fts(rowid, doc) SELECT id, search_text FROM customers_party",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS customers_party_fts_insert",
    "DROP TRIGGER IF EXISTS customers_party_fts_update",
    "DROP TRIGGER IF EXISTS customers_party_fts_delete",
    "DROP TABLE IF EXISTS customers_party_fts",
]

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE customers_party_search (party_id bigint PRIMARY KEY, doc text NOT NULL)",
    "CREATE INDEX customers_party_search_trgm ON customers_party_search USING gin (doc gin_trgm_ops)",
    # WHEN clauses are checked in C: rows an import writes (indexed later, in bulk) and
    # updates that leave the search text alone never call into PL/pgSQL.
    """CREATE FUNCTION customers_party_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           DELETE FROM customers_party_search WHERE party_id = OLD.id;
         ELSE
           INSERT INTO customers_party_search (party_id, doc) VALUES (NEW.id, NEW.search_text)
           ON CONFLICT (party_id) DO UPDATE SET doc = EXCLUDED.doc;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER customers_party_search_insert AFTER INSERT ON customers_party
       FOR EACH ROW WHEN (NEW.import_job_id IS NULL) EXECUTE FUNCTION customers_party_search_sync()""",
    """CREATE TRIGGER customers_party_search_update AFTER UPDATE OF search_text ON customers_party
       FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text)
       EXECUTE FUNCTION customers_party_search_sync()""",
    """CREATE TRIGGER customers_party_search_delete AFTER DELETE ON customers_party
       FOR EACH ROW EXECUTE FUNCTION customers_party_search_sync()""",
    # Row triggers do not see TRUNCATE (test flushes use it): empty the index with the table.
    """CREATE FUNCTION customers_party_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN TRUNCATE customers_party_search; RETURN NULL; END $$""",
    """CREATE TRIGGER customers_party_search_truncate AFTER TRUNCATE ON customers_party
       FOR EACH STATEMENT EXECUTE FUNCTION customers_party_search_truncate()""",
    "INSERT INTO customers_party_search (party_id, doc) SELECT id, search_text FROM customers_party",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS customers_party_search_truncate ON customers_party",
    "DROP TRIGGER IF EXISTS customers_party_search_insert ON customers_party",
    "DROP TRIGGER IF EXISTS customers_party_search_update ON customers_party",
    "DROP TRIGGER IF EXISTS customers_party_search_delete ON customers_party",
    "DROP FUNCTION IF EXISTS customers_party_search_truncate()",
    "DROP FUNCTION IF EXISTS customers_party_search_sync()",
    "DROP TABLE IF EXISTS customers_party_search",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
