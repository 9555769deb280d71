"""Articles out to CSV or XLSX, in the import's own columns, so an export re-imports to no change.

Streams the queryset (``iterator`` with tags prefetched per chunk): memory stays flat however many
articles are exported. Every text cell a spreadsheet would run as a formula is guarded with a
leading ``'`` (:func:`hitech_portal.imports.cells.escape_formula`), which the importer removes
again. CSV is written as UTF-8 with a BOM (Excel then shows the Chinese right) unless GB18030 is
asked for.
"""

import csv
import io
from collections.abc import Iterator

from django.db.models import Prefetch

from hitech_portal.imports.cells import escape_formula, format_datetime

from .import_columns import COLUMNS
from .models import Article, Tag

EXPORT_FIELDS = [
    "id",
    "title",
    "category",
    "published_at",
    "status",
    "source",
    "source_url",
    "author",
    "summary",
    "keywords",
    "tags",
    "body",
    "version",  # an import of this file over a later version is refused (articles.importing)
]
FORMATS = ("csv", "xlsx")


def header_row(language: str = "zh") -> list[str]:
    return [COLUMNS.label(f) if language == "zh" else f for f in EXPORT_FIELDS]


def article_rows(queryset) -> Iterator[list[str]]:
    """One list of cell texts per article, in :data:`EXPORT_FIELDS` order."""
    queryset = (
        queryset.select_related("category")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("name")))
        .order_by("id")
    )
    statuses = dict(Article.Status.choices)
    for article in queryset.iterator(chunk_size=2000):
        cells = [
            article.title,
            article.category.name,
            format_datetime(article.published_at),
            statuses.get(article.status, article.status),
            article.source,
            article.source_url,
            article.author,
            article.summary,
            article.keywords,
            "、".join(sorted(tag.name for tag in article.tags.all())),
            article.body,
        ]
        yield [str(article.pk), *(escape_formula(cell) for cell in cells), str(article.version)]


def export_articles(queryset, stream, *, file_format: str = "csv", encoding: str = "utf-8",
                    language: str = "zh") -> int:  # fmt: skip
    """Write ``queryset`` to the binary ``stream``; returns the number of articles written."""
    if file_format == "xlsx":
        return _write_xlsx(queryset, stream, language)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig" if encoding == "utf-8" else encoding,
                            newline="", write_through=True)  # fmt: skip
    writer = csv.writer(text)
    writer.writerow(header_row(language))
    count = 0
    for count, row in enumerate(article_rows(queryset), start=1):  # noqa: B007
        writer.writerow(row)
    text.flush()
    text.detach()  # leave the caller's stream open
    return count


def _write_xlsx(queryset, stream, language) -> int:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("文章")
    sheet.append(header_row(language))
    count = 0
    for count, row in enumerate(article_rows(queryset), start=1):  # noqa: B007
        # Control characters cannot live in an XLSX cell; every cell stays text, never a formula.
        cells = (ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row[1:-1])
        sheet.append([int(row[0]), *cells, int(row[-1])])
    workbook.save(stream)
    return count
