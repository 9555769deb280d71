"""Reading editors' spreadsheets: CSV and XLSX, as Chinese offices really produce them.

One reader for every importer (articles, observations; command, admin and tests):

- CSV in UTF-8, UTF-8 with BOM or GB18030/GBK (what Chinese Excel writes), detected by a cheap
  rule that never guesses wrong on real files: a BOM decides; otherwise a streamed trial decode
  of the whole file as UTF-8 (nothing kept in memory) decides between UTF-8 and GB18030.
- XLSX through openpyxl's read-only mode, streamed row by row.
- Headers in English or Chinese (simplified or traditional), any order; unknown, duplicated or
  missing required columns are errors that name the column.
- Rows come as :class:`Record` values numbered as Excel and WPS number them: the header is row 1,
  and a CSV row whose quoted body spans many lines is still one row.
- Hostile files cost no more than honest ones: an XLSX is measured before it is parsed (how big
  its parts are unzipped, how far they were compressed: :func:`check_xlsx`), rows are read no
  wider than the header, and a CSV cell may not exceed :data:`CSV_MAX_CELL`.
"""

import codecs
import csv
import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from ..chinese import to_simplified
from .report import FileError, RowError

# Article bodies are long HTML; the csv module's default 128 KB field limit would fail the file.
# 8 MB is far above any article and far below what would hold a worker.
CSV_MAX_CELL = 8 * 1024 * 1024
csv.field_size_limit(CSV_MAX_CELL)

#: An XLSX is a zip of XML. Excel's parts compress 5 to 20 times; a zip bomb (a 10 KB file of
#: 200,000 shared strings) hundreds or thousands of times. 100 is Apache POI's limit too.
XLSX_MAX_RATIO = 100
#: What an XLSX may hold unzipped (the command's limit; the admin asks for less). A 100,000-article
#: spreadsheet with 2 KB bodies is about 600 MB.
XLSX_MAX_BYTES = 1024 * 1024 * 1024
_RATIO_FREE = 1024 * 1024  # small parts (styles, a short sheet) may compress as they like

ENCODING_CHOICES = ("auto", "utf-8", "gb18030")


class Record(NamedTuple):
    line: int
    values: dict  # field -> str (or datetime from an XLSX date cell); only the file's columns


def normalise_header(text: str) -> str:
    return to_simplified(str(text or "").replace("\ufeff", "").strip().strip("*").strip().lower())


class Table:
    """Rows of a file (or of dicts) with the file's own names for its columns."""

    #: field -> the column name as the file writes it (used in error messages)
    headers: dict[str, str]
    encoding = ""
    unit = "行"

    def __iter__(self) -> Iterator[Record]:
        raise NotImplementedError

    def position(self) -> int:
        """How far reading has got, in units of :attr:`size` (for a progress bar)."""
        return 0

    size: int | None = None

    @classmethod
    def from_dicts(cls, rows, *, headers: Mapping[str, str] | None = None) -> "Table":
        return DictTable(rows, headers or {})


class DictTable(Table):
    """Rows already in memory or generated (tests, ``load_demo``); line = 1-based row number."""

    def __init__(self, rows, headers):
        rows = iter(rows)
        first = next(rows, None)
        self.rows = rows if first is None else itertools.chain([first], rows)
        self.headers = {name: name for name in first or ()} | dict(headers)
        self.line = 0

    def __iter__(self):
        for line, values in enumerate(self.rows, start=1):
            self.line = line
            yield Record(line, dict(values))

    def position(self) -> int:
        return self.line


