"""Where an image is used: as an article's cover, or in an article's body.

Articles are the one thing that shows library images, so this module reads them (through the app
registry: ``articles`` depends on this app, not the other way round). A body refers to an image
by its URL, which always contains the stored name (``images/2026/11/<hash>.jpg``), whichever
storage serves it; that name is unique, so a substring match finds exactly its uses.
"""

from django.apps import apps
from django.db.models import IntegerField, OuterRef, Q, Subquery


def _articles():
    return apps.get_model("articles", "Article")._base_manager


def articles_using(images) -> list:
    """The articles (any state) that show any of ``images``, or whose change waiting for review
    would show one (a 主编 approving it must find the picture), newest first; one query."""
    condition = Q()
    for image in images:
        condition |= Q(cover_image=image.pk) | Q(body__contains=image.file.name)
        condition |= Q(pending_change__values__cover_image=image.pk)
        condition |= Q(pending_change__values__body__icontains=image.file.name)
    if not condition:
        return []
    articles = _articles().filter(condition).distinct()
    return list(articles.only("id", "title", "status").order_by("-id"))


class _Count(Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) _uses)"
    output_field = IntegerField()


def with_use_count(queryset):
    """``uses`` on each image: how many articles show it (a subquery, not a query per row)."""
    using = _articles().filter(Q(cover_image=OuterRef("pk")) | Q(body__contains=OuterRef("file")))
    return queryset.annotate(uses=_Count(using.order_by().values("pk")))
