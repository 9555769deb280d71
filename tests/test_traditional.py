"""简繁: every public page is also served in traditional characters under /zh-hant/."""

import feedparser
import pytest
from django.conf import settings
from django.urls import translate_url

from articles.models import FAQ, Category
from tests.factories import make_article, make_indicator, make_observation, make_tag
from tests.pages import parse

pytestmark = pytest.mark.django_db

TITLE, TITLE_HANT = "国家高新区发展报告", "國家高新區發展報告"
EXTERNAL = "https://www.achie.org/国家/新闻.html"


@pytest.fixture
def content():
    category = Category.objects.get(slug="policy")  # 政策解读 → 政策解讀
    tag = make_tag(name="区域经济")
    other = make_article(title="园区产业规划", category=category)
    article = make_article(
        title=TITLE,
        category=category,
        summary="国家高新区发展概况",
        tags=[tag],
        body=(
            f'<p>区域经济发展迅速。<a href="/articles/{other.pk}/">园区产业规划</a></p>'
            f'<p><a href="{EXTERNAL}" title="国家新闻">来源网站</a></p>'
            '<p><img src="/media/covers/国家.png" alt="国家地图"></p>'
            "<p>命令 <code>国家.py</code> 保持原样。</p>"
        ),
    )
    FAQ.objects.create(article=article, question="什么是国家高新区？", answer="经国务院批准设立。")
    indicator = make_indicator(name="国家级高新区数量", slug="national-zones")
    make_observation(indicator=indicator, region="全国", value=178, source_article=article)
    return {"article": article, "other": other, "category": category, "tag": tag,
            "indicator": indicator}  # fmt: skip


def public_pages(content):
    """(name, simplified path, what the simplified page says, the same in traditional)."""
    article, indicator = content["article"], content["indicator"]
    return [
        ("home", "/", TITLE, TITLE_HANT),
        ("category", content["category"].get_absolute_url(), "政策解读", "政策解讀"),
        ("article", article.get_absolute_url(), "区域经济发展迅速", "區域經濟發展迅速"),
        ("tag", content["tag"].get_absolute_url(), "标签：区域经济", "標籤：區域經濟"),
        ("indicator list", "/indicators/", "国家级高新区数量", "國家級高新區數量"),
        ("indicator", indicator.get_absolute_url(), "全国", "全國"),
    ]


def test_every_public_page_reads_in_traditional_under_zh_hant(client, content):
    for name, path, simplified, traditional in public_pages(content):
        response = client.get("/zh-hant" + path)
        assert response.status_code == 200, name
        assert traditional in response.text, name
        assert simplified not in response.text, name
        assert parse(response).html_lang == "zh-Hant", name
        assert response["Content-Language"] == "zh-hant"


def test_the_simplified_original_is_unchanged(client, content):
    for name, path, simplified, traditional in public_pages(content):
        response = client.get(path)
        assert response.status_code == 200, name
        assert simplified in response.text, name
        assert traditional not in response.text, name
        assert parse(response).html_lang == "zh-Hans", name


def test_titles_meta_descriptions_and_attributes_are_converted(client, content):
    page = parse(client.get("/zh-hant" + content["article"].get_absolute_url()))
    assert TITLE_HANT in page.title
    assert page.meta["description"] == "國家高新區發展概況"
    alts = [attrs.get("title") for attrs, _ in page.anchors if attrs.get("href") == EXTERNAL]
    assert alts == ["國家新聞"]


def test_urls_code_and_classes_are_never_converted(client, content):
    response = client.get("/zh-hant" + content["article"].get_absolute_url())
    page = parse(response)
    assert ("a", "href", EXTERNAL) in page.addresses
    assert ("img", "src", "/media/covers/国家.png") in page.addresses
    assert 'alt="國家地圖"' in response.text
    assert "<code>国家.py</code>" in response.text
    assert "保持原樣" in response.text


def test_links_on_a_traditional_page_stay_traditional(client, content):
    """Every link to a page that exists in both scripts leads to its traditional twin; links to
    what exists once (static files, admin, sitemap) stay as they are."""
    for name, path, _, _ in public_pages(content):
        page = parse(client.get("/zh-hant" + path))
        switch_back = page.switch["zh-Hans"][0]
        local = [
            (tag, attribute, value)
            for tag, attribute, value in page.addresses
            if tag in ("a", "form") and value.startswith("/") and value != switch_back
        ]
        assert any(value.startswith("/zh-hant/") for _, _, value in local), name
        for tag, attribute, value in local:
            twin = translate_url(value, "zh-hant")
            assert value == twin, f"{name}: {tag} {attribute}={value}, not {twin}"


def test_a_link_typed_into_an_article_body_stays_traditional(client, content):
    other = content["other"].get_absolute_url()
    page = parse(client.get("/zh-hant" + content["article"].get_absolute_url()))
    assert ("a", "href", "/zh-hant" + other) in page.addresses
    assert ("a", "href", other) not in page.addresses


def test_switch_lands_on_the_same_page_in_the_other_script(client, content):
    for name, path, _, traditional in public_pages(content):
        simplified_page = parse(client.get(path))
        href, text, attrs = simplified_page.switch["zh-Hant"]
        assert (href, text, attrs["lang"]) == ("/zh-hant" + path, "繁體", "zh-Hant"), name
        assert simplified_page.switch["zh-Hans"][2]["aria-current"] == "page"

        response = client.get(href)
        assert traditional in response.text, name
        back, text, attrs = parse(response).switch["zh-Hans"]
        assert (back, text, attrs["lang"]) == (path, "简体", "zh-Hans"), name
        assert parse(response).switch["zh-Hant"][2]["aria-current"] == "page"
        assert "aria-current" not in attrs


