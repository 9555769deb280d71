"""The editorial workflow (审核): who may change an article's state, and the review steps.

States: 草稿 → 待审 → 已发布 (scheduled while 发布时间 is ahead; hidden again after 下线时间).

- A 编辑 writes drafts and submits them (待审), and may take a submission back to 草稿. A 编辑
  may propose a draft's 发布时间, which takes effect only when a 主编 approves the draft; a 编辑
  never publishes, withdraws or sets a 下线时间, and never changes a published article directly:
  the change is kept as its :class:`~articles.models.PendingChange` (one per article, holding
  every 编辑's changes until a 主编 decides) and readers keep seeing the approved text until a
  主编 approves it. Approval is refused when the article was saved after the change was made:
  the change would silently undo that save.
- A 主编 (``articles.publish_article``, :func:`~articles.models.may_publish`) may do all of that,
  approves (待审 → 已发布; a pending change applied) or sends back with a note (退回).

:func:`state_change_error` is the one rule every way in asks (the admin form, the bulk actions,
the import, ``import_articles --user``); :func:`needs_review` says when an edit becomes a pending
change. The review steps notify by email (Django's mail settings; the console by default).
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import public_changes
from .models import PUBLISH_PERMISSION, Article, PendingChange, Tag, may_publish
from .slugs import unique_slug

DRAFT, REVIEW, PUBLISHED = Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.PUBLISHED
#: What only a 主编 may change on a published article (and set at all, for 下线时间).
STATE_FIELDS = ("status", "published_at", "expires_at")


def state_change_error(user, before: dict | None, after: dict) -> str | None:
    """Why ``user`` may not take an article from ``before`` (its stored state fields; None for a
    new article) to ``after`` (the state fields being set), or None when they may.

    Unchanged values are never a change: an 编辑 re-importing their own export passes."""
    if user is None or may_publish(user):
        return None
    current = before or {"status": DRAFT, "published_at": None, "expires_at": None}
    changed = {name for name in STATE_FIELDS if name in after and after[name] != current[name]}
    if not changed:
        return None
    if current["status"] == PUBLISHED:
        labels = "、".join(_label(name) for name in STATE_FIELDS if name in changed)
        return f"已发布文章的{labels}只能由主编改动"
    if after.get("status") == PUBLISHED:
        return "你没有发布权限：状态只能是草稿或待审，发布由主编操作"
    if "expires_at" in changed:
        return "下线时间由主编设定"
    return None


def needs_review(user, article) -> bool:
    """Whether ``user``'s edit of ``article`` waits for a 主编 instead of going live."""
    return article.pk is not None and article.status == PUBLISHED and not may_publish(user)


# --- pending changes of published articles ------------------------------------------------------


class ReviewConflict(Exception):
    """The article changed after what was reviewed (or proposed): approving would be blind."""


def propose(article: Article, user, values: dict, *, import_record=None) -> PendingChange:
    """Add ``values`` (field → value; ``"tags"``: names, ``"related"``: ids) to the article's
    pending change (made if there is none), and tell the 主编s when it newly waits for them.
    The article itself is not touched."""
    pending = PendingChange.objects.filter(article=article).first()
    waits_anew = pending is None or pending.returned_at is not None
    if pending is None:
        pending = PendingChange(article=article, values={}, base_version=article.version)
    pending.values = {**pending.values, **{n: _to_json(v) for n, v in values.items()}}
    pending.author, pending.returned_note, pending.returned_at = user, "", None
    pending.import_record = import_record
    pending.save()
    if waits_anew:
        _notify_chiefs(article, f"待审修改：{article.title}", f"{_name(user)} 修改了已发布的文章")
    return pending


