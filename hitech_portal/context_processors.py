from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .traditional import SCRIPTS, og_locale, page_in


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }


def scripts(request):
    """简繁: ``html_lang`` for ``<html lang>``, ``og_locale`` for Open Graph, and
    ``script_versions`` (this page in each script) for the hreflang alternates and the
    简体 / 繁體 switch."""
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)

    def versions():
        return [
            {"code": code, "lang": lang, "label": label, "url": page_in(request, code),
             "current": code == current}
            for code, lang, label in SCRIPTS
        ]  # fmt: skip

    html_lang = next((lang for code, lang, _ in SCRIPTS if code == current), "zh-Hans")
    return {
        "html_lang": html_lang,
        "og_locale": og_locale(current),
        "script_versions": SimpleLazyObject(versions),
    }
