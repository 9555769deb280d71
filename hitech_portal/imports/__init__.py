"""Bulk import from editors' spreadsheets, shared by every kind of row (articles, observations).

- :mod:`.tables` reads CSV and XLSX files as they come from Chinese offices;
- :mod:`.cells` reads one cell: text, the formula guard, dates;
- :mod:`.engine` runs an importer over a table (:func:`~.engine.run_import`, the one entry point);
- :mod:`.report` is what comes back: errors with their row and column, and every row's outcome;
- :mod:`.command` and :mod:`.admin` put the engine behind ``manage.py import_…`` and the admin's
  upload → preview → confirm screens.
"""
