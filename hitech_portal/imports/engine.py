"""The import engine: one entry point, one transaction policy, one report, for every kind of row.

    report = run_import(ArticleImporter, "articles.xlsx", user=editor, dry_run=True)

:func:`run_import` is what the ``import_*`` commands, the admin's preview and confirm screens,
``load_demo`` and the tests call. It opens the source (a path, a binary file or a
:class:`~.tables.Table`), streams it in batches through an importer and returns an
:class:`~.report.ImportReport`. An importer (a :class:`BatchImporter` subclass: articles,
observations) declares its columns and one parser per column, and says how a batch of parsed rows
is matched against the database and written. The policy is the same for every kind:

- ``on_error="abort"`` (default): the whole run is one transaction; after the first bad row nothing
  more is written, the remaining rows are still checked (so every error is reported at once) and
  the transaction is rolled back: a file with any failing row writes nothing.
- ``on_error="skip"``: good rows are imported, bad rows are reported and counted as failed.
- ``dry_run``: nothing is written; the counts and rows say what an import would do.
"""

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path

from django.db import DatabaseError, connection, reset_queries, transaction

from .. import pagecache
from ..models import ImportRecord
from .report import FileError, ImportReport, Outcome, PlannedRow, RowError
from .tables import Columns, Record, Table, open_table

ON_ERROR_CHOICES = ("abort", "skip")
#: A cell parser: the raw cell in, the clean value out, or ``ValueError`` with the editor's message.
Parser = Callable[[object], object]


def run_import(
    importer: type["BatchImporter"],
    source,
    *,
    name: str = "",
    encoding: str = "auto",
    via: str = "",
    file_name: str = "",
    record: ImportRecord | None = None,
    **options,
) -> ImportReport:
    """Import ``source`` — a :class:`Table`, a path, or a binary file whose format ``name``'s
    extension tells — with ``importer``; ``options`` are :class:`BatchImporter`'s.

    A file that cannot be read at all gives a report marked ``unreadable``. With ``via`` (后台,
    命令) an import that writes is recorded (:class:`~hitech_portal.models.ImportRecord`): who,
    when, the file (``file_name``, else ``name``), the counts and the rows; the revisions it
    writes point to it. A background import passes the ``record`` it made when it was queued
    instead.
    """
    if isinstance(source, str | Path):  # opened here, so closed here
        with open(source, "rb") as binary:
            return run_import(
                importer,
                binary,
                name=str(name or source),
                encoding=encoding,
                via=via,
                file_name=file_name,
                record=record,
                **options,
            )
    if isinstance(source, Table):
        table = source
    else:
        try:
            table = open_table(source, importer.columns, name=name, encoding=encoding)
        except FileError as exc:
            return ImportReport.of_unreadable(exc)
    if record is None and via and not options.get("dry_run"):
        record = ImportRecord(
            kind=importer.record_kind,
            file_name=(file_name or Path(str(name or source)).name)[:255],
            via=via,
            user=options.get("user"),
        )
    return importer(table, record=record, **options).run()


