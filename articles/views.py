"""The public article pages: category lists, tag lists, the article, and its view counter.

Every list reads ``Article.objects.published()`` without the body column, on an indexed order,
and runs a fixed number of queries whatever it shows. Bad query parameters never reach a 500:
an invalid filter is a 400 page naming the problem, a page number that is not a number or lies
past the end is a 404 (``ListView``'s paging).
"""

import hashlib
from functools import cached_property
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView

from hitech_portal.pagecache import kept
from images.html import responsive_body
from images.renditions import share_image_url

from .crawlers import is_crawler
from .filters import DEFAULT_ORDERING, ArticleFilter
from .forms import SearchForm
from .models import Article, Category, Tag
from .paging import DeferredJoinPaginator
from .related import neighbours, related_articles
from .search import search as search_articles
from .sharing import qr_svg
from .structured_data import article_graph, breadcrumb_trail
from .view_counts import record_view, shown_count

PER_PAGE = 20
PINNED_LIMIT = 5
FILTER_SAMPLE = 200  # the newest articles of a category that suggest its tag and source choices
EXTRAS_SECONDS = 300


def page_links(page):
    """Numbered page links: 1 2 … 7 8 [9] 10 11 … 5000."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


def meta_description(article: Article) -> str:
    text = article.summary or strip_tags(article.body)
    return Truncator(" ".join(text.split())).chars(150) or article.title


def summary_box(article: Article) -> str:
    """The 摘要 to show above the body: none when it only repeats the body's opening.

    Imports and the demo take a missing summary from the first sentences of the body; shown in
    a box right above that paragraph it would be read twice."""
    summary = "".join(article.summary.split()).rstrip("…").rstrip(".")
    if not summary:
        return ""
    opening = "".join(strip_tags(article.body[: len(article.summary) * 4 + 2000]).split())
    return "" if opening.startswith(summary) else article.summary


class PagedListView(ListView):
    """20 a page with numbered page links (1 2 … 7 8 [9] 10 11 … 5000)."""

    paginate_by = PER_PAGE
    paginator_class = DeferredJoinPaginator
    http_method_names = ["get", "head"]  # as every public page: OPTIONS and TRACE are a 405

    def count_key(self) -> str:
        """What identifies this list's total in the shared cache ("" = count every time)."""
        return ""

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(queryset, per_page, count_key=self.count_key(), **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_range"] = page_links(context["page_obj"])
        return context


class CategoryArticleListView(PagedListView):
    template_name = "articles/category_detail.html"

    def get(self, request, *args, **kwargs):
        self.category = category_by_slug(kwargs["slug"])
        if self.category is None:
            raise Http404("没有这个栏目。")
        base = self.category.articles.published().for_cards()
        self.filterset = ArticleFilter(request.GET, queryset=base)
        if not self.filterset.is_valid():
            context = self.filter_context()
            context.update(
                filter=self.filterset,
                page_obj=None,
                invalid_filter=True,
                ordering=self.filterset.current_ordering,
            )
            return render(request, self.template_name, context, status=400)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.filterset.qs

    def count_key(self):
        data = self.filterset.form.cleaned_data
        narrowed = sorted(
            (name, str(getattr(value, "pk", value)))
            for name, value in data.items()
            if value and name != "ordering"
        )
        return f"category:{self.category.pk}:{narrowed}"

    @cached_property
    def extras(self) -> dict:
        return category_extras(self.category)

    def filter_context(self):
        # What the filter form shows follows from the filters' values in the address, which of
        # them were refused and the kept choices: its markup is a shared fragment keyed by them
        # (templates/articles/includes/filter_form.html).
        asked = sorted((name, self.request.GET.getlist(name)) for name in self.filterset.filters)
        return {
            "category": self.category,
            "filter_asked": repr((asked, sorted(self.filterset.form.errors))),
            **{name: value for name, value in self.extras.items() if name != "pinned"},
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.filter_context(), filter=self.filterset)
        page = context["page_obj"]
        filtered = self.filterset.is_filtered
        context["filtered"] = filtered
        # Pinned articles lead page 1 of the plain list; they keep their place further down too,
        # so the numbered pages stay a stable walk of one index.
        pinned = self.extras["pinned"]
        context["pinned"] = pinned if page.number == 1 and not filtered else []
        # …but not twice on page 1: under 置顶 and again in the list below it.
        shown = {article.pk for article in context["pinned"]}
        context["articles"] = [article for article in page if article.pk not in shown]
        context["ordering"] = self.filterset.current_ordering
        context["default_ordering"] = DEFAULT_ORDERING
        return context


def category_by_slug(slug: str) -> Category | None:
    """The category at this address (with its parent), kept under the page generation: any
    change to a category retires it."""
    digest = hashlib.sha256(slug.encode()).hexdigest()[:32]
    lookup = Category.objects.select_related("parent").filter(slug=slug)
    return kept(f"category.{digest}", lambda: lookup.first(), EXTRAS_SECONDS)


def category_extras(category: Category) -> dict:
    """A category's pinned articles, its filter's tag and source choices and its subcategories.

    Counting tag uses over the newest articles and finding the pinned few are most of an uncached
    category page's work, and their answers change only with a published change: they are kept
    in the page store under the page generation (any write retires them), and no longer than
    ``EXTRAS_SECONDS`` or the next scheduled publication (hitech_portal.pagecache)."""
    return kept(f"category-extras.{category.pk}", lambda: _extras(category), EXTRAS_SECONDS)


def _extras(category: Category) -> dict:
    published = category.articles.published()
    recent = published.newest_first()
    recent_ids = recent.values("pk")[:FILTER_SAMPLE]
    tags = list(
        Tag.objects.filter(articles__in=recent_ids)
        .annotate(uses=Count("articles"))
        .order_by("-uses", "name")[:30]
    )
    sources = sorted(
        set(recent.exclude(source="").values_list("source", flat=True)[:FILTER_SAMPLE])
    )
    pinned = list(published.pinned().for_cards().newest_first()[:PINNED_LIMIT])
    children = list(category.children.filter(show_in_nav=True))
    return {"tag_choices": tags, "source_choices": sources, "pinned": pinned, "children": children}


class TagArticleListView(PagedListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        # A tag only drafts carry has no page: its name would tell what is being written.
        public = Article.objects.published().filter(tags=OuterRef("pk"))
        self.tag = get_object_or_404(Tag.objects.filter(Exists(public)), slug=self.kwargs["slug"])
        return self.tag.articles.published().for_cards().newest_first()

    def count_key(self):
        return f"tag:{self.tag.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


@require_safe
def article_detail(request, pk):
    """Visitors see published articles only; staff may preview drafts and scheduled ones.

    A published article is found without reading the session: only when there is none does the
    view ask who is reading (and load the session) to offer the preview. What a published
    article's page shows (its row, tags, FAQs, figures, structured data, neighbours) and the
    markup of its main column are kept under the page generation (any write retires them), so a
    page the page cache cannot answer (a reader with a session) runs no query when read again."""
    article = article_for_page(pk)
    if article is None:
        raise Http404("没有这篇文章。")
    published = article.is_published()
    if published:
        name = f"article-parts.{get_language()}.{pk}"  # its addresses are the language's
        parts = kept(name, lambda: article_parts(article), EXTRAS_SECONDS)
        around = article_surroundings(article)
    else:
        # Previews of drafts and scheduled articles are for those who may edit them.
        if not (request.user.is_staff and request.user.has_perm("articles.change_article")):
            raise Http404("没有这篇文章。")
        parts = article_parts(article)
        # A preview shows what the article links to; where it will sit is known once it is live.
        around = {"related": related_articles(article)}
    response = render(
        request,
        "articles/article_detail.html",
        {
            **parts,
            "article": article,
            "category": article.category,
            "preview": not published,
            "related_articles": around.get("related", []),
            "previous_article": around.get("previous"),
            "next_article": around.get("next"),
        },
    )
    if not published:
        add_never_cache_headers(response)
    return response


def _article_row(pk) -> Article | None:
    """The article with this id, with what its page shows of its category and cover, or None."""
    queryset = Article.objects.select_related("category__parent", "cover_image").order_by()
    return next(iter(queryset.filter(pk=pk)), None)


class _NotForReaders(Exception):
    """The row read is not one readers may see (or there is none): it is not kept."""

    def __init__(self, row: Article | None):
        self.row = row


def article_for_page(pk) -> Article | None:
    """The article with this id, with what its page shows of its category and cover, or None.

    A row readers may see (``is_published()``) is kept under the page generation: it changes
    only by a write, which retires it, and its 下线时间 is checked again on every use. Any other
    (a draft or scheduled article for a staff preview, an id that does not exist) is read on
    every request and never kept: a scheduled article goes live at its time with no write, and
    ids a crawler makes up would fill the store."""

    def read():
        row = _article_row(pk)
        if row is None or not row.is_published():
            raise _NotForReaders(row)
        return row

    try:
        article = kept(f"article.{pk}", read, EXTRAS_SECONDS)
    except _NotForReaders as read_now:
        return read_now.row
    return article if article.is_published() else _article_row(pk)  # its 下线时间 has come


def article_parts(article: Article) -> dict:
    """What an article's page shows besides its row: its tags, FAQs and the figures it cites
    (their public observations only: a scheduled article's figures stay under embargo), and
    what is made of them. Four queries."""
    prefetch_related_objects(
        [article],
        "tags",
        "faqs",
        # Read through the reverse relation: this app never imports ``indicators``.
        "indicators",
        Prefetch(
            "indicators__observations",
            queryset=apps.get_model("indicators", "Observation").objects.public(),
        ),
    )
    description = meta_description(article)
    trail = breadcrumb_trail(article)
    return {
        "tags": list(article.tags.all()),
        "faqs": list(article.faqs.all()),
        "indicators": list(article.indicators.all()),
        "description": description,
        "summary": summary_box(article),
        "body": responsive_body(article.body),
        "share_image": share_image_url(article.cover_image) if article.cover_image else "",
        "trail": trail,
        "structured_data": article_graph(article, description, trail),
    }


def article_surroundings(article: Article) -> dict:
    """A published article's related articles and its 上一篇/下一篇: four queries, whose answer
    changes only with a published change. Kept in the page store under the page generation (any
    write retires it) and never past the next scheduled publication."""
    return kept(f"article-around.{article.pk}", lambda: _surroundings(article), EXTRAS_SECONDS)


def _surroundings(article: Article) -> dict:
    previous, following = neighbours(article)
    return {"related": related_articles(article), "previous": previous, "next": following}


def article_qr(request, pk):
    """The QR code of the article's address (in the script of the page that links it)."""
    get_object_or_404(Article.objects.published().only("pk"), pk=pk)
    address = settings.SITE_URL + request.path.removesuffix("qr.svg")
    return HttpResponse(qr_svg(address), content_type="image/svg+xml")


# The counter is called by static/js/site.js from pages that may be served from a shared cache,
# which cannot carry a per-visitor CSRF token. Exempting this one endpoint is harmless: it takes
# no input but the article id, changes nothing but a public counter, answers POST only, and
# counts only requests whose Origin is this site (articles.view_counts).
@csrf_exempt
@require_POST
def count_view(request, pk):
    """Count one read of a published article by a person; answer the count readers now see.

    The read goes to a buffer, not the database (``articles.view_counts``): repeats, crawlers,
    other sites' pages and floods from one address are answered but not counted."""
    if not same_origin(request):
        return JsonResponse({"error": "只统计本站页面上的阅读。"}, status=403)
    stored = Article.objects.published().filter(pk=pk).values_list("view_count", flat=True).first()
    if stored is None:
        return JsonResponse({"error": "没有这篇文章。"}, status=404)
    counted = not is_crawler(request.headers.get("User-Agent", "")) and record_view(request, pk)
    if counted:
        stored = Article.objects.filter(pk=pk).values_list("view_count", flat=True).first() or 0
    response = JsonResponse({"view_count": shown_count(pk, stored), "counted": counted})
    add_never_cache_headers(response)
    return response


def same_origin(request) -> bool:
    """Browsers send ``Origin`` with every POST: it must name this site (or a trusted origin)."""
    origin = request.headers.get("Origin", "")
    if not origin or origin == "null":
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    return urlsplit(origin).netloc == request.get_host()


@require_safe
def search(request):
    """``/search/?q=…&category=<slug>&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N``: paged like every
    other list; a page past the end shows the last one (a result count can shrink)."""
    form = SearchForm(request.GET)
    context = {"form": form, "search_query": request.GET.get("q", "").strip()}
    if not form.is_valid():
        return render(request, "articles/search.html", context, status=400)
    query = form.cleaned_data["q"]
    results = search_articles(query, kept=True, **form.filters)
    page = Paginator(results, PER_PAGE).get_page(form.cleaned_data["page"] or 1)
    context.update(
        query=query,
        results=results,
        page_obj=page,
        page_range=page_links(page),
        category=form.cleaned_data["category"],
    )
    return render(request, "articles/search.html", context)
