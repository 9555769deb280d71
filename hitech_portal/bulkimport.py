"""What every bulk import shares: batches, one transaction, the error policy, the report.

An importer streams a :class:`~hitech_portal.tabular.Table` in batches. For each batch it parses
and validates every row, looks the batch's identities up in a few queries, and writes what changed
with bulk statements. The policy is the same for articles and observations:

- ``on_error="abort"`` (default): the whole run is one transaction; after the first bad row nothing
  more is written, the remaining rows are still checked (so every error is reported at once) and
  the transaction is rolled back: a file with any failing row writes nothing.
- ``on_error="skip"``: good rows are imported, bad rows are reported and counted as failed.
- ``dry_run``: nothing is written; the counts say what an import would do.
"""

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, reset_queries, transaction

from .tabular import ENCODING_CHOICES, Columns, FileError, Record, RowError, Table, open_table

ON_ERROR_CHOICES = ("abort", "skip")
MAX_LISTED_ERRORS = 1000


@dataclass
class PreviewRow:
    """One row as the admin preview shows it."""

    line: int
    outcome: str  # "new" | "update" | "skip" (unchanged)
    title: str
    detail: str = ""
    object_id: int | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    unlisted_errors: int = 0
    rolled_back: bool = False
    unreadable: bool = False  # the file could not be opened as a table at all
    dry_run: bool = False
    preview: list[PreviewRow] | None = None

    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} failed={self.failed}"
        )

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failed

    def add_error(self, error: RowError) -> None:
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(error)
        else:
            self.unlisted_errors += 1

    def explanation(self) -> str:
        """One sentence for people, printed above the summary line."""
        if self.unlisted_errors:
            more = f"（另有 {self.unlisted_errors} 处错误未列出）"
        else:
            more = ""
        if self.unreadable:
            return "文件无法读取，没有导入任何数据。"
        if self.rolled_back:
            return (
                f"有错误{more}，整个文件未导入：改正后重新导入，"
                "或用 --on-error skip 只导入正确的行。"
            )
        if self.dry_run and self.errors:
            return f"试运行：文件有错误{more}，正式导入时整个文件都不会写入。"
        if self.dry_run:
            return f"试运行，没有写入任何数据{more}。"
        if self.errors:
            return f"出错的行已跳过{more}，其余各行已导入。"
        return "导入完成。"


