"""The article import engine: one set of rules for the admin, the commands, ``load_demo`` and tests.

    report = import_articles(table, dry_run=False, on_error="abort")

Identity of a row: ``id`` (编号) → that article; else ``source_url`` (原文链接, unique when set);
else (title, category, publication date in Shanghai time). A row changes only the fields its file
carries; it is *unchanged* when every carried field (after sanitising and normalising, tags as a
set) equals what is stored, so re-importing a file or an export writes nothing.

Per batch of rows: one query per identity kind to fetch the existing articles, one for their
tags, bulk inserts, one ``executemany`` UPDATE per set of changed columns, bulk tag links, and
one :func:`articles.search.index_articles` call. HTML is sanitised by the one allow-list
(``bulk_create`` bypasses ``Article.save()``), on two threads: the sanitiser releases the GIL.
"""

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from hitech_portal.bulkimport import BatchImporter, ImportReport, PreviewRow
from hitech_portal.pagecache import invalidate_pages, schedule_pages
from hitech_portal.tabular import (
    Columns,
    Table,
    format_datetime,
    parse_datetime,
    to_simplified,
    unescape_formula,
)

from .models import Article, Category, Tag, split_terms
from .sanitize import sanitize_html
from .search import index_articles
from .slugs import pinyin_slug

COLUMNS = Columns(
    {
        "id": ("id", "编号"),
        "title": ("title", "标题"),
        "category": ("category", "栏目"),
        "published_at": ("published_at", "发布时间", "发布日期", "日期"),
        "status": ("status", "状态"),
        "source": ("source", "来源"),
        "source_url": ("source_url", "原文链接", "链接", "url"),
        "author": ("author", "作者"),
        "summary": ("summary", "摘要"),
        "keywords": ("keywords", "关键词"),
        "tags": ("tags", "标签"),
        "body": ("body", "正文", "内容"),
    },
    required=("title", "category"),
)
TEXT_FIELDS = ("title", "source", "source_url", "author", "summary", "keywords")
MAX_LENGTHS = {
    name: Article._meta.get_field(name).max_length
    for name in ("title", "source", "source_url", "author", "keywords")
}
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length
STATUS_WORDS = {
    "published": Article.Status.PUBLISHED,
    "已发布": Article.Status.PUBLISHED,
    "发布": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "草稿": Article.Status.DRAFT,
}
IDENTITY_WORDS = {"id": "编号", "url": "原文链接", "natural": "标题、栏目和发布日期"}


def import_articles(table: Table, **options) -> ImportReport:
    """Import a :class:`~hitech_portal.tabular.Table` of articles; see :class:`ArticleImporter`."""
    return ArticleImporter(table, **options).run()


@dataclass(slots=True)
class Planned:
    line: int
    values: dict  # model field -> clean value, only the columns the file carries
    tags: list[str] | None
    key: tuple
    outcome: str = "new"
    article_id: int | None = None
    changed: list[str] = field(default_factory=list)
    raw_body: str | None = None
    old_body: str | None = None


