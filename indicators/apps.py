from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "数据"

    def ready(self):
        from articles import public_changes

        from .models import Indicator, IndicatorLink, Observation

        # Figures show on the home, article and indicator pages: retire cached copies on writes.
        public_changes.shown_on_pages(Indicator, Observation, IndicatorLink)
