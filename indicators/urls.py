from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    # Before "<slug>/": a slug never contains a dot, but keep the specific pattern first.
    path("<slug:slug>.csv", views.indicator_csv, name="csv"),
    path("<slug:slug>/", views.indicator_detail, name="detail"),
    path("<slug:slug>/embed/", views.indicator_embed, name="embed"),
]
