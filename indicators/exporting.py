"""An indicator's observations as CSV, in the columns ``import_observations`` reads back.

The file opens correctly in Chinese Excel (UTF-8 with a byte-order mark) and re-importing it
changes nothing. Text cells a spreadsheet would run as a formula are escaped.
"""

import csv
from collections.abc import Iterable, Iterator

from hitech_portal.imports.cells import escape_formula

from .models import Indicator, Observation
from .selectors import plain_number

#: The observation import file's Chinese headers (DESIGN.md), so the file round-trips.
CSV_HEADERS = ["指标", "期间", "地区", "数值", "备注", "来源文章"]


def observation_rows(
    indicator: Indicator, observations: Iterable[Observation]
) -> Iterator[list[str]]:
    """Header, then one row per observation. Values stay numbers (never escaped); the source
    article is given by id, and only when the public may see it."""
    yield CSV_HEADERS
    for obs in observations:
        article = obs.source_article
        yield [
            escape_formula(indicator.name),
            obs.period,
            escape_formula(obs.region),
            plain_number(obs.value),
            escape_formula(obs.note),
            str(article.pk) if article is not None and article.is_published() else "",
        ]


def write_csv(out, rows: Iterable[list[str]]) -> None:
    out.write("\ufeff")
    csv.writer(out).writerows(rows)
