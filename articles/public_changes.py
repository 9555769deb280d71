"""After a public write: the one place that decides what must follow it.

Readers see the content through two copies kept apart from its rows: the search index
(:mod:`articles.search`) and the cached pages (:mod:`hitech_portal.pagecache`). So every write of
a row that a public page shows is followed by:

- :func:`articles_changed` — articles saved, published, withdrawn, retagged or deleted: their
  search entries are rewritten (drafts and deleted articles simply leave the index), publication
  times still to come are noted (no cached page may outlive them), and cached pages are retired;
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
admin save that writes the article, then its tags, FAQ entries and indicator links re-indexes the
article once and retires the pages once. The search index lives in the same database, so a
rollback takes its entries back with the rows.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from hitech_portal import pagecache

from . import search
from .models import FAQ, SEARCHED_FIELDS, Article, Category, Tag


@dataclass
class _Pending:
    article_ids: set[int] = field(default_factory=set)
    pages: bool = False


_pending: ContextVar[_Pending | None] = ContextVar("public_changes_pending", default=None)


def articles_changed(article_ids: Iterable[int]) -> None:
    """Articles were written (or deleted): re-index them, note their schedule, retire pages."""
    ids = {int(pk) for pk in article_ids}
    if not ids:
        return
    pending = _pending.get()
    if pending is not None:
        pending.article_ids |= ids
        pending.pages = True
    else:
        _carry_out(ids)


def pages_changed() -> None:
    """A row public pages show, but search does not read, was written: retire cached pages."""
    pending = _pending.get()
    if pending is not None:
        pending.pages = True
    else:
        _carry_out(set())


@contextmanager
def collected() -> Iterator[None]:
    """Merge the follow-ups of every write inside the block; carry them out once at its end.

    Nested blocks merge into the outermost. Open it inside the transaction of the writes
    (``with atomic(), collected():``): when the block raises, nothing is carried out, as the
    transaction takes the writes back.
    """
    if _pending.get() is not None:
        yield
        return
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending.article_ids or pending.pages:
        _carry_out(pending.article_ids)


def _carry_out(article_ids: set[int]) -> None:
    if article_ids:
        published = search.index_articles(sorted(article_ids))
        pagecache.schedule_pages(published)
    pagecache.invalidate_pages_on_commit()


def rebuild(progress=None) -> int:
    """Index every published article afresh (``manage.py rebuild_search_index``): a full rewrite,
    so the whole schedule is noted again and every cached page retired. Returns how many."""
    count = search.rebuild_index(progress)
    upcoming = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    ).values_list("published_at", flat=True)
    pagecache.schedule_pages(upcoming)
    pagecache.invalidate_pages_on_commit()
    return count


# --- single-row writes, through signals -----------------------------------------------------------


def article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loaddata: the fixture's rows, not an edit (rebuild the index afterwards)
        return
    if update_fields is not None and not SEARCHED_FIELDS.intersection(update_fields):
        pages_changed()
    else:
        articles_changed([instance.pk])


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
