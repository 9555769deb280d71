"""The one HTML allow-list.

Every way an article body enters the database (admin form, model ``save()``, the importer, a
future API) goes through :func:`sanitize_html`. What survives is what an editor needs for news
text: headings, paragraphs, lists, tables, links, images, emphasis and quotations. Scripts,
styles, iframes, forms, event-handler attributes and ``javascript:``/``data:`` URLs never do.
A link typed without its scheme (``www.example.gov.cn/zcjd/1.html``) is given ``https://``: kept
as it was, a reader's browser would take it for a path on this site.
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
# A host name (labels joined by dots, ending in a top-level domain of letters) at the very start,
# then a path, query, fragment or nothing: ``example.com``, ``www.gov.cn/zcjd/1.html``.
_BARE_HOST = re.compile(
    r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?P<tld>[^\W\d_]{2,})(?=[/?#]|$)", re.IGNORECASE
)
# A relative link to a file (``1.html``, ``report.pdf``) looks like a host name too.
FILE_EXTENSIONS = frozenset(
    {
        "htm", "html", "shtml", "xhtml", "php", "asp", "aspx", "jsp", "do", "action", "cgi",
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "txt", "csv", "xml", "json",
        "jpg", "jpeg", "png", "gif", "webp", "svg", "zip", "rar", "mp3", "mp4",
    }
)  # fmt: skip


def sanitize_html(html: str | None) -> str:
    """Return ``html`` reduced to the allow-list; safe to render with ``|safe``."""
    if not html:
        return ""
    # <h1> belongs to the page title: an h1 in the body becomes an h2.
    html = _H1.sub(r"<\1h2", html)
    # Markup a browser would rebuild (an <a> inside an <a>) comes out differently when cleaned
    # again; clean until nothing changes, so saving or re-importing a body never changes it.
    for _ in range(3):
        cleaner = _clean(html)
        if cleaner == html:
            break
        html = cleaner
    return html


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def _filter_attribute(tag: str, attribute: str, value: str) -> str:
    if tag == "a" and attribute == "href":
        return with_scheme(value)
    return value


def with_scheme(href: str) -> str:
    """``www.example.gov.cn/zcjd/1.html`` → ``https://www.example.gov.cn/zcjd/1.html``; paths
    (``/a``, ``a/b.html``, ``1.html``), anchors, queries and URLs with a scheme stay as they are."""
    link = href.strip()
    host = _BARE_HOST.match(link)
    if host is None or host["tld"].lower() in FILE_EXTENSIONS:
        return href
    return f"https://{link}"
