from django.conf import settings

from articles.models import Category


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        # Lazy: costs its one query only on pages that render the navigation.
        "nav_categories": Category.objects.filter(show_in_nav=True),
    }
