"""Arbitrary query strings and path segments against every public URL, in both scripts: never a
500, never a traceback."""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_article, make_indicator, make_observation, make_tag

pytestmark = pytest.mark.django_db

SCRIPTS = ["", "/zh-hant"]
#: The parameters the pages read, and a few they do not.
PARAMETERS = ["page", "q", "category", "tag", "source", "ordering", "from", "to",
              "published_after", "published_before", "p", "format", "utm_source"]  # fmt: skip
# Everything a hostile query may hold: digits (4,301 of them), superscripts, private-use
# characters, surrogates' neighbours, NUL and other controls, CJK in both scripts.
TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789²³-+. ", max_size=60),
    st.just("1" * 4301),
    st.text(alphabet=st.characters(min_codepoint=0xE000, max_codepoint=0xF8FF), max_size=40),
    st.text(alphabet="高新区園區发展發展政策解读%&=?#/\\<>\"'\x00\x1f", max_size=40),
)
QUERY = st.dictionaries(st.sampled_from(PARAMETERS) | st.text(max_size=8), TEXT, max_size=4)


@pytest.fixture
def site():
    tag = make_tag(name="园区", slug="yuanqu")
    article = make_article(title="高新区发展", tags=[tag], summary="政策解读")
    indicator = make_indicator(slug="zones", name="高新区数量")
    make_observation(indicator=indicator, source_article=article)
    return {
        "pages": [
            "/",
            f"/category/{article.category.slug}/",
            f"/category/{article.category.slug}/feed.xml",
            article.get_absolute_url(),
            "/tags/yuanqu/",
            "/search/",
            "/indicators/",
            "/indicators/zones/",
            "/indicators/zones.csv",
            "/feeds/latest.xml",
        ],
        "templates": [
            "/category/{}/",
            "/category/{}/feed.xml",
            "/articles/{}/",
            "/tags/{}/",
            "/indicators/{}/",
            "/indicators/{}.csv",
            "/{}",
        ],
    }


def assert_answered(response):
    assert response.status_code < 500
    assert b"Traceback" not in response.content


@given(data=st.data(), script=st.sampled_from(SCRIPTS), query=QUERY)
def test_any_query_string_on_any_public_page(client, site, data, script, query):
    path = data.draw(st.sampled_from(site["pages"]))
    assert_answered(client.get(f"{script}{path}?{urlencode(query)}"))


@given(data=st.data(), script=st.sampled_from(SCRIPTS), segment=TEXT)
def test_any_path_segment_in_any_public_url(client, site, data, script, segment):
    template = data.draw(st.sampled_from(site["templates"]))
    assert_answered(client.get(script + template.format(quote(segment, safe=""))))


@given(raw=st.binary(max_size=80))
def test_any_raw_query_bytes(client, site, raw):
    """Bytes that are not UTF-8, half-escaped percents and all."""
    for path in ("/search/", "/zh-hant/search/", "/category/zone-news/"):
        query = quote(raw, safe="=&%")
        assert_answered(client.get(path, QUERY_STRING=query))
