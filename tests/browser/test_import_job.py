"""A big admin import in the browser: upload, the check's progress bar, the preview, confirm, the
import's progress bar that survives a reload, the result; each job run by a real worker of the
database backend, as ``./scripts/serve`` starts one."""

import os
import re
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connections
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from articles.importing import ArticleImporter
from articles.models import Article
from hitech_portal.demo import write_csv
from hitech_portal.imports.engine import run_import
from hitech_portal.models import ImportRecord
from tests.browser.test_editor import log_in
from tests.browser.waiting import wait_until
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 20_000
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "test-results"))


class ThreadWorker(Worker):
    """``manage.py db_worker``'s loop, in a thread of this process (it shares the test database).

    The in-memory SQLite test database locks whole tables between connections without waiting
    (a file database in WAL mode waits, and readers never wait for a writer): the test starts
    a worker only once a job's page is shown, the worker runs that one job and stops, and a
    poll of its that meets a page's read is simply made again."""

    def run(self):
        try:
            while self.running:
                try:
                    super().run()
                    return
                except OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    time.sleep(self.interval)
        finally:
            connections.close_all()  # this thread's: the test database is dropped afterwards


@pytest.fixture
def start_worker(settings):
    """Starts a worker that runs one job (the check, then the import)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started = []

    def start():
        running = ThreadWorker(
            queue_names=["default"],
            interval=0.2,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=1,
            worker_id=f"browser-test-{len(started)}",
            excluded_queue_names=[],
        )
        thread = threading.Thread(target=running.run, daemon=True)
        started.append((running, thread))
        thread.start()

    yield start
    for running, thread in started:
        running.running = False
        if thread.is_alive():
            thread.join(timeout=60)


def test_upload_twenty_thousand_rows_watch_the_bar_reload_and_see_it_finish(
    live_server, page, start_worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    SHOTS.mkdir(exist_ok=True)
    spreadsheet = tmp_path / "两万篇文章.csv"
    write_csv(spreadsheet, ROWS)
    make_user("zhubian", groups=["主编"])
    log_in(page, live_server, "zhubian")

    page.goto(live_server.url + "/admin/articles/article/import/")
    expect(page.locator("body")).to_contain_text("文件大小不限")
    page.locator("input[type=file]").set_input_files(spreadsheet)
    page.locator("input[type=submit]").first.click()

    # The upload only stored the file: a job checks it while the page shows its bar.
    progress = re.compile(r"/admin/hitech_portal/importrecord/\d+/progress/$")
    expect(page).to_have_url(progress)
    bar = page.locator("#import-progress")
    expect(page.locator("#import-status")).to_have_text("检查中")
    start_worker()
    wait_until(
        page,
        "() => { const v = document.getElementById('import-progress').value;"
        " return v > 0 && v < 100; }",
        timeout=240_000,
    )
    page.screenshot(path=SHOTS / "import-checking.png", full_page=True)
    page.reload()  # the check goes on meanwhile
    counts = f"新建 {ROWS} 篇，更新 0 篇，不变 0 篇"
    expect(page.locator(".import-counts")).to_contain_text(counts, timeout=240_000)
    expect(page.locator("#import-status")).to_have_text("待确认")
    expect(page.locator(".import-preview tbody tr")).to_have_count(1000)  # the first rows
    assert Article.objects.count() == 0  # the check writes nothing
    page.screenshot(path=SHOTS / "import-preview.png", full_page=True)
    page.get_by_role("button", name="确认导入").click()

    expect(page).to_have_url(progress)
    expect(bar).to_be_visible()
    expect(page.locator("#import-status")).to_have_text("排队中")  # till a worker takes it
    start_worker()
    wait_until(
        page,
        "() => { const v = document.getElementById('import-progress').value;"
        " return v > 0 && v < 100; }",
        timeout=240_000,
    )
    expect(page.locator("#import-status")).to_have_text("导入中")
    page.screenshot(path=SHOTS / "import-running.png", full_page=True)
    moving = int(bar.get_attribute("value") or 0)

    page.reload()  # the page is the job's: reloading picks it up where it is
    expect(page.locator("#import-status")).to_have_text("导入中")
    expect(page.get_by_role("button", name="取消导入")).to_be_visible()
    wait_until(
        page, f"() => document.getElementById('import-progress').value > {moving}", timeout=240_000
    )
    expect(page.locator(".import-result")).to_have_text(
        f"导入完成：新建 {ROWS} 篇，更新 0 篇，不变 0 篇。", timeout=600_000
    )
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator("#import-status")).to_have_text("已完成")
    page.screenshot(path=SHOTS / "import-done.png", full_page=True)
    record = ImportRecord.objects.get()
    assert (record.status, record.created, record.user.username) == ("done", ROWS, "zhubian")
    assert Article.objects.count() == ROWS


def test_a_chief_undoes_a_big_import_and_the_page_follows_the_job(
    live_server, page, start_worker, tmp_path
):
    chief = make_user("zhubian", groups=["主编"])
    spreadsheet = tmp_path / "三千篇文章.csv"
    write_csv(spreadsheet, 3000)
    run_import(ArticleImporter, spreadsheet, user=chief, via="后台")
    record = ImportRecord.objects.get()
    log_in(page, live_server, "zhubian")

    page.goto(f"{live_server.url}/admin/hitech_portal/importrecord/{record.pk}/change/")
    page.get_by_role("link", name="撤销这次导入").click()
    expect(page.locator("#content-main")).to_contain_text("3000 篇这次导入新建的文章被删除")
    page.get_by_role("button", name="确认撤销这次导入").click()
    expect(page.locator("#import-status")).to_have_text("排队中")  # till a worker takes it
    assert Article.objects.count() == 3000
    page.screenshot(path=SHOTS / "undo-queued.png", full_page=True)
    start_worker()
    expect(page.locator(".import-result")).to_contain_text(
        "这次导入已于", timeout=240_000
    )  # the bar's page reloaded itself when the job ended
    page.screenshot(path=SHOTS / "undo-done.png", full_page=True)
    assert Article.objects.count() == 0
    record.refresh_from_db()
    assert record.undone_by == chief
