"""The one HTML allow-list.

Every way an article body enters the database (admin form, model ``save()``, the importer, a
future API) goes through :func:`sanitize_html`. What survives is what an editor needs for news
text: headings, paragraphs, lists, tables, links, images, emphasis and quotations. Scripts,
styles, iframes, forms, event-handler attributes and ``javascript:``/``data:`` URLs never do.
"""

import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "h2", "h3", "h4", "h5", "h6",
        "p", "br", "hr", "div", "span",
        "ul", "ol", "li",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
        "a", "img", "figure", "figcaption",
        "strong", "b", "em", "i", "u", "s", "sub", "sup", "mark", "small",
        "blockquote", "q", "cite", "code", "pre", "abbr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Elements whose content is dropped along with the tag, not kept as text.
DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
)
_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)


def sanitize_html(html: str | None) -> str:
    """Return ``html`` reduced to the allow-list; safe to render with ``|safe``."""
    if not html:
        return ""
    # <h1> belongs to the page title: an h1 in the body becomes an h2.
    html = _H1.sub(r"<\1h2", html)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
