import pytest
from django.core.cache import cache
from django.db.models.signals import post_migrate

from articles.categories import ensure_categories
from articles.search import clear_index
from tests.factories import make_user


def _restore_source_categories(**kwargs):
    """Transactional tests (live_server, threads) end with a flush, which empties what the data
    migration made; Django sends post_migrate after it, so the 13 categories come back as the
    groups and permissions do. The search index is not a Django table: the flush leaves its rows,
    which would be found by the next test, so it is emptied here too."""
    if kwargs.get("app_config") and kwargs["app_config"].label == "articles":
        ensure_categories()
        clear_index()


post_migrate.connect(_restore_source_categories, dispatch_uid="tests.restore_categories")


@pytest.fixture(autouse=True)
def _clear_cache():
    """The cache (Redis in CI) is not rolled back between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded images and their renditions go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Logins are not under test; the default hasher costs a noticeable fraction of a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(client):
    """A logged-in 编辑: writes and edits, cannot publish."""
    user = make_user("bianji", groups=["编辑"])
    client.force_login(user)
    return user


@pytest.fixture
def chief(client):
    """A logged-in 主编: may publish."""
    user = make_user("zhubian", groups=["主编"])
    client.force_login(user)
    return user
