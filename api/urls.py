from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="articles"),
    path("articles/<int:pk>/", views.ArticleDetail.as_view(), name="article"),
    path("categories/", views.CategoryList.as_view(), name="categories"),
    path("tags/", views.TagList.as_view(), name="tags"),
    path("indicators/", views.IndicatorList.as_view(), name="indicators"),
    path(
        "indicators/<slug:slug>/observations/",
        views.ObservationList.as_view(),
        name="observations",
    ),
]
