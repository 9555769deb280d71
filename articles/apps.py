from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "内容"

    def ready(self):
        from images.models import Image

        from . import public_changes

        # Every save and delete is followed by the search index and the page cache.
        public_changes.connect()
        # A library image's words, focal point and renditions show on the pages that use it.
        public_changes.shown_on_pages(Image)
