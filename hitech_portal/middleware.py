"""Site-wide middleware: the public page cache and the traditional-character view.

Order in ``MIDDLEWARE`` (both at the end, in this order)::

    … AuthenticationMiddleware, …, PageCacheMiddleware, TraditionalChineseMiddleware

The page cache sits inside the session, locale and authentication middleware, so it knows the
reader's language and whether they are logged in, and outside the conversion, so what it stores
for a ``/zh-hant/`` page is the converted page: a cached traditional page costs no conversion.
"""

from csp.constants import UNSAFE_INLINE
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.urls import reverse
from django.utils.cache import get_cache_key, get_max_age, learn_cache_key

from .pagecache import current_generation, seconds_to_next_publication
from .traditional import TRADITIONAL, convert_feed, convert_html, convert_json_text

CONVERTERS = {
    "text/html": convert_html,
    "application/rss+xml": convert_feed,
    "application/atom+xml": convert_feed,
    "application/json": convert_json_text,
}


class AdminStylesMiddleware:
    """The admin's rich-text editor (Tiptap) adds a ``<style>`` element and style attributes
    from its scripts, which the site-wide policy refuses. Under ``/admin/`` only, inline styles
    are allowed (``style-src 'unsafe-inline'``; scripts stay strict), as django-csp's
    ``@csp_update`` does for one view: the public pages keep the strict policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(reverse("admin:index")):
            response._csp_update = {"style-src": [UNSAFE_INLINE]}  # what @csp_update sets
        return response


class TraditionalChineseMiddleware:
    """Under ``/zh-hant/`` (LocaleMiddleware has activated zh-hant), convert what the view wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "LANGUAGE_CODE", None) != TRADITIONAL or response.streaming:
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        convert = CONVERTERS.get(content_type)
        if convert is None or not response.content:
            return response
        text = response.content.decode(response.charset)
        response.content = convert(text).encode(response.charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


class PageCacheMiddleware:
    """Serve anonymous readers' GET/HEAD requests for public pages from the shared cache.

    Keys come from Django's own ``get_cache_key``/``learn_cache_key`` (full URL with its query
    string, the active language, the headers the response varies on) under a prefix carrying the
    page generation, so :func:`~hitech_portal.pagecache.invalidate_pages` retires every entry at
    once. Unlike ``UpdateCacheMiddleware`` it adds no ``Expires``/``max-age`` to the response: the
    copy kept here is invalidated the moment an editor saves, a copy in a browser would not be.

    Never cached: logged-in users (staff previews), requests carrying flash messages, responses
    other than 200, responses that set a cookie, touch the session or the CSRF token, or say
    ``private``/``no-cache``/``no-store``/``max-age=0`` (``never_cache`` previews, health check).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            not seconds
            or request.method not in ("GET", "HEAD")
            or CookieStorage.cookie_name in request.COOKIES
            or request.user.is_authenticated
        ):
            return self.get_response(request)
        prefix = f"pages.{current_generation()}"
        key = get_cache_key(request, prefix, "GET", cache)
        if key is not None:
            response = cache.get(key)
            if response is not None:
                return response
        response = self.get_response(request)
        if self._cacheable(request, response):
            timeout = self._timeout(seconds)
            key = learn_cache_key(request, response, timeout, prefix, cache)
            cache.set(key, response, timeout)
        return response

    @staticmethod
    def _cacheable(request, response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        session = getattr(request, "session", None)
        if session is not None and session.modified:
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-cache", "no-store")):
            return False
        return get_max_age(response) != 0

    @staticmethod
    def _timeout(seconds: int) -> int:
        """No page outlives the next scheduled publication (hitech_portal.pagecache)."""
        due = seconds_to_next_publication()
        if due is not None:
            seconds = min(seconds, max(1, int(due) + 1))
        return seconds
