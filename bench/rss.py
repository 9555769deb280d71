"""Memory of the running process, for the benchmarks that measure it in a child process.

Read from ``/proc/self/status``: ``VmHWM`` (peak resident memory) starts afresh at exec, unlike
``ru_maxrss``, which a child inherits from the parent it was forked from (a parent that generated
a 400,000-row file made every child report its 267 MB).
"""

import resource
import threading
from pathlib import Path


def status_mb(*names: str) -> dict[str, float]:
    """The named ``/proc/self/status`` lines (``VmHWM``, ``RssAnon``, ``RssFile`` …) in MB."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in names:
            found[name] = int(value.split()[0]) / 1024
    return found


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started (its exec)."""
    peak = status_mb("VmHWM").get("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakSampler:
    """The largest ``RssAnon`` (the process's own memory) and ``RssFile`` (mapped files:
    libraries, and SQLite's write-ahead-log index, which grows with an open transaction by 8
    bytes per page it wrote) seen, sampled every 0.2 s in a thread."""

    NAMES = ("RssAnon", "RssFile")

    def __init__(self):
        self.peaks = dict.fromkeys(self.NAMES, 0.0)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while True:
            for name, value in status_mb(*self.NAMES).items():
                self.peaks[name] = max(self.peaks[name], value)
            if self.stopped.wait(0.2):
                return

    def stop(self) -> dict[str, float]:
        self.stopped.set()
        self.thread.join()
        return self.peaks
