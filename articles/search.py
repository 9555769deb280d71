"""Chinese full-text search (interface; the index itself is built in the search issue).

Write paths call these so the index stays in step: ``Article.save``/``delete`` per article, the
importer in bulk with the ids it touched.
"""

from collections.abc import Iterable


def index_articles(article_ids: Iterable[int]) -> None:
    """(Re)index the given articles. Interface only until the search index lands."""


def remove_articles(article_ids: Iterable[int]) -> None:
    """Drop the given articles from the index. Interface only until the search index lands."""
