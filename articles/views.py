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
    queryset = Article.objects.select_related("category").prefetch_related(
        "tags", "faqs", "indicators", "indicators__observations"
    )
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
