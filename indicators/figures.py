"""Figures (数字) in Chinese article text: what an editor would retype into an indicator.

:func:`find_figures` reads plain text and returns each quantity it states, in order:

- the number: ``178``, ``1,234.5`` (ASCII thousands separators; full-width digits too), or
  Chinese numerals (``一百七十八``, ``两千``); a lone ``一`` (一个, 一批) is an article, not a
  figure, and ``第三`` is an ordinal;
- a magnitude (``万``, ``亿``, ``万亿``, ``千``), kept in the unit as Chinese statistics write it:
  ``3.5亿元`` is 3.5 in 亿元 (:meth:`Figure.value_in` converts between 元, 万元, 亿元…);
- the unit, which a figure must have (a bare ``2024`` or ``2345678`` is a code or a year):
  ``%``, ``个百分点``, ``家``, ``个``, ``项``, ``元``, ``人``…; ``三成`` becomes 30 %;
- a qualifier before or after (``约``, ``近``, ``超过``, ``逾``, ``以上``, ``左右``, ``余``…);
- a range (``10—15家``: ``value`` 10, ``upper`` 15);
- a change (``同比增长12.5%``, ``下降3个百分点``): ``change`` 增长/下降…, ``basis`` 同比/环比;
- the phrase around it (the clause between punctuation) and its position in the text.

Plain regular expressions over the whole text: a 10,000-character article takes a few
milliseconds (``bench/figures_bench.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
CN_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_TENS = {"十": 10, "百": 100, "千": 1000}
MAGNITUDES = {"": 1, "千": 10**3, "万": 10**4, "亿": 10**8, "万亿": 10**12}

#: Units, longest first. A magnitude before them (``亿元``, ``万人``) is matched on its own.
UNITS = [
    "个百分点", "百分点", "平方公里", "平方米", "千米", "公里", "千瓦时", "千瓦",
    "人次", "美元", "%", "家", "个", "项", "元", "人", "名", "件", "所", "座", "倍",
    "亩", "吨", "户", "台", "套", "辆", "条", "位", "种", "款", "篇", "部", "处", "批次",
]  # fmt: skip
PREFIX_QUALIFIERS = [
    "约为", "大约", "约", "将近", "接近", "近", "超过", "逾", "超", "多达", "高达",
    "不到", "不足", "至少", "不少于",
]  # fmt: skip
SUFFIX_QUALIFIERS = ["以上", "以下", "左右", "之多"]
INFIX_QUALIFIERS = ["余", "多"]  # 100余家, 100多家: between the number and the unit
CHANGES = ["增长", "增加", "提高", "提升", "上升", "下降", "减少", "降低", "回落", "下滑"]
FALLS = {"下降", "减少", "降低", "回落", "下滑"}
BASES = ["同比", "环比", "比上年"]

_CN = "零〇一二两三四五六七八九十百千"
_NUMBER = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{_CN}]+"


def _alternatives(words) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# 约 of 签约, 合约, 条约 is no "about".
_PREFIX = "|".join(
    "(?<![签合条节预制邀履])约" if word == "约" else re.escape(word)
    for word in sorted(PREFIX_QUALIFIERS, key=len, reverse=True)
)
# The characters a figure can start with: most positions of a text fail on this one test.
_FIRST = "".join(sorted({w[0] for w in [*BASES, *CHANGES, *PREFIX_QUALIFIERS]} | set(_CN)))
FIGURE = re.compile(
    rf"(?=[\d{_FIRST}])"
    rf"(?:(?P<basis>{_alternatives(BASES)})?(?P<change>{_alternatives(CHANGES)})了?)?"
    rf"(?P<pre>{_PREFIX})?"
    rf"(?P<number>{_NUMBER})"
    rf"(?:%?\s*(?:—|–|-|~|～|至|到)\s*(?P<upper>{_NUMBER}))?"
    rf"(?P<infix>{_alternatives(INFIX_QUALIFIERS)})?"
    rf"(?P<magnitude>万亿|亿|万|千)?"
    rf"(?:(?P<unit>{_alternatives(UNITS)})|(?P<tenths>成))?"
    rf"(?P<post>{_alternatives(SUFFIX_QUALIFIERS)})?"
)
#: Full-width digits and signs, mapped one character to one so positions stay those of the text.
_HALF_WIDTH = str.maketrans("０１２３４５６７８９．％～", "0123456789.%~")
_CLAUSE_END = "，,。；;！？!?：:\n"
_PHRASE_LIMIT = 40  # characters either side at most
_CLAUSE_END_RE = re.compile(f"[{re.escape(_CLAUSE_END)}]")
_LAST_CLAUSE_END = re.compile(f".*[{re.escape(_CLAUSE_END)}]", re.S)


@dataclass(frozen=True, slots=True)
class Figure:
    text: str  # as written, qualifiers and change included: "同比增长12.5%"
    value: Decimal
    unit: str  # with its magnitude: "亿元", "万人", "%", "家"; "" for a bare "3万"
    start: int  # position in the text given to find_figures: text[start:end] == self.text
    end: int
    phrase: str  # the clause around it: "集聚了30%的高新技术企业"
    qualifier: str = ""  # "以上", "约", "超过", … (prefix first when both are written)
    upper: Decimal | None = None  # a range's upper end
    change: str = ""  # "增长", "下降", …: the value is a change, not a level
    basis: str = ""  # "同比", "环比"

    @property
    def is_change(self) -> bool:
        return bool(self.change)

    @property
    def signed_value(self) -> Decimal:
        return -self.value if self.change in FALLS else self.value

    def value_in(self, unit: str) -> Decimal | None:
        """The value in ``unit`` (an indicator's): ``1.2万亿元`` in 亿元 is 12000; None when the
        two measure different things (家 and %, % and 个百分点)."""
        if unit == self.unit or not unit:
            return self.value
        mine, theirs = split_unit(self.unit), split_unit(unit)
        if mine[1] != theirs[1] or not mine[1]:
            return None
        return self.value * MAGNITUDES[mine[0]] / MAGNITUDES[theirs[0]]


def split_unit(unit: str) -> tuple[str, str]:
    """``"万亿元"`` → ``("万亿", "元")``; a unit that only looks like one stays whole
    (``"千米"``)."""
    if unit in UNITS:
        return "", unit
    for magnitude in ("万亿", "亿", "万", "千"):
        if unit.startswith(magnitude):
            return magnitude, unit[len(magnitude) :]
    return "", unit


def chinese_number(text: str) -> int | None:
    """一百七十八 → 178, 两千 → 2000, 十二 → 12, 二〇二四 → 2024; None when it is no number."""
    if not any(char in CN_TENS for char in text):
        if len(text) > 1 and all(char in CN_DIGITS for char in text):
            return int("".join(str(CN_DIGITS[char]) for char in text))
        return CN_DIGITS.get(text)
    total, digit, last_tens = 0, None, 10**4
    for char in text:
        if char in CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # 三四百: an estimate, not a number
            digit = CN_DIGITS[char]
        else:
            tens = CN_TENS[char]
            if tens >= last_tens:
                return None  # 百千: not a number
            total += (1 if digit is None else digit) * tens
            digit, last_tens = None, tens
    return total + (digit or 0)


def _number(text: str) -> Decimal | None:
    if text[0] in _CN:
        value = chinese_number(text)
        return None if value is None else Decimal(value)
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _phrase(text: str, start: int, end: int) -> str:
    low = max(start - _PHRASE_LIMIT, 0)
    before = _LAST_CLAUSE_END.match(text, low, start)
    after = _CLAUSE_END_RE.search(text, end, end + _PHRASE_LIMIT)
    return text[
        before.end() if before else low : after.start() if after else end + _PHRASE_LIMIT
    ].strip()


def _figure(text: str, scanned: str, match: re.Match) -> Figure | None:
    number, unit, magnitude = match["number"], match["unit"] or "", match["magnitude"] or ""
    chinese = number[0] in _CN
    if not unit and not match["tenths"] and not magnitude:
        return None  # a year, a code, a model number
    if chinese and (number == "一" or (number in ("百", "千") and not match["pre"])):
        return None  # 一个, 百家争鸣, 千家万户 (but 近百家, 逾千人)
    if chinese and magnitude == "千":
        return None
    start = match.start()
    if match["change"] is None and start and scanned[start - 1] == "第":
        return None  # 第三个: an ordinal
    value, upper = _number(number), _number(match["upper"]) if match["upper"] else None
    if value is None or (match["upper"] and upper is None):
        return None
    if match["tenths"]:  # 三成 = 30%
        value, upper, unit = value * 10, upper * 10 if upper is not None else None, "%"
    qualifier = match["pre"] or match["infix"] or match["post"] or ""
    return Figure(
        text=text[start : match.end()],  # as written, full-width digits and all
        value=value,
        unit=magnitude + unit,
        start=start,
        end=match.end(),
        phrase=_phrase(text, start, match.end()),
        qualifier=qualifier,
        upper=upper,
        change=match["change"] or "",
        basis=match["basis"] or "",
    )


def find_figures(text: str) -> list[Figure]:
    """Every figure in ``text`` (plain text: see ``articles.search.text.html_to_text``)."""
    scanned = text.translate(_HALF_WIDTH)
    figures = (_figure(text, scanned, match) for match in FIGURE.finditer(scanned))
    return [figure for figure in figures if figure is not None]
