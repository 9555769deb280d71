import time

from django.core.management.base import BaseCommand
from django.db import transaction

from articles import public_changes


class Command(BaseCommand):
    help = "清空并重建全文搜索索引（所有已发布和定时发布的文章）"

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(done):
            if done % 5000 == 0:
                self.stderr.write(f"已索引 {done} 篇")

        with transaction.atomic():
            count = public_changes.rebuild(progress)
        self.stdout.write(f"搜索索引已重建：{count} 篇，用时 {time.monotonic() - started:.1f} 秒")
