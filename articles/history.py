"""The revision model of articles (django-simple-history), recorded once per write.

simple-history writes a historical row on every ``save()``. An article is written in several
steps (the row, then its tags, FAQ entries and links; or in bulk, with no ``save()`` at all), so
its revisions are written by :mod:`articles.revisions` once the whole write is done, through
:mod:`articles.public_changes`, with who, how and the tags as they ended up. Deletions are still
recorded by simple-history itself.
"""

from django.db import models
from simple_history.models import HistoricalRecords


class RevisionInfo(models.Model):
    """What a revision adds to the article's own columns."""

    tag_names = models.TextField("标签", blank=True)
    import_record = models.ForeignKey(
        "hitech_portal.ImportRecord",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="导入",
    )

    class Meta:
        abstract = True


class ArticleHistory(HistoricalRecords):
    """No historical row per ``save()``: :func:`articles.revisions.record` writes one per write."""

    def post_save(self, instance, created, using=None, **kwargs):
        pass
