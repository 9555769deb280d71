"""Arbitrary bytes against the CSV/XLSX reader, arbitrary rows against the imports: every problem
is a report naming the row, never an exception, and a refused file writes nothing."""

import csv
import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from articles.import_columns import COLUMNS
from articles.importing import ArticleImporter
from articles.models import Article, Tag
from hitech_portal.imports.engine import run_import
from hitech_portal.imports.report import FileError
from hitech_portal.imports.tables import open_table
from indicators.importing import ObservationImporter
from indicators.models import Observation
from tests.factories import make_indicator

pytestmark = pytest.mark.django_db

ARTICLE_HEADERS = ["标题", "栏目", "发布时间", "状态", "来源", "原文链接", "摘要", "标签", "正文",
                   "编号", "title", "category", "版本", "颜色"]  # fmt: skip
OBSERVATION_HEADERS = ["指标", "期间", "地区", "数值", "备注", "来源文章"]
CELL = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "高新区新闻",
            "zone-news",
            "已发布",
            "草稿",
            "待审",
            "2024-07-05",
            "²",
            "0001-01-01 00:00 +14:00",
            "9999-12-31 23:59 -14:00",
            "9" * 30,
            "=1+1",
            "https://example.com/a",
            "zones",
            "2024",
            "2024-13",
            "1e400",
            "NaN",
        ]
    ),  # fmt: skip
)


def rows_strategy(headers):
    header = st.lists(st.sampled_from(headers), min_size=1, max_size=5)
    return header.flatmap(
        lambda names: st.lists(
            st.lists(CELL, min_size=len(names), max_size=len(names)), max_size=6
        ).map(lambda body: [names, *body])
    )


def as_csv(rows, encoding="utf-8") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding, errors="replace")


def as_xlsx(rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def state():
    return (
        list(Article.objects.values_list("pk", "title", "status", "version").order_by("pk")),
        Tag.objects.count(),
        list(Observation.objects.values_list("pk", "value").order_by("pk")),
    )


@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_any_bytes_read_as_rows_or_a_file_error(data, suffix):
    try:
        table = open_table(io.BytesIO(data), COLUMNS, name="文件" + suffix)
        for _ in table:
            pass
    except FileError as error:
        assert error.errors and all(e.line >= 1 and e.message for e in error.errors)


@given(
    data=st.binary(max_size=400),
    head=st.sampled_from([b"", "标题,栏目\n".encode(), "标题,栏目\n".encode("gb18030")]),
)
def test_header_then_garbage_is_a_report_and_writes_nothing(data, head):
    before = state()
    report = run_import(ArticleImporter, io.BytesIO(head + data), name="文件.csv")
    if not report.ok:
        assert report.errors and state() == before


@given(data=st.data())
def test_any_xlsx_archive_of_junk_parts_is_a_report(data):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in data.draw(st.lists(st.sampled_from(
            ["[Content_Types].xml", "xl/workbook.xml", "xl/sharedStrings.xml",
             "xl/worksheets/sheet1.xml", "_rels/.rels"]), unique=True, max_size=5)):  # fmt: skip
            archive.writestr(name, data.draw(st.binary(max_size=200)))
    report = run_import(ArticleImporter, io.BytesIO(out.getvalue()), name="文件.xlsx")
    assert not report.ok and report.errors


@given(rows=rows_strategy(ARTICLE_HEADERS), xlsx=st.booleans(), skip=st.booleans())
def test_any_article_rows_are_imported_or_refused_whole(rows, xlsx, skip):
    before = state()
    data = as_xlsx(rows) if xlsx else as_csv(rows)
    on_error = "skip" if skip else "abort"
    name = "文章.xlsx" if xlsx else "文章.csv"
    report = run_import(ArticleImporter, io.BytesIO(data), name=name, on_error=on_error)
    assert report.created + report.updated + report.unchanged + report.failed >= 0
    if not report.ok and not skip:
        assert state() == before  # abort: nothing half-written
    for error in report.errors:
        assert error.line >= 1 and error.message


@pytest.fixture
def indicator():
    return make_indicator(slug="zones", name="高新区数量")


@given(rows=rows_strategy(OBSERVATION_HEADERS), skip=st.booleans())
def test_any_observation_rows_are_imported_or_refused_whole(indicator, rows, skip):
    before = state()
    report = run_import(
        ObservationImporter,
        io.BytesIO(as_csv(rows, "gb18030")),
        name="数据.csv",
        on_error="skip" if skip else "abort",
    )
    if not report.ok and not skip:
        assert state() == before
