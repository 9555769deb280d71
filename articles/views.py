"""The public article pages: category lists, tag lists, the article, and its view counter.

Every list reads ``Article.objects.published()`` without the body column, on an indexed order,
and runs a fixed number of queries whatever it shows. Bad query parameters never reach a 500:
an invalid filter is a 400 page naming the problem, a page number that is not a number or lies
past the end is a 404 (``ListView``'s paging).
"""

from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from .crawlers import is_crawler
from .filters import DEFAULT_ORDERING, ArticleFilter
from .forms import SearchForm
from .models import Article, Category, Tag
from .paging import DeferredJoinPaginator
from .related import neighbours, related_articles
from .search import search as search_articles
from .structured_data import article_graph, breadcrumb_trail

PER_PAGE = 20
PINNED_LIMIT = 5
FILTER_SAMPLE = 200  # the newest articles of a category that suggest its tag and source choices


def page_links(page):
    """Numbered page links: 1 2 … 7 8 [9] 10 11 … 5000."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


def meta_description(article: Article) -> str:
    text = article.summary or strip_tags(article.body)
    return Truncator(" ".join(text.split())).chars(150) or article.title


class PagedListView(ListView):
    """20 a page with numbered page links (1 2 … 7 8 [9] 10 11 … 5000)."""

    paginate_by = PER_PAGE
    paginator_class = DeferredJoinPaginator

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
        self.category = get_object_or_404(
            Category.objects.select_related("parent"), slug=kwargs["slug"]
        )
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

    def filter_context(self):
        recent = self.category.articles.published().newest_first()
        recent_ids = recent.values("pk")[:FILTER_SAMPLE]
        tag_choices = list(
            Tag.objects.filter(articles__in=recent_ids)
            .annotate(uses=Count("articles"))
            .order_by("-uses", "name")[:30]
        )
        sources = sorted(
            set(recent.exclude(source="").values_list("source", flat=True)[:FILTER_SAMPLE])
        )
        return {
            "category": self.category,
            "children": list(self.category.children.filter(show_in_nav=True)),
            "tag_choices": tag_choices,
            "source_choices": sources,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.filter_context(), filter=self.filterset)
        page = context["page_obj"]
        filtered = self.filterset.is_filtered
        context["filtered"] = filtered
        # Pinned articles lead page 1 of the plain list; they keep their place further down too,
        # so the numbered pages stay a stable walk of one index.
        pinned = self.category.articles.published().pinned().for_cards().newest_first()
        context["pinned"] = list(pinned[:PINNED_LIMIT]) if page.number == 1 and not filtered else []
        context["ordering"] = self.filterset.current_ordering
        context["default_ordering"] = DEFAULT_ORDERING
        return context


class TagArticleListView(PagedListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return self.tag.articles.published().for_cards().newest_first()

    def count_key(self):
        return f"tag:{self.tag.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


def article_detail(request, pk):
    """Visitors see published articles only; staff may preview drafts and scheduled ones."""
    queryset = Article.objects.select_related("category__parent").prefetch_related(
        "tags",
        "faqs",
        # Read through the reverse relation: this app never imports ``indicators``.
        "indicators",
        "indicators__observations",
        # Whether readers may see each value (an embargoed source article's may not).
        Prefetch(
            "indicators__observations__source_article",
            queryset=Article.objects.only("id", "status", "published_at", "expires_at"),
        ),
    )
    # Previews of drafts and scheduled articles are for those who may edit them.
    if request.user.is_staff and request.user.has_perm("articles.change_article"):
        article = get_object_or_404(queryset, pk=pk)
    else:
        article = get_object_or_404(queryset.published(), pk=pk)
    published = article.is_published()
    description = meta_description(article)
    trail = breadcrumb_trail(article)
    previous, following = neighbours(article) if published else (None, None)
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "category": article.category,
            "preview": not published,
            "description": description,
            "trail": trail,
            "structured_data": article_graph(article, description, trail),
            "related_articles": related_articles(article),
            "indicators": article.indicators.all(),
            "previous_article": previous,
            "next_article": following,
        },
    )
    if not published:
        add_never_cache_headers(response)
    return response


# The counter is called by static/js/site.js from pages that may be served from a shared cache,
# which cannot carry a per-visitor CSRF token. Exempting this one endpoint is harmless: it takes
# no input but the article id, changes nothing but a public counter, and answers POST only.
@csrf_exempt
@require_POST
def count_view(request, pk):
    """Add one read to a published article, unless a crawler asks; answer the current count.

    ``F() + 1`` is one UPDATE statement, so concurrent readers never lose a count."""
    published = Article.objects.published().filter(pk=pk)
    counted = not is_crawler(request.headers.get("User-Agent", ""))
    if counted:
        found = published.update(view_count=F("view_count") + 1)
    view_count = published.values_list("view_count", flat=True).first()
    if view_count is None or (counted and not found):
        return JsonResponse({"error": "没有这篇文章。"}, status=404)
    response = JsonResponse({"view_count": view_count, "counted": counted})
    add_never_cache_headers(response)
    return response


def search(request):
    """``/search/?q=…&category=<slug>&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N``: paged like every
    other list; a page past the end shows the last one (a result count can shrink)."""
    form = SearchForm(request.GET)
    context = {"form": form, "search_query": request.GET.get("q", "").strip()}
    if not form.is_valid():
        return render(request, "articles/search.html", context, status=400)
    query = form.cleaned_data["q"]
    results = search_articles(query, **form.filters)
    page = Paginator(results, PER_PAGE).get_page(form.cleaned_data["page"] or 1)
    context.update(
        query=query,
        results=results,
        page_obj=page,
        page_range=page_links(page),
        category=form.cleaned_data["category"],
    )
    return render(request, "articles/search.html", context)
