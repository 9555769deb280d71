"""Admin imports run as background jobs: a page that follows them, cancel, and running again."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article
from articles.search import clear_index, search
from hitech_portal import jobs
from hitech_portal.imports import tasks
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
    with open(DATA / name, "rb") as f:
        response = client.post(IMPORT_URL, {"resource": "0", "format": "0", "import_file": f})
    return response.context["confirm_form"].initial


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
        "percent": 100,
        "stale": False,
    }
    assert {hit.article.title for hit in search("人才新政")[:10]} == {"高新区政策解读：人才新政"}
    assert list(media.joinpath("django-import-export").iterdir()) == []  # the upload is gone


def test_a_queued_import_can_be_cancelled_and_writes_nothing(client, media, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(make_user(is_superuser=True))
    response = client.post(CONFIRM_URL, preview(client))
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
