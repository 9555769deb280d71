from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.generic import ListView

from .models import Article, Category, Tag


class CategoryArticleListView(ListView):
    paginate_by = 20
    template_name = "articles/category_detail.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return self.category.articles.published().select_related("category")

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class TagArticleListView(ListView):
    paginate_by = 20
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return self.tag.articles.published().select_related("category")

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


def article_detail(request, pk):
    """Visitors see published articles only; staff may preview drafts and scheduled ones."""
    queryset = Article.objects.select_related("category").prefetch_related("tags", "faqs")
    if request.user.is_staff:
        article = get_object_or_404(queryset, pk=pk)
    else:
        article = get_object_or_404(queryset.published(), pk=pk)
    response = render(
        request,
        "articles/article_detail.html",
        {"article": article, "category": article.category, "preview": not article.is_published()},
    )
    if not article.is_published():
        add_never_cache_headers(response)
    return response


def search(request):
    """``/search/?q=…&category=<slug>&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N``."""
    from django.http import HttpResponseBadRequest
    from django.utils.dateparse import parse_date

    from .search import search as run_search

    query = request.GET.get("q", "").strip()
    category = None
    slug = request.GET.get("category", "")
    if slug:
        category = get_object_or_404(Category, slug=slug)
    dates = []
    for name in ("from", "to"):
        raw = request.GET.get(name, "").strip()
        try:
            dates.append(parse_date(raw) if raw else None)
        except ValueError:
            dates.append(None)
        if raw and dates[-1] is None:
            dates = None
            break
    page = request.GET.get("page", "1")
    if dates is None or not page.isdigit():
        return HttpResponseBadRequest("参数有误：日期应为 YYYY-MM-DD，页码应为正整数。")
    results = run_search(
        query,
        category_id=category.pk if category else None,
        date_from=dates[0],
        date_to=dates[1],
        page=min(int(page), 10**6),
    )
    return render(
        request,
        "articles/search.html",
        {
            "query": query,
            "results": results,
            "page_obj": results,
            "category": category,
            "categories": Category.objects.all(),
            "date_from": request.GET.get("from", ""),
            "date_to": request.GET.get("to", ""),
        },
    )
