"""``manage.py backup [FILE]``: the database and the media files in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hitech_portal.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库与媒体文件到一个 .tar.gz（默认 backups/backup-时间.tar.gz）"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="写到这个文件")

    def handle(self, *args, file=None, **options):
        path = Path(file or f"backups/backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")
        try:
            manifest = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        counts = manifest["counts"]
        self.stdout.write(
            f"已备份到 {path}：文章 {counts['articles.article']} 篇，"
            f"指标 {counts['indicators.indicator']} 个，"
            f"观测值 {counts['indicators.observation']} 条"
        )
