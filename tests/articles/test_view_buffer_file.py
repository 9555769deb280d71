import threading
from concurrent.futures import ThreadPoolExecutor

from articles import view_counts


def test_a_new_buffer_file_opened_by_several_readers_at_once_counts_each(tmp_path):
    """App servers starting together all create the read buffer's file: each read counts."""
    for attempt in range(20):
        store = view_counts.FileStore(tmp_path / f"reads-{attempt}.sqlite3")
        start = threading.Barrier(8)

        def read(n, store=store, start=start):
            start.wait()
            return store.record(1, f"reader-{n}", f"address-{n}")

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(read, range(8))) == [True] * 8
        assert store.name.startswith("file:")
