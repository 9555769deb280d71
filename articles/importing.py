"""The article import: which columns a file may carry, how each cell reads, which article a row is.

    report = run_import(ArticleImporter, "articles.xlsx", user=request.user)

Identity of a row: ``id`` (编号) → that article; else ``source_url`` (原文链接, unique when set);
else (title, category, publication date in Shanghai time). A row changes only the fields its file
carries; it is *unchanged* when every carried field (after sanitising and normalising, tags as a
set) equals what is stored, so re-importing a file or an export writes nothing. An empty 状态 cell
keeps the stored state.

Rights are the workflow's (:func:`articles.workflow.state_change_error`, asked for every row with
the stored state); a 编辑's change to a published article becomes its pending change instead of
being written. A row carrying the 版本 it was exported at is refused once the article has moved on
since (someone else changed it).

The columns a file may carry and how each cell reads are :mod:`articles.import_columns`. Per
batch of rows: one query per identity kind to fetch the existing articles, one for their
tags, then the writes of :mod:`articles.bulk` and one call to :mod:`articles.public_changes`.
Bodies go through the one allow-list (``bulk_create`` bypasses ``Article.save()``).
"""

from collections import defaultdict

from django.utils import timezone

from hitech_portal.chinese import to_simplified
from hitech_portal.imports.cells import cell_text, format_datetime, parse_datetime
from hitech_portal.imports.engine import BatchImporter, Plan
from hitech_portal.imports.report import Outcome, PlannedRow, RowError
from hitech_portal.models import ImportRecord

from . import bulk, public_changes, workflow
from .import_columns import (
    COLUMNS,
    parse_id,
    parse_source_url,
    parse_status,
    parse_tags,
    parse_version,
    text,
)
from .models import Article, Category, may_publish, publication_time
from .sanitize import sanitize_html

IDENTITY_COLUMN = {"id": "id", "url": "source_url", "natural": "title"}
IDENTITY_WORDS = {"id": "编号", "url": "原文链接", "natural": "标题、栏目和发布日期"}
NEEDS_BOTH = "新文章要填标题和栏目（只更新已有文章时，可以只带编号或原文链接和要改的列）"


#: What a stored row is read with, whatever the file carries: identity, state, version.
STORED = ("id", "category_id", "title", "published_at", "source_url", "status", "expires_at")


class ArticlePlan(Plan):
    __slots__ = ("tags", "raw_body", "old_body", "proposed", "version")


