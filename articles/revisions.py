"""Revisions of articles: one per write, saying who, when, how and what changed.

:func:`record` is called by :mod:`articles.public_changes` once a write is done, whatever the
path (the admin form, a bulk action, an import batch, a review step, a restore), so a revision
holds the article as it ended up, tags included. An unchanged re-import writes none. A batch is
one ``INSERT … SELECT`` per way of writing: the rows are copied inside the database, bodies and
all, rather than read into Python and written back (the tags as one sorted string, in code-point
order on both databases).

The admin's 历史 page lists the revisions; a revision's page shows what it changed against the
one before, title, summary and body side by side (:func:`compare`), and restoring one
(:func:`revision_values`) goes through the same rules as an edit (:mod:`articles.workflow`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from images.models import Image

from .models import Article, Category, Tag
from .search.text import html_to_text

Revision = Article.history.model
#: The article's columns a revision keeps (all but the click count).
TRACKED = [f.attname for f in Revision.tracked_fields]
#: Shown side by side; every other change is one line "before → after".
LONG_TEXT = ("title", "summary", "body")
#: Not worth a line in "what changed": they change on every save.
QUIET = {"updated_at", "updated_by_id", "version"}
CONTEXT = 1  # unchanged paragraphs shown around a change
BATCH = 500  # ids a statement (SQLite's limit on parameters)


def record(changes: dict[int, str], *, user=None, import_record=None) -> int:
    """A revision of each article in ``changes`` (id → how it was changed) as it now stands.

    Articles no longer there (deleted in the same write) are skipped. Returns how many."""
    by_how = defaultdict(list)
    for article_id, how in changes.items():
        by_how[(how or "")[:100]].append(article_id)
    user_id = user.pk if user is not None and user.is_authenticated else None
    record_id = import_record.pk if import_record is not None else None
    now = Revision._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    written = 0
    with connection.cursor() as cursor:
        for how, ids in by_how.items():
            for start in range(0, len(ids), BATCH):
                batch = ids[start : start + BATCH]
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(
                    _copy_sql().format(ids=marks, tags=_tags_sql()),
                    [now, user_id, how, record_id, *batch],
                )
                written += cursor.rowcount
    return written


def _copy_sql() -> str:
    quote = connection.ops.quote_name
    columns = [Article._meta.get_field(name).column for name in TRACKED]
    extra = ["history_date", "history_user_id", "history_change_reason", "import_record_id"]
    return (
        f"INSERT INTO {quote(Revision._meta.db_table)} "
        f"({', '.join(quote(c) for c in [*columns, *extra, 'history_type', 'tag_names'])}) "
        f"SELECT {', '.join('a.' + quote(c) for c in columns)}, %s, %s, %s, %s, "
        # The first revision of an article is its creation, whatever path wrote it.
        f"CASE WHEN EXISTS (SELECT 1 FROM {quote(Revision._meta.db_table)} h "
        f"WHERE h.{quote('id')} = a.{quote('id')}) THEN '~' ELSE '+' END, {{tags}} "
        f"FROM {quote(Article._meta.db_table)} a WHERE a.{quote('id')} IN ({{ids}})"
    )


def _tags_sql() -> str:
    """The article's tag names in code-point order, joined by 、, as SQL on ``a``."""
    quote = connection.ops.quote_name
    tags, links = quote(Tag._meta.db_table), quote(Article.tags.through._meta.db_table)
    joined = (
        f"FROM {tags} t JOIN {links} l ON l.{quote('tag_id')} = t.{quote('id')} "
        f"WHERE l.{quote('article_id')} = a.{quote('id')}"
    )
    if connection.vendor == "postgresql":
        names = f"string_agg(t.{quote('name')}, '、' ORDER BY t.{quote('name')} COLLATE \"C\")"
        return f"COALESCE((SELECT {names} {joined}), '')"
    ordered = f"SELECT t.{quote('name')} AS name {joined} ORDER BY t.{quote('name')}"
    return f"COALESCE((SELECT group_concat(name, '、') FROM ({ordered})), '')"


def revision_values(revision) -> dict:
    """What restoring ``revision`` writes: its fields (the article's own bookkeeping aside) and
    its tags by name."""
    skip = {
        *("id", "version", "created_at", "created_by_id", "updated_at", "updated_by_id"),
        *("review_note", "submitted_by_id"),  # the review's, not the text's
    }
    values = {name: getattr(revision, name) for name in TRACKED if name not in skip}
    # A cover deleted from the image library since (allowed once no article showed it): none.
    if (
        values.get("cover_image_id")
        and not Image.objects.filter(pk=values["cover_image_id"]).exists()
    ):
        values["cover_image_id"] = None
    values["tags"] = [name for name in revision.tag_names.split("、") if name]
    return values


