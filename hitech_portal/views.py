import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe
from django.views.static import serve as static_serve

from articles.models import Article, Category
from indicators.selectors import key_figures

LEAD_STORIES = 7  # the headline and six featured
LATEST = 10
PER_CATEGORY = 5
MOST_READ = 8


@require_safe
def home(request):
    public = Article.objects.published()
    cards = public.for_cards()
    top = list(
        cards.flagged().order_by("-is_pinned", "-is_headline", "-published_at", "-id")[
            :LEAD_STORIES
        ]
    )
    latest = list(cards.newest_first()[:LATEST])
    if not top and latest:
        top = latest[:1]
    context = {
        "lead": top[0] if top else None,
        "featured": top[1:],
        "latest": latest,
        "category_blocks": public.latest_per_category(
            Category.objects.filter(show_in_nav=True), limit=PER_CATEGORY
        ),
        "most_read": list(cards.most_read()[:MOST_READ]),
        "key_figures": key_figures(),
    }
    return render(request, "home.html", context)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /zh-hant/search/",
        "Disallow: /articles/*/view/",
        "Disallow: /zh-hant/articles/*/view/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page links; send them the icon."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


@requires_csrf_token
def server_error(request):
    """The 500 page: no database, no context processors (they may be what failed).

    When what failed is the database being away (stopped, restarting, unreachable), readers get
    a 503 with ``Retry-After`` instead: nothing is broken, and the next request after it returns
    reconnects (``CONN_HEALTH_CHECKS``), with no restart of the app."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        body = loader.get_template("503.html").render({"SITE_NAME": settings.SITE_NAME})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        return response
    template = loader.get_template("500.html")
    body = template.render({"SITE_NAME": settings.SITE_NAME})
    return HttpResponse(body, status=500)


@never_cache
@require_safe
def healthz(request):
    """200 when the database and the cache both answer, 503 otherwise (for load balancers)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not healthy"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error: no read-back"
    except Exception as exc:  # any failure means "not healthy"
        checks["cache"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok"} if healthy else {"status": "error", **checks}
    return JsonResponse(body, status=200 if healthy else 503)


def media(request, path):
    """An uploaded file under MEDIA_ROOT (one machine, local storage: ``SERVE_MEDIA``).

    Django's ``serve`` refuses paths outside MEDIA_ROOT and directory listings, streams the file
    and answers ``If-Modified-Since`` with a 304."""
    return static_serve(request, path, document_root=settings.MEDIA_ROOT)
