"""Indicators where readers meet them outside /indicators/: home cards and an article's 相关数据."""

import re

import pytest

from tests.factories import make_article, make_indicator, make_observation

pytestmark = pytest.mark.django_db

SEED = [  # the "2345678" figures and the 178 zones, as of the 2024-07-05 press conference
    ("national-zones", "国家级高新区数量", "家", 178, ""),
    ("industrial-value-added-share", "工业增加值占全国比重", "%", 20, "以上"),
    ("high-tech-enterprises-share", "高新技术企业占全国比重", "%", 30, ""),
    ("little-giants-share", "专精特新“小巨人”企业占全国比重", "%", 40, ""),
    ("rd-and-patents-share", "企业研发经费投入和发明专利占比", "%", 50, ""),
    ("star-market-share", "科创板上市企业占比", "%", 60, ""),
    ("manufacturing-centres-share", "国家制造业创新中心占比", "%", 70, ""),
    ("key-labs-share", "全国重点实验室占比", "%", 80, ""),
]


def card_texts(html):
    cards = re.findall(r'<li class="figure">(.*?)</li>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", card).split()) for card in cards]


@pytest.fixture
def seed_figures():
    article = make_article(title="工信部部长金壯龍：引导有条件的高新区建设未来产业先导区")
    indicators = []
    for order, (slug, name, unit, value, note) in enumerate(SEED):
        indicator = make_indicator(slug=slug, name=name, unit=unit, is_key=True, sort_order=order)
        make_observation(
            indicator=indicator, period="2024-07-05", value=value, note=note, source_article=article
        )
        indicators.append(indicator)
    return indicators


def test_home_shows_the_key_figures_as_cards_linking_to_each_indicator(client, seed_figures):
    html = client.get("/").text
    assert card_texts(html) == [
        "国家级高新区数量 178 家 2024年7月5日",
        "工业增加值占全国比重 20 % 2024年7月5日 · 以上",
        "高新技术企业占全国比重 30 % 2024年7月5日",
        "专精特新“小巨人”企业占全国比重 40 % 2024年7月5日",
        "企业研发经费投入和发明专利占比 50 % 2024年7月5日",
        "科创板上市企业占比 60 % 2024年7月5日",
        "国家制造业创新中心占比 70 % 2024年7月5日",
        "全国重点实验室占比 80 % 2024年7月5日",
    ]
    for slug, *_ in SEED:
        assert f'href="/indicators/{slug}/"' in html
    assert 'href="/indicators/">全部数据</a>' in html


def test_home_shows_only_the_figures_marked_for_it_in_their_sort_order(client):
    for n in range(12):
        make_observation(indicator=make_indicator(sort_order=n, name=f"指标{n}"), value=n)
    make_observation(indicator=make_indicator(sort_order=99, name="首页指标", is_key=True))
    make_observation(indicator=make_indicator(sort_order=5, name="另一首页指标", is_key=True))
    texts = card_texts(client.get("/").text)
    assert [text.split()[0] for text in texts] == ["另一首页指标", "首页指标"]


def test_home_without_indicators_has_no_figure_section(client):
    assert "关键数据" not in client.get("/").text


def test_home_has_no_figure_section_when_no_indicator_is_marked_for_it(client):
    make_observation(indicator=make_indicator(name="未勾选首页展示的指标"))
    html = client.get("/").text
    assert "关键数据" not in html and "未勾选首页展示的指标" not in html


def test_home_key_figures_cost_the_same_queries_however_many(client, django_assert_max_num_queries):
    make_observation(indicator=make_indicator(is_key=True))
    with django_assert_max_num_queries(30) as one_figure:
        client.get("/")
    for n in range(12):
        indicator = make_indicator(is_key=True)
        for year in range(2010, 2025):
            make_observation(indicator=indicator, period=str(year), value=n)
    with django_assert_max_num_queries(len(one_figure)):
        response = client.get("/")
    assert len(card_texts(response.text)) == 9


def test_article_page_shows_related_data_with_latest_value_and_small_chart(client):
    zones = make_indicator(name="国家级高新区数量", slug="national-zones", unit="家")
    for period, value in [("2021", 169), ("2022", 173), ("2023", 178)]:
        make_observation(indicator=zones, period=period, value=value)
    share = make_indicator(name="高新技术企业占比", slug="hte-share", unit="%")
    make_observation(indicator=share, period="2024-07-05", value=30, note="以上")
    article = make_article()
    article.indicators.add(zones, share)

    html = client.get(article.get_absolute_url()).text

    section = html.split('id="related-data-heading"', 1)[1].split("</section>", 1)[0]
    assert ">相关数据</h2>" in section
    assert re.search(
        r'<a href="/indicators/national-zones/">\s*'
        r'<span class="figure-name">国家级高新区数量</span>',
        section,
    )
    assert "178<small>家</small>" in section
    assert "30<small>%</small>" in section
    assert "2024年7月5日 · 以上" in section
    # A small chart for the three-year series; a single value gets none.
    assert section.count("<svg") == 1
    points = re.search(r'<polyline points="([^"]+)"', section).group(1).split()
    assert len(points) == 3
    ys = [float(point.split(",")[1]) for point in points]
    assert ys[0] > ys[1] > ys[2]  # rising values: higher on screen (smaller y)


def test_article_without_indicators_has_no_related_data(client):
    article = make_article()
    assert "相关数据" not in client.get(article.get_absolute_url()).text


def test_article_related_data_runs_fixed_queries(client, django_assert_max_num_queries):
    article = make_article()
    article.indicators.add(make_observation().indicator)
    with django_assert_max_num_queries(15) as one:
        client.get(article.get_absolute_url())
    for n in range(10):
        indicator = make_indicator()
        for year in range(2000, 2025):
            make_observation(indicator=indicator, period=str(year), value=year * n)
        article.indicators.add(indicator)
    with django_assert_max_num_queries(len(one)):
        response = client.get(article.get_absolute_url())
    assert response.text.count('class="figure"') == 11
