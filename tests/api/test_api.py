from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import (
    make_article,
    make_articles,
    make_category,
    make_indicator,
    make_observation,
    make_tag,
)

pytestmark = pytest.mark.django_db


def hidden_articles():
    """A draft, one in review, a scheduled one and a withdrawn (下线) one."""
    now = timezone.now()
    return [
        make_article(title="草稿不应出现", status=Article.Status.DRAFT),
        make_article(title="待审不应出现", status=Article.Status.REVIEW),
        make_article(title="定时不应出现", published_at=now + timedelta(hours=1)),
        make_article(title="下线不应出现", expires_at=now - timedelta(minutes=1)),
    ]


def test_article_list_shows_published_articles_newest_first(client):
    old = make_article(title="旧闻", published_at=timezone.now() - timedelta(days=3))
    new = make_article(title="新闻", published_at=timezone.now() - timedelta(days=1))
    hidden_articles()
    data = client.get("/api/articles/").json()
    assert data["count"] == 2
    assert [a["id"] for a in data["results"]] == [new.pk, old.pk]
    first = data["results"][0]
    assert first["title"] == "新闻"
    assert first["url"].endswith(f"/articles/{new.pk}/")
    assert first["published_at"].endswith("+08:00")  # ISO 8601 with its time zone


def test_drafts_scheduled_and_withdrawn_articles_appear_in_no_endpoint(client):
    tag = make_tag(name="仅草稿标签", slug="draft-only")
    hidden = hidden_articles()
    for article in hidden:
        article.tags.set([tag])
    indicator = make_indicator(slug="zones")
    make_observation(indicator=indicator, source_article=hidden[0], value=Decimal(178))
    for article in hidden:
        assert client.get(f"/api/articles/{article.pk}/").status_code == 404
    listed = client.get("/api/articles/").json()
    assert listed["count"] == 0
    assert client.get("/api/tags/").json()["count"] == 0
    # A value taken from a draft waits for it, article and all.
    assert client.get("/api/indicators/zones/observations/").json()["results"] == []
    everything = "".join(
        client.get(url).content.decode()
        for url in ["/api/articles/", "/api/tags/", "/api/indicators/", "/api/categories/"]
    )
    assert "不应出现" not in everything and "仅草稿标签" not in everything


def test_article_detail_has_sanitised_html_and_plain_text(client):
    tag = make_tag(name="高新区", slug="zones")
    article = make_article(body="<p>第一段<strong>加粗</strong></p><p>第二段</p>", tags=[tag])
    data = client.get(f"/api/articles/{article.pk}/").json()
    assert data["body_html"] == article.body
    assert data["body_text"] == "第一段加粗\n第二段"
    assert data["tags"] == [{"slug": "zones", "name": "高新区"}]
    assert data["category"]["slug"] == article.category.slug


def test_article_filters(client):
    policy = make_category(name="政策栏目", slug="policy-x")
    tag = make_tag(name="标签甲", slug="tag-a")
    in_policy = make_article(category=policy, published_at=timezone.now() - timedelta(days=40))
    # Recent ones (the factory's default dates step back an hour per article made in the run).
    tagged = make_article(tags=[tag], published_at=timezone.now())
    make_article(published_at=timezone.now())
    assert [a["id"] for a in client.get("/api/articles/?category=policy-x").json()["results"]] == [
        in_policy.pk
    ]
    assert [a["id"] for a in client.get("/api/articles/?tag=tag-a").json()["results"]] == [
        tagged.pk
    ]
    before = (timezone.localdate() - timedelta(days=30)).isoformat()
    results = client.get(f"/api/articles/?published_before={before}").json()["results"]
    assert [a["id"] for a in results] == [in_policy.pk]


def test_bad_filter_values_are_400_naming_the_parameter(client):
    response = client.get("/api/articles/?published_after=2024-13-45")
    assert response.status_code == 400
    assert "published_after" in response.json()
    assert client.get("/api/articles/?category=no-such-category").json()["count"] == 0
    make_indicator(slug="zones")
    response = client.get("/api/indicators/zones/observations/?period=24年")
    assert response.status_code == 400 and "period" in response.json()


def test_search_query(client):
    make_article(title="园区集成电路产业发展")
    make_article(title="智慧城市案例")
    hidden_articles()
    from articles.search import rebuild_index

    rebuild_index()
    results = client.get("/api/articles/?q=集成电路").json()["results"]
    assert [a["title"] for a in results] == ["园区集成电路产业发展"]
    assert client.get("/api/articles/?q=不应出现").json()["count"] == 0


def test_pagination(client):
    make_articles(25)
    page = client.get("/api/articles/?page=2").json()
    assert page["count"] == 25 and len(page["results"]) == 5
    assert page["previous"] is not None and page["next"] is None
    assert len(client.get("/api/articles/?page_size=50").json()["results"]) == 25
    assert client.get("/api/articles/?page=9").status_code == 404


