"""The admin's upload → check (a job) → preview → confirm screens and the export, running the
same engine."""

import csv
import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from hitech_portal.models import ImportRecord
from tests.articles.test_import_command import DATA
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db
IMPORT_URL = reverse("admin:articles_article_import")


@pytest.fixture
def editor_client(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the uploaded file waits in media storage between steps
    client.force_login(make_user(is_superuser=True))
    return client


def upload(client, name):
    """Upload a file and land where the upload leads: its record's page, the check done."""
    with open(DATA / name, "rb") as f:
        return client.post(
            IMPORT_URL, {"resource": "0", "format": "0", "import_file": f}, follow=True
        )


def confirm(client, kind="articles_article"):
    record = ImportRecord.objects.latest("pk")
    return client.post(reverse(f"admin:{kind}_process_import"), {"record": record.pk})


def test_import_page_explains_files_and_that_any_size_runs_in_the_background(editor_client):
    page = editor_client.get(IMPORT_URL).content.decode()
    assert "GB18030" in page and "2024年7月5日" in page
    assert "文件大小不限" in page and "进度条" in page and "可以取消" in page
    assert "python manage.py import_articles 文件名" in page


def test_preview_of_a_bad_gb18030_file_lists_line_column_and_reason_and_offers_no_confirm(
    editor_client, tmp_path
):
    response = upload(editor_client, "articles_bad_gb18030.csv")
    page = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行（栏目写错的行），列「栏目」：未知的栏目「不存在的栏目」" in page
    assert "第 4 行（日期写错的行），列「发布时间」：不存在的日期或时间 2024-02-30" in page
    assert "第 6 行，列「标题」：标题不能为空" in page
    assert "只检查：文件有错误，正式导入时整个文件都不会写入。" in page
    assert "新建 0 篇，更新 0 篇，不变 0 篇，出错 3 行" in page
    assert "created=" not in page
    assert "process_import" not in page and "确认导入" not in page
    assert Article.objects.count() == 0
    assert list((tmp_path / "django-import-export").iterdir()) == []  # the refused file is gone


def test_preview_then_confirm_imports_the_file(editor_client):
    response = upload(editor_client, "articles_gb18030.csv")
    page = response.content.decode()
    assert "新建 2 篇，更新 0 篇，不变 0 篇" in page
    assert "高新区政策解读：人才新政" in page
    assert Article.objects.count() == 0  # the preview writes nothing
    response = confirm(editor_client)
    assert response.status_code == 302
    assert Article.objects.count() == 2
    page = editor_client.get(response.url).content.decode()
    assert "导入完成：新建 2 篇，更新 0 篇，不变 0 篇" in page
    # Uploading it again: the preview says every row is unchanged.
    assert (
        "新建 0 篇，更新 0 篇，不变 2 篇"
        in upload(editor_client, "articles_gb18030.csv").content.decode()
    )


def test_xlsx_upload_is_read_whatever_format_was_chosen(editor_client):
    page = upload(editor_client, "articles.xlsx").content.decode()
    assert "新建 2 篇" in page and "产业规划编制指南" in page


def test_unreadable_upload_is_a_clear_error(editor_client, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 10)
    with open(junk, "rb") as f:
        page = editor_client.post(
            IMPORT_URL, {"resource": "0", "format": "0", "import_file": f}, follow=True
        )
    assert "第 1 行：文件含二进制内容，不是 CSV 文本文件" in page.content.decode()


def test_export_of_the_filtered_list_uses_the_import_columns(editor_client):
    make_article(title="已发布的文章")
    make_article(title="=草稿", status=Article.Status.DRAFT, published_at=None)
    url = reverse("admin:articles_article_export") + "?status__exact=draft"
    response = editor_client.post(url, {"format": "0", "resource": "0"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "标题", "栏目"]
    assert [row[1] for row in rows[1:]] == ["'=草稿"]


@pytest.mark.parametrize(("choice", "extension"), [("0", "csv"), ("1", "xlsx")])
def test_export_file_is_named_in_chinese_with_the_date(editor_client, choice, extension):
    make_article()
    day = timezone.localdate()
    response = editor_client.post(
        reverse("admin:articles_article_export"), {"format": choice, "resource": "0"}
    )
    header = response["Content-Disposition"]
    assert header.isascii()  # what an HTTP header may carry
    assert header == (
        f'attachment; filename="article-{day:%Y-%m-%d}.{extension}"; '
        f"filename*=UTF-8''%E6%96%87%E7%AB%A0-{day:%Y-%m-%d}.{extension}"
    )
    # Browsers save the file under filename* when it is given (RFC 6266).
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded, errors="strict") == f"文章-{day:%Y-%m-%d}.{extension}"


def test_an_editor_who_may_not_publish_imports_drafts_only(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user(groups=["编辑"]))
    with open(DATA / "articles_utf8.csv", "rb") as f:
        page = client.post(
            IMPORT_URL, {"resource": "0", "format": "0", "import_file": f}, follow=True
        )
    # Row 2 says 已发布 explicitly; the others would default to published by their date.
    assert (
        "第 2 行（国家高新区数量达到178家），列「status」：你没有发布权限：状态只能是草稿或待审"
        in page.content.decode()
    )
    upload(client, "articles_gb18030.csv")
    confirm(client)
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.DRAFT}


def test_import_needs_add_and_change_permission(client):
    client.force_login(make_user())  # staff, no permissions
    assert client.get(IMPORT_URL).status_code == 403
