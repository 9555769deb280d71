"""A cached page is answered first, before every other middleware, with the headers they gave it."""

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hitech_portal import pagecache
from tests.factories import make_article

pytestmark = pytest.mark.django_db

KEPT = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "Content-Type",
    "ETag",
)


def answered(client, path, **kwargs):
    """The response, and whether the page cache answered it: no query ran and no page was
    stored (a view may run without queries, from parts kept under the generation)."""
    stored = []
    keep = pagecache.PageLookup.set

    def spy(lookup, *args, **kw):
        stored.append(lookup.key)
        return keep(lookup, *args, **kw)

    with (
        mock.patch.object(pagecache.PageLookup, "set", spy),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(path, **kwargs)
    return response, len(queries) == 0 and not stored


def test_a_cached_page_carries_the_security_headers_it_was_rendered_with(client):
    path = make_article().get_absolute_url()
    first, _ = answered(client, path)
    second, cached = answered(client, path)
    assert cached
    for header in KEPT:
        assert second[header] == first[header], header
    assert "frame-ancestors 'none'" in second["Content-Security-Policy"]


def test_cross_origin_readers_get_cors_headers_from_the_cache_too(client):
    make_article()
    plain, _ = answered(client, "/api/articles/")
    assert "Access-Control-Allow-Origin" not in plain
    origin = {"headers": {"origin": "https://example.org"}}
    for expect_cached in (False, True):
        response, cached = answered(client, "/api/articles/", **origin)
        assert cached is expect_cached
        assert response["Access-Control-Allow-Origin"] == "*"
    again, cached = answered(client, "/api/articles/")
    assert cached and "Access-Control-Allow-Origin" not in again


def test_a_plain_http_request_is_still_sent_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    path = make_article().get_absolute_url()
    client = Client()
    assert client.get(path, secure=True).status_code == 200  # stored
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get(path, secure=True).status_code == 200
