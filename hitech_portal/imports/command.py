"""``manage.py import_… FILE [--dry-run] [--encoding …] [--on-error …]``: parse, call, report.

Errors and the explanation go to stdout and the last line is ``created=N updated=N unchanged=N
failed=N``; when anything failed the command ends with :class:`CommandError` (exit status 1). The
progress bar goes to stderr, and only when stderr is a terminal.

``--user NAME`` imports with that user's rights (an 编辑's file cannot publish, and its changes to
published articles wait for a 主编), and the import and its revisions are recorded as theirs.
Without it the command runs with every right, as whoever may run ``manage.py`` on the server.
"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from .engine import ON_ERROR_CHOICES, BatchImporter, run_import
from .report import ImportReport
from .tables import ENCODING_CHOICES, Table


class ImportCommand(BaseCommand):
    importer: type[BatchImporter]

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 或 XLSX 文件（按扩展名区分）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--encoding", choices=ENCODING_CHOICES, default="auto")
        parser.add_argument("--on-error", choices=ON_ERROR_CHOICES, default="abort")
        parser.add_argument("--batch-size", type=int, default=None, help="每批处理的行数")
        parser.add_argument(
            "--user",
            metavar="NAME",
            help="以这个用户的身份和权限导入（不给则拥有全部权限）",
        )

    def handle(self, *args, file, encoding, dry_run, on_error, batch_size, user, **options):
        importer_user = None
        if user is not None:
            importer_user = get_user_model().objects.filter(username=user, is_active=True).first()
            if importer_user is None:
                raise CommandError(f"没有这个用户（或已停用）：{user}")
        try:
            binary = open(file, "rb")  # closed below
        except OSError as exc:
            raise CommandError(f"无法打开文件 {file}：{exc.strerror}") from None
        bar = None

        def progress(table: Table) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(
                    total=table.size,
                    unit=table.unit,
                    unit_scale=table.unit == "B",
                    file=sys.stderr,
                    desc="导入",
                )
            bar.update(table.position() - bar.n)

        with binary:
            try:
                report = run_import(
                    self.importer,
                    binary,
                    name=file,
                    encoding=encoding,
                    dry_run=dry_run,
                    on_error=on_error,
                    batch_size=batch_size,
                    user=importer_user,
                    via="命令",
                    progress=progress if sys.stderr.isatty() else None,
                )
            finally:
                if bar is not None:
                    bar.close()
        self.report(report)

    def report(self, report: ImportReport) -> None:
        for error in report.errors:
            self.stdout.write(str(error))
        self.stdout.write(report.explanation())
        self.stdout.write(report.summary())
        if not report.ok:
            problem = "文件无法读取" if report.unreadable else f"{report.failed} 行出错"
            raise CommandError(problem, returncode=1)
