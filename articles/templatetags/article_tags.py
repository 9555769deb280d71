"""Template helpers of the public pages. Each tag costs at most one query per request."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from articles.models import Category
from hitech_portal.traditional import JSON_SCRIPT_ESCAPES
from images.html import picture

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


#: How wide each kind of cover is shown (``sizes``), so the browser picks the smallest file
#: that fills it: the article column (46em), the home's lead, a card's thumbnail.
COVER_SIZES = {
    "cover": "(max-width: 760px) calc(100vw - 32px), 736px",
    "lead": "(max-width: 760px) calc(100vw - 32px), 660px",
    "thumb": "(min-width: 720px) 200px, (max-width: 480px) 112px, 160px",
}


@register.simple_tag
def cover_img(article, css_class="cover", *, lead=False, shown_as=""):
    """The cover from the image library: its 16:9 renditions around the focal point, sized
    (no layout shift), lazy unless it is the page's ``lead`` image."""
    sizes = COVER_SIZES[shown_as or css_class]
    return picture(article.cover_image, kind="wide", sizes=sizes, css_class=css_class, lead=lead)