def propose_many(changes: dict[int, dict], user, *, import_record=None) -> int:
    """:func:`propose` for a batch of an import (article id → values), in a few statements, and
    one message to the 主编s for the whole batch."""
    if not changes:
        return 0
    versions = dict(Article.objects.filter(pk__in=list(changes)).values_list("pk", "version"))
    earlier = {p.article_id: p for p in PendingChange.objects.filter(article_id__in=list(changes))}
    PendingChange.objects.filter(article_id__in=list(earlier)).delete()
    PendingChange.objects.bulk_create(
        PendingChange(
            article_id=article_id,
            author=user,
            values={
                **(earlier[article_id].values if article_id in earlier else {}),
                **{name: _to_json(value) for name, value in values.items()},
            },
            base_version=(
                earlier[article_id].base_version if article_id in earlier else versions[article_id]
            ),
            import_record=import_record,
        )
        for article_id, values in changes.items()
    )
    first = Article.objects.filter(pk__in=list(changes)).order_by("pk").first()
    _notify_chiefs(
        first, f"待审修改：导入了 {len(changes)} 处", f"{_name(user)} 在导入中修改了已发布的文章"
    )
    return len(changes)


def pending_values(pending: PendingChange) -> dict:
    """The pending change's values as the model takes them (dates and ids back from JSON)."""
    values = {}
    for name, value in pending.values.items():
        if name in ("tags", "related"):
            values[name] = list(value)
            continue
        field = Article._meta.get_field(name)
        values[name] = field.to_python(value)
        if isinstance(values[name], datetime) and timezone.is_naive(values[name]):
            values[name] = timezone.make_aware(values[name])
    return values


def apply_values(article: Article, values: dict) -> None:
    """Set ``values`` on ``article`` and save it; tags by name (missing ones created), related
    articles by id."""
    tags = values.pop("tags", None)
    related = values.pop("related", None)
    for name, value in values.items():
        setattr(article, Article._meta.get_field(name).attname, value)
    article.save()
    if tags is not None:
        article.tags.set(tags_named(tags))
    if related is not None:
        article.related.set(Article.objects.filter(pk__in=related))


def tags_named(names) -> list[Tag]:
    found = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in found:
            found[name] = Tag.objects.create(name=name, slug=unique_slug(Tag, name))
    return [found[name] for name in names]


# --- the review steps ----------------------------------------------------------------------------


def pending_of(article: Article) -> PendingChange | None:
    """The pending change a 主编 decides on: only a live article's (see PendingChangeQuerySet)."""
    if article.status != PUBLISHED:
        return None
    return PendingChange.objects.filter(article=article).select_related("author").first()


def submit(articles: list[Article], user) -> None:
    """草稿 → 待审, by their author or anyone who may edit them; one notice to the 主编s."""
    with public_changes.collected(user=user, how="提交审核"):
        for article in articles:
            mark_submitted(article, user)
            article.save()
    notify_submitted_many([article.pk for article in articles], user)


def mark_submitted(article: Article, user) -> None:
    """Set an article (not saved here) to 待审 by ``user``: 退回 and 通过 go back to them."""
    article.status = REVIEW
    article.review_note = ""
    article.submitted_by = user
    article.updated_by = user


def notify_submitted(article: Article, user) -> None:
    _notify_chiefs(article, f"待审文章：{article.title}", f"{_name(user)} 提交了一篇文章待审")


def submitted_fields(user) -> dict:
    """What :func:`mark_submitted` sets, as field values for the importer's bulk writes."""
    return {"review_note": "", "submitted_by_id": user.pk if user else None}


def notify_submitted_many(article_ids: list[int], user, *, where: str = "") -> None:
    """One message to the 主编s for articles that went to 待审 together (``where``: "在导入中")."""
    if not article_ids:
        return
    first = Article.objects.filter(pk__in=article_ids).order_by("pk").first()
    if len(article_ids) == 1:
        notify_submitted(first, user)
        return
    count = len(article_ids)
    text = f"{_name(user)} {where}提交了 {count} 篇文章待审，其一"
    _notify_chiefs(first, f"待审文章：{count} 篇", text)


