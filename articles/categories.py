"""The 13 categories of the source site, in its navigation order.

Migration ``0002_categories`` creates them with a copy of this list made when it was written
(migrations are history and never import app code); the demo loader and the tests use this one.
"""

from .models import Category

#: (name, slug), in the source site's navigation order.
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


def ensure_categories() -> dict[str, Category]:
    """Create whichever of the 13 is missing (by slug; existing ones untouched); all by slug."""
    for order, (name, slug) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "sort_order": order * 10, "show_in_nav": True}
        )
    return {category.slug: category for category in Category.objects.all()}
