"""Arbitrary HTML against the sanitiser (the one allow-list) and the traditional converter."""

import re

from hypothesis import given
from hypothesis import strategies as st

from articles.sanitize import ALLOWED_TAGS, sanitize_html
from hitech_portal.chinese import to_simplified, to_traditional
from hitech_portal.traditional import convert_feed, convert_html, convert_json_text

TAGS = ["p", "a", "img", "script", "style", "iframe", "svg", "math", "h1", "div", "span",
        "table", "td", "template", "noscript", "object", "form", "base", "meta"]  # fmt: skip
ATTRIBUTES = ["href", "src", "onerror", "onclick", "style", "title", "alt", "srcdoc",
              "formaction", "xlink:href", "data-x", "class", "id"]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java\tscript:x",
            "data:text/html,<script>",
            "vbscript:x",
            "www.example.gov.cn/a",
            "//evil.example",
            "&#106;avascript:x",
            "园区",
        ]
    ),  # fmt: skip
)
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["园区发展", "高新区", "\ue000\uf8ff", "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "\x00"]
)


@st.composite
def html(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS))
            attributes = draw(st.dictionaries(st.sampled_from(ATTRIBUTES), VALUES, max_size=3))
            rendered = "".join(f' {name}="{value}"' for name, value in attributes.items())
            closing = draw(st.sampled_from([f"</{tag}>", "", f"</{tag.upper()}>"]))
            parts.append(f"<{tag}{rendered}>{draw(html(depth=depth + 1))}{closing}")
        else:
            parts.append(draw(TEXT))
    return "".join(parts)


MARKUP = html() | st.text(max_size=200)
TAG_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9:-]*)")
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
DANGEROUS_URL = re.compile(r"""(?:href|src)\s*=\s*["']?\s*(?:javascript|vbscript|data):""", re.I)


@given(MARKUP)
def test_sanitised_html_keeps_only_the_allow_list_and_is_stable(markup):
    clean = sanitize_html(markup)
    assert {name.lower() for name in TAG_NAME.findall(clean)} <= ALLOWED_TAGS
    assert not EVENT_ATTRIBUTE.search(clean)
    assert not DANGEROUS_URL.search(clean)
    assert "<script" not in clean.lower()
    assert sanitize_html(clean) == clean  # saving again changes nothing


@given(MARKUP)
def test_any_markup_converts_to_traditional(markup):
    page = f"<!doctype html><html><head><title>{markup}</title></head><body>{markup}</body></html>"
    converted = convert_html(page)
    assert converted.count("<") == page.count("<")  # tags are kept, only text changes
    convert_feed(f"<rss><channel><description>{markup}</description></channel></rss>")
    convert_json_text(f'{{"name": "{markup}"}}')


NOT_CHINESE = st.characters(
    exclude_categories=("Cs", "Lo"), exclude_characters="\u3000\u3001\u3002"
)


@given(st.text(alphabet=NOT_CHINESE, max_size=200))
def test_text_without_chinese_passes_both_ways_unchanged(text):
    assert to_traditional(text) == text
    assert to_simplified(text) == text


@given(st.text(max_size=200))
def test_any_text_converts_and_back(text):
    assert to_simplified(to_traditional(text)).count("\n") == text.count("\n")


def test_found_by_fuzzing_nested_links_are_cleaned_to_a_fixed_point():
    """An <a> inside an <a> inside a table: the HTML parser rebuilds it differently each pass."""
    clean = sanitize_html("<a><table><a></a></table></a>")
    assert sanitize_html(clean) == clean
    assert clean.count("<a ") == 2 and "<table></table>" in clean
