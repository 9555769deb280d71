"""What an article page shows around the article: related articles and its neighbours.

Everything starts from ``Article.objects.published()``, so drafts, scheduled and hidden articles
never appear, and each function runs a fixed number of queries whatever the data.
"""

from django.db.models import Count, Q

from .models import LINK_FIELDS, Article

RELATED_LIMIT = 6
TAG_CANDIDATES = 200


def related_articles(article: Article, *, limit: int = RELATED_LIMIT) -> list[Article]:
    """Hand-picked related articles first (published ones, in the editors' order), then articles
    sharing the most tags (newest first among equals; among the newest ``TAG_CANDIDATES`` that
    share any tag), then articles of the same category whose
    keywords share one of this article's keywords. Never the article itself. At most 3 queries.
    """
    links = (
        Article.related.through.objects.filter(
            from_article_id=article.pk, to_article__in=Article.objects.published()
        )
        .exclude(to_article_id=article.pk)
        .select_related("to_article")
        .only(*(f"to_article__{name}" for name in LINK_FIELDS), "from_article_id")
        .order_by("id")[:limit]  # the order the editors picked them in
    )
    picked = [link.to_article for link in links]
    seen = {article.pk, *(a.pk for a in picked)}
    result = picked
    tag_ids = [tag.pk for tag in article.tags.all()]  # prefetched by the view
    if len(result) < limit and tag_ids:
        # Candidates: the newest articles sharing any tag, so a tag on 30,000 articles costs a
        # short index walk, not a count over all of them.
        candidates = (
            Article.objects.published()
            .filter(tags__in=tag_ids)
            .newest_first()
            .values("pk")[:TAG_CANDIDATES]
        )
        by_tags = (
            Article.objects.published()
            .for_links()
            .filter(pk__in=candidates, tags__in=tag_ids)
            .exclude(pk__in=seen)
            .annotate(shared=Count("tags"))
            .order_by("-shared", "-published_at", "-id")[: limit - len(result)]
        )
        for item in by_tags:
            result.append(item)
            seen.add(item.pk)
    keywords = article.keyword_list[:5]
    if len(result) < limit and keywords:
        matches = Q()
        for keyword in keywords:
            matches |= Q(keywords__contains=keyword)
        by_keywords = (
            Article.objects.published()
            .for_links()
            .filter(matches, category_id=article.category_id)
            .exclude(pk__in=seen)
            .newest_first()[: limit - len(result)]
        )
        result.extend(by_keywords)
    return result


def neighbours(article: Article) -> tuple[Article | None, Article | None]:
    """(上一篇, 下一篇): the published articles just older and just newer in the same category,
    by the category list's own order (published_at, then id). Two index walks."""
    if article.published_at is None:
        return None, None
    in_category = Article.objects.published().for_links().filter(category_id=article.category_id)
    at, pk = article.published_at, article.pk
    # A plain range on published_at lets the index start right at the article; the few rows
    # published at the very same moment are then sorted out by id.
    older = (
        in_category.filter(published_at__lte=at)
        .exclude(published_at=at, id__gte=pk)
        .newest_first()
        .first()
    )
    newer = (
        in_category.filter(published_at__gte=at)
        .exclude(published_at=at, id__lte=pk)
        .order_by("published_at", "id")
        .first()
    )
    return older, newer
