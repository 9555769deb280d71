"""``manage.py import_observations FILE [--dry-run] [--encoding …] [--on-error abort|skip]``"""

from hitech_portal.imports.command import ImportCommand
from indicators.importing import ObservationImporter


class Command(ImportCommand):
    help = "从 CSV 或 XLSX 文件导入指标观测值（列：指标、期间、地区、数值、备注、来源文章）"
    importer = ObservationImporter
