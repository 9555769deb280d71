"""Glue only: the admin's import/export screens run the article engine (see importadmin)."""

from hitech_portal.importadmin import EngineResource

from .importing import COLUMNS, ArticleImporter


class ArticleResource(EngineResource):
    columns = COLUMNS
    importer = ArticleImporter
    command = "import_articles"
    display_name = "文章"
