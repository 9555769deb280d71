"""After a public write: the one place that decides what must follow it.

Readers see the content through two copies kept apart from its rows: the search index
(:mod:`articles.search`) and the cached pages (:mod:`hitech_portal.pagecache`); editors see its
past in the revisions (:mod:`articles.revisions`). So every write of a row that a public page
shows is followed by:

- :func:`articles_changed` — articles saved, published, withdrawn, retagged or deleted: a
  revision records who changed them and how; their search entries are rewritten (drafts and
  deleted articles simply leave the index); the times they appear or disappear that are still
  to come are noted (no cached page may outlive them), and the cached pages that show them
  are retired;
- :func:`pages_changed` — a row that pages show but search does not read (a category, an FAQ
  entry, a flag, an indicator, an observation): the cached pages that show it are retired.

Which pages show what is said with page tags (:mod:`hitech_portal.pagecache`), decided here on
both sides, for a write (:func:`article_tags`, :func:`row_tags`) and for a page
(:func:`page_tags`):

- ``article:<id>`` — the article's words: on every page that read the article (its own page,
  the lists and related links that show it, noted as it is read);
- ``category:<id>``, ``tag:<id>`` — who is in that category's or tag's lists and in which order:
  on the category's or tag's pages and on the pages of the articles in it (their neighbours and
  related articles come from there), and on every page that shows the tag's name;
  ``lists`` on all of them, for a write that may have moved an article from lists it cannot tell;
- ``indicators`` — the figures, on every page that read an indicator; an article that is
  published or withdrawn moves it too (figures it cites are under its embargo);
- ``site`` — every other page (home, search, feeds, sitemaps, the API, the indicator pages):
  retired by every write of an article or of a figure;
- ``all`` — every page: a category (the menu on every page), an image, a tag's slug, anything
  not told apart (:func:`pages_changed` without tags, ``invalidate_pages``).

An article write that changes only what shows of the article itself (its summary, body, cover,
author …, :data:`WORDS_ONLY`) retires ``article:<id>`` and ``site``; any other write of it (its
status, dates, category, tags, title, keywords, flags, a new or deleted article) retires the
lists too, of the categories and tags it is in and was in before: for a single save the row as
it was, read just before; for a bulk write the categories and tags of its past revisions.

Who calls them:

- every single-row write, through the signal receivers below, connected in the apps' ``ready()``:
  ``save()`` and ``delete()`` of the content models, tags set on an article, a renamed or deleted
  tag. A signal, not a call in ``Article.save()``, because the search index reads the models: a
  call from the model would make ``articles.models`` and ``articles.search`` import each other.
  This way a save from the shell, a test or another app is followed exactly like an admin save;
- every bulk write, which sends no signal (``update()``, ``bulk_create()``, raw SQL), by calling
  the function itself: the admin's bulk actions, each batch of an import, ``load_demo``.

Inside :func:`collected` — the admin wraps each request that may write in it — the follow-ups of
all writes are merged and carried out once when the block ends, still inside its transaction: an
admin save that writes the article, then its tags, FAQ entries and indicator links leaves one
revision, re-indexes the article once and retires the pages once. The revisions and the search
index live in the same database, so a rollback takes them back with the rows.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)
from django.utils import timezone

from hitech_portal import pagecache
from hitech_portal.pagecache import EVERYTHING, SITE

from . import revisions, search
from .models import FAQ, SEARCHED_FIELDS, UNTRACKED, Article, Category, Tag

LISTS = "lists"
INDICATORS = "indicators"
#: Article fields that show only on the pages that read the article: changing them moves it in
#: no list (no filter, ordering, related-article choice or visibility reads them).
WORDS_ONLY = frozenset(
    {"subtitle", "author", "summary", "body", "cover_image_id", "source_url", "review_note"}
    | {"version", "view_count", "updated_at", "updated_by_id", "submitted_by_id", "created_by_id"}
)
#: The fields compared before a single save to tell a words-only change.
LISTED_FIELDS = [
    f.attname for f in Article._meta.concrete_fields if f.attname not in WORDS_ONLY | {"id"}
]
#: A bulk-written article with no revision is taken as new (in no list before) only if it was
#: created this recently; an older one may have been in lists nobody can tell any more.
NEW_ARTICLE = timedelta(hours=1)


@dataclass
class _Pending:
    user: object = None
    how: str = ""
    import_record: object = None
    revised: dict[int, str] = field(default_factory=dict)  # article id -> how
    indexed: set[int] = field(default_factory=set)
    words: set[int] = field(default_factory=set)  # articles whose own words changed
    listed: set[int] = field(default_factory=set)  # articles that may have moved in lists
    known: set[int] = field(default_factory=set)  # … whose lists before are in ``tags``
    tags: set[str] = field(default_factory=set)  # page tags retired besides

    def add(self, ids, how, searched, lists=True) -> None:
        for pk in ids:
            self.revised[pk] = how or self.revised.get(pk) or self.how
        if searched:
            self.indexed |= ids
        (self.listed if lists else self.words).update(ids)

    def carry_out(self) -> None:
        tags = self.tags | article_tags(self.words, self.listed, self.known)
        if self.revised:
            revisions.record(self.revised, user=self.user, import_record=self.import_record)
        if self.indexed:
            pagecache.schedule_pages(search.index_articles(sorted(self.indexed)))
        if tags:
            pagecache.retire_on_commit(tags)


_pending: ContextVar[_Pending | None] = ContextVar("public_changes_pending", default=None)


def articles_changed(
    article_ids: Iterable[int],
    *,
    how: str = "",
    searched: bool = True,
    user=None,
    import_record=None,
    lists: bool = True,
    before: Iterable[str] | None = None,
) -> None:
    """Articles were written (or deleted): record a revision (``how``: "导入：文章.csv", "审核通过"
    …, by ``user``), re-index them unless only fields search does not read changed
    (``searched=False``), note their schedule, retire the pages that show them.

    ``lists=False``: only their own words changed (:data:`WORDS_ONLY`), they moved in no list.
    ``before``: the page tags of the lists they were in before the write, when the caller read
    them (else their past revisions tell)."""
    ids = {int(pk) for pk in article_ids}
    if not ids:
        return
    pending = _pending.get()
    alone = pending is None
    if alone:
        pending = _Pending(user=user, how=how, import_record=import_record)
    else:
        pending.user = user or pending.user
        pending.import_record = import_record or pending.import_record
    pending.add(ids, how, searched, lists)
    if before is not None:
        pending.tags.update(before)
        pending.known |= ids
    if alone:
        pending.carry_out()


def pages_changed(*tags: str) -> None:
    """A row public pages show, but search does not read, was written: retire the cached pages
    that show it (``tags``; without any, every page)."""
    tags = set(tags) or {EVERYTHING}
    pending = _pending.get()
    if pending is not None:
        pending.tags |= tags
    else:
        _Pending(tags=tags).carry_out()


@contextmanager
def collected(*, user=None, how: str = "") -> Iterator[None]:
    """Merge the follow-ups of every write inside the block; carry them out once at its end.
    ``user`` and ``how`` say, for the revisions, who writes and how, unless a write says itself.

    Nested blocks merge into the outermost (their ``how`` names the writes made inside them).
    Open it inside the transaction of the writes (``with atomic(), collected():``): when the block
    raises, nothing is carried out, as the transaction takes the writes back.
    """
    outer = _pending.get()
    if outer is not None:
        saved = outer.user, outer.how
        outer.user, outer.how = user or outer.user, how or outer.how
        try:
            yield
        finally:
            outer.user, outer.how = saved
        return
    pending = _Pending(user=user, how=how)
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    pending.carry_out()


def rebuild(progress=None) -> int:
    """Index every published article afresh (``manage.py rebuild_search_index``): a full rewrite,
    so the whole schedule is noted again and every cached page retired. Returns how many."""
    count = search.rebuild_index(progress)
    now = timezone.now()
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    pagecache.schedule_pages(
        [
            *published.filter(published_at__gt=now).values_list("published_at", flat=True),
            *published.filter(expires_at__gt=now).values_list("expires_at", flat=True),
        ]
    )
    pagecache.invalidate_pages_on_commit()
    return count


# --- what a write changes, what a page shows ------------------------------------------------------


def article_tags(words: set[int], listed: set[int], known: set[int] = frozenset()) -> set[str]:
    """The page tags a write of these articles retires: ``words`` changed only their own words,
    ``listed`` may have moved in lists (those in ``known`` had their lists before noted by the
    caller; the others' come from their revisions)."""
    if not words and not listed:
        return set()
    tags = {SITE, *(f"article:{pk}" for pk in words | listed)}
    if not listed:
        return tags
    tags.add(INDICATORS)
    now = Article.objects.filter(pk__in=listed).values_list("pk", "category_id", "created_at")
    present = {pk: (category, created) for pk, category, created in now}
    tags |= {f"category:{category}" for category, _ in present.values()}
    links = Article.tags.through.objects.filter(article_id__in=listed).values_list("tag_id")
    tags |= {f"tag:{tag}" for (tag,) in links.distinct()}
    unknown = listed - known
    if not unknown:
        return tags
    names, revised = set(), set()
    past = revisions.Revision.objects.filter(id__in=unknown).values_list(
        "id", "category_id", "tag_names"
    )
    for pk, category, tag_names in past.distinct():
        revised.add(pk)
        tags.add(f"category:{category}")
        names.update(name for name in (tag_names or "").split("、") if name)
    if names:
        ids = Tag.objects.filter(name__in=names).values_list("pk", flat=True)
        tags |= {f"tag:{pk}" for pk in ids}
    cutoff = timezone.now() - NEW_ARTICLE
    for pk in unknown - revised:
        if pk not in present or present[pk][1] < cutoff:  # was there before, lists unknown
            tags.add(LISTS)
            break
    return tags


def row_tags(instance) -> set[str]:
    """The page tags a write of a row other than an article retires."""
    label = instance._meta.label
    if label in ("indicators.Indicator", "indicators.Observation"):
        return {INDICATORS, SITE}
    if label == "indicators.IndicatorLink":
        return {INDICATORS, SITE, f"article:{instance.article_id}"}
    if isinstance(instance, FAQ):
        return {SITE, f"article:{instance.article_id}"}
    if isinstance(instance, Article.related.through):
        return {SITE, f"article:{instance.from_article_id}"}
    return {EVERYTHING}


def page_tags(request, shown: pagecache.Shown) -> set[str]:
    """The page tags of a page rendered for ``request`` that read ``shown`` as it rendered."""
    tags = {EVERYTHING, *shown.tags}
    match = getattr(request, "resolver_match", None)
    name, kwargs = (match.view_name, match.kwargs) if match else ("", {})
    if name == "articles:detail":
        # Its neighbours and related articles come from its category's and tags' lists.
        category = shown.facts.get(("article", kwargs["pk"]))
        tags |= {f"article:{kwargs['pk']}", f"category:{category}", LISTS}
        if category is None:
            tags.add(SITE)
    elif name == "articles:category" and ("category", kwargs["slug"]) in shown.facts:
        tags |= {f"category:{shown.facts[('category', kwargs['slug'])]}", LISTS}
    elif name == "articles:tag" and ("tag", kwargs["slug"]) in shown.facts:
        tags |= {f"tag:{shown.facts[('tag', kwargs['slug'])]}", LISTS}
    else:
        tags.add(SITE)
    return tags


def _article_read(sender, instance, **kwargs):
    shown = pagecache.noting()
    if shown is not None and instance.pk is not None:
        shown.tags.add(f"article:{instance.pk}")
        shown.facts[("article", instance.pk)] = instance.__dict__.get("category_id")


def _tag_read(sender, instance, **kwargs):
    shown = pagecache.noting()
    if shown is not None and instance.pk is not None:
        shown.tags.add(f"tag:{instance.pk}")
        shown.facts[("tag", instance.__dict__.get("slug"))] = instance.pk


def _category_read(sender, instance, **kwargs):
    shown = pagecache.noting()
    if shown is not None and instance.pk is not None:
        shown.facts[("category", instance.__dict__.get("slug"))] = instance.pk


def _indicator_read(sender, instance, **kwargs):
    shown = pagecache.noting()
    if shown is not None:
        shown.tags.add(INDICATORS)


# --- single-row writes, through signals -----------------------------------------------------------


def article_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before a save: the row as it was, to tell what lists the save moves it in."""
    if raw or instance.pk is None or instance._state.adding:
        return
    fields = LISTED_FIELDS if update_fields is None else [
        f.attname for f in Article._meta.concrete_fields
        if f.name in update_fields or f.attname in update_fields
    ]  # fmt: skip
    fields = [name for name in fields if name not in WORDS_ONLY]
    if not fields:
        instance._listed_before = (None, False)
        return
    row = Article.objects.filter(pk=instance.pk).values("category_id", *fields).first()
    if row is None:
        return
    moved = any(row[name] != getattr(instance, name) for name in fields)
    instance._listed_before = (row["category_id"], moved)


def article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loaddata: the fixture's rows, not an edit (rebuild the index afterwards)
        return
    category, moved = instance.__dict__.pop("_listed_before", (None, True))
    if update_fields is not None and set(update_fields) <= UNTRACKED | {"version"}:
        pages_changed()
        return
    searched = update_fields is None or bool(SEARCHED_FIELDS.intersection(update_fields))
    if not moved:
        articles_changed([instance.pk], searched=searched, lists=False)
    elif category is not None:
        articles_changed([instance.pk], searched=searched, before=[f"category:{category}"])
    else:
        articles_changed([instance.pk], searched=searched)


def article_deleting(sender, instance, **kwargs):
    tags = instance.tags.values_list("pk", flat=True)
    instance._listed_before = [f"category:{instance.category_id}", *(f"tag:{t}" for t in tags)]


def article_deleted(sender, instance, **kwargs):
    articles_changed([instance.pk], before=instance.__dict__.pop("_listed_before", None))


def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``article.tags.set/add/remove/clear`` and the same from a tag (``tag.articles.add``)."""
    if not reverse:
        if action == "pre_clear":
            instance._tags_cleared = list(instance.tags.values_list("pk", flat=True))
        elif action in ("post_add", "post_remove", "post_clear"):
            tags = pk_set if action != "post_clear" else instance.__dict__.pop("_tags_cleared", ())
            before = [f"category:{instance.category_id}", *(f"tag:{t}" for t in tags)]
            articles_changed([instance.pk], before=before)
    elif action == "pre_clear":
        instance._articles_cleared = list(instance.articles.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        articles_changed(pk_set, before=[f"tag:{instance.pk}"])
    elif action == "post_clear":
        articles_changed(
            instance.__dict__.pop("_articles_cleared", ()), before=[f"tag:{instance.pk}"]
        )


def tag_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        pages_changed()
    elif not created:  # a renamed tag reads differently in every article that carries it
        with collected():
            pages_changed(f"tag:{instance.pk}")  # every page that shows it, its own included
            articles_changed(instance.articles.values_list("pk", flat=True))


def tag_deleting(sender, instance, **kwargs):
    instance._tagged_ids = list(instance.articles.values_list("pk", flat=True))


def tag_deleted(sender, instance, **kwargs):
    with collected():
        pages_changed(f"tag:{instance.pk}", SITE)
        articles_changed(instance.__dict__.pop("_tagged_ids", ()), before=[f"tag:{instance.pk}"])


def row_shown_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        pages_changed(*row_tags(instance))


def shown_on_pages(*models) -> None:
    """Retire the cached pages that show a row of these models whenever one is saved or
    deleted, or (for the automatic link model of a many-to-many field) links are added or
    removed."""
    for model in models:
        uid = f"public_changes:{model._meta.label}"
        post_save.connect(row_shown_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(row_shown_changed, sender=model, dispatch_uid=uid)
        m2m_changed.connect(_links_changed, sender=model, dispatch_uid=uid)
        if model._meta.label == "indicators.Indicator":
            post_init.connect(_indicator_read, sender=model, dispatch_uid=uid)


def _links_changed(sender, instance, action, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    tags = {SITE}
    if sender._meta.label == "indicators.IndicatorLink":
        tags.add(INDICATORS)
    elif sender is not Article.related.through:
        tags.add(EVERYTHING)
    if isinstance(instance, Article):
        tags.add(f"article:{instance.pk}")
    if model is Article:
        if pk_set is None:  # cleared from the other side: whichever articles it held
            tags.add(EVERYTHING)
        tags |= {f"article:{pk}" for pk in pk_set or ()}
    pages_changed(*tags)


def connect() -> None:
    """The article app's receivers (``ArticlesConfig.ready``)."""
    uid = "public_changes:article"
    pre_save.connect(article_saving, sender=Article, dispatch_uid=uid)
    post_save.connect(article_saved, sender=Article, dispatch_uid=uid)
    pre_delete.connect(article_deleting, sender=Article, dispatch_uid=uid)
    post_delete.connect(article_deleted, sender=Article, dispatch_uid=uid)
    m2m_changed.connect(
        article_tags_changed, sender=Article.tags.through, dispatch_uid="public_changes:tags"
    )
    post_save.connect(tag_saved, sender=Tag, dispatch_uid="public_changes:tag")
    pre_delete.connect(tag_deleting, sender=Tag, dispatch_uid="public_changes:tag")
    post_delete.connect(tag_deleted, sender=Tag, dispatch_uid="public_changes:tag")
    post_init.connect(_article_read, sender=Article, dispatch_uid=uid)
    post_init.connect(_tag_read, sender=Tag, dispatch_uid="public_changes:tag")
    post_init.connect(_category_read, sender=Category, dispatch_uid="public_changes:category")
    shown_on_pages(Category, FAQ, Article.related.through)
