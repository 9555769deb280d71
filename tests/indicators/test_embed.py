import json
import re
from decimal import Decimal

import pytest

from tests.factories import make_article, make_indicator, make_observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def zones():
    article = make_article(title="国家高新区数据发布")
    indicator = make_indicator(
        name="国家级高新区数量", slug="zones", unit="家", source="国新办新闻发布会"
    )
    make_observation(indicator=indicator, period="2023", value=Decimal(173))
    make_observation(indicator=indicator, period="2024", value=Decimal(178), source_article=article)
    return indicator


def test_embed_page_has_the_chart_the_source_and_a_link_back(client, zones):
    response = client.get("/indicators/zones/embed/")
    page = response.content.decode()
    assert response.status_code == 200
    chart = json.loads(
        re.search(r'id="chart-data" type="application/json">(.*?)</script>', page)[1]
    )
    assert chart["periods"] == ["2023年", "2024年"]
    assert chart["series"] == [{"name": "全国", "values": [173.0, 178.0]}]
    assert "数据来源：国新办新闻发布会" in page
    assert 'href="http://127.0.0.1:8000/indicators/zones/" target="_blank"' in page
    assert '<meta name="robots" content="noindex">' in page


def test_only_the_embed_page_may_be_framed(client, zones):
    for path in ["/indicators/zones/embed/"] * 2 + ["/zh-hant/indicators/zones/embed/"]:
        response = client.get(path)  # the second answer comes from the page cache
        assert "X-Frame-Options" not in response
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "script-src 'self'" in response["Content-Security-Policy"]  # the rest still holds
    for path in ["/indicators/zones/", "/"]:
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_indicator_page_offers_the_embed_code(client, zones):
    page = client.get("/indicators/zones/").content.decode()
    assert '&lt;iframe src="http://127.0.0.1:8000/indicators/zones/embed/"' in page


def test_embed_page_in_traditional(client, zones):
    page = client.get("/zh-hant/indicators/zones/embed/").content.decode()
    assert "國家級高新區數量" in page and 'lang="zh-Hant"' in page


def test_unknown_indicator_is_404(client):
    assert client.get("/indicators/nope/embed/").status_code == 404
