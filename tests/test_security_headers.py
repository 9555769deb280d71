"""Every page carries one strict Content-Security-Policy and a Permissions-Policy (settings)."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_article, make_indicator, make_observation, make_user

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


@pytest.fixture
def public_paths():
    article = make_article(title="园区新闻", summary="摘要")
    indicator = make_indicator(slug="zones", name="高新区数量")
    make_observation(indicator=indicator, source_article=article)
    article.indicators.add(indicator)
    return [
        "/",
        article.get_absolute_url(),
        "/zh-hant" + article.get_absolute_url(),
        f"/category/{article.category.slug}/",
        "/search/?q=园区",
        "/indicators/",
        "/indicators/zones/",
        "/feeds/latest.xml",
        "/no-such-page/",
    ]


def test_every_public_page_has_the_strict_policy_fresh_and_from_the_page_cache(
    client, public_paths
):
    for path in public_paths:
        for _ in range(2):  # the second answer comes from the page cache
            response = client.get(path)
            csp = policy(response)
            assert csp["script-src"] == ["'self'"], path
            assert csp["style-src"] == ["'self'"], path
            assert csp["object-src"] == ["'none'"]
            assert csp["frame-ancestors"] == ["'none'"]
            assert "'unsafe-inline'" not in response["Content-Security-Policy"]
            assert "camera=()" in response["Permissions-Policy"]
            assert "geolocation=()" in response["Permissions-Policy"]


def test_public_pages_have_no_inline_script_only_json_data(client, public_paths):
    """JSON-LD and the chart's numbers are data blocks: no policy is needed for them to work."""
    for path in public_paths[:-2]:
        page = client.get(path).content.decode()
        for attributes in SCRIPT.findall(page):
            data = re.search(r'type="application/(ld\+)?json"', attributes)
            assert "src=" in attributes or data, (path, attributes)


def test_the_prose_editors_import_map_runs_by_the_requests_nonce(client):
    client.force_login(make_user(is_superuser=True))
    response = client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 200
    sources = policy(response)["script-src"]
    nonces = [source for source in sources if source.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    page = response.content.decode()
    assert f'<script type="importmap" nonce="{nonce}">' in page
    again = client.get(reverse("admin:articles_article_add"))
    assert nonce not in again["Content-Security-Policy"]  # a new one every time


def test_the_admin_login_page_has_the_policy_too(client):
    response = client.get(reverse("admin:login"))
    assert policy(response)["script-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_admin_alone_may_use_inline_styles_and_scripts_stay_strict(client):
    client.force_login(make_user(is_superuser=True))
    csp = policy(client.get(reverse("admin:articles_article_add")))
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert policy(client.get("/"))["style-src"] == ["'self'"]
