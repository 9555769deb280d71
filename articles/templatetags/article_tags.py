"""Template helpers of the public pages. Each tag costs at most one query per request."""

import hashlib
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from articles.models import Category
from hitech_portal.pagecache import kept
from hitech_portal.traditional import JSON_SCRIPT_ESCAPES
from images.html import picture

register = template.Library()

PAGE_SECONDS = 3600  # what no publication changes (categories) is kept this long at most


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

    Each category carries its address as ``url`` in the page's script. One query per page
    generation and language: kept in the page store (any change to a category retires it), and
    remembered on the request so the header, the footer and the home page share it."""
    request = context.get("request")
    tree = getattr(request, "_category_tree", None)
    if tree is None:
        tree = kept(f"category-tree.{get_language()}", navigation_tree, PAGE_SECONDS)
        if request is not None:
            request._category_tree = tree
    return tree


@register.filter
def pks(articles) -> str:
    """``{{ page_obj|pks }}``: the ids of what a list shows, to key a :func:`shared_fragment`."""
    return ",".join(str(article.pk) for article in articles)


@register.tag
def shared_fragment(parser, token):
    """``{% shared_fragment "name" value … %}…{% endshared_fragment %}``: the enclosed markup,
    rendered once per page generation, language and set of values, and kept in the page store.

    For what every page repeats and only a published change alters (the navigation, the
    footer's category list): any write retires it with the pages. Only for markup that depends
    on nothing but the values named (never on the reader)."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("shared_fragment needs a name")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(nodelist, [parser.compile_filter(bit) for bit in bits])


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist, self.values = nodelist, values

    def render(self, context):
        parts = "\x1f".join(str(value.resolve(context)) for value in self.values)
        digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
        name = f"fragment.{get_language()}.{digest}"
        return kept(name, lambda: self.nodelist.render(context), PAGE_SECONDS)


def navigation_tree() -> list:
    categories = list(Category.objects.filter(show_in_nav=True))
    children = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    for category in categories:
        category.url = category.get_absolute_url()
    shown = {category.pk for category in categories}
    return [
        (category, children.get(category.pk, []))
        for category in categories
        if category.parent_id is None or category.parent_id not in shown
    ]


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
