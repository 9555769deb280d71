from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("category/<slug:slug>/", views.CategoryArticleListView.as_view(), name="category"),
    path("articles/<int:pk>/", views.article_detail, name="detail"),
    path("tags/<slug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("search/", views.search, name="search"),
]
