"""The layout holds: each room imports only what docs/architecture.md allows, no module grows
past 800 lines, importing changes no global state, and the repository stands alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "km_analysis"
MAX_LINES = 800

# The table of docs/architecture.md: room -> the rooms it may import. Re-export modules kept
# for analysts' old imports (metrics, kmtools, ...) may import the room they re-export.
ALLOWED = {
    "errors": set(),
    "locations": set(),
    "thai": set(),
    "frames": {"thai", "errors"},
    "records": {"errors", "locations", "thai", "frames", "scope", "provenance"},
    "scope": {"errors", "thai", "frames", "records"},
    "measures": {"errors", "thai", "frames", "scope", "records"},
    "charts": {"errors", "thai", "frames"},
    "report": {"errors", "locations", "thai", "frames", "records", "scope", "measures",
               "charts", "provenance"},
    "provenance": {"locations", "scope", "records"},
    "batch": {"errors", "scope", "provenance", "records", "measures", "report"},
    "cli": {"errors", "thai", "scope", "records", "measures", "provenance", "batch",
            "report"},
    "launch": {"cli", "report"},
}
REEXPORTS = {"metrics": "measures", "kmtools": "measures", "sections": "report",
             "schema": "records", "snapshot": "records", "synth": "records"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _room(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imported_rooms(path: Path) -> set[str]:
    """Return the rooms of the package that `path` imports (relative or absolute)."""
    here = path.relative_to(PACKAGE).parent.parts
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(here[: len(here) - (node.level - 1)])
                target = base + (node.module.split(".") if node.module else [])
                names = [target] if target else [[alias.name] for alias in node.names]
            elif node.module and node.module.startswith("km_analysis"):
                names = [node.module.split(".")[1:]]
            else:
                continue
            rooms |= {n[0] for n in names if n and n[0] != "__version__"}
        elif isinstance(node, ast.Import):
            rooms |= {alias.name.split(".")[1] for alias in node.names
                      if alias.name.startswith("km_analysis.")}
    return rooms


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_room_imports_only_what_the_architecture_allows(path):
    room = _room(path)
    if room == "__init__.py" or room == "__init__":
        return  # the package's door re-exports the public names
    allowed = ALLOWED.get(room, {REEXPORTS.get(room)})
    outside = _imported_rooms(path) - allowed - {room}
    assert not outside, f"{path.relative_to(ROOT)} imports {sorted(outside)}: not allowed " \
                        f"for the room {room!r} (docs/architecture.md)"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_800_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by concept"


def test_every_room_of_the_package_is_in_the_architecture_table():
    rooms = {_room(p) for p in _modules()} - {"__init__"}
    assert rooms <= set(ALLOWED) | set(REEXPORTS)


def test_importing_the_package_changes_no_global_state():
    probe = (
        "import sys, matplotlib\n"
        "before = dict(matplotlib.rcParams); modules = set(sys.modules)\n"
        "import km_analysis, km_analysis.charts, km_analysis.report.sections, km_analysis.cli\n"
        "import km_analysis.report.render, km_analysis.batch\n"
        "assert dict(matplotlib.rcParams) == before, 'rcParams changed'\n"
        "stubbed = [m for m, v in sys.modules.items() if v is None and m not in modules]\n"
        "assert not stubbed, f'sys.modules stubbed: {stubbed}'\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr


# The team's brief lies beside the repository; nothing in the product may point to it.
OUTSIDE_PATTERNS = ("../shared", "ARCHITECTURE.md", "seed/field-notes", "DOMAIN.md", "STYLE.md")


def test_nothing_outside_tests_refers_to_a_file_outside_the_repository():
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    offenders = []
    for name in listed.stdout.splitlines():
        path = ROOT / name
        if name.startswith("tests/") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{name}: {p}" for p in OUTSIDE_PATTERNS if p in text]
    assert offenders == []