def test_switch_keeps_the_query_string(client, content):
    path = content["category"].get_absolute_url() + "?page=1&tag=" + content["tag"].slug
    href = parse(client.get(path)).switch["zh-Hant"][0]
    assert href == "/zh-hant" + path
    assert parse(client.get(href)).switch["zh-Hans"][0] == path


def test_canonical_points_to_itself_and_alternates_point_both_ways(client, content):
    path = content["article"].get_absolute_url()
    for served, own in ((path, path), ("/zh-hant" + path, "/zh-hant" + path)):
        page = parse(client.get(served))
        assert page.canonical == settings.SITE_URL + own
        assert page.alternates == {
            "zh-Hans": settings.SITE_URL + path,
            "zh-Hant": settings.SITE_URL + "/zh-hant" + path,
            "x-default": settings.SITE_URL + path,
        }


def test_a_browser_asking_for_traditional_still_gets_simplified_at_the_plain_address(
    client, content
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-TW,zh-Hant;q=0.9,en;q=0.5")
    assert response.status_code == 200  # no redirect to /zh-hant/
    assert parse(response).html_lang == "zh-Hans"
    assert TITLE in response.text


def test_admin_and_health_check_exist_once_without_a_script_prefix(client):
    assert client.get("/zh-hant/healthz").status_code == 404
    assert client.get("/zh-hant/admin/").status_code == 404
    assert client.get("/healthz").status_code == 200


def test_the_conversion_profile_is_a_setting(client, settings):
    article = make_article(title="软件园信息化建设")
    path = "/zh-hant" + article.get_absolute_url()
    assert "軟件園信息化建設" in client.get(path).text
    settings.OPENCC_PROFILE = "s2twp"  # Taiwan phrases
    settings.PAGE_CACHE_SECONDS = 0
    assert "軟體園資訊化建設" in client.get(path).text


def test_after_a_traditional_request_addresses_are_simplified_again(client, content):
    client.get("/zh-hant/")
    assert content["article"].get_absolute_url() == f"/articles/{content['article'].pk}/"


def test_the_404_page_reads_in_traditional(client):
    response = client.get("/zh-hant/no-such-page/")
    assert response.status_code == 404
    assert parse(response).html_lang == "zh-Hant"
    assert "頁面不存在" in response.text and "页面不存在" not in response.text


@pytest.mark.parametrize(
    ("path", "simplified", "traditional"),
    [
        ("/zh-hant//evil.example/x", "/evil.example/x", "/zh-hant//evil.example/x"),
        ("/zh-hant/%2F%2Fevil.example", "/evil.example", "/zh-hant///evil.example"),
        ("//evil.example/x", "/x", "/zh-hant/x"),
    ],
)
def test_the_switch_on_a_404_page_never_links_to_another_site(
    client, path, simplified, traditional
):
    switch = parse(client.get(path)).switch
    assert switch["zh-Hans"][0] == simplified
    assert switch["zh-Hant"][0] == traditional


def test_json_ld_stays_valid_json_with_keys_and_urls_kept_and_values_converted(client, content):
    article = content["article"]
    path = article.get_absolute_url()
    simplified = parse(client.get(path)).jsonld
    traditional = parse(client.get("/zh-hant" + path)).jsonld
    assert [block["@type"] for block in traditional] == [block["@type"] for block in simplified]
    news = next(block for block in traditional if block["@type"] == "NewsArticle")
    assert news["headline"] == TITLE_HANT
    assert news["inLanguage"] == "zh-Hant"
    assert news["mainEntityOfPage"] == settings.SITE_URL + "/zh-hant" + path
    assert news.keys() == next(b for b in simplified if b["@type"] == "NewsArticle").keys()
    faq = next(block for block in traditional if block["@type"] == "FAQPage")
    assert faq["mainEntity"][0]["name"] == "什麼是國家高新區？"


def test_open_graph_says_the_page_is_traditional(client, content):
    meta = parse(client.get("/zh-hant" + content["article"].get_absolute_url())).meta
    assert meta["og:locale"] == "zh_TW"
    assert meta["og:title"] == TITLE_HANT
    assert meta["og:url"].endswith("/zh-hant" + content["article"].get_absolute_url())


def test_feed_items_are_converted_and_link_to_traditional_pages(client, content):
    path = content["article"].get_absolute_url()
    feed = feedparser.parse(client.get("/zh-hant/feeds/latest.xml").content)
    assert feed.feed.language == "zh-Hant"
    assert "最新文章" in feed.feed.title and "高新區產業門戶" in feed.feed.title
    entry = next(entry for entry in feed.entries if entry.title == TITLE_HANT)
    assert entry.link.endswith("/zh-hant" + path)
    assert entry.description == "國家高新區發展概況"
    assert {tag.term for tag in entry.tags} == {"政策解讀", "區域經濟"}  # category, tag
    category_feed = client.get("/zh-hant" + content["category"].get_absolute_url() + "feed.xml")
    assert TITLE_HANT in category_feed.text and TITLE not in category_feed.text


def test_default_profile_writes_the_characters_of_the_source_site(client):
    # The source site (DedeCMS, seed 000) writes 為 and 線, not OpenCC's standard 爲 and 綫.
    article = make_article(title="为加快建设，开通专线", body="<p>为企业服务的热线。</p>")
    html = client.get("/zh-hant" + article.get_absolute_url()).text
    assert "為加快建設，開通專線" in html
    assert "為企業服務的熱線" in html
    assert "爲" not in html and "綫" not in html
