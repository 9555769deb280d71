"""``manage.py export_articles FILE``: CSV or XLSX (by extension) in the import's columns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.exporting import export_articles
from articles.models import Article


class Command(BaseCommand):
    help = "把文章导出为 CSV 或 XLSX（按扩展名）；导出的文件可原样再导入，不产生改动"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--encoding", choices=("utf-8", "gb18030"), default="utf-8", help="CSV 的编码"
        )
        parser.add_argument(
            "--headers", choices=("zh", "en"), default="zh", help="列名用中文还是英文"
        )

    def handle(self, *args, file, encoding, headers, **options):
        suffix = Path(file).suffix.lower().lstrip(".")
        if suffix not in ("csv", "xlsx"):
            raise CommandError(f"只能导出为 .csv 或 .xlsx 文件，收到的是「{Path(file).name}」")
        try:
            with open(file, "wb") as stream:
                count = export_articles(
                    Article.objects.all(),
                    stream,
                    file_format=suffix,
                    encoding=encoding,
                    language=headers,
                )
        except OSError as exc:
            raise CommandError(f"无法写入 {file}：{exc.strerror}") from None
        self.stdout.write(f"已导出 {count} 篇文章到 {file}")