@pytest.mark.parametrize("page_size", [5, 100])
def test_article_list_runs_fixed_queries(client, django_assert_max_num_queries, page_size):
    tags = [make_tag(name=f"标签{n}", slug=f"t{n}") for n in range(3)]
    for article in make_articles(100):
        article.tags.set(tags)
    with django_assert_max_num_queries(3):
        response = client.get(f"/api/articles/?page_size={page_size}")
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize(
    "url",
    ["/api/indicators/", "/api/categories/", "/api/tags/", "/api/indicators/zones/observations/"],
)
def test_other_lists_run_fixed_queries(client, django_assert_max_num_queries, url):
    zones = make_indicator(slug="zones")
    sources = make_articles(30, tags=[make_tag()])
    for n in range(30):
        indicator = make_indicator() if n else zones
        make_observation(indicator=indicator, period=str(1990 + n), source_article=sources[n])
        make_observation(indicator=zones, period=str(2000 + n), source_article=sources[n])
    with django_assert_max_num_queries(3):
        response = client.get(url + "?page_size=100")
    assert response.status_code == 200 and response.json()["results"]


def test_indicator_list_and_observations(client):
    article = make_article(title="国家高新区数据")
    zones = make_indicator(name="国家级高新区数量", slug="zones", unit="家")
    make_observation(indicator=zones, period="2023", value=Decimal(173))
    make_observation(indicator=zones, period="2024", value=Decimal(178), source_article=article)
    make_observation(indicator=zones, period="2024", region="北京", value=Decimal(1))
    indicator = client.get("/api/indicators/").json()["results"][0]
    assert indicator["latest"] == {"period": "2024", "region": "全国", "value": 178}
    assert indicator["observations_url"].endswith("/api/indicators/zones/observations/")
    data = client.get("/api/indicators/zones/observations/?region=全国&period_from=2024").json()
    assert data["results"] == [
        {
            "period": "2024",
            "region": "全国",
            "value": 178,
            "note": "",
            "source_article": {
                "id": article.pk,
                "title": "国家高新区数据",
                "url": data["results"][0]["source_article"]["url"],
            },
        }
    ]
    assert client.get("/api/indicators/nope/observations/").status_code == 404


def test_traditional_script(client):
    make_article(title="国家高新区发展报告")
    data = client.get("/zh-hant/api/articles/").json()
    assert data["results"][0]["title"] == "國家高新區發展報告"
    # Keys stay as they are; links lead to the traditional pages and answers.
    first = data["results"][0]
    assert first["api_url"].endswith(f"/zh-hant/api/articles/{first['id']}/")
    assert "/zh-hant/articles/" in first["url"]


def test_cache_headers_etag_and_304(client):
    make_article()
    response = client.get("/api/articles/")
    assert "public" in response["Cache-Control"] and "s-maxage=" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get("/api/articles/", headers={"if-none-match": etag})
    assert again.status_code == 304


def test_cors_allows_get_from_any_site(client):
    response = client.get("/api/categories/", headers={"origin": "https://data.example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/categories/",
        headers={"origin": "https://data.example.org", "access-control-request-method": "GET"},
    )
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"origin": "https://x.org"})


def test_rate_limit_per_client_address(client, settings):
    """Counted on the requests the API answers; a repeat of a URL it has just answered comes from
    the page cache (hitech_portal.pagecache) and costs nothing."""
    settings.API_RATE_LIMIT = "3/min"
    statuses = [
        client.get(f"/api/categories/?page_size={n}", REMOTE_ADDR="203.0.113.5").status_code
        for n in (10, 11, 12, 13)
    ]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    assert client.get("/api/tags/", REMOTE_ADDR="203.0.113.6").status_code == 200


def test_a_forged_forwarded_for_does_not_escape_the_rate(client, settings):
    """Without proxies in front (NUM_PROXIES=0) X-Forwarded-For is the client's own claim."""
    settings.API_RATE_LIMIT = "2/min"
    settings.PAGE_CACHE_SECONDS = 0
    statuses = [
        client.get("/api/categories/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_api_is_read_only(client):
    assert client.post("/api/articles/", {"title": "x"}).status_code == 405


def test_schema_is_openapi_3(client):
    response = client.get("/api/schema/?format=json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/articles/",
        "/api/articles/{id}/",
        "/api/categories/",
        "/api/tags/",
        "/api/indicators/",
        "/api/indicators/{slug}/observations/",
    }


def test_browsable_page_for_browsers(client):
    make_article(title="可浏览的文章")
    response = client.get("/api/articles/", headers={"accept": "text/html"})
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "可浏览的文章" in page
    assert "<style" not in page  # no inline styles (a strict Content-Security-Policy)
