from django.contrib import admin

from hitech_portal.importadmin import EngineImportMixin

from .models import Observation
from .resources import ObservationResource


@admin.register(Observation)
class ObservationAdmin(EngineImportMixin, admin.ModelAdmin):
    resource_classes = [ObservationResource]
    list_display = ["indicator", "period", "region", "value"]
    list_filter = ["indicator", "region"]
