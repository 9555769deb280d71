"""简繁: the traditional-character view, converted from the simplified original with OpenCC.

What a reader reads is converted: text between tags, the human-readable attributes (``title``,
``alt``, ``aria-label``, ``placeholder``, the ``content`` of description and Open Graph ``<meta>``),
feed titles and descriptions, and the string values of JSON data blocks (JSON-LD). What a machine
reads never is: tag and attribute names, URLs (``href``, ``src``, ``action``), ``id``/``class``/
``data-*`` values, JSON keys, ``<script>``/``<style>`` code, ``<code>``/``<kbd>``/``<samp>``,
``<textarea>`` (what someone typed) and anything inside an element marked ``translate="no"`` (the
HTML standard's own "leave this alone", used by the 简体 / 繁體 switch).

Root-relative links (``<a href="/…">``, ``<form action="/…">``) to pages that exist in both scripts
get the ``/zh-hant`` prefix, so a link typed by hand in a template or an article body keeps the
reader in the traditional view too.

OpenCC is fast on long strings and slow on many short calls, and it changes Chinese characters
only: so the markup between protected regions goes through it in one call, tags and all, with the
few tags that hold Chinese (in attribute values) taken out first and put back converted by their
own rules.
"""

import html
import json
import re
from functools import cache

from django.conf import settings
from django.urls import get_resolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

from .chinese import to_traditional

TRADITIONAL = "zh-hant"

# Marks a tag taken out while the rest goes through OpenCC: a private-use character (OpenCC passes
# them through) that the page does not hold itself.
HOLDS = [chr(code) for code in range(0xE000, 0xF900)]
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

# Regions never converted (or converted by their own rules), found in one pass over the page.
PROTECTED = re.compile(
    r"<!--.*?-->"
    r"|<(?P<raw>script|style|code|kbd|samp|textarea)\b(?P<attrs>[^>]*)>(?P<inner>.*?)</(?P=raw)\s*>"
    r"|<(?P<notranslate>[a-zA-Z][a-zA-Z0-9-]*)\b[^>]*\stranslate\s*=\s*[\"']?no\b[^>]*>",
    re.S | re.I,
)
TAG_WITH_CJK = re.compile(
    r"<[a-zA-Z/!?][^<>]*?[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f][^<>]*>"
)
TAG_WITH_CJK_PIECES = re.compile(f"({TAG_WITH_CJK.pattern})")
TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9:-]*)")
ATTRIBUTE = re.compile(r"(\s)([^\s\"'<>/=]+)(\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+)")
# Root-relative links and form targets; "//host" is another site.
LOCAL_LINK = re.compile(
    r"(<(?:a|area|form)\b[^>]*?\s(?:href|action)\s*=\s*[\"']?)(/(?!/)[^\"'\s>]*)", re.I
)

TEXT_ATTRIBUTES = {
    "title",
    "alt",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
    "placeholder",
    "label",
    "abbr",
}
BUTTON_TYPES = {"submit", "button", "reset"}
META_TEXT = {
    "description",
    "keywords",
    "author",
    "application-name",
    "apple-mobile-web-app-title",
    "og:title",
    "og:description",
    "og:site_name",
    "og:image:alt",
    "twitter:title",
    "twitter:description",
    "twitter:image:alt",
}
JSON_TYPES = {"application/ld+json", "application/json"}
# Feed elements that hold addresses or identifiers (kept) or escaped HTML (converted as HTML).
FEED_ELEMENT = re.compile(
    r"<(?P<name>link|guid|comments|docs|id|uri|url|loc|description|content:encoded|summary|content)"
    r"\b[^>]*(?<!/)>(?P<inner>.*?)</(?P=name)\s*>",
    re.S | re.I,
)
FEED_HTML = {"description", "content:encoded", "summary", "content"}
URLISH = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|mailto:|tel:|urn:|data:|/)\S*$")


