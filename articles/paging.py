"""Paging deep into long lists without reading every row before the page.

``OFFSET 40000`` makes the database step over 40,000 rows. Stepping over index entries is cheap;
fetching 40,000 full rows to throw them away is not. So a page is read in two steps inside one
query: the ids of the page from the list's own index (an index-only walk where the database can),
then just those rows.

The total behind the page links is a ``COUNT(*)`` over the whole list, the one cost that grows
with it; it is kept in the shared page store under the page-cache generation, so any published
change (which calls ``invalidate_pages()``) recounts. A total is kept ``COUNT_SECONDS`` at most and
never past the next scheduled publication (``pagecache.keep_seconds``), so an article that comes
due is counted, and reachable on the last page, from its very moment.
"""

import hashlib

from django.core.cache import caches
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from hitech_portal.pagecache import current_generation, keep_seconds

COUNT_SECONDS = 300


class DeferredJoinPaginator(Paginator):
    def __init__(self, object_list, per_page, *args, count_key: str = "", **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        if not self.count_key:
            return super().count
        digest = hashlib.sha256(self.count_key.encode()).hexdigest()[:32]
        key = f"pages:{current_generation()}:count:{digest}"
        total = caches["pages"].get(key)
        if total is None:
            total = super().count
            caches["pages"].set(key, total, keep_seconds(COUNT_SECONDS))
        return total

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        rows = self.object_list.filter(pk__in=ids)
        return self._get_page(rows, number, self)
