"""Reading editors' spreadsheets: CSV and XLSX, as Chinese offices really produce them.

One reader for every importer (articles, observations; command, admin and tests):

- CSV in UTF-8, UTF-8 with BOM or GB18030/GBK (what Chinese Excel writes), detected by a cheap
  rule that never guesses wrong on real files: a BOM decides; otherwise a streamed trial decode
  of the whole file as UTF-8 (nothing kept in memory) decides between UTF-8 and GB18030.
- XLSX through openpyxl's read-only mode, streamed row by row.
- Headers in English or Chinese (simplified or traditional), any order; unknown, duplicated or
  missing required columns are errors that name the column.
- Every problem is a :class:`RowError` naming the file's own line (the physical line of a CSV
  file, so multi-line quoted bodies count; the row number of a sheet) and column, in one
  consistent Chinese style: ``第 5 行，列「发布时间」：无法识别的日期 2024-13-45``.
"""

import codecs
import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from django.utils import timezone

# Article bodies are long HTML; the csv module's default 128 KB field limit would fail the file.
csv.field_size_limit(2**31 - 1)

ENCODING_CHOICES = ("auto", "utf-8", "gb18030")
FORMULA_STARTS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class RowError:
    """One problem in a file: where it is (line, column as the file names it) and why."""

    line: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            return f"第 {self.line} 行，列「{self.column}」：{self.message}"
        return f"第 {self.line} 行：{self.message}"


class FileError(Exception):
    """The file as a whole cannot be read on (broken quoting, wrong encoding, bad headers)."""

    def __init__(self, errors: list[RowError] | RowError):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("\n".join(str(e) for e in self.errors))


class Record(NamedTuple):
    line: int
    values: dict  # field -> str (or datetime from an XLSX date cell); only the file's columns


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """政策解讀 → 政策解读 (OpenCC t2s); ASCII passes untouched and fast."""
    return text if text.isascii() else _t2s().convert(text)


def normalise_header(text: str) -> str:
    return to_simplified(str(text or "").replace("\ufeff", "").strip().strip("*").strip().lower())


def unescape_formula(text: str) -> str:
    """Undo the export's guard: ``'=SUM(A1)`` → ``=SUM(A1)`` (see :func:`escape_formula`)."""
    if text[:1] == "'" and _needs_guard(text[1:]):
        return text[1:]
    return text


def escape_formula(text: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (``=`` ``+`` ``-`` ``@`` tab CR).

    A plain negative number (``-12.5``) is left alone: it computes nothing, and escaping it would
    turn figures into text. Cells already starting with ``'`` before such a character get one
    more, so :func:`unescape_formula` restores every value exactly.
    """
    return "'" + text if _needs_guard(text) else text


def _needs_guard(text: str) -> bool:
    bare = text.lstrip("'")
    return bool(bare) and bare[0] in FORMULA_STARTS and not _NUMBER.match(bare)


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

    def __init__(self, spec: Mapping[str, tuple[str, ...]], *, required=()):
        self.spec, self.required = dict(spec), tuple(required)
        self.lookup = {
            normalise_header(name): field for field, names in spec.items() for name in names
        }

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
        for field in self.required:
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
        header = self._next_row(1)
        if header is None:
            raise FileError(RowError(1, "", "文件是空的，第一行应是列名"))
        self.positions, self.headers = columns.map_headers(header)

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
        while True:
            start = self.reader.line_num + 1
            row = self._next_row(start)
            if row is None:
                return
            yield start, row

    def __iter__(self):
        return _records(self._rows(), self.positions)

    def position(self) -> int:
        return self.binary.tell()


class XlsxTable(Table):
    def __init__(self, source, columns: Columns):
        import zipfile

        from openpyxl import load_workbook

        try:
            self.workbook = load_workbook(source, read_only=True, data_only=True)
            sheet = self.workbook.worksheets[0]
            self.size = sheet.max_row
            self.rows = enumerate(sheet.iter_rows(values_only=True), start=1)
            _, header = next(self.rows, (1, None))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
            message = "无法作为 XLSX 文件读取（文件损坏或不是 XLSX）"
            raise FileError(RowError(1, "", message)) from None
        if header is None:
            raise FileError(RowError(1, "", "工作表是空的，第一行应是列名"))
        self.positions, self.headers = columns.map_headers(list(header))
        self.line = 1

    def _rows(self):
        for line, cells in self.rows:
            self.line = line
            yield line, [_cell_text(c) for c in cells]
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
        binary = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
        return CsvTable(binary, columns, encoding=encoding)
    if suffix == ".xls":
        raise FileError(RowError(1, "", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV"))
    raise FileError(RowError(1, "", f"只能导入 .csv 或 .xlsx 文件，收到的是「{Path(name).name}」"))


# --- dates -------------------------------------------------------------------------------------

DATE_FORMS = "2024-07-05、2024-07-05 10:30、2024/7/5 或 2024年7月5日"
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:[\sT]+|(?<=日))(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?"
    r"(?:\s*:?\s*(\d{1,2})(?:\.(\d{1,6}))?\s*秒?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_datetime(value) -> dt.datetime | None:
    """A date typed by hand in Shanghai time → aware datetime; blank → None.

    Raises ``ValueError`` with the message an editor reads.
    """
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    text = str(value or "").strip().translate(_FULLWIDTH)
    if not text:
        return None
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"无法识别的日期 {text}（可写作 {DATE_FORMS}）")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        raise ValueError(f"不存在的日期或时间 {text}") from None
    if offset:
        tz = dt.UTC if offset == "Z" else dt.datetime.strptime(offset.replace(":", ""), "%z").tzinfo
        return moment.replace(tzinfo=tz)
    return timezone.make_aware(moment)


_FULLWIDTH = str.maketrans("０１２３４５６７８９－／：．　", "0123456789-/:. ")


def format_datetime(value: dt.datetime | None) -> str:
    """The export's form, which :func:`parse_datetime` reads back to the same instant."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    text = local.strftime("%Y-%m-%d %H:%M")
    if local.second or local.microsecond:
        text += local.strftime(":%S")
    if local.microsecond:
        text += f".{local.microsecond:06d}"
    return text
