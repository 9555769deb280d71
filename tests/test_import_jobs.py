"""Admin imports run as background jobs: a page that follows them, cancel, and running again."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import tasks as article_tasks
from articles import undo as undo_module
from articles.importing import ArticleImporter
from articles.models import Article
from articles.search import clear_index, search
from hitech_portal import jobs
from hitech_portal.imports import tasks
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.tables import Table
from hitech_portal.models import ImportRecord
from tests.articles.test_import_command import DATA
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db
IMPORT_URL = reverse("admin:articles_article_import")
CONFIRM_URL = reverse("admin:articles_article_process_import")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the upload waits there for the job
    return tmp_path


def preview(client, name="articles_gb18030.csv"):
    """Upload a file (its check runs at once in tests); what 确认导入 then posts."""
    with open(DATA / name, "rb") as f:
        response = client.post(IMPORT_URL, {"resource": "0", "format": "0", "import_file": f})
    record = ImportRecord.objects.get(pk=response.url.split("/")[-3])
    assert record.status == "checked"
    return {"record": record.pk}


def progress_url(record):
    return reverse("admin:hitech_portal_importrecord_progress", args=[record.pk])


def test_confirmed_import_runs_as_a_job_and_its_page_shows_the_result(client, media):
    user = make_user(is_superuser=True)
    client.force_login(user)
    response = client.post(CONFIRM_URL, preview(client))
    record = ImportRecord.objects.get()
    assert response.url == progress_url(record)
    assert (record.status, record.user, record.via, record.created) == ("done", user, "后台", 2)
    assert record.file_name == "articles_gb18030.csv"
    page = client.get(response.url).text
    assert '状态：<strong id="import-status">已完成</strong>' in page
    assert 'value="100"' in page and "导入完成：新建 2 篇，更新 0 篇，不变 0 篇" in page
    assert "取消导入" not in page
    status_url = reverse("admin:hitech_portal_importrecord_status", args=[record.pk])
    assert client.get(status_url).json() == {
        "status": "done",
        "status_display": "已完成",
        "finished": True,
        "waiting": False,
        "percent": 100,
        "stale": False,
    }
    assert {hit.article.title for hit in search("人才新政")[:10]} == {"高新区政策解读：人才新政"}
    assert list(media.joinpath("django-import-export").iterdir()) == []  # the upload is gone


def test_a_queued_import_can_be_cancelled_and_writes_nothing(client, media, settings):
    client.force_login(make_user(is_superuser=True))
    checked = preview(client)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = client.post(CONFIRM_URL, checked)
    record = ImportRecord.objects.get()
    page = client.get(response.url).text
    assert "排队中" in page and 'value="0"' in page and "取消导入" in page
    client.post(reverse("admin:hitech_portal_importrecord_cancel", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "cancelled"
    assert tasks.import_file.call(record.pk) == "not queued: cancelled"  # the job, if it runs
    assert Article.objects.count() == 0
    assert "导入已取消，什么也没有写入。" in client.get(response.url).text


def test_a_running_import_stops_at_the_cancel_and_rolls_back(media, settings):
    record = _queued_record(media, settings)
    jobs.request_cancel(tasks.job_name(record))  # the 取消 button, while the job runs
    assert tasks.import_file.call(record.pk) == "cancelled"
    record.refresh_from_db()
    assert record.status == "cancelled" and Article.objects.count() == 0


def test_a_killed_worker_leaves_nothing_and_the_import_can_be_run_again(
    client, media, settings, monkeypatch
):
    record = _queued_record(media, settings)

    def killed(job):
        raise SystemExit("worker stopped")  # as a worker's process ends mid-batch

    monkeypatch.setattr(jobs, "check_cancel", killed)
    with pytest.raises(SystemExit):
        tasks.import_file.call(record.pk)
    monkeypatch.undo()
    record.refresh_from_db()
    assert record.status == "running" and Article.objects.count() == 0  # nothing half-written

    client.force_login(record.user)
    assert "重新导入" not in client.get(progress_url(record)).text  # it may still be running
    monkeypatch.setattr(jobs, "STALE_SECONDS", -1)  # … until it has been silent too long
    assert "重新导入" in client.get(progress_url(record)).text
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.post(reverse("admin:hitech_portal_importrecord_rerun", args=[record.pk]))
    record.refresh_from_db()
    assert (record.status, record.created, Article.objects.count()) == ("done", 2, 2)


def test_only_the_importer_or_a_chief_may_cancel(client, media, settings):
    record = _queued_record(media, settings)
    other = make_user(groups=["编辑"])
    other.user_permissions.add(*_view_permission())
    client.force_login(other)
    assert "取消导入" not in client.get(progress_url(record)).text
    response = client.post(reverse("admin:hitech_portal_importrecord_cancel", args=[record.pk]))
    assert response.status_code == 403
    client.force_login(make_user(groups=["主编"]))
    client.post(reverse("admin:hitech_portal_importrecord_cancel", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "cancelled"


def test_an_editor_s_background_import_keeps_to_the_editor_s_rights(client, media):
    client.force_login(make_user(groups=["编辑"]))
    client.post(CONFIRM_URL, preview(client))
    assert ImportRecord.objects.get().status == "done"
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.DRAFT}


def test_search_index_rebuild_runs_as_a_job(capsys):
    article = make_article(title="园区后台重建")
    clear_index()
    assert search("后台重建").count() == 0
    call_command("rebuild_search_index", "--background")
    assert "已交给后台任务进程重建搜索索引" in capsys.readouterr().out
    assert [hit.article for hit in search("后台重建")[:10]] == [article]


def _queued_record(media, settings) -> ImportRecord:
    """A record as the confirm screen leaves it, its job not yet run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    storage = tasks.upload_storage("")
    storage.save((DATA / "articles_gb18030.csv").read_bytes())
    return ImportRecord.objects.create(
        kind="articles",
        file_name="articles_gb18030.csv",
        via="后台",
        user=make_user(is_superuser=True),
        status="queued",
        upload=storage.name,
        confirmed_at=timezone.now(),
    )


