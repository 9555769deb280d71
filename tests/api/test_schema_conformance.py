"""schemathesis generates requests from /api/schema/ and checks every answer against it (status
codes, content types, response bodies, no server errors), through the WSGI application."""

from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from articles.models import Article
from hitech_portal.wsgi import application
from tests.factories import make_article, make_indicator, make_observation, make_tag


@pytest.fixture
def api_schema(db, settings):
    settings.API_RATE_LIMIT = ""  # schemathesis sends hundreds of requests from one address
    tag = make_tag(name="高新区", slug="zones")
    article = make_article(title="国家高新区数据", tags=[tag])
    make_article(title="草稿", status=Article.Status.DRAFT)
    make_article(title="定时", published_at=timezone.now() + timedelta(days=1))
    zones = make_indicator(name="国家级高新区数量", slug="national-hitech-zones", unit="家")
    make_observation(indicator=zones, period="2024", value=Decimal(178), source_article=article)
    # As Django's test client does: the WSGI handler would close the test's connection (it is
    # inside the test's transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_api_answers_as_its_schema_says(api_schema):
    # Each operation's cases in turn (schemathesis' own pytest plugin does not load under this
    # pytest); call_and_validate runs all of schemathesis' checks and raises on the first failure.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=60,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case):
            # The WSGI transport does not unzip what GZipMiddleware compresses.
            case.call_and_validate(headers={"Accept-Encoding": "identity"})

        answers_as_documented()
