"""Reading spreadsheets: encodings, headers, dates, the formula guard."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from hitech_portal.imports.cells import (
    escape_formula,
    format_datetime,
    parse_datetime,
    unescape_formula,
)
from hitech_portal.imports.report import FileError
from hitech_portal.imports.tables import Columns, detect_encoding, open_table

COLUMNS = Columns({"title": ("title", "标题"), "body": ("body", "正文")}, required=["title"])


def shanghai(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-07-05", shanghai(2024, 7, 5)),
        ("2024-07-05 10:30", shanghai(2024, 7, 5, 10, 30)),
        ("2024-07-05 10:30:15", shanghai(2024, 7, 5, 10, 30, 15)),
        ("2024-07-05T10:30:15.250000", shanghai(2024, 7, 5, 10, 30, 15, 250000)),
        ("2024/7/5", shanghai(2024, 7, 5)),
        ("2024/7/5 9:05", shanghai(2024, 7, 5, 9, 5)),
        ("2024年7月5日", shanghai(2024, 7, 5)),
        ("2024年7月5日 10时30分", shanghai(2024, 7, 5, 10, 30)),
        ("2024年7月5日10:30", shanghai(2024, 7, 5, 10, 30)),
        ("２０２４－０７－０５", shanghai(2024, 7, 5)),
        ("2024-07-05T02:30:00Z", shanghai(2024, 7, 5, 10, 30)),
        (" ", None),
    ],
)
def test_dates_editors_type(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-02-30", "不存在的日期或时间 2024-02-30"),
        ("2024-13-45", "不存在的日期或时间 2024-13-45"),
        ("2024-07-05 25:00", "不存在的日期或时间 2024-07-05 25:00"),
        (
            "明天",
            "无法识别的日期 明天（可写作 2024-07-05、2024-07-05 10:30、2024/7/5 或 2024年7月5日）",
        ),
        ("07/05/2024", "无法识别的日期 07/05/2024"),
    ],
)
def test_impossible_and_unreadable_dates(text, message):
    with pytest.raises(ValueError) as exc:
        parse_datetime(text)
    assert str(exc.value).startswith(message)


def test_exported_dates_read_back_to_the_same_instant():
    for moment in [shanghai(2024, 7, 5), shanghai(2024, 7, 5, 10, 30, 1, 5)]:
        assert parse_datetime(format_datetime(moment)) == moment
    assert format_datetime(shanghai(2024, 7, 5, 10, 30)) == "2024-07-05 10:30"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("标题\n园区\n".encode("utf-8-sig"), "utf-8-sig"),
        ("标题\n园区\n".encode(), "utf-8"),
        ("标题\n园区\n".encode("gb18030"), "gb18030"),
        ("标题\n园区\n".encode("gbk"), "gb18030"),
        (b"title\nascii only\n", "utf-8"),
        # UTF-8 for 1 MB, then one GB18030 byte pair: the whole file is checked, streamed.
        (("标题\n" + "园" * 400_000 + "\n").encode() + "区".encode("gb18030"), "gb18030"),
    ],
)
def test_encoding_detection(data, encoding):
    assert detect_encoding(io.BytesIO(data)) == encoding


def test_headers_in_either_language_and_traditional_characters():
    for header in ("title,body", "标题,正文", "標題,正文", "Title , BODY", "正文,*标题"):
        table = open_table(io.BytesIO(f"{header}\na,b\n".encode()), COLUMNS, name="x.csv")
        record = next(iter(table))
        assert record.values["title" if header[0] != "正" else "body"] in ("a", "b")
        assert set(table.headers) == {"title", "body"}


def test_rows_are_numbered_as_excel_shows_them_whatever_the_lines_of_the_file():
    # A quoted body over three lines is one row; the blank line is a row of its own in Excel.
    data = '标题,正文\n一,"第一行\n第二行\n第三行"\n\n二,x\n'.encode()
    table = open_table(io.BytesIO(data), COLUMNS, name="x.csv")
    assert [(r.line, r.values["title"]) for r in table] == [(2, "一"), (4, "二")]


def test_semicolon_and_tab_separated_files():
    for sep in (";", "\t"):
        data = f"标题{sep}正文\n一{sep}x\n".encode()
        assert next(iter(open_table(io.BytesIO(data), COLUMNS, name="x.csv"))).values == {
            "title": "一",
            "body": "x",
        }


def test_utf16_excel_unicode_text_export():
    data = "标题\t正文\n园区\t<p>x</p>\n".encode("utf-16")
    table = open_table(io.BytesIO(data), COLUMNS, name="x.txt")
    assert next(iter(table)).values == {"title": "园区", "body": "<p>x</p>"}


def test_header_problems_are_all_reported_at_once():
    with pytest.raises(FileError) as exc:
        open_table(io.BytesIO("颜色,尺寸\n".encode()), COLUMNS, name="x.csv")
    assert [str(e) for e in exc.value.errors] == [
        "第 1 行，列「颜色」：未知的列；可用的列：title/标题、body/正文",
        "第 1 行，列「尺寸」：未知的列；可用的列：title/标题、body/正文",
        "第 1 行，列「标题」：缺少这一必填列",
    ]


@pytest.mark.parametrize(
    "value", ["=1+1", "+86", "-x", "@A1", "\tx", "\rx", "'=x", "''=x", "'x", "x", "-12.5", "-3", ""]
)
def test_formula_guard_round_trips(value):
    assert unescape_formula(escape_formula(value)) == value


def test_formula_guard_leaves_numbers_and_plain_text():
    assert escape_formula("-12.5") == "-12.5"
    assert escape_formula("-1+2") == "'-1+2"
    assert escape_formula("园区") == "园区"
    assert escape_formula("=cmd") == "'=cmd"
