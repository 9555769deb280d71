"""After a public write: the one place that decides what must follow it.

Readers see the content through two copies kept apart from its rows: the search index
(:mod:`articles.search`) and the cached pages (:mod:`hitech_portal.pagecache`); editors see its
past in the revisions (:mod:`articles.revisions`). So every write of a row that a public page
shows is followed by:

- :func:`articles_changed` — articles saved, published, withdrawn, retagged or deleted: a
  revision records who changed them and how; their search entries are rewritten (drafts and
  deleted articles simply leave the index); the times they appear or disappear that are still
  to come are noted (no cached page may outlive them), and cached pages are retired;
- :func:`pages_changed` — a row that pages show but search does not read (a category, a tag's
  slug, an FAQ entry, a flag, an indicator, an observation): cached pages are retired.

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

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from hitech_portal import pagecache

from . import revisions, search
from .models import FAQ, SEARCHED_FIELDS, UNTRACKED, Article, Category, Tag


@dataclass
class _Pending:
    user: object = None
    how: str = ""
    import_record: object = None
    revised: dict[int, str] = field(default_factory=dict)  # article id -> how
    indexed: set[int] = field(default_factory=set)
    pages: bool = False

    def add(self, ids, how, searched) -> None:
        for pk in ids:
            self.revised[pk] = how or self.revised.get(pk) or self.how
        if searched:
            self.indexed |= ids
        self.pages = True

    def carry_out(self) -> None:
        if self.revised:
            revisions.record(self.revised, user=self.user, import_record=self.import_record)
        if self.indexed:
            pagecache.schedule_pages(search.index_articles(sorted(self.indexed)))
        if self.pages:
            pagecache.invalidate_pages_on_commit()


_pending: ContextVar[_Pending | None] = ContextVar("public_changes_pending", default=None)


def articles_changed(
    article_ids: Iterable[int],
    *,
    how: str = "",
    searched: bool = True,
    user=None,
    import_record=None,
) -> None:
    """Articles were written (or deleted): record a revision (``how``: "导入：文章.csv", "审核通过"
    …, by ``user``), re-index them unless only fields search does not read changed
    (``searched=False``), note their schedule, retire pages."""
    ids = {int(pk) for pk in article_ids}
    if not ids:
        return
    pending = _pending.get()
    if pending is None:
        pending = _Pending(user=user, how=how, import_record=import_record)
        pending.add(ids, how, searched)
        pending.carry_out()
        return
    pending.user = user or pending.user
    pending.import_record = import_record or pending.import_record
    pending.add(ids, how, searched)


def pages_changed() -> None:
    """A row public pages show, but search does not read, was written: retire cached pages."""
    pending = _pending.get()
    if pending is not None:
        pending.pages = True
    else:
        _Pending(pages=True).carry_out()


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


# --- single-row writes, through signals -----------------------------------------------------------


def article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loaddata: the fixture's rows, not an edit (rebuild the index afterwards)
        return
    if update_fields is not None and set(update_fields) <= UNTRACKED | {"version"}:
        pages_changed()
    else:
        searched = update_fields is None or bool(SEARCHED_FIELDS.intersection(update_fields))
        articles_changed([instance.pk], searched=searched)


def article_deleted(sender, instance, **kwargs):
    articles_changed([instance.pk])


def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``article.tags.set/add/remove/clear`` and the same from a tag (``tag.articles.add``)."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            articles_changed([instance.pk])
    elif action == "pre_clear":
        instance._articles_cleared = list(instance.articles.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        articles_changed(pk_set)
    elif action == "post_clear":
        articles_changed(instance.__dict__.pop("_articles_cleared", ()))


def tag_saved(sender, instance, created, raw=False, **kwargs):
    if raw or created:  # a new tag is on no article yet
        pages_changed()
    else:  # a renamed tag reads differently in every article that carries it
        articles_changed(instance.articles.values_list("pk", flat=True))


def tag_deleting(sender, instance, **kwargs):
    instance._tagged_ids = list(instance.articles.values_list("pk", flat=True))


def tag_deleted(sender, instance, **kwargs):
    articles_changed(instance.__dict__.pop("_tagged_ids", ()))


def row_shown_changed(sender, raw=False, **kwargs):
    if not raw:
        pages_changed()


def shown_on_pages(*models) -> None:
    """Retire cached pages whenever a row of these models is saved or deleted, or (for the
    automatic link model of a many-to-many field) links are added or removed."""
    for model in models:
        uid = f"public_changes:{model._meta.label}"
        post_save.connect(row_shown_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(row_shown_changed, sender=model, dispatch_uid=uid)
        m2m_changed.connect(_links_changed, sender=model, dispatch_uid=uid)


def _links_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        pages_changed()


def connect() -> None:
    """The article app's receivers (``ArticlesConfig.ready``)."""
    post_save.connect(article_saved, sender=Article, dispatch_uid="public_changes:article")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid="public_changes:article")
    m2m_changed.connect(
        article_tags_changed, sender=Article.tags.through, dispatch_uid="public_changes:tags"
    )
    post_save.connect(tag_saved, sender=Tag, dispatch_uid="public_changes:tag")
    pre_delete.connect(tag_deleting, sender=Tag, dispatch_uid="public_changes:tag")
    post_delete.connect(tag_deleted, sender=Tag, dispatch_uid="public_changes:tag")
    shown_on_pages(Category, FAQ, Article.related.through)
