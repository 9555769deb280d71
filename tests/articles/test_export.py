"""``manage.py export_articles``: the import's columns, formulas defused, re-imports unchanged."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from articles.models import Article
from tests.articles.test_import_command import DATA, run
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db

DANGEROUS = [
    '=HYPERLINK("http://evil")',
    "+1+2",
    "-1+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\tTab",
    "'=已有引号",
]


def export(path, *args):
    call_command("export_articles", str(path), *args, stdout=StringIO())


def test_csv_export_has_the_import_columns_in_chinese_with_a_bom(tmp_path):
    article = make_article(
        title="国家高新区", tags=[make_tag(name="高新区"), make_tag(name="园区")]
    )
    export(tmp_path / "out.csv")
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["编号", "标题", "栏目", "发布时间", "状态", "来源", "原文链接", "作者",
                       "摘要", "关键词", "标签", "正文", "版本"]  # fmt: skip
    assert rows[1][:3] == [str(article.pk), "国家高新区", article.category.name]
    assert rows[1][4] == "已发布" and rows[1][10] == "园区、高新区"


def test_formula_cells_are_escaped_but_negative_numbers_are_not(tmp_path):
    for i, title in enumerate([*DANGEROUS, "-12.5"]):
        make_article(title=title, summary=f"摘要{i}")
    export(tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8-sig") as f:
        titles = [row[1] for row in csv.reader(f)][1:]
    assert sorted(titles) == sorted(["'" + t for t in DANGEROUS] + ["-12.5"])


@pytest.mark.parametrize("name", ["out.csv", "out.xlsx"])
def test_an_export_reimports_to_no_change(tmp_path, name):
    tags = [make_tag(name="高新区"), make_tag(name="园区")]
    for i, title in enumerate([*DANGEROUS, "普通标题", "-12.5"]):
        make_article(
            title=title,
            tags=tags[: i % 3],
            source_url=f"https://www.achie.org/e/{i}.html",
            body=f'<p>第{i}段</p><p>第二段 &amp; 引号"</p>',
            keywords="高新区、园区",
        )
    make_article(title="草稿", status=Article.Status.DRAFT, published_at=None)
    before = list(Article.objects.values().order_by("id"))
    export(tmp_path / name)
    status, lines = run(tmp_path / name)
    count = len(before)
    assert (status, lines[-1]) == (0, f"created=0 updated=0 unchanged={count} failed=0")
    assert list(Article.objects.values().order_by("id")) == before


def test_xlsx_export_writes_text_not_live_formulas(tmp_path):
    make_article(title="=1+1")
    export(tmp_path / "out.xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx").active
    assert sheet["B2"].value == "'=1+1"
    assert sheet["B2"].data_type == "s"


def test_gb18030_and_english_headers(tmp_path):
    make_article(title="园区")
    export(tmp_path / "out.csv", "--encoding", "gb18030", "--headers", "en")
    text = (tmp_path / "out.csv").read_bytes().decode("gb18030")
    assert text.startswith("id,title,category,published_at")
    assert "园区" in text


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(CommandError, match="只能导出为 .csv 或 .xlsx"):
        export(tmp_path / "out.json")


def test_export_then_edit_in_a_spreadsheet_updates_only_that_article(tmp_path):
    make_article(title="第一篇", source_url="https://www.achie.org/x/1.html")
    make_article(title="第二篇", source_url="https://www.achie.org/x/2.html")
    export(tmp_path / "out.csv")
    text = (
        (tmp_path / "out.csv").read_text(encoding="utf-8-sig").replace("第二篇", "第二篇（修订）")
    )
    (tmp_path / "edited.csv").write_text(text, encoding="gb18030")
    status, lines = run(tmp_path / "edited.csv")
    assert (status, lines[-1]) == (0, "created=0 updated=1 unchanged=1 failed=0")
    assert Article.objects.filter(title="第二篇（修订）").exists()
    assert DATA.exists()


HIDDEN_FORMULAS = [
    '\x0e=HYPERLINK("http://evil.example/x","点此")',  # the XLSX writer drops the \x0e
    "\x01\x1f+1+2",  # (PostgreSQL stores no NUL)
    " =1+1",
    "\u200b@SUM(A1)",
    '＝HYPERLINK("http://evil.example/x")',  # full-width, read as = by Chinese Excel
    "＋86",
    "﹣1+2",
]


@pytest.mark.parametrize("title", HIDDEN_FORMULAS)
def test_xlsx_export_guards_formulas_behind_what_the_writer_drops(tmp_path, title):
    make_article(title=title)
    export(tmp_path / "out.xlsx")
    cell = load_workbook(tmp_path / "out.xlsx").active["B2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("'")


@pytest.mark.parametrize("title", HIDDEN_FORMULAS)
def test_csv_export_guards_formulas_behind_control_and_full_width_characters(tmp_path, title):
    make_article(title=title)
    export(tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][1] == "'" + title
