from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "内容"

    def ready(self):
        from . import public_changes

        # Every save and delete is followed by the search index and the page cache.
        public_changes.connect()
