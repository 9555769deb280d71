"""PostgreSQL: every index row of a long article carries its title vector, not only the first.

The "title matches first" tier leaves out of the body tier the rows whose title matches; a later
row of a long article had an empty title vector, so an article whose title and later body both
matched came up in both tiers. Rows written from now on carry it (``articles/search/postgres.py``);
this gives it to those already written. Nothing to do on SQLite (one row an article).
"""

from django.db import migrations

COPY_TITLES = (
    "UPDATE article_search AS later SET title_vec = first.title_vec FROM article_search AS first "
    "WHERE first.article_id = later.article_id AND first.chunk = 0 AND later.chunk > 0"
)


def copy_titles(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COPY_TITLES)


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_article_title_idx")]

    operations = [migrations.RunPython(copy_titles, migrations.RunPython.noop)]
