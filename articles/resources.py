"""Glue only: the admin's import/export screens run the article engine (hitech_portal.imports)."""

from hitech_portal.imports.admin import EngineResource

from .importing import ArticleImporter


class ArticleResource(EngineResource):
    importer = ArticleImporter
    display_name = "文章"