def _convert_outside_tags(markup: str, convert_tag) -> str:
    """All text of ``markup`` converted in one OpenCC call; each tag holding Chinese is taken
    out first and put back as ``convert_tag`` returns it."""
    if not CJK.search(markup):
        return markup
    mark = next((mark for mark in HOLDS if mark not in markup), None)
    if mark is None:
        # Every private-use character occurs in the text (a hostile query or body): no character
        # is free to mark the tags, so convert piece by piece instead.
        pieces = TAG_WITH_CJK_PIECES.split(markup)
        return "".join(
            convert_tag(piece) if index % 2 else to_traditional(piece)
            for index, piece in enumerate(pieces)
        )
    held = []

    def hold(match: re.Match) -> str:
        held.append(convert_tag(match[0]))
        return f"{mark}{len(held) - 1}{mark}"

    converted = to_traditional(TAG_WITH_CJK.sub(hold, markup))
    if not held:
        return converted
    return re.sub(f"{mark}(\\d+){mark}", lambda match: held[int(match[1])], converted)


# --- links -------------------------------------------------------------------------------------


@cache
def _unprefixed_paths(urlconf: str) -> tuple[str, ...]:
    """Path prefixes that are not language-prefixed: static and media files, and every root URL
    pattern outside ``i18n_patterns`` (admin, health check, sitemap, robots). Read from the code
    (settings and URL configuration), so one answer per process is right."""
    prefixes = {settings.STATIC_URL, settings.MEDIA_URL, f"/{TRADITIONAL}/"}
    for entry in get_resolver(urlconf).url_patterns:
        if isinstance(entry.pattern, LocalePrefixPattern):
            continue
        route = str(entry.pattern).lstrip("^")
        literal = re.split(r"[<\\(\[$?*+.]", route, maxsplit=1)[0]
        prefixes.add("/" + literal)
    return tuple(sorted(p for p in prefixes if p and p != "/"))


def traditional_path(path: str, unprefixed: tuple[str, ...] | None = None) -> str:
    """``/articles/1/`` → ``/zh-hant/articles/1/``; addresses outside the two scripts unchanged."""
    if unprefixed is None:
        unprefixed = _unprefixed_paths(settings.ROOT_URLCONF)
    if path == f"/{TRADITIONAL}" or path.startswith(unprefixed):
        return path
    return f"/{TRADITIONAL}{path}"


# --- HTML --------------------------------------------------------------------------------------


def _convert_attributes(tag: str) -> str:
    if not (found := TAG_NAME.match(tag)):
        return tag  # <!DOCTYPE …>, <?xml …?>
    name = found[1].lower()
    attributes = {m[2].lower(): m[4].strip("\"'") for m in ATTRIBUTE.finditer(tag)}
    if name == "meta":
        key = attributes.get("name") or attributes.get("property") or ""
        wanted = {"content"} if key.lower() in META_TEXT else set()
    elif name == "input" and attributes.get("type", "").lower() in BUTTON_TYPES:
        wanted = TEXT_ATTRIBUTES | {"value"}
    else:
        wanted = TEXT_ATTRIBUTES

    def convert(match: re.Match) -> str:
        if match[2].lower() not in wanted:
            return match[0]
        return match[1] + match[2] + match[3] + to_traditional(match[4])

    return ATTRIBUTE.sub(convert, tag)


def _convert_markup(markup: str, unprefixed: tuple[str, ...]) -> str:
    """Markup without protected regions: links prefixed, then text and attributes converted."""
    markup = LOCAL_LINK.sub(lambda link: link[1] + traditional_path(link[2], unprefixed), markup)
    return _convert_outside_tags(markup, _convert_attributes)


VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
}  # fmt: skip


def _element_end(document: str, start_tag: re.Match) -> int:
    """Index just past the element whose start tag matched: its matching end tag (nested
    elements of the same name counted), or the start tag itself for a void element."""
    name = start_tag["notranslate"]
    if name.lower() in VOID_ELEMENTS or start_tag[0].endswith("/>"):
        return start_tag.end()
    pattern = re.compile(rf"<(/?){re.escape(name)}\b[^>]*>", re.I)
    depth = 1
    for match in pattern.finditer(document, start_tag.end()):
        depth += -1 if match[1] else 1
        if depth == 0:
            return match.end()
    return start_tag.end()  # never closed: keep only the start tag as it is


