"""Records in: the schema, reading CSV files and workbooks, parsing, the rules, the snapshot.

`load_records(path)` is the door; the modules behind it are `schema` (what the tables hold,
declared once), `sources` (files and sheets to raw text), `load` (raw text to typed frames),
`rules` (the checks across rows and tables) and `snapshot` (validated records as Parquet).
"""

from importlib import import_module

__all__ = ["Records", "load_records"]


# Imported on first use: the scope module imports `records.schema`, and `records.load`
# imports the scope module, so this package must not import `load` when it is entered.
def __getattr__(name: str):
    if name in __all__:
        return getattr(import_module(f"{__name__}.load"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
