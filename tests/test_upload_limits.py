"""Upload bombs: a small hostile spreadsheet costs no more than an honest one, the admin refuses
what it should not parse, and no upload is left behind that nothing will confirm."""

import io
import os
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article
from tests.factories import make_user

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:articles_article_import")
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<workbook {NS} xmlns:r="{REL}"><sheets><sheet name="文章" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}


def xlsx(rows_xml: str, strings: list[str]) -> bytes:
    """An XLSX written by hand, as an attacker would: shared strings and the sheet's XML."""
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", f"<sst {NS}>{items}</sst>")
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {NS}><sheetData>{rows_xml}</sheetData></worksheet>",
        )
    return out.getvalue()


def cell(ref: str, index: int) -> str:
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


HEADER = f'<row r="1">{cell("A1", 0)}{cell("B1", 1)}</row>'


def shared_strings_bomb() -> bytes:
    """10 KB on disk, 200,000 shared strings unzipped (the audit's: a worker held 16 s)."""
    return xlsx(HEADER, ["标题", "栏目", *["x"] * 200_000])


@pytest.fixture
def admin_client(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user(is_superuser=True))
    return client


def uploads(settings) -> list[str]:
    folder = settings.MEDIA_ROOT / "django-import-export"
    return sorted(os.listdir(folder)) if folder.exists() else []


def upload(client, name: str, data: bytes):
    file = SimpleUploadedFile(name, data)
    return client.post(
        IMPORT_URL, {"resource": "0", "format": "0", "import_file": file}, follow=True
    )


def test_an_xlsx_zip_bomb_is_refused_before_parsing_and_not_kept(admin_client, settings):
    data = shared_strings_bomb()
    assert len(data) < 20_000
    page = upload(admin_client, "文章.xlsx", data).content.decode()
    assert "xl/sharedStrings.xml 压缩了" in page and "疑为压缩炸弹" in page
    assert uploads(settings) == []
    assert Article.objects.count() == 0


def test_the_command_refuses_the_zip_bomb_too(tmp_path, capsys):
    path = tmp_path / "文章.xlsx"
    path.write_bytes(shared_strings_bomb())
    with pytest.raises(CommandError, match="文件无法读取"):
        call_command("import_articles", str(path))
    assert "疑为压缩炸弹" in capsys.readouterr().out


def test_an_xlsx_that_unzips_past_the_admins_limit_is_refused(admin_client, settings):
    settings.IMPORT_MAX_XLSX_MB = 1
    strings = ["标题", "栏目", *(os.urandom(600).hex() for _ in range(1000))]  # incompressible
    page = upload(admin_client, "文章.xlsx", xlsx(HEADER, strings)).content.decode()
    assert "超过上限 1 MB" in page
    assert uploads(settings) == []


def test_an_upload_over_the_size_limit_is_refused_with_its_size(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    data = b"title,category\n" + b"a" * (2 * 1024 * 1024) + b",x\n"
    page = upload(admin_client, "文章.csv", data).content.decode()
    assert "文件有 2.0 MB，后台一次最多接收 1 MB" in page
    assert uploads(settings) == []


def test_a_csv_cell_of_many_megabytes_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "文章.csv"
    path.write_bytes("标题,栏目\n".encode() + b"a" * (9 * 1024 * 1024) + b",x\n")
    with pytest.raises(CommandError):
        call_command("import_articles", str(path))
    assert "第 2 行：CSV 格式错误：单元格超过 8 MB" in capsys.readouterr().out


def test_rows_stretched_to_the_last_column_are_read_no_wider_than_the_header(tmp_path):
    """openpyxl pads each row to the width asked for: 16,384 cells a row unless told less."""
    rows = "".join(
        f'<row r="{r}">{cell(f"A{r}", r + 1)}{cell(f"B{r}", 2)}<c r="XFD{r}"/></row>'
        for r in range(2, 502)
    )
    strings = ["标题", "栏目", "高新区新闻", *(f"宽表格的第{r}篇文章" for r in range(2, 502))]
    path = tmp_path / "文章.xlsx"
    path.write_bytes(xlsx(HEADER + rows, strings))
    out = io.StringIO()
    call_command("import_articles", str(path), stdout=out)
    assert out.getvalue().splitlines()[-1] == "created=500 updated=0 unchanged=0 failed=0"
    assert Article.objects.filter(title="宽表格的第501篇文章").exists()


def test_the_upload_request_only_stores_the_file_and_a_job_checks_it(admin_client, settings):
    """However long the file, the request does not read it: the check is the worker's."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    data = "标题,栏目\n第一篇,高新区新闻\n,高新区新闻\n".encode()
    page = upload(admin_client, "文章.csv", data).content.decode()
    assert '状态：<strong id="import-status">检查中</strong>' in page
    assert "检查进度" in page and "确认导入" not in page and "第 3 行" not in page
    assert len(uploads(settings)) == 1  # waiting for the job
    assert Article.objects.count() == 0


def test_a_refused_preview_leaves_no_upload_and_a_good_one_waits_for_confirm(
    admin_client, settings
):
    upload(admin_client, "坏.csv", "标题,栏目\n,高新区新闻\n".encode())
    assert uploads(settings) == []
    page = upload(admin_client, "好.csv", "标题,栏目\n好文章,高新区新闻\n".encode())
    assert "process_import" in page.content.decode()
    assert len(uploads(settings)) == 1


def test_uploads_never_confirmed_are_deleted_once_abandoned(admin_client, settings):
    upload(admin_client, "好.csv", "标题,栏目\n好文章,高新区新闻\n".encode())
    [old] = uploads(settings)
    path = settings.MEDIA_ROOT / "django-import-export" / old
    long_ago = time.time() - 7 * 3600
    os.utime(path, (long_ago, long_ago))
    upload(admin_client, "另一个.csv", "标题,栏目\n另一篇,高新区新闻\n".encode())
    assert old not in uploads(settings)
    assert len(uploads(settings)) == 1


def test_an_xlsx_with_a_damaged_part_is_a_clear_error_found_by_fuzzing(admin_client, settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"")
    page = upload(admin_client, "文章.xlsx", out.getvalue()).content.decode()
    assert "第 1 行：无法作为 XLSX 文件读取（文件损坏或不是 XLSX）" in page
    assert uploads(settings) == []
