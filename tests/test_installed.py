"""A plain (non-editable) `pip install` of the project renders a report on its own.

The installed copy has no notebooks/ beside the package and no .git: it must find the
notebooks in `<prefix>/share/km-workbook`, fingerprint the same code as the checkout, and
report no git commit. The venv is built offline: it sees .venv's dependencies through a .pth
file, and the package is built without build isolation by .venv's setuptools.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import DEMO_DATA, ROOT

pytestmark = pytest.mark.slow

# What the build reads: pyproject.toml names the readme, the package and the data files.
BUILD_INPUTS = ("pyproject.toml", "README.md", "requirements.lock", "km_analysis", "notebooks")
CHECKOUT_PYTHON = sys.executable  # .venv's python: imports the checkout (editable install)


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout=300):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _python_says(python: str, code: str, cwd: Path, env: dict[str, str] | None = None) -> dict:
    result = _run([python, "-c", code], cwd, env, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


_PROBE = """
import json
from km_analysis import locations, provenance
print(json.dumps({
    "package": str(locations.PACKAGE_DIR),
    "notebook": str(locations.notebook_path("tambon_report.ipynb")),
    "code_fingerprint": provenance.code_fingerprint(),
    "git_commit": provenance.git_commit(),
}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """Install the working tree into a fresh venv; return its paths and an environment."""
    base = tmp_path_factory.mktemp("installed")
    # pip builds in the source folder (build/, *.egg-info): build a copy, not the checkout.
    source = base / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(ROOT / name, source / name)
    checkout = _python_says(CHECKOUT_PYTHON, _PROBE, ROOT)

    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                base).stdout.strip()
    # Appended after the venv's own site-packages: the installed km_analysis comes first, and
    # .venv's editable finder (a .pth of its own) is not run.
    Path(site, "_checkout_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {k: v for k, v in os.environ.items()
           if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # nbconvert's own templates (lab, base) live in .venv's share/jupyter, not in this venv's.
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    # pip is .venv's, found through the .pth; --ignore-installed: .venv's editable
    # km-analysis is visible too and must not be "upgraded".
    result = _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                   "--no-deps", "--no-build-isolation", "--no-index", "--ignore-installed",
                   str(source)], base, env)
    assert result.returncode == 0, result.stdout + result.stderr
    outside = base / "elsewhere"  # the working directory: outside the repository
    outside.mkdir()
    probe = _python_says(str(python), _PROBE, outside, env)
    return {"venv": venv, "env": env, "cwd": outside, "base": base,
            "checkout": checkout, "probe": probe}


@pytest.fixture(scope="module")
def report(installed) -> dict:
    """Render bangjak's report with the installed `km`, from outside the repository."""
    out = installed["base"] / "reports"
    result = _run([str(installed["venv"] / "bin" / "km"), "report", "bangjak",
                   "--data", str(DEMO_DATA), "--out", str(out)],
                  installed["cwd"], installed["env"], timeout=600)
    return {"result": result, "pdfs": sorted(out.glob("*/bangjak/*.pdf"))}


def test_the_installed_copy_is_not_the_checkout(installed):
    probe = installed["probe"]
    assert Path(probe["package"]).is_relative_to(installed["venv"])
    assert Path(probe["notebook"]) == (
        installed["venv"] / "share" / "km-workbook" / "tambon_report.ipynb")


def test_installed_km_report_writes_the_pdf(report):
    result = report["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(report["pdfs"]) == 1
    text = "".join(page.extract_text() for page in PdfReader(report["pdfs"][0]).pages)
    assert "บางจาก" in text


def test_the_report_ran_the_installed_notebook(installed, report):
    assert report["pdfs"], report["result"].stderr
    executed = report["pdfs"][0].with_suffix(".ipynb")
    metadata = json.loads(executed.read_text(encoding="utf-8"))["metadata"]["papermill"]
    assert Path(metadata["input_path"]) == (
        installed["venv"] / "share" / "km-workbook" / "tambon_report.ipynb")


def test_installed_copy_fingerprints_the_same_code_as_the_checkout(installed):
    probe = installed["probe"]
    assert probe["code_fingerprint"] == installed["checkout"]["code_fingerprint"]


def test_installed_copy_reports_no_git_commit(installed, report):
    probe = installed["probe"]
    assert probe["git_commit"] is None
    assert installed["checkout"]["git_commit"] is not None  # the checkout does have one
    assert report["pdfs"], report["result"].stderr
    provenance = json.loads((report["pdfs"][0].parent / "provenance.json").read_text())
    assert provenance["software"]["git_commit"] is None
