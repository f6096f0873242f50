"""PostgreSQL: the search table keeps each customer's sort key beside the search text.

A common word (a first name) matches tens of thousands of customers; with the sort key at
hand the first page's candidates are taken in name order from the search table itself,
instead of looking every match up in the customers table to sort them (see search.py).
SQLite's FTS5 table is left as it is: its lookups cost a fraction of PostgreSQL's.
"""

from django.db import migrations

SYNC = """CREATE OR REPLACE FUNCTION customers_party_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' THEN
       DELETE FROM customers_party_search WHERE party_id = OLD.id;
     ELSE
       INSERT INTO customers_party_search (party_id, doc, sort_key) VALUES (NEW.id, NEW.search_text, NEW.sort_key)
       ON CONFLICT (party_id) DO UPDATE SET doc = EXCLUDED.doc, sort_key = EXCLUDED.sort_key;
     END IF;
     RETURN NULL;
   END $$"""
SYNC_BEFORE = """CREATE OR REPLACE FUNCTION customers_party_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' THEN
       DELETE FROM customers_party_search WHERE party_id = OLD.id;
     ELSE
       INSERT INTO customers_party_search (party_id, doc) VALUES (NEW.id, NEW.search_text)
       ON CONFLICT (party_id) DO UPDATE SET doc = EXCLUDED.doc;
     END IF;
     RETURN NULL;
   END $$"""

FORWARD = [
    # The same collation as customers_party.sort_key, so both tables sort names alike.
    "ALTER TABLE customers_party_search ADD COLUMN sort_key varchar(200) NOT NULL DEFAULT ''",
    "UPDATE customers_party_search s SET sort_key = p.sort_key FROM customers_party p WHERE p.id = s.party_id",
    SYNC,
    "DROP TRIGGER customers_party_search_update ON customers_party",
    """CREATE TRIGGER customers_party_search_update AFTER UPDATE OF search_text, sort_key ON customers_party
       FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text
                          OR OLD.sort_key IS DISTINCT FROM NEW.sort_key)
       EXECUTE FUNCTION customers_party_search_sync()""",
]
BACKWARD = [
    "DROP TRIGGER customers_party_search_update ON customers_party",
    """CREATE TRIGGER customers_party_search_update AFTER UPDATE OF search_text ON customers_party
       FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text)
       EXECUTE FUNCTION customers_party_search_sync()""",
    SYNC_BEFORE,
    "ALTER TABLE customers_party_search DROP COLUMN sort_key",
]


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_note_kept_aside")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
