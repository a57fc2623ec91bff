"""The project's exceptions and the problems found in records.

A problem is a value with fields; it becomes text once, at the edge that talks to the user
(the CLI, or ``str()`` of the exception an analyst sees in a notebook).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in the records, located as the user sees it."""

    level: Level
    table: str
    file: str  # the CSV file, or "workbook.xlsx [sheet]"
    row: int | None  # spreadsheet row (header = 1); None for a whole file or table
    column: str | None
    value: str  # the value as typed
    expected: str
    scope: str | None = None  # the tambon slug it belongs to; None = province-wide
    kind: str = ""  # a short name of the check, for messages in other languages (the report)

    def where(self) -> str:
        """Return 'file, row N, column C' as far as it is known."""
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = f" {self.value!r}:" if self.value != "" else ""
        return f"{self.level}: {self.where()}:{value} expected {self.expected}"


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    """Return the problems of level error."""
    return [p for p in problems if p.level == "error"]


class KmError(Exception):
    """Base of every error this package raises on purpose; the CLI prints it without a traceback."""

    exit_code = 1


class UsageError(KmError):
    """A request that cannot be carried out as asked (unknown tambon, bad option, missing path)."""

    exit_code = 2


class SourceError(UsageError):
    """The records path does not exist or is not a kind of source the loader reads."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class RecordsError(KmError):
    """The records hold errors; carries every problem found, errors and warnings alike."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__()

    @property
    def errors(self) -> list[Problem]:
        """Return the problems of level error (the warnings left out)."""
        return errors_in(self.problems)

    def __str__(self) -> str:
        errors = self.errors
        lines = [f"the records have {len(errors)} error(s):"]
        lines += [f"  {p}" for p in errors]
        return "\n".join(lines)


class ReportError(KmError):
    """A report could not be rendered; the message says which step and why."""


class FetchRefused(KmError, ValueError):
    """A resource the report may not fetch: only data: URIs and the package's own files.

    A ValueError too, the kind WeasyPrint's URL fetchers raise for a URL they do not serve.
    """

    def __init__(self, url: str):
        self.url = url
        super().__init__(f"the report does not fetch {url}")


class TextLayerError(KmError):
    """The PDF is not shaped as the text-layer fix relies on: says where, what, and what not."""

    def __init__(self, where: str, found: str, expected: str):
        self.where = where
        self.found = found
        self.expected = expected
        super().__init__(where, found, expected)

    def __str__(self) -> str:
        return (f"cannot fix the PDF text layer: {self.where}: found {self.found}, "
                f"expected {self.expected}")