class ArticleImporter(BatchImporter):
    columns = COLUMNS
    command = "import_articles"
    record_kind = ImportRecord.Kind.ARTICLES
    batch_size = 500  # rows of real articles (bodies of ~7 KB) held at once

    def __init__(self, table, **options):
        super().__init__(table, **options)
        self.tag_ids = bulk.TagIds()
        self.carried = [f for f in self.table.headers if f not in ("id", "tags", "version")]
        # The admin passes the editor: one who may not publish (编辑) imports drafts only.
        self.can_publish = self.user is None or may_publish(self.user)

    def parsers(self):
        self.categories = {}
        for category in Category.objects.all():
            for name in (category.slug, category.slug.lower(), category.name):
                self.categories[name] = category.pk
                self.categories[to_simplified(name)] = category.pk
        return {
            "id": parse_id,
            "title": text("title", required="标题不能为空"),
            "category": self.parse_category,
            "published_at": parse_datetime,
            "status": parse_status,
            "source": text("source"),
            "source_url": parse_source_url,
            "author": text("author"),
            "summary": text("summary"),
            "keywords": text("keywords"),
            "tags": parse_tags,
            "body": cell_text,  # sanitised for the whole batch at once
            "version": parse_version,
        }

    def parse_category(self, cell) -> int:
        name = cell_text(cell)
        if not name:
            raise ValueError("栏目不能为空")
        category_id = self.categories.get(name) or self.categories.get(to_simplified(name))
        if category_id is None:
            raise ValueError(f"未知的栏目「{name}」（填栏目名称或网址名）")
        return category_id

    def row_rules(self, line, values) -> list[RowError]:
        if "status" in values and values["status"] is None:
            del values[
                "status"
            ]  # an empty cell: a new row gets the default, a stored one keeps its
        return []

    def default_status(self, values) -> str:
        """Published when the row gives a date (and the importer may publish), else a draft."""
        if values.get("published_at") is not None and self.can_publish:
            return Article.Status.PUBLISHED
        return Article.Status.DRAFT

    def label(self, values) -> str:
        return values.get("title", "")

    row_title = label

    # --- one batch: identity, the stored rows, what changes ------------------------------------
    def plan_batch(self, rows):
        plans = []
        for line, values in rows:
            plan = self.plan_row(line, values)
            if plan.outcome == Outcome.FAILED:
                continue
            keys = [plan.key]
            if plan.key[0] == "id" and values.get("source_url"):
                keys.append(("url", values["source_url"]))
            first = self.claim(keys, line)
            if first is not None:
                kind = plan.key[0]
                message = (
                    f"与第 {first} 行是同一篇文章（{IDENTITY_WORDS[kind]}相同）；"
                    "同一文件中每篇文章只能出现一次"
                )
                self.reject(plan, IDENTITY_COLUMN[kind], message)
                continue
            plans.append(plan)
        self.classify(plans, self.match(plans))
        self.sanitise([plan for plan in plans if plan.raw_body is not None])
        return plans

    def plan_row(self, line, values) -> ArticlePlan:
        article_id = values.pop("id", None)
        if "category" in values:
            values["category_id"] = values.pop("category")
        if article_id:
            key = ("id", article_id)
        elif values.get("source_url"):
            key = ("url", values["source_url"])
        else:
            published = values.get("published_at")
            day = timezone.localdate(published) if published else None
            key = ("natural", values.get("title"), values.get("category_id"), day)
        plan = ArticlePlan(line, key, values, object_id=article_id)
        plan.tags = values.pop("tags", None)
        plan.raw_body = values.pop("body", None)
        plan.version = values.pop("version", None)
        plan.old_body, plan.proposed = None, False
        if key[0] == "natural" and not (values.get("title") and values.get("category_id")):
            self.reject(plan, "title" if not values.get("title") else "category", NEEDS_BOTH)
        return plan

    def match(self, plans) -> dict:
        """Stored rows for this batch, keyed like the plans, in at most three queries."""
        fields = sorted({*STORED, "version", *(f for f in self.carried if f != "category")})
        ids = [p.key[1] for p in plans if p.key[0] == "id"]
        urls = [p.values["source_url"] for p in plans if p.values.get("source_url")]
        naturals = [p for p in plans if p.key[0] == "natural"]
        found, self.by_url = {}, {}
        articles = Article.objects.order_by()
        if ids:
            for row in articles.filter(pk__in=ids).values(*fields):
                found[("id", row["id"])] = row
        if urls:
            # The exclude() lets the partial unique index on source_url serve the lookup.
            query = articles.filter(source_url__in=urls).exclude(source_url="")
            for row in query.values(*fields):
                self.by_url[row["source_url"]] = row
                found[("url", row["source_url"])] = row
        if naturals:
            # By title alone, through its index (the category would lead the planner to read
            # every article of the batch's categories); rows of other categories match no key.
            query = articles.filter(title__in={p.values["title"] for p in naturals})
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
        return found

    def classify(self, plans, existing) -> None:
        matched_ids = [row["id"] for row in existing.values() if row]
        old_tags = defaultdict(set)
        if matched_ids and "tags" in self.table.headers:
            links = Article.tags.through.objects.filter(article_id__in=matched_ids)
            for article_id, name in links.values_list("article_id", "tag__name"):
                old_tags[article_id].add(name)
        for plan in plans:
            if plan.key in existing and existing[plan.key] is None:
                self.reject(plan, "title", "数据库中有多篇文章标题、栏目和发布日期相同，请加上编号")
                continue
            old = existing.get(plan.key)
            if plan.key[0] == "id" and old is None:
                self.reject(plan, "id", f"编号 {plan.object_id} 的文章不存在")
                continue
            url = plan.values.get("source_url")
            owner = self.by_url.get(url) if url else None
            if owner and old and owner["id"] != old["id"]:
                self.reject(plan, "source_url", f"这个原文链接已被编号 {owner['id']} 的文章使用")
                continue
            if old is None:
                self.classify_new(plan)
            else:
                self.classify_stored(plan, old, old_tags[old["id"]])

    def classify_new(self, plan) -> None:
        values = plan.values
        for name in ("title", "category_id"):
            if not values.get(name):
                self.reject(plan, name.removesuffix("_id"), NEEDS_BOTH)
                return
        error = workflow.state_change_error(self.user, None, values)
        if error:
            self.reject(plan, "status", error)
            return
        plan.outcome = Outcome.NEW
        values.setdefault("status", self.default_status(values))
        values["published_at"] = publication_time(values["status"], values.get("published_at"))

    def classify_stored(self, plan, old, tags) -> None:
        if plan.version is not None and plan.version != old["version"]:
            message = (
                f"这篇文章在导出（第 {plan.version} 版）之后已被修改"
                f"（现在是第 {old['version']} 版）：请重新导出，改好后再导入"
            )
            self.reject(plan, "version", message)
            return
        plan.object_id = old["id"]
        plan.old_body = old.get("body")
        status = plan.values.get("status", old["status"])
        plan.changed = [
            name
            for name, value in plan.values.items()
            if old[name] != value and not self.keeps_date(name, value, status)
        ]
        state = {name: plan.values[name] for name in workflow.STATE_FIELDS if name in plan.changed}
        error = workflow.state_change_error(
            self.user, {name: old[name] for name in workflow.STATE_FIELDS}, state
        )
        if error:
            self.reject(plan, next(iter(state)), error)
            return
        if plan.raw_body == plan.old_body:
            plan.raw_body = None  # the same text: nothing to sanitise or compare
        if plan.tags is not None and set(plan.tags) != tags:
            plan.changed.append("tags")
        plan.proposed = old["status"] == Article.Status.PUBLISHED and not self.can_publish
        plan.outcome = Outcome.UPDATE if plan.changed else Outcome.UNCHANGED

    def sanitise(self, plans) -> None:
        """Bodies through the one allow-list; a changed body is compared once sanitised."""
        for plan in plans:
            if plan.outcome == Outcome.FAILED:
                continue
            body = sanitize_html(plan.raw_body)
            plan.values["body"] = body
            if plan.outcome != Outcome.NEW and body != plan.old_body:
                plan.changed.append("body")
                plan.outcome = Outcome.UPDATE

    @staticmethod
    def keeps_date(name, value, status) -> bool:
        """A published row with no date keeps the stored date (the file just didn't say)."""
        return name == "published_at" and value is None and status == Article.Status.PUBLISHED

    # --- writing ------------------------------------------------------------------------------
    def write(self, plans) -> None:
        new = [p for p in plans if p.outcome == Outcome.NEW]
        proposed = [p for p in plans if p.outcome == Outcome.UPDATE and p.proposed]
        changed = [p for p in plans if p.outcome == Outcome.UPDATE and not p.proposed]
        self.tag_ids.ensure({name for p in new + changed if p.tags for name in p.tags})
        # A row that puts an article in 待审 submits it, as the form and the bulk action do.
        submitted = [
            p
            for p in new + changed
            if p.values.get("status") == Article.Status.REVIEW
            and (p.outcome == Outcome.NEW or "status" in p.changed)
        ]
        submission = workflow.submitted_fields(self.user)
        for plan in submitted:
            plan.values.update(submission)
        resubmitted = {p.object_id for p in submitted if p.outcome == Outcome.UPDATE}
        ids = bulk.insert_articles([p.values for p in new], self.user)
        for plan, article_id in zip(new, ids, strict=True):
            plan.object_id = article_id
        bulk.update_articles(
            (
                (
                    p.object_id,
                    {name: p.values[name] for name in p.changed if name != "tags"}
                    | (submission if p.object_id in resubmitted else {}),
                )
                for p in changed
            ),
            self.user,
            timezone.now(),
        )
        retagged = [p.object_id for p in changed if "tags" in p.changed]
        links = [
            (p.object_id, self.tag_ids[name])
            for p in new + changed
            if p.tags and (p.outcome == Outcome.NEW or "tags" in p.changed)
            for name in p.tags
        ]
        bulk.replace_tag_links(retagged, links)
        workflow.notify_submitted_many(
            [p.object_id for p in submitted], self.user, where="在导入中"
        )
        if proposed:
            workflow.propose_many(
                {p.object_id: self.proposal(p) for p in proposed},
                self.user,
                import_record=self.record,
            )
        public_changes.articles_changed(
            (p.object_id for p in new + changed),
            how=self.how,
            user=self.user,
            import_record=self.record,
        )

    @staticmethod
    def proposal(plan) -> dict:
        """A 编辑's row for a published article: the changed values, kept for a 主编."""
        values = {name: plan.values[name] for name in plan.changed if name != "tags"}
        if "tags" in plan.changed:
            values["tags"] = list(plan.tags)
        return {
            name.removesuffix("_id") if name == "category_id" else name: value
            for name, value in values.items()
        }

    def forget_batch_state(self) -> None:
        self.tag_ids.forget_new()

    def describe(self, plan) -> PlannedRow:
        changed = tuple(self.column(name.removesuffix("_id")) for name in plan.changed)
        note = "待主编审核" if plan.proposed else format_datetime(plan.values.get("published_at"))
        return PlannedRow(
            plan.line, plan.outcome, plan.values.get("title", ""), plan.object_id, changed, note
        )
