"""Hypothesis profiles for the fuzz tests.

``quick`` (the default, run with the suite): a few dozen inputs per test, the same ones every run
(derandomised), so the suite stays fast and a failure reproduces. ``deep`` draws fresh inputs,
``FUZZ_EXAMPLES`` per test (default 2,000): ``bench/fuzz_deep.sh`` runs it and prints the counts.
"""

import os

from hypothesis import HealthCheck, settings

# Fixtures make the site's content once per test; every input reads it (and never changes it).
COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("quick", max_examples=30, derandomize=True, **COMMON)
settings.register_profile(
    "deep", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")), **COMMON
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
