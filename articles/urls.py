from django.urls import path
from django.views.decorators.http import require_safe

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("category/<slug:slug>/", views.CategoryArticleListView.as_view(), name="category"),
    path("category/<slug:slug>/feed.xml", require_safe(feeds.CategoryFeed()), name="category_feed"),
    path("articles/<int:pk>/", views.article_detail, name="detail"),
    path("articles/<int:pk>/view/", views.count_view, name="count_view"),
    path("articles/<int:pk>/qr.svg", views.article_qr, name="qr"),
    path("tags/<slug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("feeds/latest.xml", require_safe(feeds.LatestArticlesFeed()), name="latest_feed"),
    path("search/", views.search, name="search"),
]
