#!/usr/bin/env bash
# The fuzz tests (tests/fuzz/) with fresh random inputs, FUZZ_EXAMPLES per test (default 2000),
# instead of the suite's 30 fixed ones; prints how many inputs each test ran and how long it took.
#   bench/fuzz_deep.sh              # SQLite
#   FUZZ_EXAMPLES=500 DATABASE_URL=postgres://… REDIS_URL=redis://…/N bench/fuzz_deep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
HYPOTHESIS_PROFILE=deep exec .venv/bin/python -m pytest tests/fuzz -p no:cacheprovider -q \
  --hypothesis-show-statistics "$@"
