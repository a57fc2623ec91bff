"""Records in: the schema, reading CSV files and workbooks, parsing, the rules, the snapshot.

`load_records(path)` is the door; the modules behind it are `schema` (what the tables hold,
declared once), `sources` (files and sheets to raw text), `load` (raw text to typed frames),
`rules` (the checks across rows and tables) and `snapshot` (validated records as Parquet).
"""

from .load import Records, load_records

__all__ = ["Records", "load_records"]
