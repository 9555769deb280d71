"""The search index: an FTS5 table on SQLite, a GIN-indexed table on PostgreSQL.

The statements are written out here, as they were when this migration was made: a migration is
history, and the search backends (``articles.search.sqlite``/``postgres``) may change later.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE article_search_fts USING fts5("
    "title, tags, summary, body, cat, content='', columnsize=0, tokenize='ascii')",
    "CREATE VIRTUAL TABLE article_search_title USING fts5("
    "title, cat, content='', columnsize=0, tokenize='ascii')",
    # Buffer 32 MB of a transaction's postings before writing a segment (default 1 MB).
    "INSERT INTO article_search_fts(article_search_fts, rank) VALUES ('hashsize', 33554432)",
    "CREATE TABLE article_search_entry ("
    "article_id INTEGER PRIMARY KEY, key INTEGER NOT NULL, data BLOB)",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS article_search_fts",
    "DROP TABLE IF EXISTS article_search_title",
    "DROP TABLE IF EXISTS article_search_entry",
]
POSTGRESQL = [
    """CREATE TABLE article_search (
        article_id bigint NOT NULL,
        chunk int NOT NULL,
        key bigint NOT NULL,
        category_id bigint NOT NULL,
        title_vec tsvector NOT NULL,
        vec tsvector NOT NULL,
        PRIMARY KEY (article_id, chunk)
    )""",
    "CREATE INDEX article_search_key ON article_search (key)",
    "CREATE INDEX article_search_category_key ON article_search (category_id, key)",
    "CREATE INDEX article_search_vec ON article_search USING gin (vec)",
    "CREATE INDEX article_search_title_vec ON article_search USING gin (title_vec)",
]
POSTGRESQL_DROP = ["DROP TABLE IF EXISTS article_search"]


def _run(schema_editor, postgresql, sqlite):
    statements = postgresql if schema_editor.connection.vendor == "postgresql" else sqlite
    for statement in statements:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    _run(schema_editor, POSTGRESQL, SQLITE)


def drop(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_DROP, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_flagged_article_indexes")]

    operations = [migrations.RunPython(create, drop)]
