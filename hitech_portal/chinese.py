"""简繁 for plain strings: the one OpenCC wrapper.

:func:`to_traditional` turns the simplified original into what ``/zh-hant/`` pages show, with the
profile of ``OPENCC_PROFILE``; :func:`to_simplified` folds what editors and readers type in
traditional characters (栏目 names in a spreadsheet, a search query, an import header) back to
simplified. Pages, feeds and JSON are converted by :mod:`hitech_portal.traditional`, which calls
:func:`to_traditional` for their text.

A converter holds no data of its own, so one per profile per process is fine.
"""

from functools import cache

import opencc
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

#: Profiles that turn simplified into traditional: plain (s2t), Taiwan (s2tw), Taiwan with
#: phrases (s2twp: 软件→軟體), Hong Kong (s2hk, s2hkp).
PROFILES = ("s2t", "s2tw", "s2twp", "s2hk", "s2hkp")


def profile_error(profile: str) -> str | None:
    if profile in PROFILES:
        return None
    choices = ", ".join(PROFILES)
    return f"OPENCC_PROFILE {profile!r} is not a simplified-to-traditional profile: use {choices}."


@checks.register(checks.Tags.compatibility)
def check_opencc_profile(app_configs, **kwargs):
    error = profile_error(settings.OPENCC_PROFILE)
    return [checks.Error(error, id="hitech_portal.E001")] if error else []


@cache
def _converter(profile: str) -> opencc.OpenCC:
    return opencc.OpenCC(profile)


def to_traditional(text: str) -> str:
    """Convert a plain string with the configured profile (``OPENCC_PROFILE``, default s2tw)."""
    if not text:
        return text
    profile = settings.OPENCC_PROFILE
    if error := profile_error(profile):
        raise ImproperlyConfigured(error)
    converter = _converter(profile)
    if "\x00" in text:  # profiles of two steps (s2tw, s2hk…) stop at a NUL: convert around it
        return "\x00".join(converter.convert(part) for part in text.split("\x00"))
    return converter.convert(text)


def to_simplified(text: str) -> str:
    """政策解讀 → 政策解读 (OpenCC t2s); ASCII passes untouched and fast."""
    return text if text.isascii() else _converter("t2s").convert(text)