class Columns:
    """The accepted headers of one file kind: field -> names (English first, then Chinese)."""

    def __init__(self, spec: Mapping[str, tuple[str, ...]], *, required=(), unless=()):
        """``required`` columns must be there unless one of the ``unless`` columns is (a file of
        article ids needs no 标题 or 栏目: it only updates)."""
        self.spec, self.required, self.unless = dict(spec), tuple(required), tuple(unless)
        self.lookup = {
            normalise_header(name): field for field, names in spec.items() for name in names
        }

    def required_of(self, present) -> tuple[str, ...]:
        """The columns required of a file (or a row) with these fields present."""
        if any(present.get(field) not in (None, "") for field in self.unless):
            return ()
        return self.required

    def describe(self) -> str:
        return "、".join("/".join(names[:2]) for names in self.spec.values())

    def label(self, field: str) -> str:
        names = self.spec[field]
        return names[1] if len(names) > 1 else names[0]

    def map_headers(self, cells: list) -> tuple[list[str | None], dict[str, str]]:
        """Header cells → per-position field (None: blank header) and field → name as written."""
        errors, positions, headers = [], [], {}
        for cell in cells:
            text = str(cell or "").replace("\ufeff", "").strip()
            if not text:
                positions.append(None)
                continue
            field = self.lookup.get(normalise_header(text))
            if field is None:
                errors.append(RowError(1, text, f"未知的列；可用的列：{self.describe()}"))
            elif field in headers:
                errors.append(RowError(1, text, f"与列「{headers[field]}」重复"))
            else:
                headers[field] = text
            positions.append(field)
        for field in self.required_of(headers):
            if field not in headers:
                errors.append(RowError(1, self.label(field), "缺少这一必填列"))
        if errors:
            raise FileError(errors)
        return positions, headers


def _records(rows: Iterator[tuple[int, list]], positions) -> Iterator[Record]:
    width = len(positions)
    for line, cells in rows:
        if not any(c not in (None, "") for c in cells):
            continue  # blank line: Excel leaves them at the end
        values = {}
        for index, cell in enumerate(cells):
            field = positions[index] if index < width else None
            if field is not None:
                values[field] = cell
            elif cell not in (None, "") and str(cell).strip():
                raise FileError(
                    RowError(line, f"第 {index + 1} 列", "这一列没有列名却有内容（多余的逗号？）")
                )
        yield Record(line, values)


def detect_encoding(binary) -> str:
    """BOM → that; the whole file decodes as UTF-8 (streamed by 1 MB) → utf-8; else gb18030."""
    start = binary.read(4)
    binary.seek(0)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" export (tab-separated)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := binary.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"
    finally:
        binary.seek(0)


_CSV_MESSAGES = {
    "unexpected end of data": "引号没有闭合，文件在引号内结束",
    "expected after": '引号后面应紧跟分隔符（单元格内的引号要写成两个 ""）',
    "line contains nul": "含有二进制内容（NUL 字符）",
    "new-line character seen in unquoted field": "未加引号的单元格内有换行",
    "field larger than field limit": f"单元格超过 {CSV_MAX_CELL // (1024 * 1024)} MB，不像表格数据",
}


def _csv_message(exc: csv.Error) -> str:
    text = str(exc)
    for key, message in _CSV_MESSAGES.items():
        if key in text.lower():
            return f"CSV 格式错误：{message}"
    return f"CSV 格式错误：{text}"


