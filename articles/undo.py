"""Undoing an article import: what it changed goes back, what it created goes, all or nothing.

An import's revisions point to its :class:`~hitech_portal.models.ImportRecord`. Undoing it puts
every article it changed back to its revision before the import, removes every article it
created, and drops the pending changes it proposed for published articles. An article edited
after the import (its newest revision is not the import's) is not the import's to take back: then
the undo lists those articles and changes nothing.

Whatever the import's size, both the plan and the undo walk its revisions :data:`CHUNK` at a
time, each chunk one query that says, per article, what became of it since (its newest
revision, its newest one before the import, whether it is still there): memory stays flat and
the plan's queries do not grow with the edits it finds. The undo itself is one transaction,
each chunk's follow-ups (revisions, search index, pages) carried out when the chunk is done; the
admin runs it as a background job (:func:`articles.tasks.undo_import`).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, router, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from hitech_portal import pagecache
from hitech_portal.models import ImportRecord

from . import public_changes, workflow
from .models import Article, PendingChange, may_publish
from .revisions import revision_values

Revision = Article.history.model
CHUNK = 1000  # revisions read (and articles restored or removed) at a time
LISTED = 100  # articles edited since that the plan names (it counts them all)


def may_undo(user, record) -> bool:
    """Who may undo which import (the admin's link, its page and the job all ask here): a 主编
    who may delete articles (the undo removes what the import created); an article import that
    wrote something and was not undone yet."""
    return (
        user.is_active
        and may_publish(user)
        and user.has_perm("articles.delete_article")
        and record.kind == ImportRecord.Kind.ARTICLES
        and record.undone_at is None
        and bool(record.created or record.updated)
    )


@dataclass
class UndoPlan:
    restore: int = 0  # articles the import changed, to go back to their revision before it
    remove: int = 0  # articles the import created
    proposals: int = 0  # pending changes the import proposed
    edited: int = 0  # articles edited since the import: then nothing may be undone
    edited_since: list = field(default_factory=list)  # the first LISTED: (id, title, who, when)

    @property
    def possible(self) -> bool:
        return not self.edited


@dataclass
class _Chunk:
    restore: list[tuple[int, int]] = field(default_factory=list)  # (article, revision before)
    remove: list[int] = field(default_factory=list)
    edited: list[tuple[int, int | None]] = field(default_factory=list)  # (article, newest rev.)


def _chunks(record) -> Iterator[_Chunk]:
    """The import's revisions in order, :data:`CHUNK` at a time, sorted by what undoing does."""
    of_article = Revision.objects.filter(id=OuterRef("id")).order_by("-history_id")
    revisions = (
        Revision.objects.filter(import_record=record)
        .annotate(
            latest=Subquery(of_article.values("history_id")[:1]),
            before=Subquery(of_article.exclude(import_record=record).values("history_id")[:1]),
            present=Exists(Article.objects.filter(pk=OuterRef("id"))),
        )
        .order_by("history_id")
        .values_list("id", "history_id", "history_type", "latest", "before", "present")
    )
    last = 0
    while rows := list(revisions.filter(history_id__gt=last)[:CHUNK]):
        last = rows[-1][1]
        chunk = _Chunk()
        for article_id, history_id, kind, latest, before, present in rows:
            if not present:
                continue  # deleted since: nothing to take back
            if latest != history_id:
                chunk.edited.append((article_id, latest))
            elif kind == "+":
                chunk.remove.append(article_id)
            elif before is None:
                chunk.edited.append((article_id, None))
            else:
                chunk.restore.append((article_id, before))
        yield chunk
        if len(rows) < CHUNK:
            return


def plan_undo(record) -> UndoPlan:
    """What undoing ``record`` would do: one query per :data:`CHUNK` revisions of the import,
    and two to name the articles edited since, however many there are."""
    plan = UndoPlan(proposals=PendingChange.objects.filter(import_record=record).count())
    named = []
    for chunk in _chunks(record):
        plan.restore += len(chunk.restore)
        plan.remove += len(chunk.remove)
        plan.edited += len(chunk.edited)
        named += chunk.edited[: LISTED - len(named)]
    if named:
        titles = dict(
            Article.objects.filter(pk__in=[pk for pk, _ in named]).values_list("pk", "title")
        )
        edits = Revision.objects.select_related("history_user").in_bulk(
            [newest for _, newest in named if newest is not None]
        )
        for article_id, newest in named:
            edit = edits.get(newest)
            if edit is None:  # never had a revision before the import to go back to
                who, when = "导入前没有修订可恢复", None
            else:
                who = edit.history_user.get_username() if edit.history_user else "—"
                when = edit.history_date
            title = titles.get(article_id, "（已删除）")  # deleted since the chunk was read
            plan.edited_since.append((article_id, title, who, when))
    return plan


def undo(record, user, progress: Callable[[int, int], None] | None = None) -> UndoPlan:
    """Undo ``record`` if nothing it wrote was edited since; returns the plan either way.
    ``progress(done, total)`` is told the articles done after each chunk.

    In one transaction that first locks the record (a second undo of it waits, then finds it
    undone: :class:`AlreadyUndone`) and, where the database has row locks, every article the
    import wrote: a save from another server waits for the undo instead of slipping in between
    a chunk's check and its writes. Raises :class:`AlreadyUndone` when it was undone before."""
    how = f"撤销导入 #{record.pk}"
    try:
        with transaction.atomic(using=router.db_for_write(Article)):
            if ImportRecord.objects.select_for_update().get(pk=record.pk).undone_at:
                raise AlreadyUndone(record.pk)
            _lock_articles(record)
            plan = plan_undo(record)
            if not plan.possible:
                return plan
            total, done = plan.restore + plan.remove, 0
            if progress:
                progress(0, total)
            with pagecache.retiring_at_commit_once():
                for chunk in _chunks(record):
                    if chunk.edited:  # since the plan (a write that took no lock): undo nothing
                        raise _EditedMeanwhile
                    with public_changes.collected(user=user, how=how):
                        _restore(chunk.restore, user)
                        Article.objects.filter(pk__in=chunk.remove).delete()
                    done += len(chunk.restore) + len(chunk.remove)
                    if progress:
                        progress(done, total)
                PendingChange.objects.filter(import_record=record).delete()
            record.undone_at, record.undone_by = timezone.now(), user
            record.save(update_fields=["undone_at", "undone_by"])
    except _EditedMeanwhile:
        return plan_undo(record)  # names them
    return plan


def _lock_articles(record) -> None:
    """Lock the rows of the articles ``record`` wrote, in id order, streamed (PostgreSQL; SQLite
    has no row locks: its transaction holds the database's one write lock)."""
    if not connection.features.has_select_for_update:
        return
    imported = Revision.objects.filter(import_record=record).values("id")
    rows = Article.objects.select_for_update().filter(pk__in=imported).order_by("pk")
    for _ in rows.values_list("pk", flat=True).iterator(chunk_size=CHUNK * 5):
        pass


class AlreadyUndone(Exception):
    """The import was undone already (by another job that ran first)."""


class _EditedMeanwhile(Exception):
    """An article of the import was edited between the plan and the chunk that undoes it."""


def _restore(pairs: list[tuple[int, int]], user) -> None:
    articles = Article.objects.in_bulk([article_id for article_id, _ in pairs])
    before = Revision.objects.in_bulk([revision_id for _, revision_id in pairs])
    for article_id, revision_id in pairs:
        article = articles[article_id]
        article.updated_by = user
        workflow.apply_values(article, revision_values(before[revision_id]))
