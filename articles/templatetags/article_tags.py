"""Template helpers of the public pages. Each tag costs at most one query per request."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.models import Category
from hitech_portal.traditional import JSON_SCRIPT_ESCAPES

register = template.Library()


@register.filter
def jsonld(value):
    """``{{ data|jsonld }}``: one ``<script type="application/ld+json">`` per dict in a list."""
    blocks = value if isinstance(value, list | tuple) else [value]
    scripts = [
        '<script type="application/ld+json">'
        + json.dumps(block, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
            JSON_SCRIPT_ESCAPES
        )
        + "</script>"
        for block in blocks
        if block
    ]
    return mark_safe("\n".join(scripts))  # escaped above


@register.simple_tag(takes_context=True)
def category_tree(context):
    """Navigation categories as ``[(category, [children…]), …]``, top level in their order.

    One query, remembered on the request so the header and the home page share it."""
    request = context.get("request")
    tree = getattr(request, "_category_tree", None)
    if tree is None:
        categories = list(Category.objects.filter(show_in_nav=True))
        children = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)
        shown = {category.pk for category in categories}
        tree = [
            (category, children.get(category.pk, []))
            for category in categories
            if category.parent_id is None or category.parent_id not in shown
        ]
        if request is not None:
            request._category_tree = tree
    return tree


@register.simple_tag
def cover_img(article, css_class="cover", *, measure=False, width=960, height=540, lazy=False):
    """The cover image with a size (so the page does not jump while it loads).

    Lists give the 16:9 box the stylesheet crops thumbnails to; the article page asks to
    ``measure`` the stored file, falling back to that box when the file is missing or unreadable
    rather than failing the page."""
    if measure:
        try:
            width, height = article.cover.width, article.cover.height
        except (OSError, ValueError):
            pass
    return format_html(
        '<img class="{}" src="{}" alt="{}" width="{}" height="{}"{}>',
        css_class,
        article.cover.url,
        article.cover_alt or article.title,
        width,
        height,
        mark_safe(' loading="lazy" decoding="async"') if lazy else "",
    )
