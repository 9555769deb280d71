from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "hitech_portal"
    verbose_name = "门户"

    def ready(self):
        from . import chinese  # noqa: F401 - registers the OPENCC_PROFILE check
        from .roles import ensure_groups
        from .traditional import reset_language

        # After every migrate (and test database creation), once permissions exist.
        post_migrate.connect(ensure_groups, dispatch_uid="hitech_portal.ensure_groups")
        request_finished.connect(reset_language, dispatch_uid="hitech_portal.reset_language")
