"""``manage.py import_articles``: the sample files in tests/data, as editors send them."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Tag

DATA = Path(__file__).resolve().parent.parent / "data"
pytestmark = pytest.mark.django_db


def run(*args):
    """Run the command; returns (exit status, stdout lines)."""
    out = StringIO()
    try:
        call_command("import_articles", *[str(a) for a in args], stdout=out, stderr=StringIO())
        status = 0
    except CommandError as exc:
        status = exc.returncode
    return status, out.getvalue().splitlines()


def shanghai(*args):
    return timezone.make_aware(dt.datetime(*args))


def test_utf8_file_with_english_headers_creates_articles_tags_and_clean_bodies():
    status, lines = run(DATA / "articles_utf8.csv")
    assert status == 0
    assert lines[-1] == "created=3 updated=0 unchanged=0 failed=0"
    first = Article.objects.get(source_url="https://www.achie.org/t/1.html")
    assert first.category.slug == "policy"
    assert first.published_at == shanghai(2024, 7, 5, 10, 30)
    assert first.status == Article.Status.PUBLISHED
    assert "<script>" not in first.body and "国家高新区达到178家" in first.body
    assert first.author == "张三" and first.keywords == "高新区、统计"
    assert sorted(first.tags.values_list("name", flat=True)) == ["统计", "高新区"]
    second = Article.objects.get(source_url="https://www.achie.org/t/2.html")
    assert sorted(second.tags.values_list("name", flat=True)) == ["产业", "园区", "高新区"]
    assert "第二段，跨行的正文" in second.body
    assert second.published_at == shanghai(2024, 7, 6)
    draft = Article.objects.get(source_url="https://www.achie.org/t/3.html")
    assert draft.status == Article.Status.DRAFT and draft.published_at is None
    assert all(tag.slug for tag in Tag.objects.all())


def test_utf8_with_bom_and_chinese_headers():
    status, lines = run(DATA / "articles_utf8_bom.csv")
    assert (status, lines[-1]) == (0, "created=2 updated=0 unchanged=0 failed=0")
    article = Article.objects.get(title="一带一路合作新进展")
    assert article.category.name == "一带一路新闻"
    assert article.published_at == shanghai(2024, 7, 9)


def test_gb18030_file_with_traditional_category_names_and_chinese_dates():
    status, lines = run(DATA / "articles_gb18030.csv")
    assert (status, lines[-1]) == (0, "created=2 updated=0 unchanged=0 failed=0")
    policy = Article.objects.get(title="高新区政策解读：人才新政")
    assert policy.category.name == "政策解读"  # written 政策解讀 in the file
    assert policy.published_at == shanghai(2024, 7, 5, 10, 30)
    assert policy.source == "高新院" and policy.author == "李四"
    planning = Article.objects.get(title="园区规划的五个要点")
    assert planning.category.name == "园区规划"  # written 園區規劃
    assert sorted(planning.tags.values_list("name", flat=True)) == ["园区", "规划"]


def test_xlsx_with_date_cells_and_status_words():
    status, lines = run(DATA / "articles.xlsx")
    assert (status, lines[-1]) == (0, "created=2 updated=0 unchanged=0 failed=0")
    guide = Article.objects.get(title="产业规划编制指南")
    assert guide.published_at == shanghai(2024, 7, 12, 14, 0)
    assert guide.status == Article.Status.PUBLISHED
    assert Article.objects.get(title="智慧城市案例集").status == Article.Status.DRAFT


@pytest.mark.parametrize(
    "name",
    ["articles_utf8.csv", "articles_utf8_bom.csv", "articles_gb18030.csv", "articles.xlsx"],
)
def test_importing_the_same_file_twice_changes_nothing(name):
    run(DATA / name)
    before = list(Article.objects.values_list("id", "updated_at").order_by("id"))
    status, lines = run(DATA / name)
    count = len(before)
    assert (status, lines[-1]) == (0, f"created=0 updated=0 unchanged={count} failed=0")
    assert list(Article.objects.values_list("id", "updated_at").order_by("id")) == before


def test_gb18030_file_with_three_bad_rows_writes_nothing_and_names_each_problem():
    status, lines = run(DATA / "articles_bad_gb18030.csv")
    assert status == 1
    # Line numbers are the file's physical lines: row 1's body spans lines 2 and 3.
    assert lines == [
        # Rows as Excel numbers them (row 2's body spans two lines of the file), with 标题.
        "第 3 行（栏目写错的行），列「栏目」：未知的栏目「不存在的栏目」（填栏目名称或网址名）",
        "第 4 行（日期写错的行），列「发布时间」：不存在的日期或时间 2024-02-30",
        "第 6 行，列「标题」：标题不能为空",
        "有错误，整个文件未导入：改正后重新导入，或用 --on-error skip 只导入正确的行。",
        "created=0 updated=0 unchanged=0 failed=3",
    ]
    assert Article.objects.count() == 0
    assert Tag.objects.count() == 0


def test_on_error_skip_imports_the_good_rows_and_reports_the_bad():
    status, lines = run(DATA / "articles_bad_gb18030.csv", "--on-error", "skip")
    assert status == 1
    assert lines[-1] == "created=2 updated=0 unchanged=0 failed=3"
    assert len([line for line in lines if line.startswith("第 ")]) == 3
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "正确的第一行",
        "正确的第二行",
    ]


def test_dry_run_counts_but_writes_nothing():
    status, lines = run(DATA / "articles_utf8.csv", "--dry-run")
    assert status == 0
    assert lines[-2:] == ["只检查，没有写入任何数据。", "created=3 updated=0 unchanged=0 failed=0"]
    assert Article.objects.count() == 0 and Tag.objects.count() == 0


def test_forced_wrong_encoding_is_a_clear_error(tmp_path):
    status, lines = run(DATA / "articles_gb18030.csv", "--encoding", "utf-8")
    assert status == 1
    assert lines[0].startswith("第 1 行：无法按 UTF-8 解码")
    assert Article.objects.count() == 0


def test_forced_gb18030_reads_the_file():
    status, lines = run(DATA / "articles_gb18030.csv", "--encoding", "gb18030")
    assert (status, lines[-1]) == (0, "created=2 updated=0 unchanged=0 failed=0")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("标题,栏目,颜色\n标题一,policy,红\n", "第 1 行，列「颜色」：未知的列；可用的列："),
        ("标题,发布时间\n标题一,2024-07-05\n", "第 1 行，列「栏目」：缺少这一必填列"),
        ("title,标题,category\na,b,policy\n", "第 1 行，列「标题」：与列「title」重复"),
        ('标题,栏目\n"未闭合的引号,policy\n', "第 2 行：CSV 格式错误：引号没有闭合"),
        ('标题,栏目\n"a"b,policy\n', "第 2 行：CSV 格式错误：引号后面应紧跟分隔符"),
        ("标题,栏目\n一,policy,多出来的\n", "第 2 行，列「第 3 列」：这一列没有列名却有内容"),
        ("", "第 1 行：文件是空的"),
    ],
)
def test_broken_files_are_clear_errors_not_tracebacks(tmp_path, content, expected):
    path = tmp_path / "broken.csv"
    path.write_text(content, encoding="utf-8")
    status, lines = run(path)
    assert status == 1
    assert any(line.startswith(expected) for line in lines), lines
    assert lines[-1].endswith("failed=1") or lines[-1].startswith("created=0")
    assert Article.objects.count() == 0


def test_binary_junk_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 40)
    status, lines = run(path)
    assert status == 1
    assert lines[0] == "第 1 行：文件含二进制内容，不是 CSV 文本文件"


def test_a_zip_named_csv_and_an_xlsx_that_is_not_one(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("标题,栏目\n", encoding="utf-8")
    assert run(fake)[1][0] == "第 1 行：无法作为 XLSX 文件读取（文件损坏或不是 XLSX）"
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes((DATA / "articles.xlsx").read_bytes())
    assert run(renamed)[1][0].startswith("第 1 行：这是 XLSX（压缩）文件")


def test_unsupported_extension_and_missing_file(tmp_path):
    path = tmp_path / "articles.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert run(path)[1][0] == "第 1 行：不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV"
    with pytest.raises(CommandError, match="无法打开文件"):
        call_command("import_articles", str(tmp_path / "missing.csv"))


class Terminal(StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_stderr_only_when_it_is_a_terminal(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = StringIO()
    call_command("import_articles", str(DATA / "articles_utf8.csv"), stdout=out)
    assert "导入: 100%" in terminal.getvalue()
    assert out.getvalue().splitlines()[-1] == "created=3 updated=0 unchanged=0 failed=0"
    assert "100%" not in out.getvalue()
    piped = StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    call_command("import_articles", str(DATA / "articles_utf8.csv"), stdout=StringIO())
    assert piped.getvalue() == ""


def test_dry_run_of_a_bad_file_lists_the_errors_and_says_nothing_would_be_written():
    status, lines = run(DATA / "articles_bad_gb18030.csv", "--dry-run")
    assert status == 1
    assert lines[-2:] == [
        "只检查：文件有错误，正式导入时整个文件都不会写入。",
        "created=0 updated=0 unchanged=0 failed=3",
    ]
