"""简繁 search: traditional, simplified and mixed queries find the same articles in either view."""

import pytest

from tests.factories import make_article
from tests.pages import parse

pytestmark = pytest.mark.django_db


def result_links(response) -> list[str]:
    return [attrs["href"] for attrs, _ in parse(response).anchors if "/articles/" in attrs["href"]]


@pytest.mark.parametrize("prefix", ["", "/zh-hant"], ids=["simplified view", "traditional view"])
@pytest.mark.parametrize("query", ["國家高新區", "国家高新区", "國家高新区"])
def test_a_query_in_either_script_finds_the_simplified_article(client, prefix, query):
    article = make_article(title="国家高新区发展报告", body="<p>园区产业稳步发展。</p>")
    other = make_article(title="海洋牧场调查", body="<p>渔业资源。</p>")
    wanted, unwanted = article.get_absolute_url(), other.get_absolute_url()

    response = client.get(prefix + "/search/", {"q": query})

    assert response.status_code == 200
    links = result_links(response)
    assert prefix + wanted in links
    assert prefix + unwanted not in links and unwanted not in links


def test_the_traditional_results_page_reads_in_traditional_and_switches_with_its_query(client):
    path = make_article(title="国家高新区发展报告").get_absolute_url()
    response = client.get("/zh-hant/search/", {"q": "高新區"})
    page = parse(response)
    assert page.html_lang == "zh-Hant"
    assert "發展報告" in response.text
    assert "发展报告" not in response.text
    assert "/zh-hant" + path in result_links(response)

    back = page.switch["zh-Hans"][0]
    assert back == "/search/?q=%E9%AB%98%E6%96%B0%E5%8D%80"  # the query as the reader typed it
    simplified = client.get(back)
    assert "发展报告" in simplified.text
    assert path in result_links(simplified)
