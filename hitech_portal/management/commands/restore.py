"""``manage.py restore FILE [--replace]``: load a backup into an empty database and MEDIA_ROOT."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hitech_portal.backup import BackupError, restore


class Command(BaseCommand):
    help = "从 backup 写的文件恢复数据库与媒体文件，并核对每张表的行数"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--replace", action="store_true", help="覆盖现有数据（默认只恢复到空数据库）"
        )

    def handle(self, *args, file, replace=False, **options):
        try:
            manifest = restore(Path(file), replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        counts = manifest["counts"]
        self.stdout.write(
            f"已恢复 {manifest['created']} 的备份，行数与备份一致："
            f"文章 {counts['articles.article']} 篇，指标 {counts['indicators.indicator']} 个"
        )
