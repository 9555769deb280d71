"""Add the buffered article reads to the database now (``articles.view_counts``).

Reads are also flushed by a background job that a counting request queues when a flush is due
(one every ``VIEW_COUNT_FLUSH_SECONDS``); run this where no worker runs, where reads are rare, or
before a backup so the database holds every count."""

from django.core.management.base import BaseCommand

from articles.view_counts import flush_view_counts


class Command(BaseCommand):
    help = "把缓冲中的阅读次数写入数据库。"

    def handle(self, *args, **options):
        added = flush_view_counts()
        self.stdout.write(f"flushed={added}")
