from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from articles.models import Article, Category
from indicators.selectors import key_figures


def home(request):
    latest = Article.objects.published().select_related("category")[:20]
    categories = Category.objects.filter(show_in_nav=True)
    return render(
        request,
        "home.html",
        {"latest": latest, "categories": categories, "key_figures": key_figures()},
    )


@never_cache
def healthz(request):
    """200 when the database and the cache both answer, 503 otherwise (for load balancers)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error: no read-back"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok"} if healthy else {"status": "error", **checks}
    return JsonResponse(body, status=200 if healthy else 503)