class ArticleImporter(BatchImporter):
    def __init__(self, table: Table, **options):
        super().__init__(table, **options)
        self.categories = {}
        for category in Category.objects.all():
            for name in (category.slug, category.slug.lower(), category.name):
                self.categories[name] = category
                self.categories[to_simplified(name)] = category
        self.tag_ids: dict[str, int] = {}
        self.new_tag_names: set[str] = set()
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.carried = [f for f in self.table.headers if f not in ("id", "tags")]
        # The admin passes the editor: one who may not publish (编辑) imports drafts only.
        self.can_publish = self.user is None or self.user.has_perm("articles.publish_article")

    # --- parsing ----------------------------------------------------------------------------
    def parse(self, line: int, cells: dict):
        errors, values = [], {}
        article_id = None
        if str(cells.get("id") or "").strip():
            text = str(cells["id"]).strip()
            if text.isdigit() and int(text) > 0:
                article_id = int(text)
            else:
                errors.append(self.error(line, "id", f"编号应是正整数，而不是 {text}"))
        for name in TEXT_FIELDS:
            if name in cells:
                value = _text(cells[name])
                limit = MAX_LENGTHS.get(name)
                if limit and len(value) > limit:
                    errors.append(
                        self.error(line, name, f"不能超过 {limit} 字（现有 {len(value)} 字）")
                    )
                values[name] = value
        if not values.get("title"):
            errors.append(self.error(line, "title", "标题不能为空"))
        url = values.get("source_url")
        if url and not _looks_like_url(url):
            errors.append(self.error(line, "source_url", f"不是有效的网址：{url}"))
        name = _text(cells.get("category"))
        category = self.categories.get(name) or self.categories.get(to_simplified(name))
        if not name:
            errors.append(self.error(line, "category", "栏目不能为空"))
        elif category is None:
            message = f"未知的栏目「{name}」（填栏目名称或网址名）"
            errors.append(self.error(line, "category", message))
        else:
            values["category_id"] = category.id
        if "published_at" in cells:
            try:
                values["published_at"] = parse_datetime(cells["published_at"])
            except ValueError as exc:
                errors.append(self.error(line, "published_at", str(exc)))
        status_text = to_simplified(_text(cells.get("status")).lower())
        if status_text:
            if STATUS_WORDS.get(status_text) == Article.Status.PUBLISHED and not self.can_publish:
                errors.append(self.error(line, "status", "你没有发布文章的权限：状态只能填草稿"))
            elif status_text in STATUS_WORDS:
                values["status"] = STATUS_WORDS[status_text]
            else:
                errors.append(
                    self.error(line, "status", f"无法识别的状态 {status_text}（填 已发布 或 草稿）")
                )
        elif "status" in cells:
            values["status"] = self.default_status(values)
        tags = None
        if "tags" in cells:
            value = cells["tags"]
            tags = split_terms(",".join(value) if isinstance(value, list | tuple) else _text(value))
            for tag in tags:
                if len(tag) > TAG_MAX_LENGTH:
                    message = f"标签「{tag}」超过 {TAG_MAX_LENGTH} 字"
                    errors.append(self.error(line, "tags", message))
        raw_body = _text(cells["body"]) if "body" in cells else None
        if errors:
            return None, errors
        if article_id:
            key = ("id", article_id)
        elif url:
            key = ("url", url)
        else:
            published = values.get("published_at")
            day = timezone.localdate(published) if published else None
            key = ("natural", values["title"], values["category_id"], day)
        return Planned(line, values, tags, key, article_id=article_id, raw_body=raw_body), []

    # --- one batch ----------------------------------------------------------------------------
    def prepare_batch(self, batch):
        planned = []
        for record in batch:
            item, errors = self.parse(record.line, record.values)
            if item is None:
                self.fail(*errors)
                continue
            keys = [item.key]
            if item.key[0] == "id" and item.values.get("source_url"):
                keys.append(("url", item.values["source_url"]))
            first = self.claim(keys, item.line)
            if first is not None:
                self.fail(
                    self.error(
                        item.line,
                        {"id": "id", "url": "source_url", "natural": "title"}[item.key[0]],
                        f"与第 {first} 行是同一篇文章（{IDENTITY_WORDS[item.key[0]]}相同）；"
                        "同一文件中每篇文章只能出现一次",
                    )
                )
                continue
            planned.append(item)
        existing = self.match(planned)
        self.classify(planned, existing)
        return [item for item in planned if item.outcome != "failed"]

    def match(self, planned) -> dict:
        """Existing rows for this batch, keyed like the planned rows, in at most three queries."""
        wanted = {"id", "category_id", "title", "published_at", "source_url", *self.carried}
        fields = [f for f in wanted if f != "category"]
        ids = [p.key[1] for p in planned if p.key[0] == "id"]
        urls = [p.values["source_url"] for p in planned if p.values.get("source_url")]
        naturals = [p for p in planned if p.key[0] == "natural"]
        found = {}
        by_url = {}
        articles = Article.objects.order_by()
        if ids:
            for row in articles.filter(pk__in=ids).values(*fields):
                found[("id", row["id"])] = row
        if urls:
            # The exclude() lets the partial unique index on source_url serve the lookup.
            query = articles.filter(source_url__in=urls).exclude(source_url="")
            for row in query.values(*fields):
                by_url[row["source_url"]] = row
                found[("url", row["source_url"])] = row
        if naturals:
            query = articles.filter(
                title__in={p.values["title"] for p in naturals},
                category_id__in={p.values["category_id"] for p in naturals},
            )
            keys = {}
            for row in query.values("id", "title", "category_id", "published_at"):
                day = timezone.localdate(row["published_at"]) if row["published_at"] else None
                # A row that gives no date matches on title and category alone.
                for when in {day, None}:
                    key = ("natural", row["title"], row["category_id"], when)
                    keys[key] = None if key in keys else row["id"]  # None: ambiguous
            rows = articles.filter(pk__in=[i for i in keys.values() if i]).values(*fields)
            by_id = {row["id"]: row for row in rows}
            for key, article_id in keys.items():
                found[key] = by_id.get(article_id)
        self.by_url = by_url
        return found

    def classify(self, planned, existing) -> None:
        matched_ids = [row["id"] for row in existing.values() if row]
        old_tags = defaultdict(set)
        if matched_ids and "tags" in self.table.headers:
            links = Article.tags.through.objects.filter(article_id__in=matched_ids)
            for article_id, name in links.values_list("article_id", "tag__name"):
                old_tags[article_id].add(name)
        sanitising = []
        for item in planned:
            if item.key in existing and existing[item.key] is None:
                self.reject(item, "title", "数据库中有多篇文章标题、栏目和发布日期相同，请加上编号")
                continue
            old = existing.get(item.key)
            if item.key[0] == "id" and old is None:
                self.reject(item, "id", f"编号 {item.article_id} 的文章不存在")
                continue
            url = item.values.get("source_url")
            owner = self.by_url.get(url) if url else None
            if owner and old and owner["id"] != old["id"]:
                self.reject(item, "source_url", f"这个原文链接已被编号 {owner['id']} 的文章使用")
                continue
            if old is None:
                item.outcome = "new"
                if item.raw_body is not None:
                    sanitising.append(item)
                continue
            item.article_id = old["id"]
            item.changed = [
                name
                for name, value in item.values.items()
                if old[name] != value and not self.keeps_date(name, value, item)
            ]
            if item.raw_body is not None and item.raw_body != old["body"]:
                sanitising.append(item)  # compared again once sanitised
            if item.tags is not None and set(item.tags) != old_tags[old["id"]]:
                item.changed.append("tags")
            item.outcome = "update" if item.changed else "skip"
            item.old_body = old.get("body")
        raw = [item.raw_body for item in sanitising]
        chunks = [raw[i : i + 50] for i in range(0, len(raw), 50)]
        bodies = [body for chunk in self.pool.map(_sanitize_all, chunks) for body in chunk]
        for item, body in zip(sanitising, bodies, strict=True):
            item.values["body"] = body
            if item.outcome != "new" and body != item.old_body:
                item.changed.append("body")
                item.outcome = "update"
        for item in planned:
            if item.outcome == "new":
                values = item.values
                values.setdefault("status", self.default_status(values))
                if values["status"] == Article.Status.PUBLISHED and not values.get("published_at"):
                    values["published_at"] = timezone.now()  # as Article.save() does

    def default_status(self, values) -> str:
        """Published when the row gives a date (and the importer may publish), else a draft."""
        if values.get("published_at") is not None and self.can_publish:
            return Article.Status.PUBLISHED
        return Article.Status.DRAFT

    @staticmethod
    def keeps_date(name, value, item) -> bool:
        """A published row with no date keeps the stored date (the file just didn't say)."""
        return name == "published_at" and value is None and item.values.get("status") == "published"

    def reject(self, item: Planned, column: str, message: str) -> None:
        item.outcome = "failed"
        self.fail(self.error(item.line, column, message))

    # --- writing ------------------------------------------------------------------------------
    def write(self, planned) -> None:
        now = timezone.now()
        new = [p for p in planned if p.outcome == "new"]
        changed = [p for p in planned if p.outcome == "update"]
        tag_ids = self.ensure_tags(p for p in new + changed if p.tags)
        # Scheduled rows: cached pages must expire when they go live (hitech_portal.pagecache).
        schedule_pages(p.values.get("published_at") for p in new + changed)
        if new:
            articles = [
                Article(**p.values, created_by=self.user, updated_by=self.user) for p in new
            ]
            for article, item in zip(Article.objects.bulk_create(articles), new, strict=True):
                item.article_id = article.pk
        self.update(changed, now)
        through = Article.tags.through
        retagged = [p.article_id for p in changed if "tags" in p.changed]
        if retagged:
            through.objects.filter(article_id__in=retagged).delete()
        links = [
            (p.article_id, tag_ids[name])
            for p in new + changed
            if p.tags and (p.outcome == "new" or "tags" in p.changed)
            for name in p.tags
        ]
        if links:  # plain rows: model instances for each link would cost more than the insert
            quote = connection.ops.quote_name
            sql = "INSERT INTO {} ({}, {}) VALUES (%s, %s)".format(
                quote(through._meta.db_table),
                quote(through._meta.get_field("article").column),
                quote(through._meta.get_field("tag").column),
            )
            with connection.cursor() as cursor:
                cursor.executemany(sql, links)
        if new or changed:
            index_articles([p.article_id for p in new + changed])

    def update(self, changed, now) -> None:
        """One ``executemany`` UPDATE per set of changed columns (``bulk_update`` is 9× slower)."""
        groups = defaultdict(list)
        for item in changed:
            columns = tuple(name for name in item.changed if name != "tags")
            groups[columns].append(item)
        quote = connection.ops.quote_name
        meta = Article._meta
        for names, items in groups.items():
            fields = [meta.get_field(n) for n in names]
            columns = [f.column for f in fields] + ["updated_at", "updated_by_id"]
            assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
            sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
            stamp = meta.get_field("updated_at").get_db_prep_save(now, connection)
            user_id = self.user.pk if self.user else None
            params = [
                [
                    *(f.get_db_prep_save(item.values[f.attname], connection) for f in fields),
                    stamp,
                    user_id,
                    item.article_id,
                ]
                for item in items
            ]
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)

    def ensure_tags(self, items) -> dict[str, int]:
        """Tag ids for every name the rows use; unknown names become tags in one bulk insert."""
        names = {name for item in items for name in item.tags}
        missing = names - self.tag_ids.keys()
        if missing:
            for tag_id, name in Tag.objects.filter(name__in=missing).values_list("id", "name"):
                self.tag_ids[name] = tag_id
            missing -= self.tag_ids.keys()
        if missing:
            tags = [Tag(name=name, slug=slug) for name, slug in self.tag_slugs(sorted(missing))]
            for tag in Tag.objects.bulk_create(tags):
                self.tag_ids[tag.name] = tag.pk
                self.new_tag_names.add(tag.name)
        return self.tag_ids

    @staticmethod
    def tag_slugs(names):
        """Unique pinyin slugs for new tags, against the database and each other, in one query."""
        bases = {name: pinyin_slug(name, max_length=74) for name in names}
        query = Q()
        for base in set(bases.values()):
            query |= Q(slug__startswith=base)
        taken = set(Tag.objects.filter(query).values_list("slug", flat=True))
        for name, base in bases.items():
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            taken.add(slug)
            yield name, slug

    def forget_batch_state(self) -> None:
        for name in self.new_tag_names:
            self.tag_ids.pop(name, None)
        self.new_tag_names.clear()

    def process(self, batch):
        self.new_tag_names.clear()
        super().process(batch)

    def preview_row(self, item: Planned) -> PreviewRow:
        values = item.values
        detail = format_datetime(values.get("published_at"))
        if item.outcome == "update":
            detail = "改动：" + "、".join(self.column(n.removesuffix("_id")) for n in item.changed)
        return PreviewRow(item.line, item.outcome, values.get("title", ""), detail, item.article_id)

    def finish(self) -> None:
        if self.report.created or self.report.updated:
            invalidate_pages()

    def close(self) -> None:
        self.pool.shutdown()


def _sanitize_all(bodies: list[str]) -> list[str]:
    return [sanitize_html(body) for body in bodies]


def _text(value) -> str:
    """A cell as clean text: trimmed, then the export's formula guard removed (in that order, so
    a value that starts with a tab survives the round trip)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = format_datetime(value) if hasattr(value, "tzinfo") else str(value)
    return unescape_formula(value.strip())


def _looks_like_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not any(c.isspace() for c in url)
    )
