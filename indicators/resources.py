"""Glue only: the admin's import screens run the observation engine (hitech_portal.imports)."""

from hitech_portal.imports.admin import EngineResource

from .importing import ObservationImporter


class ObservationResource(EngineResource):
    importer = ObservationImporter
    display_name = "观测值"
