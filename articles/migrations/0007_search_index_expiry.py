"""The search index keeps each entry's 下线时间, so an article leaves the results when it expires.

Statements written out here, as the search backends may change later (see 0005).
"""

from django.db import migrations

SQLITE = [
    "ALTER TABLE article_search_entry ADD COLUMN expires INTEGER",
    "CREATE INDEX article_search_entry_expires ON article_search_entry (expires) "
    "WHERE expires IS NOT NULL",
]
SQLITE_UNDO = [
    "DROP INDEX IF EXISTS article_search_entry_expires",
    "ALTER TABLE article_search_entry DROP COLUMN expires",
]
POSTGRESQL = ["ALTER TABLE article_search ADD COLUMN expires bigint"]
POSTGRESQL_UNDO = ["ALTER TABLE article_search DROP COLUMN expires"]


def _run(schema_editor, postgresql, sqlite):
    statements = postgresql if schema_editor.connection.vendor == "postgresql" else sqlite
    for statement in statements:
        schema_editor.execute(statement)


def add(apps, schema_editor):
    _run(schema_editor, POSTGRESQL, SQLITE)


def remove(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_UNDO, SQLITE_UNDO)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_review_workflow_and_revisions")]

    operations = [migrations.RunPython(add, remove)]
