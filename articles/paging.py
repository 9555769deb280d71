"""Paging deep into long lists without reading every row before the page.

``OFFSET 40000`` makes the database step over 40,000 rows. Stepping over index entries is cheap;
fetching 40,000 full rows to throw them away is not. So a page is read in two steps inside one
query: the ids of the page from the list's own index (an index-only walk where the database can),
then just those rows.

Where the list's order is a plain walk of its columns ending on ``id`` (every public list's is),
each page read also notes where it and the page after it start — the sort values of their first
rows — in the shared page store. A later request for either page starts there (a keyset ``WHERE
(published_at, id) <= (…)``) and walks 20 index entries instead of 40,000: a crawler or a reader
going page by page, or many readers on one deep page, pay the long walk once per generation.

The total behind the page links is a ``COUNT(*)`` over the whole list, the one cost that grows
with it. Totals, the rows of each page read and page starts are kept under the page-cache
generation, so any published change (which calls ``invalidate_pages()``) recounts and walks
again; and they are kept
``COUNT_SECONDS`` at most and never past the next scheduled publication
(``pagecache.keep_seconds``), so an article that comes due is counted, and shifts the pages, from
its very moment.
"""

import hashlib

from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from hitech_portal.pagecache import current_generation, keep_seconds, kept

COUNT_SECONDS = 300


class DeferredJoinPaginator(Paginator):
    def __init__(self, object_list, per_page, *args, count_key: str = "", **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_key = count_key

    def _key(self, what: str) -> str:
        digest = hashlib.sha256(self.count_key.encode()).hexdigest()[:32]
        return f"pages:{current_generation()}:{what}:{digest}"

    @cached_property
    def count(self):
        if not self.count_key:
            return super().count
        digest = hashlib.sha256(self.count_key.encode()).hexdigest()[:32]
        return kept(f"count.{digest}", lambda: Paginator.count.func(self), COUNT_SECONDS)

    @cached_property
    def walk(self) -> list[tuple[str, bool]] | None:
        """The list's order as (column, descending), if pages can start from a row's values."""
        if not self.count_key:
            return None
        ordering = self.object_list.query.order_by
        columns = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
        plain = all(isinstance(name, str) and "__" not in name for name in ordering)
        if not plain or not columns or columns[-1][0] not in ("id", "pk"):
            return None
        return columns

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.count_key:  # the rows of a page are kept as its total is
            order = repr(self.object_list.query.order_by)
            digest = hashlib.sha256(f"{self.count_key}|{order}|{bottom}|{top}".encode())
            name = f"rows.{digest.hexdigest()[:32]}"
            rows = kept(name, lambda: self._rows(number, bottom, top), COUNT_SECONDS)
        else:
            rows = self._rows(number, bottom, top)
        return self._get_page(rows, number, self)

    def _rows(self, number: int, bottom: int, top: int) -> list:
        start = self._start(number) if self.walk and number > 1 else None
        if start is None:
            ids = self.object_list.values("pk")[bottom : top + 1]
        else:
            # The row's bound comes first: SQLite walks the index from the first bound it
            # reads on a column (here it would be the list's own ``published_at <= now``).
            walk = self.object_list.model._base_manager.filter(from_row(self.walk, start))
            ids = (walk & self.object_list).values("pk")[: top - bottom + 1]
        rows = list(self.object_list.filter(pk__in=ids))
        if self.walk:
            self._note_starts(number, rows[:1], rows[top - bottom : top - bottom + 1])
        return rows[: top - bottom]

    def _start_key(self, number: int) -> str:
        order = ",".join(f"{'-' if descending else ''}{name}" for name, descending in self.walk)
        return f"{self._key('start')}:{order}:{number}"

    def _start(self, number: int):
        return caches["pages"].get(self._start_key(number))

    def _note_starts(self, number: int, first: list, after: list) -> None:
        starts = {number: first, number + 1: after}
        values = {
            self._start_key(n): [getattr(row[0], name) for name, _ in self.walk]
            for n, row in starts.items()
            if row and n > 1
        }
        if values:
            caches["pages"].set_many(values, keep_seconds(COUNT_SECONDS))


def from_row(walk: list[tuple[str, bool]], values: list) -> Q:
    """The rows at or after the one with these sort ``values``, in the order ``walk`` gives.

    Written as a plain range on the first column, less the rows that tie on it but come before:
    the database starts its index walk right at the row (an OR of tuples would make it scan)."""
    (first, descending), *rest = walk
    condition = Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]})
    before = Q()
    for n, (name, descending) in enumerate(rest, start=1):
        equal = {walk[i][0]: values[i] for i in range(n)}
        before |= Q(**equal, **{f"{name}__{'gt' if descending else 'lt'}": values[n]})
    return condition & ~before if rest else condition