@dataclass
class Conflict:
    """Someone saved the article after a form was opened on an earlier version."""

    by: str
    at: str
    version: int
    opened: int
    changes: list

    @property
    def message(self) -> str:
        return (
            f"这篇文章在你打开之后已被 {self.by} 于 {self.at} 修改（你打开的是第 {self.opened} 版，"
            f"现在是第 {self.version} 版）。你的修改没有保存：请先另存你改的内容，"
            "刷新页面后在新版本上再改。"
        )


def conflict(current: Article, opened: int) -> Conflict:
    """Who changed ``current`` since version ``opened``, when, and what they changed."""
    revisions = Revision.objects.filter(id=current.pk).select_related("history_user")
    base = revisions.filter(version=opened).order_by("-history_id").first()
    latest = revisions.order_by("-history_id").first()
    who = latest.history_user if latest is not None else current.updated_by
    name = (who.get_full_name() or who.get_username()) if who is not None else "其他人"
    at = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M")
    changes = compare(base, latest) if base is not None and latest is not None else []
    return Conflict(name, at, current.version, opened, changes)


# --- what changed ---------------------------------------------------------------------------------


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str
    rows: list[tuple[str, SafeString, SafeString]] = field(default_factory=list)  # side by side


def compare(before, after, categories: dict | None = None) -> list[Change]:
    """What changed from ``before`` to ``after`` (revisions or articles, or an article and a dict
    of only the values it would take); ``before`` None: everything is new. ``categories`` (id →
    name) saves a query for each move to another category (a history page shows many)."""
    changes = []
    names = [*TRACKED, "tag_names"]
    if isinstance(after, dict):
        names = [n for n in names if n in after or n.removesuffix("_id") in after]
        names += ["tag_names"] if "tags" in after else []
        names += ["related"] if "related" in after else []
    for name in names:
        if name in QUIET or name == "id":
            continue
        old = _value(before, name)
        new = _value(after, name)
        if old == new:
            continue
        label = _label(name)
        if name == "category_id" and categories is None:
            categories = dict(Category.objects.values_list("pk", "name"))
        old_text, new_text = _display(name, old, categories), _display(name, new, categories)
        if old_text == new_text:
            continue  # a difference no reader sees (seconds of a time, an HTML detail)
        change = Change(name, label, old_text, new_text)
        if name in LONG_TEXT:
            change.rows = side_by_side(old_text, new_text)
        changes.append(change)
    return changes


def side_by_side(old: str, new: str) -> list[tuple[str, SafeString, SafeString]]:
    """Rows of (kind, before, after) by paragraph, the changed characters in ``<del>``/``<ins>``;
    long runs of unchanged paragraphs are folded to one row."""
    a, b = _paragraphs(old), _paragraphs(new)
    rows: list[tuple[str, SafeString, SafeString]] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            same = a[i1:i2]
            if len(same) > 2 * CONTEXT + 1:
                shown = same[:CONTEXT] if rows else []
                for text in shown:
                    rows.append(("same", escape(text), escape(text)))
                folded = len(same) - len(shown) - CONTEXT
                note = mark_safe(f"……（{folded} 段未改）")
                rows.append(("fold", note, note))
                same = same[-CONTEXT:]
            rows += [("same", escape(text), escape(text)) for text in same]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for n in range(max(len(olds), len(news))):
            left = olds[n] if n < len(olds) else ""
            right = news[n] if n < len(news) else ""
            rows.append(("change", *_marked(left, right)))
    return rows


def _marked(old: str, new: str) -> tuple[SafeString, SafeString]:
    left, right = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(escape(old[i1:i2]))
            right.append(escape(new[j1:j2]))
            continue
        if i2 > i1:
            left.append(f"<del>{escape(old[i1:i2])}</del>")
        if j2 > j1:
            right.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # every piece escaped above


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _value(source, name):
    if source is None:
        return None
    if isinstance(source, dict):
        if name == "tag_names" and "tags" in source:
            return "、".join(sorted(source["tags"]))
        value = source.get(name, source.get(name.removesuffix("_id")))
        return getattr(value, "pk", value)
    if name == "tag_names" and isinstance(source, Article):
        return "、".join(sorted(source.tags.values_list("name", flat=True)))
    if name == "related" and isinstance(source, Article):
        return sorted(source.related.values_list("pk", flat=True))
    return getattr(source, name, None)


def _label(name: str) -> str:
    if name == "tag_names":
        return "标签"
    if name == "related":
        return "相关文章"
    return str(Article._meta.get_field(name.removesuffix("_id")).verbose_name)


def _display(name: str, value, categories=None) -> str:
    if value is None or value == "":
        return ""
    if name == "body":
        return html_to_text(value)
    if name == "status":
        return str(Article.Status(value).label)
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "category_id":
        return categories.get(value, str(value))
    if name == "related":
        titles = Article.objects.filter(pk__in=value).values_list("title", flat=True)
        return "、".join(sorted(titles))
    return str(value)
