import importlib

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import post_migrate

_categories_migration = importlib.import_module("articles.migrations.0002_categories")


def _restore_source_categories(**kwargs):
    """Transactional tests (live_server, threads) end with a flush, which empties what the data
    migration made; Django sends post_migrate after it, so the 13 categories come back as the
    groups and permissions do."""
    if kwargs.get("app_config") and kwargs["app_config"].label == "articles":
        _categories_migration.create_categories(apps, None)


post_migrate.connect(_restore_source_categories, dispatch_uid="tests.restore_categories")


@pytest.fixture(autouse=True)
def _clear_cache():
    """The cache (Redis in CI) is not rolled back between tests."""
    cache.clear()
    yield
    cache.clear()