def approve(article: Article, user, *, seen: str | None = None) -> str:
    """The 主编's 通过: a 待审 article goes live (now, or at its 发布时间), a pending change is
    applied. ``seen`` is :func:`review_state` as the 主编 saw it: anything changed since is a
    :class:`ReviewConflict`, as is a pending change made before the article's latest save.
    Returns what was done, for the message."""
    pending = pending_of(article)
    if seen is not None and seen != review_state(article, pending):
        raise ReviewConflict("审核期间内容又有变动：请重新查看差异后再决定。")
    if pending is not None and pending.returned_at is not None:
        raise ReviewConflict("这处修改已退回，等作者改好再提交。")
    if pending is not None and pending.base_version != article.version:
        raise ReviewConflict(
            f"文章在这处修改之后又被保存过（第 {pending.base_version} 版 → "
            f"第 {article.version} 版），通过会覆盖那次保存：请退回，请作者在最新版本上重新修改。"
        )
    with public_changes.collected(user=user, how="审核通过"):
        if pending is not None:
            author = pending.author
            article.updated_by = user
            apply_values(article, pending_values(pending))
            pending.delete()
            done = "修改已通过并生效"
        else:
            author = article.submitted_by
            article.status = PUBLISHED
            article.review_note = ""
            article.updated_by = user
            article.save()
            done = "文章已通过并发布"
    _notify(author, f"已通过：{article.title}", f"{_name(user)} {done}", article)
    return done


def notify_approved(articles, user) -> None:
    """Tell who submitted each of ``articles`` that the 主编 published it (the bulk 发布)."""
    for article in articles:
        _notify(article.submitted_by, f"已通过：{article.title}", f"{_name(user)} 发布了", article)


def send_back(article: Article, user, note: str) -> str:
    """The 主编's 退回 with a note: a 待审 article back to 草稿, or the pending change marked
    returned (its author may revise and submit it again)."""
    pending = pending_of(article)
    if pending is not None:
        pending.returned_note, pending.returned_at = note, timezone.now()
        # The 主编 has read it against the current text: the author revises from there, and a
        # change that 通过 refused as made before a later save can be approved once revised.
        pending.base_version = article.version
        pending.save(update_fields=["returned_note", "returned_at", "base_version"])
        author = pending.author
    else:
        author = article.submitted_by  # it goes back to who submitted it
        with public_changes.collected(user=user, how="退回"):
            article.status = DRAFT
            article.review_note = note
            article.save()
    _notify(author, f"退回：{article.title}", f"{_name(user)} 退回了，意见：{note}", article)
    return "已退回"


def review_state(article: Article, pending: PendingChange | None) -> str:
    """What a 主编 looks at when reviewing, as a token: the article's version and the pending
    change's last edit. The review form carries it; approval checks it is still the same."""
    edited = pending.updated_at.isoformat() if pending is not None else ""
    return f"{article.version}/{edited}"


def awaiting(user) -> dict:
    """What waits for ``user`` (the admin index): for a 主编 the queue, for everyone what was
    sent back to them. Three counts, three queries."""
    waiting = {}
    if may_publish(user):
        waiting["review"] = Article.objects.filter(status=REVIEW).count()
        waiting["pending"] = PendingChange.objects.waiting().count()
    waiting["returned"] = Article.objects.returned_to(user).count()
    return waiting


# --- mail -----------------------------------------------------------------------------------------


PERMISSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _notify_chiefs(article, subject, text) -> None:
    # Permissions live in the model backend (the other one, django-axes, only counts logins).
    chiefs = get_user_model().objects.with_perm(PUBLISH_PERMISSION, backend=PERMISSION_BACKEND)
    chiefs = chiefs.exclude(email="")
    _send([user.email for user in chiefs], subject, text, article)


def _notify(user, subject, text, article) -> None:
    if user is not None and user.email:
        _send([user.email], subject, text, article)


def _send(to, subject, text, article) -> None:
    if not to:
        return
    link = settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk])
    message = (
        f"[{settings.SITE_NAME}] {subject}",
        f"{text}：《{article.title}》\n{link}",
        None,
        to,
    )
    # Only once the step is committed: a rolled-back import or review tells nobody anything.
    transaction.on_commit(lambda: send_mail(*message, fail_silently=True))


def _name(user) -> str:
    if user is None:
        return "有人"
    return user.get_full_name() or user.get_username()


def _label(name: str) -> str:
    return str(Article._meta.get_field(name).verbose_name)


def _to_json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value
