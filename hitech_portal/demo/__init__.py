"""Demo content: the two source pages as articles, the figures they quote, generated articles.

- :mod:`.generator` makes deterministic Chinese news articles (no Django needed:
  ``python -m hitech_portal.demo --csv out.csv --rows 100000`` writes an import spreadsheet);
- :mod:`.phrases` is the generator's vocabulary, :mod:`.seeds` reads the source pages in ``data/``;
- :mod:`.loading` writes it all through the import engine (``manage.py load_demo``).
"""

from .generator import COLUMNS, URL_TEMPLATE, as_row, generate_articles, write_csv

__all__ = ["COLUMNS", "URL_TEMPLATE", "as_row", "generate_articles", "write_csv"]
