"""One cell of a spreadsheet: its text, the formula guard, and dates as Chinese offices write them.

Every importer reads its cells through :func:`cell_text` and :func:`parse_datetime`, and every
export writes them through :func:`escape_formula` and :func:`format_datetime`, so what is
exported reads back to the same value.
"""

import datetime as dt
import re
import unicodedata

from django.utils import timezone

FORMULA_STARTS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# What a spreadsheet never shows at the start of a cell: control characters (the XLSX writer drops
# them, openpyxl's ILLEGAL_CHARACTERS_RE), spaces and zero-width marks. The guard looks past them.
_UNSEEN = re.compile(r"[\x00-\x08\x0a-\x0c\x0e-\x1f\x7f\s\u200b-\u200f\u2060\ufeff]*")


# --- the formula guard ---------------------------------------------------------------------------


def escape_formula(text: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (``=`` ``+`` ``-`` ``@`` tab CR).

    The first character is judged as a spreadsheet will see it, after the writer's normalisation:
    ``\x0e=HYPERLINK(…)`` is guarded (the XLSX writer drops the control character), and so are
    full-width ``＝＋－＠`` (read as their ASCII forms, NFKC).

    A plain negative number (``-12.5``) is left alone: it computes nothing, and escaping it would
    turn figures into text. Cells already starting with ``'`` before such a character get one
    more, so :func:`unescape_formula` restores every value exactly.
    """
    return "'" + text if _needs_guard(text) else text


def unescape_formula(text: str) -> str:
    """Undo the export's guard: ``'=SUM(A1)`` → ``=SUM(A1)`` (see :func:`escape_formula`)."""
    if text[:1] == "'" and _needs_guard(text[1:]):
        return text[1:]
    return text


def _needs_guard(text: str) -> bool:
    bare = text.lstrip("'")
    if not bare or _NUMBER.match(bare):
        return False
    if bare[0] in FORMULA_STARTS:
        return True
    seen = bare[_UNSEEN.match(bare).end() :][:1]
    return bool(seen) and unicodedata.normalize("NFKC", seen)[:1] in FORMULA_STARTS


# --- ids ---------------------------------------------------------------------------------------

ROW_ID_MAX = 2**63 - 1  # the largest id (or 版本) either database holds
_ROW_ID = re.compile(r"[0-9]{1,19}")


def is_row_id(text: str) -> bool:
    """``12`` can be an id; ``²`` and ``٣`` (digits to ``str.isdigit``), ``0`` and numbers past
    the databases' 64-bit integers cannot."""
    return bool(_ROW_ID.fullmatch(text)) and 0 < int(text) <= ROW_ID_MAX


def cell_text(value) -> str:
    """A cell as clean text: trimmed, then the export's formula guard removed (in that order, so
    a value that starts with a tab survives the round trip). A date cell reads as the export
    writes dates."""
    if value.__class__ is not str:  # the usual case first: this runs for every cell of a file
        if value is None:
            return ""
        if isinstance(value, dt.datetime):  # an XLSX date cell: naive, in Shanghai time
            value = format_datetime(
                value if timezone.is_aware(value) else timezone.make_aware(value)
            )
        else:
            value = str(value)
    value = value.strip()
    return unescape_formula(value) if value[:1] == "'" else value


# --- dates ---------------------------------------------------------------------------------------

DATE_FORMS = "2024-07-05、2024-07-05 10:30、2024/7/5 或 2024年7月5日"
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:[\sT]+|(?<=日))(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?"
    r"(?:\s*:?\s*(\d{1,2})(?:\.(\d{1,6}))?\s*秒?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／：．　", "0123456789-/:. ")


def parse_datetime(value) -> dt.datetime | None:
    """A date typed by hand in Shanghai time (or an XLSX date cell) → aware datetime; blank → None.

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
        moment = moment.replace(tzinfo=tz)
    else:
        moment = timezone.make_aware(moment)
    try:  # 0001-01-01 00:00 +14:00 is before year 1 in UTC, where the database keeps it
        moment.astimezone(dt.UTC)
        timezone.localtime(moment)
    except OverflowError:
        raise ValueError(f"超出可以保存的时间范围 {text}") from None
    return moment


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
