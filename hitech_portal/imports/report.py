"""What an import says about a file: every problem with its place, and every row's fate.

A :class:`RowError` names the spreadsheet's own row and column in one consistent Chinese style
(``第 5 行，列「发布时间」：无法识别的日期 2024-13-45``); a :class:`FileError` stops reading a file
that cannot be read on. The :class:`ImportReport` counts what was (or, in a dry run, would be)
created, updated, left unchanged or refused, and lists the first rows as :class:`PlannedRow`
values for the admin's preview and for tests.
"""

from dataclasses import dataclass, field
from enum import StrEnum

#: Rows and errors listed in a report; the counts are always complete.
MAX_LISTED = 1000


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in a file: where it is (the spreadsheet's row, the row's title when it has
    one, the column as the file names it) and why."""

    line: int
    column: str
    message: str
    title: str = ""

    def __str__(self):
        where = f"第 {self.line} 行"
        if self.title:
            title = self.title if len(self.title) <= 20 else self.title[:19] + "…"
            where += f"（{title}）"
        if self.column:
            return f"{where}，列「{self.column}」：{self.message}"
        return f"{where}：{self.message}"


class FileError(Exception):
    """The file as a whole cannot be read on (broken quoting, wrong encoding, bad headers)."""

    def __init__(self, errors: list[RowError] | RowError):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("\n".join(str(e) for e in self.errors))


class Outcome(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PlannedRow:
    """One row of a file and what the import does with it."""

    line: int
    outcome: Outcome
    label: str = ""  # what the row is, for people: an article's title, "指标 2024 全国"
    object_id: int | None = None
    changed: tuple[str, ...] = ()  # the columns that change, as the file names them
    note: str = ""  # what else the preview shows of a new row (a date, a value)
    errors: tuple[RowError, ...] = ()


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    unlisted_errors: int = 0
    rows: list[PlannedRow] = field(default_factory=list)
    unlisted_rows: int = 0
    rolled_back: bool = False
    unreadable: bool = False  # the file could not be opened as a table at all
    dry_run: bool = False

    @classmethod
    def of_unreadable(cls, exc: FileError) -> "ImportReport":
        report = cls(unreadable=True, failed=1)
        for error in exc.errors:
            report.add_error(error)
        return report

    def summary(self) -> str:
        """The command's last line, ``created=N updated=N …``: scripts read it."""
        return (
            f"created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} failed={self.failed}"
        )

    def counts(self, unit: str = "行") -> str:
        """The summary for people: ``新建 1 篇，更新 2 篇，不变 0 篇``, then the rows refused."""
        counted = [("新建", self.created), ("更新", self.updated), ("不变", self.unchanged)]
        text = "，".join(f"{word} {n} {unit}" for word, n in counted)
        if self.failed and not self.unreadable:  # an unreadable file has no rows to count
            text += f"，出错 {self.failed} 行"
        return text

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failed

    def add_error(self, error: RowError) -> None:
        if len(self.errors) < MAX_LISTED:
            self.errors.append(error)
        else:
            self.unlisted_errors += 1

    def add_row(self, row: PlannedRow) -> None:
        if self.lists_rows:
            self.rows.append(row)
        else:
            self.unlisted_rows += 1

    @property
    def lists_rows(self) -> bool:
        """Whether another row would be listed (past :data:`MAX_LISTED` only counts)."""
        return len(self.rows) < MAX_LISTED

    def explanation(self) -> str:
        """One sentence for people, printed above the summary line."""
        more = f"（另有 {self.unlisted_errors} 处错误未列出）" if self.unlisted_errors else ""
        if self.unreadable:
            return "文件无法读取，没有导入任何数据。"
        if self.rolled_back:
            return (
                f"有错误{more}，整个文件未导入：改正后重新导入，"
                "或用 --on-error skip 只导入正确的行。"
            )
        if self.dry_run and self.errors:
            return f"只检查：文件有错误{more}，正式导入时整个文件都不会写入。"
        if self.dry_run:
            return f"只检查，没有写入任何数据{more}。"
        if self.errors:
            return f"出错的行已跳过{more}，其余各行已导入。"
        return "导入完成。"
