import time

from django.core.management.base import BaseCommand
from django.db import transaction

from articles import public_changes, tasks


class Command(BaseCommand):
    help = "清空并重建全文搜索索引（所有已发布和定时发布的文章）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--background",
            action="store_true",
            help="交给后台任务进程（manage.py db_worker）重建，命令立即返回",
        )

    def handle(self, *args, **options):
        if options["background"]:
            result = tasks.rebuild_search_index.enqueue()
            self.stdout.write(f"已交给后台任务进程重建搜索索引（任务 {result.id}）")
            return
        started = time.monotonic()

        def progress(done):
            if done % 5000 == 0:
                self.stderr.write(f"已索引 {done} 篇")

        with transaction.atomic():
            count = public_changes.rebuild(progress)
        self.stdout.write(f"搜索索引已重建：{count} 篇，用时 {time.monotonic() - started:.1f} 秒")
