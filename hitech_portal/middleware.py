"""Site-wide middleware: the public page cache and the traditional-character view.

Order in ``MIDDLEWARE``::

    PageCacheMiddleware, SecurityMiddleware, CSPMiddleware, …, WhiteNoiseMiddleware,
    GZipMiddleware, SessionMiddleware, LocaleMiddleware, …, AuthenticationMiddleware, …,
    TraditionalChineseMiddleware

The page cache sits outside everything: a page stored for anonymous readers is answered before
any session, language or login work, and with the headers the security, CSP and CORS middleware
gave it when it was stored (and compressed by GZip, once for readers that take gzip). It sits
outside the conversion too, so what it stores for a ``/zh-hant/`` page is the converted page: a
cached traditional page costs no conversion.
"""

from csp.constants import UNSAFE_INLINE
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.urls import reverse
from django.utils.cache import get_conditional_response, get_max_age, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from articles.public_changes import page_tags

from . import pagecache
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
    """Serve anonymous readers' GET/HEAD requests for public pages from the page store.

    First in ``MIDDLEWARE``: a stored page is the response as every other middleware left it,
    security headers and content security policy included, so a hit runs none of them — it
    costs less than a static file, which goes through them all. Requests for static files pass
    straight on; so do requests the security middleware would redirect to HTTPS.

    Anonymous means no session cookie (a logged-in user always has one) and no flash-message
    cookie: such requests are answered from the store before the session, locale and
    authentication middleware run. The key (:class:`~hitech_portal.pagecache.PageLookup`) is
    the language, whether the reader takes gzip, the scheme, the ``Origin`` of a cross-origin
    request (CORS headers), the path and the known query parameters; the entry records the
    page's tags (what it shows, :func:`articles.public_changes.page_tags`) with their
    versions, so a write retires exactly the pages that show what it changed. HEAD is answered
    from the GET entry (and a HEAD miss fills it).

    HTTP caching: stored pages carry an ``ETag`` (made by ``ConditionalGetMiddleware`` further
    in) and the time they were rendered as ``Last-Modified``, and a conditional request for one
    is answered 304. ``Cache-Control`` lets browsers revalidate every time (``max-age=0``) and a
    CDN keep the page ``CDN_CACHE_SECONDS`` (``s-maxage``, plus ``stale-while-revalidate``):
    exact invalidation stays here, where an editor's save retires pages at once.

    Never stored: requests with unknown query parameters (answered from the entry without them
    when there is one), responses other than 200, responses that set a cookie, touch the session
    or the CSRF token, carry a CSP nonce, or say ``private``/``no-cache``/``no-store``/
    ``max-age=0`` (``never_cache`` previews, the health check), pages rendered while a write
    went on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            not seconds
            or request.method not in ("GET", "HEAD")
            or request.path_info.startswith(settings.STATIC_URL)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or CookieStorage.cookie_name in request.COOKIES
            or (settings.SECURE_SSL_REDIRECT and not request.is_secure())
        ):
            return self.get_response(request)
        lookup = pagecache.PageLookup(request)
        response = lookup.get()
        if response is not None:
            return self._answer(request, response)
        if not lookup.storable:
            return self.get_response(request)
        generation = pagecache.current_generation()
        with pagecache.recording() as shown:
            response = self.get_response(request)
        if self._cacheable(request, response):
            timeout = pagecache.keep_seconds(seconds)
            if not response.has_header("Last-Modified"):  # feeds give their newest item's
                response["Last-Modified"] = http_date()
            self._public(response, timeout)
            lookup.set(response, timeout, page_tags(request, shown), generation)
        return response

    @staticmethod
    def _answer(request, response):
        modified = parse_http_date_safe(response.get("Last-Modified", ""))
        conditional = get_conditional_response(
            request, etag=response.get("ETag"), last_modified=modified, response=response
        )
        if conditional is not response:
            return conditional
        if request.method == "HEAD":
            response.content = b""  # headers (Content-Length included) as for GET
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
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-cache", "no-store")):
            return False
        if "'nonce-" in response.get("Content-Security-Policy", ""):  # one reader's
            return False
        return get_max_age(response) != 0

    @staticmethod
    def _public(response, timeout: int) -> None:
        shared = min(settings.CDN_CACHE_SECONDS, timeout)
        patch_cache_control(
            response, public=True, max_age=0, s_maxage=shared, stale_while_revalidate=shared
        )
