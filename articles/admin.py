from django.contrib import admin

from hitech_portal.importadmin import EngineImportExportMixin

from .exporting import export_articles
from .models import Article
from .resources import ArticleResource


@admin.register(Article)
class ArticleAdmin(EngineImportExportMixin, admin.ModelAdmin):
    resource_classes = [ArticleResource]
    exporter = export_articles
    list_display = ["title", "category", "status", "published_at"]
    list_filter = ["status", "category"]
    search_fields = ["title", "source"]
