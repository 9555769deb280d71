"""Undoing an article import: what it changed goes back, what it created goes, all or nothing.

An import's revisions point to its :class:`~hitech_portal.models.ImportRecord`. Undoing it puts
every article it changed back to its revision before the import, removes every article it
created, and drops the pending changes it proposed for published articles. An article edited
after the import (its newest revision is not the import's) is not the import's to take back: then
the undo lists those articles and changes nothing.
"""

from dataclasses import dataclass, field

from django.db import router, transaction
from django.db.models import Max
from django.utils import timezone

from . import public_changes, workflow
from .models import Article, PendingChange
from .revisions import revision_values

Revision = Article.history.model


@dataclass
class UndoPlan:
    restore: list = field(default_factory=list)  # (article, revision before the import)
    remove: list[int] = field(default_factory=list)  # article ids the import created
    proposals: int = 0  # pending changes the import proposed
    edited_since: list = field(default_factory=list)  # (article id, title, who, when)

    @property
    def possible(self) -> bool:
        return not self.edited_since


def plan_undo(record) -> UndoPlan:
    """What undoing ``record`` would do, in seven queries however big the import."""
    plan = UndoPlan(proposals=PendingChange.objects.filter(import_record=record).count())
    imported = list(Revision.objects.filter(import_record=record).order_by("history_id"))
    ids = [revision.id for revision in imported]
    latest = dict(
        Revision.objects.filter(id__in=ids)
        .values_list("id")
        .annotate(latest=Max("history_id"))
        .values_list("id", "latest")
    )
    # Where the import's revision is an article's newest, its newest other one came before.
    before = dict(
        Revision.objects.filter(id__in=ids)
        .exclude(import_record=record)
        .values_list("id")
        .annotate(before=Max("history_id"))
        .values_list("id", "before")
    )
    previous = Revision.objects.in_bulk(before.values())
    articles = Article.objects.in_bulk(ids)
    edits = Revision.objects.select_related("history_user").in_bulk(
        {latest[revision.id] for revision in imported} - {r.history_id for r in imported}
    )
    for revision in imported:
        article = articles.get(revision.id)
        if article is None:
            continue  # deleted since: nothing to take back
        if latest[revision.id] != revision.history_id:
            newest = edits[latest[revision.id]]
            who = newest.history_user.get_username() if newest.history_user else "—"
            plan.edited_since.append((article.pk, article.title, who, newest.history_date))
        elif revision.history_type == "+":
            plan.remove.append(article.pk)
        elif article.pk not in before:
            plan.edited_since.append((article.pk, article.title, "导入前没有修订可恢复", None))
        else:
            plan.restore.append((article, previous[before[article.pk]]))
    return plan


def undo(record, user) -> UndoPlan:
    """Undo ``record`` if nothing it wrote was edited since; returns the plan either way."""
    plan = plan_undo(record)
    if not plan.possible:
        return plan
    with transaction.atomic(using=router.db_for_write(Article)):
        with public_changes.collected(user=user, how=f"撤销导入 #{record.pk}"):
            for article, revision in plan.restore:
                article.updated_by = user
                workflow.apply_values(article, revision_values(revision))
            Article.objects.filter(pk__in=plan.remove).delete()
            PendingChange.objects.filter(import_record=record).delete()
        record.undone_at, record.undone_by = timezone.now(), user
        record.save(update_fields=["undone_at", "undone_by"])
    return plan
