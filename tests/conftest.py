import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """The cache (Redis in CI) is not rolled back between tests."""
    cache.clear()
    yield
    cache.clear()