def batched(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


class BatchImporter:
    """Subclasses implement :meth:`prepare_batch` (parse, validate, match) and :meth:`write`."""

    batch_size = 1000

    def __init__(
        self,
        table: Table,
        *,
        dry_run: bool = False,
        on_error: str = "abort",
        user=None,
        progress: Callable[[int], None] | None = None,
        preview: bool = False,
        batch_size: int | None = None,
    ):
        if on_error not in ON_ERROR_CHOICES:
            raise ValueError(f"on_error must be one of {ON_ERROR_CHOICES}")
        self.table, self.dry_run, self.on_error, self.user = table, dry_run, on_error, user
        self.progress = progress
        self.batch_size = batch_size or self.batch_size
        self.report = ImportReport(dry_run=dry_run, preview=[] if preview else None)
        self.writing = not dry_run
        self.seen: dict = {}  # identity key -> first line with it (duplicates within the file)

    def column(self, field_name: str) -> str:
        return self.table.headers.get(field_name, field_name)

    def error(self, line: int, field_name: str | None, message: str) -> RowError:
        return RowError(line, self.column(field_name) if field_name else "", message)

    def run(self) -> ImportReport:
        try:
            self.run_in_transaction()
        finally:
            self.close()
        self.report.errors.sort(key=lambda error: error.line)  # checks run in phases per batch
        return self.report

    def run_in_transaction(self) -> None:
        with transaction.atomic():
            try:
                for batch in batched(self.table, self.batch_size):
                    self.process(batch)
                    if self.progress:
                        self.progress(self.table.position())
            except FileError as exc:  # the rest of the file cannot be read: nothing after it counts
                self.fail(*exc.errors)
                self.stop_writing()
            if self.on_error == "abort" and not self.report.ok:
                transaction.set_rollback(True)
                report = self.report
                report.rolled_back = not self.dry_run
                report.created = report.updated = report.unchanged = 0
            elif not self.dry_run:
                transaction.on_commit(self.finish)

    def process(self, batch: list[Record]) -> None:
        if not connection.force_debug_cursor:
            reset_queries()  # with DEBUG on, Django would keep every statement (bodies and all)
        planned = self.prepare_batch(batch)
        if self.on_error == "abort" and not self.report.ok:
            self.stop_writing()
        if not self.writing or all(item.outcome == "skip" for item in planned):
            self.count(planned)
            return
        try:
            with transaction.atomic():
                self.write(planned)
            self.count(planned)
        except DatabaseError:
            # One row the checks let through was refused by the database: find it row by row.
            self.forget_batch_state()
            for item in planned:
                try:
                    with transaction.atomic():
                        self.write([item])
                    self.count([item])
                except DatabaseError as exc:
                    self.forget_batch_state()
                    self.fail(self.error(item.line, None, f"数据库拒绝写入：{exc}"))
                    if self.on_error == "abort":
                        self.stop_writing()
                        return

    def fail(self, *errors: RowError) -> None:
        self.report.failed += 1
        for error in errors:
            self.report.add_error(error)

    def claim(self, keys, line: int) -> int | None:
        """Register a row's identity keys; return the line that already has one of them."""
        for key in keys:
            first = self.seen.get(key)
            if first is not None:
                return first
        for key in keys:
            self.seen[key] = line
        return None

    def count(self, planned) -> None:
        report = self.report
        for item in planned:
            if item.outcome == "new":
                report.created += 1
            elif item.outcome == "update":
                report.updated += 1
            else:
                report.unchanged += 1
            if report.preview is not None:
                report.preview.append(self.preview_row(item))

    def stop_writing(self) -> None:
        self.writing = False

    # --- for subclasses ---
    def prepare_batch(self, batch: list[Record]) -> list:
        raise NotImplementedError

    def write(self, planned: list) -> None:
        raise NotImplementedError

    def preview_row(self, item) -> PreviewRow:
        raise NotImplementedError

    def forget_batch_state(self) -> None:
        """Drop caches filled inside a rolled-back savepoint (e.g. ids of tags just created)."""

    def finish(self) -> None:
        """After the transaction commits (page cache, search index)."""

    def close(self) -> None:
        """Release resources (thread pools)."""


class ImportCommand(BaseCommand):
    """``manage.py import_… FILE [--dry-run] [--encoding …] [--on-error …]``: parse, call, report.

    Errors and the explanation go to stdout, the last line is ``created=N updated=N unchanged=N
    failed=N``; the exit status is 1 when anything failed. The progress bar goes to stderr, and
    only when stderr is a terminal.
    """

    columns: Columns
    importer: type[BatchImporter]

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 或 XLSX 文件（按扩展名区分）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--encoding", choices=ENCODING_CHOICES, default="auto")
        parser.add_argument("--on-error", choices=ON_ERROR_CHOICES, default="abort")
        parser.add_argument("--batch-size", type=int, default=None, help="每批处理的行数")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            binary = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"无法打开文件 {path}：{exc.strerror}") from None
        with binary:
            try:
                table = open_table(binary, self.columns, name=path, encoding=options["encoding"])
            except FileError as exc:
                report = ImportReport(unreadable=True)
                report.failed = 1
                for error in exc.errors:
                    report.add_error(error)
                return self.finish(report)
            bar = self.progress_bar(table)
            try:
                report = self.importer(
                    table,
                    dry_run=options["dry_run"],
                    on_error=options["on_error"],
                    progress=(lambda done: bar.update(done - bar.n)) if bar else None,
                    batch_size=options["batch_size"],
                ).run()
            finally:
                if bar:
                    bar.close()
        self.finish(report)

    def progress_bar(self, table: Table):
        if not sys.stderr.isatty():
            return None
        from tqdm import tqdm

        return tqdm(
            total=table.size,
            unit=table.unit,
            unit_scale=table.unit == "B",
            file=sys.stderr,
            desc="导入",
        )

    def finish(self, report: ImportReport):
        for error in report.errors:
            self.stdout.write(str(error))
        self.stdout.write(report.explanation())
        self.stdout.write(report.summary())
        if not report.ok:
            self.stdout.flush()
            sys.exit(1)
