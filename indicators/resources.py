"""Glue only: the admin's import screens run the observation engine (see importadmin)."""

from hitech_portal.importadmin import EngineResource

from .importing import COLUMNS, ObservationImporter


class ObservationResource(EngineResource):
    columns = COLUMNS
    importer = ObservationImporter
    command = "import_observations"
    display_name = "观测值"
