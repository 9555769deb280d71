"""schema.org JSON-LD for article pages: NewsArticle, FAQPage, BreadcrumbList.

Built as plain dicts from what the view already loaded (no queries here); the template tag
``jsonld`` serialises them safely inside ``<script type="application/ld+json">``.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from images.renditions import share_image_url

from .models import Article


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def breadcrumb_trail(article: Article) -> list[tuple[str, str]]:
    """(name, path) from the home page down to the article."""
    trail = [("首页", reverse("home"))]
    category = article.category
    if category.parent_id:
        trail.append((category.parent.name, category.parent.get_absolute_url()))
    trail.append((category.name, category.get_absolute_url()))
    trail.append((article.title, article.get_absolute_url()))
    return trail


def breadcrumb_list(trail: list[tuple[str, str]]) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": absolute(path)}
            for n, (name, path) in enumerate(trail, start=1)
        ],
    }


def news_article(article: Article, description: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": description,
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "articleSection": article.category.name,
        "inLanguage": "zh-Hans",
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute("/")},
    }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    if article.updated_at:
        data["dateModified"] = article.updated_at.isoformat()
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author}
    else:
        data["author"] = {"@type": "Organization", "name": article.source or settings.SITE_NAME}
    if article.cover_image:
        data["image"] = [share_image_url(article.cover_image)]
    keywords = article.keyword_list + [tag.name for tag in article.tags.all()]
    if keywords:
        data["keywords"] = list(dict.fromkeys(keywords))
    return data


def faq_page(faqs) -> dict | None:
    if not faqs:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": strip_tags(faq.answer)},
            }
            for faq in faqs
        ],
    }


def article_graph(article: Article, description: str, trail) -> list[dict]:
    blocks = [news_article(article, description), breadcrumb_list(trail)]
    faq = faq_page(list(article.faqs.all()))
    if faq:
        blocks.append(faq)
    return blocks
