"""The 13 categories of the source site, in its navigation order."""

from django.db import migrations

CATEGORIES = [
    ("高新院新闻", "institute-news"),
    ("政策解读", "policy"),
    ("高新区新闻", "zone-news"),
    ("区域经济研究", "regional-economy"),
    ("经济开发区新闻", "development-zone-news"),
    ("科技创新", "innovation"),
    ("战略性新兴产业研究", "emerging-industries"),
    ("行业洞见", "insights"),
    ("一带一路新闻", "belt-and-road"),
    ("智慧城市案例", "smart-city-cases"),
    ("产业规划", "industry-planning"),
    ("园区规划", "park-planning"),
    ("智慧城市news", "smart-city-news"),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("articles", "Category")
    for order, (name, slug) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "sort_order": order * 10, "show_in_nav": True}
        )


def remove_categories(apps, schema_editor):
    Category = apps.get_model("articles", "Category")
    Category.objects.filter(slug__in=[slug for _, slug in CATEGORIES], articles=None).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_categories, remove_categories)]