class CsvTable(Table):
    unit = "B"

    def __init__(self, binary, columns: Columns, *, encoding: str = "auto"):
        self.binary = binary
        binary.seek(0, io.SEEK_END)
        self.size = binary.tell()
        binary.seek(0)
        head = binary.read(1 << 16)
        binary.seek(0)
        if not head.strip():
            raise FileError(RowError(1, "", "文件是空的，第一行应是列名"))
        if head.startswith(b"PK\x03\x04"):
            raise FileError(RowError(1, "", "这是 XLSX（压缩）文件，请把扩展名改为 .xlsx 再导入"))
        if encoding not in ENCODING_CHOICES:
            raise FileError(RowError(1, "", f"不支持的编码 {encoding}；可选 auto、utf-8、gb18030"))
        if encoding == "auto":
            encoding = detect_encoding(binary)
        elif head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        if b"\x00" in head and not encoding.startswith("utf-16"):
            raise FileError(RowError(1, "", "文件含二进制内容，不是 CSV 文本文件"))
        self.encoding = encoding
        sample = head.decode(encoding, errors="ignore").lstrip("\ufeff").split("\n", 1)[0]
        self.delimiter = max(",\t;", key=sample.count) if sample.count(",") == 0 else ","
        self.text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        self.reader = csv.reader(self.text, delimiter=self.delimiter, strict=True)
        try:
            header = self._next_row(1)
            if header is None:
                raise FileError(RowError(1, "", "文件是空的，第一行应是列名"))
            self.positions, self.headers = columns.map_headers(header)
        except FileError:
            self.text.detach()  # the binary file is its owner's to close
            raise

    def _next_row(self, line):
        try:
            return next(self.reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise FileError(RowError(line, "", _csv_message(exc))) from None
        except UnicodeDecodeError:
            name = self.encoding.removesuffix("-sig").upper()
            message = f"无法按 {name} 解码：文件损坏或不是文本（可用 --encoding 指定编码）"
            raise FileError(RowError(line, "", message)) from None

    def _rows(self):
        number = 1  # the header
        while True:
            number += 1
            row = self._next_row(number)
            if row is None:
                return
            yield number, row

    def __iter__(self):
        return _records(self._rows(), self.positions)

    def position(self) -> int:
        return self.binary.tell()


#: What openpyxl raises on a damaged or hostile file (XML parse errors are SyntaxErrors), while
#: opening it or later, row by row.
XLSX_DAMAGED = (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError,
                AttributeError, SyntaxError)  # fmt: skip
XLSX_DAMAGED_MESSAGE = "无法作为 XLSX 文件读取（文件损坏或不是 XLSX）"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_xlsx(source, *, max_bytes: int = XLSX_MAX_BYTES) -> None:
    """Refuse an XLSX whose parts unzip to more than ``max_bytes`` or were compressed more than
    :data:`XLSX_MAX_RATIO` times, reading only the zip's directory (nothing is inflated). The
    sizes it declares are what reading can produce: Python's zip reader stops there."""
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileError(RowError(1, "", XLSX_DAMAGED_MESSAGE)) from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    total = sum(part.file_size for part in parts)
    if total > max_bytes:
        message = f"解压后有 {_megabytes(total)}，超过上限 {_megabytes(max_bytes)}"
        raise FileError(RowError(1, "", message))
    for part in parts:
        if part.file_size > _RATIO_FREE and part.file_size > XLSX_MAX_RATIO * part.compress_size:
            ratio = part.file_size // max(part.compress_size, 1)
            message = f"{part.filename} 压缩了 {ratio} 倍，不像 Excel 保存的表格（疑为压缩炸弹）"
            raise FileError(RowError(1, "", message))


class XlsxTable(Table):
    def __init__(self, source, columns: Columns):
        from openpyxl import load_workbook

        check_xlsx(source)
        try:
            self.workbook = load_workbook(source, read_only=True, data_only=True)
            sheet = self.workbook.worksheets[0]
            self.size = sheet.max_row
            _, header = next(enumerate(sheet.iter_rows(max_row=1, values_only=True), 1), (1, None))
        except XLSX_DAMAGED:
            raise FileError(RowError(1, "", XLSX_DAMAGED_MESSAGE)) from None
        if header is None:
            raise FileError(RowError(1, "", "工作表是空的，第一行应是列名"))
        header = list(header)
        while header and header[-1] in (None, ""):
            header.pop()  # the sheet's declared width is not the header's
        self.positions, self.headers = columns.map_headers(header)
        # No wider than the header, plus one column to catch cells that have no header: openpyxl
        # pads every row to the width asked, and a sheet may claim 16,384 columns.
        rows = sheet.iter_rows(min_row=2, max_col=len(header) + 1, values_only=True)
        self.rows = enumerate(rows, start=2)
        self.line = 1

    def _rows(self):
        try:
            for line, cells in self.rows:
                self.line = line
                yield line, [_cell_text(c) for c in cells]
        except XLSX_DAMAGED:
            raise FileError(RowError(self.line + 1, "", XLSX_DAMAGED_MESSAGE)) from None
        finally:
            self.workbook.close()

    def __iter__(self):
        return _records(self._rows(), self.positions)

    def position(self) -> int:
        return self.line


def _cell_text(value):
    if value is None or isinstance(value, str | dt.datetime):
        return "" if value is None else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return str(value)


def open_table(source, columns: Columns, *, name: str = "", encoding: str = "auto") -> Table:
    """A :class:`Table` over a path or binary file; the format follows the extension of ``name``."""
    name = str(name or source)
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return XlsxTable(source, columns)
    if suffix in (".csv", ".txt", ".tsv"):
        binary = open(source, "rb") if isinstance(source, str | Path) else source
        return CsvTable(binary, columns, encoding=encoding)
    if suffix == ".xls":
        raise FileError(RowError(1, "", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV"))
    raise FileError(RowError(1, "", f"只能导入 .csv 或 .xlsx 文件，收到的是「{Path(name).name}」"))
