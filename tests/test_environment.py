"""environment.yml (conda users) and pyproject.toml (pip users) ask for the same packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _environment_packages() -> set[str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names = set()
    for entry in environment["dependencies"]:
        entries = entry["pip"] if isinstance(entry, dict) else [entry]
        names |= {_name(e) for e in entries if not e.startswith("-")}
    return names - {"python", "pip"}


def test_environment_yml_lists_the_runtime_dependencies_of_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = {_name(r) for r in pyproject["project"]["dependencies"]}
    assert _environment_packages() == runtime


def test_lock_file_pins_every_runtime_dependency():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = {
        _name(line) for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line
    }
    missing = {_name(r) for r in pyproject["project"]["dependencies"]} - pinned
    assert not missing