def convert_html(document: str) -> str:
    """The traditional-character version of an HTML page (or fragment)."""
    unprefixed = _unprefixed_paths(settings.ROOT_URLCONF)
    out = []
    position = 0
    while match := PROTECTED.search(document, position):
        out.append(_convert_markup(document[position : match.start()], unprefixed))
        if match["notranslate"]:
            end = _element_end(document, match)
            out.append(document[match.start() : end])
            position = end
            continue
        if match["raw"] and match["raw"].lower() == "script" and _is_json(match["attrs"]):
            inner = convert_json_text(match["inner"])
            out.append(document[match.start() : match.start("inner")] + inner)
            out.append(document[match.end("inner") : match.end()])
        else:
            out.append(match[0])
        position = match.end()
    out.append(_convert_markup(document[position:], unprefixed))
    return "".join(out)


def _is_json(attributes: str) -> bool:
    found = re.search(r"\stype\s*=\s*[\"']?([^\"'\s>]+)", " " + attributes, re.I)
    return bool(found) and found[1].lower() in JSON_TYPES


# --- JSON --------------------------------------------------------------------------------------

# As Django's json_script: nothing in the data can close the <script> element or open a comment.
# Also what the ``jsonld`` template filter writes JSON-LD with.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _convert_json_value(value, key: str = ""):
    if isinstance(value, dict):
        return {k: _convert_json_value(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert_json_value(v, key) for v in value]
    if isinstance(value, str):
        if key == "inLanguage" and value.lower() == "zh-hans":
            return "zh-Hant"
        if key.startswith("@") or URLISH.match(value) or not CJK.search(value):
            return value
        return to_traditional(value)
    return value


def convert_json_text(text: str) -> str:
    """JSON (a JSON-LD block, chart data): string values converted, keys and URLs untouched.

    Text that is not JSON is returned as it is: a broken block is the template's bug to fix,
    not something to guess at here."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    dumped = json.dumps(_convert_json_value(data), ensure_ascii=False, separators=(",", ":"))
    return dumped.translate(JSON_SCRIPT_ESCAPES)


# --- feeds -------------------------------------------------------------------------------------


def convert_feed(document: str) -> str:
    """An RSS or Atom feed: titles, descriptions and categories converted; links, GUIDs and ids
    untouched. Descriptions carry escaped HTML, converted as HTML so the URLs in it are kept."""
    out = []
    position = 0
    for match in FEED_ELEMENT.finditer(document):
        out.append(_convert_outside_tags(document[position : match.start()], _keep))
        if match["name"].lower() in FEED_HTML and CJK.search(match["inner"]):
            inner = html.escape(convert_html(html.unescape(match["inner"])), quote=False)
            out.append(document[match.start() : match.start("inner")] + inner)
            out.append(document[match.end("inner") : match.end()])
        else:
            out.append(match[0])
        position = match.end()
    out.append(_convert_outside_tags(document[position:], _keep))
    return "".join(out)


def _keep(tag: str) -> str:
    return tag


def reset_language(**kwargs) -> None:
    """``request_finished``: a /zh-hant/ request leaves zh-hant active in its thread
    (LocaleMiddleware activates, nothing deactivates), and whatever runs next in that thread
    outside a request (a test after a client call, a command) would reverse /zh-hant/ addresses."""
    translation.deactivate()


# --- the page in the other script ----------------------------------------------------------------

SCRIPTS = [  # (language code, BCP 47 tag for lang/hreflang, the switch's label)
    ("zh-hans", "zh-Hans", "简体"),
    (TRADITIONAL, "zh-Hant", "繁體"),
]


def og_locale(language: str) -> str:
    """Open Graph's locale: zh_CN for simplified; zh_HK or zh_TW for traditional, by profile."""
    if language != TRADITIONAL:
        return "zh_CN"
    return "zh_HK" if settings.OPENCC_PROFILE.startswith("s2hk") else "zh_TW"


def page_in(request, language: str) -> str:
    """The current page's address in the given script, query string kept (a filtered list, a
    search, page 3 stay what they are).

    The two scripts share every URL pattern, so the twin address is the path with the prefix
    added or taken away (addresses outside the scripts stay as they are): no resolving and
    reversing on every page, and a 404 has its twin address too."""
    full_path = request.get_full_path()
    url = full_path
    if language != request.LANGUAGE_CODE:
        if language == TRADITIONAL:
            url = traditional_path(full_path)
        elif full_path.startswith(f"/{TRADITIONAL}/"):
            url = full_path[len(TRADITIONAL) + 1 :]
    # A requested path such as /zh-hant//evil.example/ would otherwise give the link
    # //evil.example/, which a browser follows to another site.
    return "/" + url.lstrip("/")
