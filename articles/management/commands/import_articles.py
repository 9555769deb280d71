"""``manage.py import_articles FILE [--dry-run] [--encoding …] [--on-error abort|skip]``"""

from articles.importing import ArticleImporter
from hitech_portal.imports.command import ImportCommand


class Command(ImportCommand):
    help = "从 CSV 或 XLSX 文件批量导入文章（列名可用中文或英文）；有错误时默认不写入任何数据"
    importer = ArticleImporter
