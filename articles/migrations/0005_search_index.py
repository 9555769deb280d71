"""The search index: an FTS5 table on SQLite, a GIN-indexed table on PostgreSQL."""

from django.db import migrations


def _statements(schema_editor, name):
    from articles.search import postgres, sqlite

    backend = postgres if schema_editor.connection.vendor == "postgresql" else sqlite
    return getattr(backend, name)


def create(apps, schema_editor):
    for statement in _statements(schema_editor, "SCHEMA"):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in _statements(schema_editor, "DROP"):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_flagged_article_indexes")]

    operations = [migrations.RunPython(create, drop)]
