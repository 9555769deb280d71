"""Waiting for a condition in the page, under the site's Content-Security-Policy."""

import time


def wait_until(page, expression: str, timeout: float = 10_000) -> None:
    """Poll ``expression`` (a JavaScript expression or arrow function) until it is truthy.

    ``page.wait_for_function`` evaluates its predicate with ``eval``, which the site's policy
    (no ``'unsafe-eval'``) refuses; ``page.evaluate`` runs outside the page's policy."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:g} s: {expression}")
        page.wait_for_timeout(50)
