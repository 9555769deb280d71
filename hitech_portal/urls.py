from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularAPIView

from articles.sitemaps import ArticleSitemap, CategorySitemap, TagSitemap
from indicators.sitemaps import IndicatorSitemap

from . import views

admin.site.site_header = f"{settings.SITE_NAME} · 编辑后台"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "内容管理"

sitemaps = {
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "indicators": IndicatorSitemap,
}

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "sitemap.xml",
        require_safe(sitemap_views.index),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        require_safe(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

# The public site, in simplified at / and in traditional at /zh-hant/ (hitech_portal.traditional).
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("", include("articles.urls")),
    path("indicators/", include("indicators.urls")),
    path("api/", include("api.urls")),
    prefix_default_language=False,
)

handler500 = "hitech_portal.views.server_error"

if settings.SERVE_MEDIA:
    # Uploaded images on one machine, DEBUG or not (README "Production"; nginx may do it instead
    # with SERVE_MEDIA=False). ``serve`` refuses paths outside MEDIA_ROOT and directory listings,
    # and answers If-Modified-Since; with S3 storage the files never come through here.
    urlpatterns += [re_path(r"^media/(?P<path>.+)$", views.media, name="media")]
