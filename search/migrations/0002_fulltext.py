"""The database engine's full-text index, in each database's own dialect.

SQLite: an FTS5 table whose rowid is the item id. PostgreSQL: a ``tsvector`` column on
the documents table with a GIN index. Other databases get nothing and the engine falls back
to a containment test.
"""

from django.db import migrations


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS archive_search_fts "
            "USING fts5(body, tokenize = 'unicode61')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE archive_search_searchdocument ADD COLUMN IF NOT EXISTS tsv tsvector"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS archive_search_tsv_gin "
            "ON archive_search_searchdocument USING gin (tsv)"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS archive_search_fts")
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE archive_search_searchdocument DROP COLUMN tsv")


class Migration(migrations.Migration):
    dependencies = [("archive_search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
