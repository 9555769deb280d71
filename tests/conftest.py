import pytest
from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_migrate
from django.test import override_settings

from articles.categories import ensure_categories
from articles.search import clear_index
from hitech_portal import pagecache
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
def _clear_cache(_own_files):
    """The caches (Redis in CI) are not rolled back between tests. This process's copies of
    what they hold go with them at once (Redis tells the watching thread a moment later)."""
    for alias in ("default", "pages"):
        caches[alias].clear()
    pagecache.forget_copies()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()
    pagecache.forget_copies()


@pytest.fixture(autouse=True, scope="session")
def _in_process_cache():
    """Without Redis the shared cache is a folder of files (for every process on the machine);
    the tests run in one process and renaming files is slow on some disks: memory will do."""
    default = settings.CACHES["default"]
    if not default["BACKEND"].endswith("FileBasedCache"):
        yield
        return
    memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    with override_settings(CACHES={**settings.CACHES, "default": memory}):
        yield


@pytest.fixture(autouse=True)
def _own_files(settings, tmp_path, _in_process_cache):
    """Each test buffers article reads in a file of its own (articles.view_counts)."""
    settings.VIEW_COUNT_BUFFER = tmp_path / "view_counts.sqlite3"


@pytest.fixture(autouse=True)
def _jobs_in_process(settings):
    """Background jobs run as they are enqueued (after the commit), their progress in memory:
    a test sees their outcome at once. tests/browser/test_import_job.py runs a real worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {
        **settings.CACHES,
        "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jobs"},
    }
    yield
    caches["jobs"].clear()


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
