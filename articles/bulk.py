"""Writing imported articles in bulk: rows and tag links without a model instance each.

The importer (:mod:`articles.importing`) plans a batch; these functions write it with a handful
of statements: one ``bulk_create`` for the new articles, one ``executemany`` UPDATE per set of
changed columns (``bulk_update`` is 9× slower), one DELETE and one ``executemany`` INSERT for the
tag links, and one insert for tags not seen before. Sanitising happened before (``bulk_create``
bypasses ``Article.save()``); what follows the write is the caller's business
(:mod:`articles.public_changes`).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models import Q

from .models import Article, Tag
from .slugs import free_slug, pinyin_slugs


def insert_articles(rows: list[dict], user) -> list[int]:
    """New articles from field values; returns their ids in order."""
    articles = [Article(**values, created_by=user, updated_by=user) for values in rows]
    return [article.pk for article in Article.objects.bulk_create(articles)]


def update_articles(changes: Iterable[tuple[int, dict]], user, now: datetime) -> None:
    """``(article id, {field: new value})`` pairs: one UPDATE statement per set of fields."""
    groups = defaultdict(list)
    for article_id, values in changes:
        groups[tuple(values)].append((article_id, values))
    quote = connection.ops.quote_name
    meta = Article._meta
    stamp = meta.get_field("updated_at").get_db_prep_save(now, connection)
    user_id = user.pk if user else None
    for names, items in groups.items():
        fields = [meta.get_field(name) for name in names]
        columns = [field.column for field in fields] + ["updated_at", "updated_by_id"]
        assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
        # A form opened on the version before is refused, as after any other save.
        assignments += f", {quote('version')} = {quote('version')} + 1"
        sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
        params = [
            [
                *(f.get_db_prep_save(values[f.attname], connection) for f in fields),
                stamp,
                user_id,
                article_id,
            ]
            for article_id, values in items
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def replace_tag_links(retagged: list[int], links: list[tuple[int, int]]) -> None:
    """Drop every tag link of the ``retagged`` articles, then insert ``(article, tag)`` links."""
    through = Article.tags.through
    if retagged:
        through.objects.filter(article_id__in=retagged).delete()
    if links:  # plain rows: model instances for each link would cost more than the insert
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}, {}) VALUES (%s, %s)".format(
            quote(through._meta.db_table),
            quote(through._meta.get_field("article").column),
            quote(through._meta.get_field("tag").column),
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, links)


class TagIds:
    """Tag ids by name for a whole import, creating the names not seen before in bulk.

    A batch written inside a savepoint that is rolled back takes its new tags with it:
    :meth:`forget_new` drops their ids so the next attempt creates them again.
    """

    def __init__(self):
        self.ids: dict[str, int] = {}
        self.new: set[str] = set()

    def __getitem__(self, name: str) -> int:
        return self.ids[name]

    def ensure(self, names: set[str]) -> None:
        self.new.clear()
        missing = names - self.ids.keys()
        if missing:
            for tag_id, name in Tag.objects.filter(name__in=missing).values_list("id", "name"):
                self.ids[name] = tag_id
            missing -= self.ids.keys()
        if missing:
            tags = [Tag(name=name, slug=slug) for name, slug in _tag_slugs(sorted(missing))]
            for tag in Tag.objects.bulk_create(tags):
                self.ids[tag.name] = tag.pk
                self.new.add(tag.name)

    def forget_new(self) -> None:
        for name in self.new:
            self.ids.pop(name, None)
        self.new.clear()


def _tag_slugs(names):
    """Unique pinyin slugs for new tags, against the database and each other, in one query."""
    bases = pinyin_slugs(names, max_length=74)
    query = Q()
    for base in set(bases.values()):
        query |= Q(slug__startswith=base)
    taken = set(Tag.objects.filter(query).values_list("slug", flat=True))
    for name, base in bases.items():
        slug = free_slug(base, taken)
        taken.add(slug)
        yield name, slug
