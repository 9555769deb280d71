"""The indicator list and detail pages, as a visitor reads them."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_indicator, make_observation

pytestmark = pytest.mark.django_db


def table_rows(html):
    """(period, region, value) of each body row of the data table."""
    tbody = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", tbody, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows.append(tuple(cells[:3]))
    return rows


@pytest.fixture
def zones():
    indicator = make_indicator(
        name="国家级高新区数量", slug="national-zones", unit="家", source="科技部火炬中心"
    )
    for period, value in [("2021", 169), ("2022", 173), ("2023", 178), ("2024", 178)]:
        make_observation(indicator=indicator, period=period, value=value)
    make_observation(indicator=indicator, period="2024", region="江苏", value=18)
    return indicator


def test_detail_shows_latest_value_with_unit_the_table_and_the_source(client, zones):
    response = client.get("/indicators/national-zones/")
    assert response.status_code == 200
    html = response.text
    assert '<h1><span class="page-kind">数据</span>国家级高新区数量</h1>' in html
    assert "178<small>家</small>" in html
    assert "2024年 · 全国" in html
    assert "数据来源：科技部火炬中心" in html
    assert '<caption id="data-table-caption">国家级高新区数量（单位：家）</caption>' in html
    assert table_rows(html) == [
        ("2021年", "全国", "169"),
        ("2022年", "全国", "173"),
        ("2023年", "全国", "178"),
        ("2024年", "全国", "178"),
        ("2024年", "江苏", "18"),
    ]
    assert 'href="/indicators/national-zones.csv"' in html


def test_detail_carries_the_chart_data_block_and_loads_the_chart_script(client, zones):
    html = client.get("/indicators/national-zones/").text
    block = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["unit"] == "家"
    assert data["from_zero"] is True  # a count: the axis starts at 0, not at 169
    assert data["periods"] == ["2021年", "2022年", "2023年", "2024年"]
    assert data["series"] == [
        {"name": "全国", "values": [169.0, 173.0, 178.0, 178.0]},
        {"name": "江苏", "values": [None, None, None, 18.0]},
    ]
    assert 'data-chart="chart-data"' in html
    assert re.search(
        r'data-echarts="/static/vendor/echarts/echarts\.common(\.\w+)?\.min\.js"', html
    )
    assert re.search(r'<script src="/static/js/charts(\.\w+)?\.js" defer></script>', html)


def test_pages_without_a_chart_do_not_load_the_chart_script(client, zones):
    empty = make_indicator(slug="no-data-yet")
    for url in ["/", "/indicators/", empty.get_absolute_url()]:
        html = client.get(url).text
        assert "charts.js" not in html, url
        assert "echarts" not in html, url
    assert "暂无数据" in client.get(empty.get_absolute_url()).text


def test_values_are_shown_with_the_indicators_decimals(client):
    indicator = make_indicator(slug="gdp", name="园区生产总值", unit="亿元", decimals=1)
    make_observation(indicator=indicator, period="2023-06", value=Decimal("12345.67"))
    html = client.get("/indicators/gdp/").text
    assert "12,345.7<small>亿元</small>" in html
    assert table_rows(html) == [("2023年6月", "全国", "12,345.7")]
    data = json.loads(re.search(r'type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["decimals"] == 1


def test_unknown_slugs_are_404(client):
    assert client.get("/indicators/no-such-thing/").status_code == 404
    assert client.get("/indicators/no-such-thing.csv").status_code == 404


def test_citing_articles_are_the_published_linked_and_source_articles(client, zones):
    linked = make_article(title="高新区数量再创新高")
    linked.indicators.add(zones)
    source = make_article(title="工信部：178家国家级高新区")
    zones.observations.filter(period="2024", region="全国").update(source_article=source)
    draft = make_article(title="草稿里的高新区文章", status=Article.Status.DRAFT)
    draft.indicators.add(zones)
    scheduled = make_article(
        title="明天才发布的文章", published_at=timezone.now() + timedelta(days=1)
    )
    zones.observations.filter(period="2023").update(source_article=scheduled)
    make_article(title="与指标无关的文章")

    html = client.get("/indicators/national-zones/").text
    section = html.split('id="citing-heading"', 1)[1]
    assert "高新区数量再创新高" in section
    assert "工信部：178家国家级高新区" in section
    assert section.count("工信部：178家国家级高新区") == 1  # linked once, even when cited twice
    for hidden in ["草稿里的高新区文章", "明天才发布的文章", "与指标无关的文章"]:
        assert hidden not in html
    # The table links the published source, and not the scheduled one.
    assert f'href="{source.get_absolute_url()}"' in html
    assert f'href="{scheduled.get_absolute_url()}"' not in html


def test_an_article_both_linked_and_cited_as_source_is_listed_once(client, zones):
    article = make_article(title="双重引用的文章")
    article.indicators.add(zones)
    zones.observations.update(source_article=article)
    section = client.get("/indicators/national-zones/").text.split('id="citing-heading"', 1)[1]
    assert section.count("双重引用的文章") == 1


def test_detail_runs_fixed_queries_whatever_it_shows(client, django_assert_max_num_queries, zones):
    with django_assert_max_num_queries(4):
        client.get("/indicators/national-zones/")
    for n in range(40):
        article = make_article()
        article.indicators.add(zones)
        make_observation(
            indicator=zones, period=f"{1980 + n}", region="全国", source_article=article
        )
    with django_assert_max_num_queries(4):
        response = client.get("/indicators/national-zones/")
    assert len(table_rows(response.text)) == 45


def test_list_shows_every_indicator_with_latest_value_and_unit(client, zones):
    share = make_indicator(name="高新技术企业占比", slug="hte-share", unit="%", sort_order=1)
    make_observation(indicator=share, period="2024-07-05", value=30, note="以上")
    make_indicator(name="尚无数据的指标", slug="empty", sort_order=2)
    response = client.get("/indicators/")
    assert response.status_code == 200
    html = response.text
    cards = re.findall(r'<li class="figure">(.*?)</li>', html, re.S)
    text = [" ".join(re.sub(r"<[^>]+>", " ", card).split()) for card in cards]
    assert text == [
        "国家级高新区数量 178 家 2024年",
        "高新技术企业占比 30 % 2024年7月5日 · 以上",
        "尚无数据的指标 — 暂无数据",
    ]
    assert 'href="/indicators/hte-share/"' in html


def test_list_headline_value_prefers_the_national_newest(client):
    indicator = make_indicator(slug="regional")
    make_observation(indicator=indicator, period="2025", region="江苏", value=20)
    make_observation(indicator=indicator, period="2024", region="全国", value=178)
    html = client.get("/indicators/").text
    assert "178<small>家</small>" in html
    only_regional = make_indicator(slug="only-regional")
    make_observation(indicator=only_regional, period="2023", region="广东", value=15)
    make_observation(indicator=only_regional, period="2024", region="浙江", value=9)
    html = client.get("/indicators/").text
    assert "2024年 · 浙江" in html


def test_list_runs_fixed_queries(client, django_assert_max_num_queries):
    for n in range(3):
        make_observation(indicator=make_indicator(), period="2024", value=n)
    with django_assert_max_num_queries(3):
        client.get("/indicators/")
    for n in range(30):
        indicator = make_indicator()
        for year in range(2015, 2025):
            make_observation(indicator=indicator, period=str(year), value=n + year)
    with django_assert_max_num_queries(3):
        response = client.get("/indicators/")
    assert response.text.count('class="figure"') == 33


def test_detail_has_title_description_canonical_open_graph_and_dataset_json_ld(client, zones):
    html = client.get("/indicators/national-zones/").text
    assert "<title>国家级高新区数量 · 数据 · " in html
    assert '<meta name="description" content="国家级高新区数量：2024年178家。' in html
    assert f'rel="canonical" href="{settings.SITE_URL}/indicators/national-zones/"' in html
    assert '<meta property="og:title" content="国家级高新区数量 · ' in html
    blocks = [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]
    dataset, breadcrumbs = blocks
    assert dataset["@type"] == "Dataset"
    assert dataset["name"] == "国家级高新区数量"
    assert dataset["temporalCoverage"] == "2021/2024"
    assert dataset["spatialCoverage"] == ["全国", "江苏"]
    assert dataset["variableMeasured"]["unitText"] == "家"
    assert dataset["distribution"][0]["contentUrl"].endswith("/indicators/national-zones.csv")
    assert [item["name"] for item in breadcrumbs["itemListElement"]] == [
        "首页",
        "数据",
        "国家级高新区数量",
    ]


@pytest.mark.parametrize(
    ("unit", "from_zero"), [("家", True), ("%", True), ("个", True), ("亿元", False), ("", False)]
)
def test_counts_and_shares_are_charted_from_zero_amounts_fit_their_values(client, unit, from_zero):
    indicator = make_indicator(unit=unit)
    make_observation(indicator=indicator, period="2023", value=Decimal("900"))
    make_observation(indicator=indicator, period="2024", value=Decimal("950"))
    html = client.get(indicator.get_absolute_url()).text
    block = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(block.group(1))["from_zero"] is from_zero
