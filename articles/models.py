"""Categories, articles, tags, FAQ entries, and an article's change awaiting review.

Over 300 lines on purpose: the content model and the vocabulary its queries speak belong together.

``Article.objects.published()`` is the one door to what visitors see: every public view, feed,
sitemap, search and related-article query starts from it, and :class:`ArticleQuerySet` names the
other things public lists ask for (newest first, the columns a card needs, the flagged few).

What follows a write (the search index, the page cache) is not the models' business: the
receivers of :mod:`articles.public_changes` follow every save and delete.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from .history import ArticleHistory, RevisionInfo
from .sanitize import sanitize_html
from .slugs import unique_slug


class Category(models.Model):
    name = models.CharField("名称", max_length=50, unique=True)
    slug = models.SlugField(
        "网址名", max_length=60, unique=True, help_text="只用英文字母、数字和连字符"
    )
    description = models.TextField("简介", blank=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级栏目",
        help_text="导航中归入上级栏目之下",
    )
    sort_order = models.PositiveIntegerField("排序", default=0, help_text="小的在前")
    show_in_nav = models.BooleanField("在导航中显示", default=True)

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", args=[self.slug])


class Tag(models.Model):
    name = models.CharField("名称", max_length=50, unique=True)
    slug = models.SlugField("网址名", max_length=80, unique=True, blank=True)

    class Meta:
        verbose_name = "标签"
        verbose_name_plural = "标签"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:tag", args=[self.slug])


#: Fields whose change is no edit: no revision, no new version (the click counter).
UNTRACKED = {"view_count"}
# What the search index reads (articles.search.documents): saving other fields alone, such as
# view_count, leaves the index alone (articles.public_changes).
SEARCHED_FIELDS = {"title", "summary", "body", "status", "published_at", "category", "category_id"}


def published_q(prefix: str = "") -> Q:
    """What the public may see: published, its time has come and its 下线时间 has not. ``prefix``
    reads it from a related model (``published_q("articles__")`` on tags, categories, …)."""
    now = timezone.now()
    return Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}published_at__lte": now}) & (
        Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now})
    )


def publication_time(status: str, published_at, now=None):
    """The 发布时间 to store: a published article without one goes out now. Every path asks this:
    ``Article.save``, the importer and the bulk publish action."""
    if status == Article.Status.PUBLISHED and published_at is None:
        return now or timezone.now()
    return published_at


#: 头条, 推荐 or 置顶: one condition for ``ArticleQuerySet.flagged()`` and the partial index that
#: serves it (the database uses the index only when the query repeats its condition).
FLAGGED = Q(is_headline=True) | Q(is_featured=True) | Q(is_pinned=True)
#: The permission that lets a user put an article in front of readers or take it down (主编).
PUBLISH_PERMISSION = "articles.publish_article"


def may_publish(user) -> bool:
    """Whether ``user`` may publish, schedule or withdraw articles: every path asks here."""
    return user.has_perm(PUBLISH_PERMISSION)


#: What a list of article links shows (related articles, 上一篇/下一篇): never the body.
LINK_FIELDS = ("id", "title", "published_at", "category_id", "source", "cover_image_id")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_q())

    def awaiting_review(self):
        """What a 主编 has to decide: 待审 articles and live ones with a pending change."""
        return self.filter(
            Q(status=Article.Status.REVIEW)
            | Q(pk__in=PendingChange.objects.waiting().values("article"))
        )

    def returned_to(self, user):
        """What was sent back to ``user``: their 退回 drafts and their returned pending changes."""
        return self.filter(
            Q(status=Article.Status.DRAFT, submitted_by=user) & ~Q(review_note="")
            | Q(pk__in=PendingChange.objects.returned_to(user).values("article"))
        )

    def newest_first(self):
        """The public order: newest first, id breaking ties (imported rows share a time)."""
        return self.order_by("-published_at", "-id")

    def most_read(self):
        return self.filter(view_count__gt=0).order_by("-view_count", "-id")

    def flagged(self):
        """头条, 推荐 or 置顶: the few a small partial index finds without a scan."""
        return self.filter(FLAGGED)

    def pinned(self):
        return self.filter(is_pinned=True)

    def for_cards(self):
        """The columns an article card needs: everything but the body and keywords."""
        return self.select_related("category", "cover_image").defer("body", "keywords")

    def for_links(self):
        """The columns a list of links needs (:data:`LINK_FIELDS`), no join."""
        return self.only(*LINK_FIELDS)

    def latest_per_category(self, categories, limit: int) -> list[tuple["Category", list]]:
        """The newest ``limit`` of these articles in each of ``categories`` that has any, as
        ``[(category, [article, …]), …]`` in the categories' order: two queries.

        The first reads the categories; the second the articles, picked by one short walk of the
        (category, status, -published_at, -id) index per category. Each walk names its category,
        so the database plans it by what it knows of that category: asked for "the category of
        this row" (a correlated subquery), PostgreSQL walked every article by date for a category
        with few articles or none, whenever its statistics made categories look alike or predated
        an import (seconds on the home page at 100,000 articles)."""
        categories = list(categories)
        if not categories:
            return []
        walks = [
            self.filter(category_id=category.pk).newest_first().values("pk")[:limit].query
            for category in categories
        ]
        compiled = [walk.sql_with_params() for walk in walks]
        picks = RawSQL(  # SQLite takes LIMIT in a subquery of a UNION only inside FROM (…)
            " UNION ALL ".join(
                f"SELECT * FROM ({sql}) AS walk{n}" for n, (sql, _) in enumerate(compiled)
            ),
            [param for _, params in compiled for param in params],
        )
        found: dict[int, list] = {}
        for article in self.for_cards().filter(pk__in=picks).newest_first():
            found.setdefault(article.category_id, []).append(article)
        return [(category, found[category.pk]) for category in categories if category.pk in found]


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        REVIEW = "review", "待审"
        PUBLISHED = "published", "已发布"

    title = models.CharField("标题", max_length=200)
    subtitle = models.CharField("副标题", max_length=200, blank=True)
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="articles", verbose_name="栏目"
    )
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "发布时间",
        null=True,
        blank=True,
        help_text="已发布且到了这个时间才对读者可见；填将来的时间即定时发布",
    )
    expires_at = models.DateTimeField(
        "下线时间", null=True, blank=True, help_text="到了这个时间读者就看不到了；留空则一直可见"
    )
    source = models.CharField("来源", max_length=100, blank=True)
    source_url = models.URLField(
        "原文链接",
        max_length=500,
        blank=True,
        help_text="填写后不可与其他文章重复；导入时据此识别同一篇文章",
    )
    author = models.CharField("作者", max_length=100, blank=True)
    summary = models.TextField(
        "摘要", blank=True, help_text="用作搜索引擎的页面描述，建议 120 字以内"
    )
    keywords = models.CharField("关键词", max_length=255, blank=True, help_text="以逗号或顿号分隔")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name="标签")
    body = models.TextField("正文", blank=True, help_text="保存时自动清理不安全的 HTML")
    cover_image = models.ForeignKey(
        "images.Image",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="covers",
        verbose_name="封面图",
        help_text="从图片库选用或上传；替代文字、图注、来源和裁剪焦点在图片库里设置",
    )
    is_headline = models.BooleanField("头条", default=False)
    is_featured = models.BooleanField("推荐", default=False)
    is_pinned = models.BooleanField("置顶", default=False)
    view_count = models.PositiveIntegerField("点击", default=0, editable=False)
    version = models.PositiveIntegerField(
        "版本",
        default=1,
        editable=False,
        help_text="每保存一次加一：打开后被别人改过的表单不能保存",
    )
    review_note = models.TextField("审核意见", blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="送审人",
        editable=False,
    )
    related = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name="相关文章",
        help_text="手动挑选的相关文章排在前面，不足时按标签和关键词自动补充",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
        editable=False,
    )

    objects = ArticleQuerySet.as_manager()
    history = ArticleHistory(
        verbose_name="文章修订",
        bases=[RevisionInfo],
        excluded_fields=["view_count"],
        user_related_name="+",
    )

    class Meta:
        verbose_name = "文章"
        verbose_name_plural = "文章"
        ordering = ["-published_at", "-id"]  # id breaks ties among imported rows
        permissions = [("publish_article", "可以发布文章")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_url"],
                condition=~Q(source_url=""),
                name="article_unique_source_url",
                violation_error_message="已有文章使用这个原文链接。",
            ),
        ]
        indexes = [
            # The public lists: everything published, newest first (home, feeds, sitemap) ...
            models.Index(fields=["status", "-published_at", "-id"], name="article_public_idx"),
            # ... and the same within one category, so page 2,000 stays an index walk: with
            # expires_at in it, the walk never reads a table row (an index-only scan).
            models.Index(
                fields=["category", "status", "-published_at", "-id", "expires_at"],
                name="article_category_idx",
            ),
            models.Index(fields=["-view_count", "-id"], name="article_views_idx"),
            # The admin list's date drill-down, and its default order: last changed first, so a
            # new draft with no date yet is at the top, not on the last page.
            models.Index(fields=["-published_at", "-id"], name="article_admin_idx"),
            models.Index(fields=["-updated_at", "-id"], name="article_updated_idx"),
            # Small partial indexes for the few flagged articles: the home page's lead stories
            # and a category's pinned ones are found without scanning every article.
            models.Index(
                fields=["-published_at", "-id"],
                condition=FLAGGED,
                name="article_flagged_idx",
            ),
            models.Index(
                fields=["category", "-published_at", "-id"],
                condition=Q(is_pinned=True),
                name="article_category_pinned_idx",
            ),
            # An imported row without 编号 or 原文链接 is matched by its title (and category and
            # date): without this, each batch of an import read every article of its categories.
            models.Index(fields=["title"], name="article_title_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        self.published_at = publication_time(self.status, self.published_at)
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and not (update_fields and set(update_fields) <= UNTRACKED):
            self.version += 1  # a form opened on the version before cannot save over this one
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", args=[self.pk])

    def is_published(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    is_published.boolean = True
    is_published.short_description = "读者可见"

    @property
    def keyword_list(self) -> list[str]:
        return split_terms(self.keywords)


class FAQ(models.Model):
    article = models.ForeignKey(Article, models.CASCADE, related_name="faqs", verbose_name="文章")
    question = models.CharField("问题", max_length=300)
    answer = models.TextField("回答")
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "常见问题"
        verbose_name_plural = "常见问题"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.question


class PendingChangeQuerySet(models.QuerySet):
    """A pending change counts while its article is live. One of an article withdrawn meanwhile
    waits, untouched, until the article is published again (``workflow.pending_of``)."""

    def waiting(self):
        return self.filter(returned_at__isnull=True, article__status=Article.Status.PUBLISHED)

    def returned_to(self, user):
        return self.filter(
            author=user, returned_at__isnull=False, article__status=Article.Status.PUBLISHED
        )


class PendingChange(models.Model):
    """An 编辑's change to a live article, kept apart until a 主编 approves it (待审修改).

    Readers keep seeing the article as it is; approving applies these values
    (:mod:`articles.workflow`). One per article: later edits by its author replace it."""

    article = models.OneToOneField(
        Article, models.CASCADE, related_name="pending_change", verbose_name="文章"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="修改人",
    )
    values = models.JSONField("修改内容", default=dict)  # field -> value as JSON; "tags": names
    base_version = models.PositiveIntegerField("基于版本")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    returned_note = models.TextField("退回意见", blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    import_record = models.ForeignKey(
        "hitech_portal.ImportRecord",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来自导入",
    )

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "待审修改"
        verbose_name_plural = "待审修改"
        ordering = ["-updated_at"]

    def __str__(self):
        return f"「{self.article}」的待审修改"


TERM_SEPARATORS = str.maketrans({"，": ",", "、": ",", "；": ",", ";": ","})


def split_terms(text: str) -> list[str]:
    """Split a keyword or tag list on ``,`` ``，`` ``、`` ``;``; blanks and repeats dropped."""
    seen = []
    for part in (text or "").translate(TERM_SEPARATORS).split(","):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


class ViewCountMark(models.Model):
    """How far the reads buffered in one store have been added to ``Article.view_count``.

    Written in the same transaction as the counts it covers, so a flush interrupted at any point
    is neither lost nor applied twice (``articles.view_counts``)."""

    store = models.CharField("缓冲", max_length=80, unique=True)
    position = models.CharField("已计入到", max_length=40)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "点击计数进度"
        verbose_name_plural = "点击计数进度"

    def __str__(self):
        return f"{self.store} → {self.position}"