def batched(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


class SeenKeys:
    """The identity keys of the rows read so far, each with the first line that had it.

    Kept in a temporary SQLite file of their own (a page cache of 1 MB), not in a dict: memory
    stays flat however long the file (a dict took ~100 bytes a row, 40 MB at 400,000 rows). Keys
    are stored as their 64-bit hashes (two different keys share one about once in 10**9 files of
    400,000 rows); the file goes when the import does.
    """

    def __init__(self):
        # "": a temporary file, deleted when closed. Any thread may close it (a web server's
        # garbage collector may run in another one).
        self.db = sqlite3.connect("", check_same_thread=False)
        self.db.execute("PRAGMA cache_size = -1024")
        self.db.execute("CREATE TABLE seen (hash INTEGER PRIMARY KEY, line INTEGER NOT NULL)")

    def claim(self, keys, line: int) -> int | None:
        """Register a row's identity keys; return the line that already has one of them."""
        hashes = [hash(key) for key in keys]
        for value in hashes:
            found = self.db.execute("SELECT line FROM seen WHERE hash = ?", (value,)).fetchone()
            if found is not None:
                return found[0]
        self.db.executemany(
            "INSERT OR IGNORE INTO seen VALUES (?, ?)", [(value, line) for value in hashes]
        )
        return None

    def close(self) -> None:
        self.db.close()


class Plan:
    """What a subclass plans for one row: its line, its identity and what happens to it."""

    __slots__ = ("line", "key", "values", "outcome", "object_id", "changed")

    def __init__(self, line: int, key: tuple, values: dict, object_id: int | None = None):
        self.line, self.key, self.values, self.object_id = line, key, values, object_id
        self.outcome = Outcome.NEW
        self.changed: list[str] = []  # fields


class BatchImporter:
    """Reads a table batch by batch: parse every row, match the batch, write what changed.

    Subclasses declare :attr:`columns`, :attr:`command` and :meth:`parsers` (one per column), may
    add :meth:`row_rules` (between columns), and implement :meth:`plan_batch` (identity, matching
    the stored rows, what changes), :meth:`write` and :meth:`describe` (a plan as a
    :class:`PlannedRow`).
    """

    columns: Columns
    command: str  # the manage.py command for files too big for the admin
    record_kind: str  # ImportRecord.Kind
    batch_size = 1000

    def __init__(
        self,
        table: Table,
        *,
        dry_run: bool = False,
        on_error: str = "abort",
        user=None,
        progress: Callable[[Table], None] | None = None,
        batch_size: int | None = None,
        record: ImportRecord | None = None,
    ):
        if on_error not in ON_ERROR_CHOICES:
            raise ValueError(f"on_error must be one of {ON_ERROR_CHOICES}")
        self.table, self.dry_run, self.on_error, self.user = table, dry_run, on_error, user
        self.progress, self.record = progress, record
        self.how = f"导入：{record.file_name}" if record else "导入"
        self.batch_size = batch_size or self.batch_size
        self.report = ImportReport(dry_run=dry_run)
        self.writing = not dry_run
        self.seen = SeenKeys()  # identity keys -> first line with them (duplicates in the file)
        self.cell_parsers = self.parsers()

    # --- for subclasses -----------------------------------------------------------------------
    def parsers(self) -> dict[str, Parser]:
        """Field → parser of its cell, for every field of :attr:`columns`."""
        raise NotImplementedError

    def row_rules(self, line: int, values: dict) -> list[RowError]:
        """Rules between the columns of a parsed row (and defaults that depend on them). Runs
        even when a cell was refused (only the cells that parsed are in ``values``), so every
        problem of a row is reported at once."""
        return []

    def plan_batch(self, rows: list[tuple[int, dict]]) -> list[Plan]:
        """Parsed rows (line, field → value) → plans; refuse rows with :meth:`reject`."""
        raise NotImplementedError

    def write(self, plans: list[Plan]) -> None:
        """Write the new and changed rows of a batch, and report them to what follows a public
        write (:mod:`articles.public_changes`)."""
        raise NotImplementedError

    def describe(self, plan: Plan) -> PlannedRow:
        raise NotImplementedError

    def label(self, values: dict) -> str:
        """What a row is, for people (an article's title), from its parsed values."""
        return ""

    def row_title(self, values: dict) -> str:
        """The row's 标题, named in its errors beside the row number (where rows have one)."""
        return ""

    def forget_batch_state(self) -> None:
        """Drop caches filled inside a rolled-back savepoint (e.g. ids of tags just created)."""

    # --- the run ------------------------------------------------------------------------------
    def run(self) -> ImportReport:
        # A background import's record exists already (outside this transaction: the page
        # showing its progress reads it meanwhile); others are made now.
        self.record_made_here = self.record is not None and self.record.pk is None
        # One transaction; the pages each batch retires are retired once more when it commits,
        # from one set for the whole file (not one per batch, held until the end).
        with transaction.atomic(), pagecache.retiring_at_commit_once():
            if self.record_made_here:
                self.record.save()  # first, so what the import writes can point to it
            try:
                for batch in batched(self.table, self.batch_size):
                    self.process(batch)
                    if self.progress:
                        self.progress(self.table)  # reads its position(), size and unit
            except FileError as exc:  # the rest of the file cannot be read: nothing after it counts
                self.fail(*exc.errors)
                self.writing = False
            finally:
                self.seen.close()
            if self.on_error == "abort" and not self.report.ok:
                transaction.set_rollback(True)
                report = self.report
                report.rolled_back = not self.dry_run
                report.created = report.updated = report.unchanged = 0
        # Checks run in phases per batch: list errors and rows in file order.
        self.report.errors.sort(key=lambda error: error.line)
        self.report.rows.sort(key=lambda row: row.line)
        if self.record is not None:
            self.save_record()
        return self.report

    def process(self, batch: list[Record]) -> None:
        if not connection.force_debug_cursor:
            reset_queries()  # with DEBUG on, Django would keep every statement (bodies and all)
        parsed = []
        for record in batch:
            values, errors = self.parse(record)
            if errors:
                self.fail(*errors, line=record.line, label=self.label(values))
            else:
                parsed.append((record.line, values))
        plans = [plan for plan in self.plan_batch(parsed) if plan.outcome != Outcome.FAILED]
        if self.on_error == "abort" and not self.report.ok:
            self.writing = False
        if not self.writing or all(plan.outcome == Outcome.UNCHANGED for plan in plans):
            self.count(plans)
            return
        try:
            with transaction.atomic():
                self.write(plans)
            self.count(plans)
        except DatabaseError:
            # One row the checks let through was refused by the database: find it row by row.
            self.forget_batch_state()
            for plan in plans:
                if plan.outcome == Outcome.UNCHANGED:
                    self.count([plan])
                    continue
                try:
                    with transaction.atomic():
                        self.write([plan])
                    self.count([plan])
                except DatabaseError as exc:
                    self.forget_batch_state()
                    self.reject(plan, None, f"数据库拒绝写入：{exc}")
                    if self.on_error == "abort":
                        self.writing = False
                        return

    def parse(self, record: Record) -> tuple[dict, list[RowError]]:
        """Each cell through its column's parser (a required one missing reads as empty), then
        the rules between columns: values, and an error per refused cell or rule."""
        cells = record.values
        missing = [field for field in self.columns.required_of(cells) if field not in cells]
        if missing:
            cells = {**dict.fromkeys(missing, ""), **cells}
        values, errors, parsers = {}, [], self.cell_parsers
        for field, cell in cells.items():
            try:
                values[field] = parsers.get(field, self.unknown_column)(cell)
            except ValueError as exc:
                errors.append(self.error(record.line, field, str(exc)))
        errors += self.row_rules(record.line, values)
        title = self.row_title(values)
        return values, [replace(error, title=title) for error in errors] if title else errors

    def unknown_column(self, cell):
        """The parser of a column the file kind does not have (rows given as dicts)."""
        raise ValueError(f"未知的列；可用的列：{self.columns.describe()}")

    def save_record(self) -> None:
        """The counts and the listed rows on the import's record; a rolled-back import's record
        went with it, so it is written again, as what was tried."""
        record, report = self.record, self.report
        if report.rolled_back and self.record_made_here:
            record = self.record = ImportRecord(
                kind=record.kind, file_name=record.file_name, via=record.via, user=record.user
            )
        record.created, record.updated = report.created, report.updated
        record.unchanged, record.failed = report.unchanged, report.failed
        record.rows = [
            {
                "line": row.line,
                "outcome": str(row.outcome),
                "label": row.label,
                "id": row.object_id,
                "changed": list(row.changed),
                "note": row.note,
                "errors": [str(error) for error in row.errors],
            }
            for row in report.rows
        ]
        record.save()

    # --- bookkeeping --------------------------------------------------------------------------
    def column(self, field_name: str) -> str:
        """The column as the file names it (in messages and in a row's changed columns)."""
        return self.table.headers.get(field_name, field_name)

    def error(self, line: int, field_name: str | None, message: str) -> RowError:
        return RowError(line, self.column(field_name) if field_name else "", message)

    def claim(self, keys, line: int) -> int | None:
        """Register a row's identity keys; return the line that already has one of them."""
        return self.seen.claim(keys, line)

    def reject(self, plan: Plan, field_name: str | None, message: str) -> None:
        plan.outcome = Outcome.FAILED
        self.fail(
            replace(self.error(plan.line, field_name, message), title=self.row_title(plan.values)),
            line=plan.line,
            label=self.label(plan.values),
            object_id=plan.object_id,
        )

    def fail(self, *errors: RowError, line: int | None = None, label="", object_id=None) -> None:
        """Count a failed row (or an unreadable rest of the file) and list its errors."""
        self.report.failed += 1
        for error in errors:
            self.report.add_error(error)
        if line is not None:
            self.report.add_row(
                PlannedRow(line, Outcome.FAILED, label, object_id, errors=tuple(errors))
            )

    def count(self, plans: list[Plan]) -> None:
        report = self.report
        for plan in plans:
            if plan.outcome == Outcome.NEW:
                report.created += 1
            elif plan.outcome == Outcome.UPDATE:
                report.updated += 1
            else:
                report.unchanged += 1
            if report.lists_rows:
                report.add_row(self.describe(plan))
            else:
                report.unlisted_rows += 1