def _view_permission():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename="view_importrecord")


@pytest.mark.parametrize("gone", ["deleted", "deactivated"])
def test_a_queued_import_whose_uploader_is_gone_writes_nothing(media, settings, gone):
    """The job applies its uploader's rights; without the account there are none to apply."""
    record = _queued_record(media, settings)
    if gone == "deleted":
        record.user.delete()
    else:
        record.user.is_active = False
        record.user.save()
    assert tasks.import_file.call(record.pk) == "refused: no uploader"
    record.refresh_from_db()
    assert record.status == "failed" and "账号已删除或停用" in record.problem
    assert Article.objects.count() == 0
    assert list(media.joinpath("django-import-export").iterdir()) == []


def _checking_record(media, settings, text: str) -> ImportRecord:
    """A record as the upload leaves it, its check not yet run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    storage = tasks.upload_storage("")
    storage.save(text.encode())
    return ImportRecord.objects.create(
        kind="articles",
        file_name="文章.csv",
        via="后台",
        user=make_user(is_superuser=True),
        status="checking",
        upload=storage.name,
    )


def test_a_file_with_many_errors_lists_every_one_on_pages_and_cannot_be_confirmed(
    client, media, settings
):
    rows = "".join(",高新区新闻\n" for _ in range(250))  # 250 rows without a title
    record = _checking_record(media, settings, "标题,栏目\n" + rows)
    assert tasks.check_file.call(record.pk).startswith("rejected")
    client.force_login(record.user)
    page = client.get(progress_url(record)).text
    assert "文件有错误，未导入（出错 250 行）" in page and "有错误" in page
    assert "第 2 行，列「标题」：标题不能为空" in page and "第 102 行" not in page
    assert "确认导入" not in page and "取消导入" not in page
    assert (
        "第 251 行，列「标题」：标题不能为空" in client.get(progress_url(record) + "?page=3").text
    )
    response = client.post(CONFIRM_URL, {"record": record.pk})  # asked for anyway
    record.refresh_from_db()
    assert response.status_code == 302 and record.status == "rejected"
    assert Article.objects.count() == 0
    assert list(media.joinpath("django-import-export").iterdir()) == []  # nothing to confirm


def test_only_the_uploader_confirms_and_a_second_confirm_queues_nothing(client, media, settings):
    record = _checking_record(media, settings, "标题,栏目\n好文章,高新区新闻\n")
    tasks.check_file.call(record.pk)
    chief = make_user(is_superuser=True)
    client.force_login(chief)
    assert "确认导入" not in client.get(progress_url(record)).text
    assert client.post(CONFIRM_URL, {"record": record.pk}).status_code == 404
    client.force_login(record.user)
    assert "确认导入" in client.get(progress_url(record)).text
    client.post(CONFIRM_URL, {"record": record.pk})
    client.post(CONFIRM_URL, {"record": record.pk})  # a double click
    record.refresh_from_db()
    assert record.status == "queued" and record.confirmed_at is not None
    assert tasks.import_file.call(record.pk).startswith("created=1")
    assert tasks.import_file.call(record.pk) == "not queued: done"  # had a second job run


def test_a_checked_file_cancelled_before_its_confirm_is_dropped(client, media, settings):
    record = _checking_record(media, settings, "标题,栏目\n好文章,高新区新闻\n")
    tasks.check_file.call(record.pk)
    client.force_login(record.user)
    client.post(reverse("admin:hitech_portal_importrecord_cancel", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "cancelled"
    assert client.post(CONFIRM_URL, {"record": record.pk}).status_code == 302
    record.refresh_from_db()
    assert record.status == "cancelled" and Article.objects.count() == 0
    assert list(media.joinpath("django-import-export").iterdir()) == []


def test_a_check_no_worker_has_started_is_cancelled_at_once(client, media, settings):
    record = _checking_record(media, settings, "标题,栏目\n好文章,高新区新闻\n")
    client.force_login(record.user)
    client.post(reverse("admin:hitech_portal_importrecord_cancel", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "cancelled"
    assert "导入已取消，什么也没有写入。" in client.get(progress_url(record)).text
    assert tasks.check_file.call(record.pk) == "not checking: cancelled"
    assert list(media.joinpath("django-import-export").iterdir()) == []


def test_a_check_cancelled_while_it_runs_stops_and_writes_nothing(media, settings):
    record = _checking_record(media, settings, "标题,栏目\n好文章,高新区新闻\n")
    jobs.request_cancel(tasks.job_name(record))
    assert tasks.check_file.call(record.pk) == "cancelled"
    record.refresh_from_db()
    assert record.status == "cancelled" and Article.objects.count() == 0


def test_a_check_whose_worker_was_killed_is_checked_again_not_imported(
    client, media, settings, monkeypatch
):
    record = _checking_record(media, settings, "标题,栏目\n好文章,高新区新闻\n")

    def killed(job):
        raise SystemExit("worker stopped")

    monkeypatch.setattr(jobs, "check_cancel", killed)
    with pytest.raises(SystemExit):
        tasks.check_file.call(record.pk)
    monkeypatch.undo()
    client.force_login(record.user)
    monkeypatch.setattr(jobs, "STALE_SECONDS", -1)
    assert "重新导入" in client.get(progress_url(record)).text
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.post(reverse("admin:hitech_portal_importrecord_rerun", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "checked" and Article.objects.count() == 0  # waits for 确认导入


def test_an_editor_s_check_applies_the_editor_s_rights(client, media, settings):
    record = _checking_record(media, settings, "标题,栏目,状态\n好文章,高新区新闻,已发布\n")
    record.user = make_user(groups=["编辑"])
    record.save()
    tasks.check_file.call(record.pk)
    record.refresh_from_db()
    assert record.status == "rejected"
    assert "你没有发布权限" in record.errors[0]


# --- undoing an import: a job of its own, followed by its page ---------------------------------


@pytest.fixture
def imported(db):
    """An article import by a 主编: one article changed, two created."""
    chief = make_user("zhubian3", groups=["主编"])
    kept = make_article(title="导入前的标题", status=Article.Status.DRAFT)
    rows = [
        {"id": kept.pk, "title": "导入改的标题"},
        *({"title": f"导入新建{n}", "category": "policy"} for n in range(2)),
    ]
    run_import(ArticleImporter, Table.from_dicts(rows), user=chief, via="后台")
    return ImportRecord.objects.get(), chief


def undo_url(record, name="undo"):
    return reverse(f"admin:hitech_portal_importrecord_{name}", args=[record.pk])


def titles():
    return sorted(Article.objects.values_list("title", flat=True))


def test_an_undo_runs_as_a_job_and_its_page_follows_it(client, settings, imported):
    record, chief = imported
    client.force_login(chief)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = client.post(undo_url(record))
    assert response.url == undo_url(record)
    page = client.get(undo_url(record)).text
    assert '<strong id="import-status">排队中</strong>' in page and "确认撤销" not in page
    assert client.get(undo_url(record, "undo_status")).json()["finished"] is False
    client.post(undo_url(record))  # a second click, or another tab, queues nothing more
    assert article_tasks.start_undo(record, chief) is False
    assert titles() == ["导入改的标题", "导入新建0", "导入新建1"]

    assert article_tasks.undo_import.call(record.pk, chief.pk) == "undone"  # the worker
    assert titles() == ["导入前的标题"]
    state = client.get(undo_url(record, "undo_status")).json()
    assert (state["finished"], state["stale"]) == (True, False)
    assert "这次导入已于" in client.get(undo_url(record)).text
    assert article_tasks.undo_import.call(record.pk, chief.pk) == "refused"  # run twice
    record.undone_at = None  # a second job that read the record before the first one ended
    with pytest.raises(undo_module.AlreadyUndone):
        undo_module.undo(record, chief)


def test_a_killed_undo_changes_nothing_and_can_be_asked_for_again(
    client, settings, imported, monkeypatch
):
    record, chief = imported
    client.force_login(chief)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.post(undo_url(record))

    restore = undo_module._restore

    def killed(pairs, user):  # the worker's process ends once the change is restored
        restore(pairs, user)
        raise SystemExit("worker stopped")

    monkeypatch.setattr(undo_module, "_restore", killed)
    with pytest.raises(SystemExit):
        undo_module.undo(record, chief, progress=lambda done, total: None)
    monkeypatch.undo()
    assert titles() == ["导入改的标题", "导入新建0", "导入新建1"]  # the change went back too
    job = article_tasks.undo_job_name(record.pk)
    jobs.report_progress(job, 1, 3)  # the job's last report, then silence
    cache_entry = jobs.progress(job) | {"at": timezone.now().timestamp() - jobs.STALE_SECONDS - 1}
    caches["jobs"].set(f"{job}:progress", cache_entry)
    page = client.get(undo_url(record)).text
    assert "上一次撤销没有完成" in page and "确认撤销这次导入" in page
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.post(undo_url(record))
    assert titles() == ["导入前的标题"]


def test_only_a_chief_may_undo_on_the_page_and_in_the_job(client, imported):
    record, _ = imported
    editor = make_user("bianji3", groups=["编辑"])
    client.force_login(editor)
    assert client.post(undo_url(record)).status_code == 403
    assert article_tasks.undo_import.call(record.pk, editor.pk) == "refused"
    assert titles() == ["导入改的标题", "导入新建0", "导入新建1"]
