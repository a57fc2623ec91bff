"""`make lab` starts JupyterLab on notebooks/ and registers the "KM workbook" kernel.

The second test is the analysts' side: Debian's Chromium, driven by playwright, opens the
guided tour in JupyterLab, runs it on the "KM workbook" kernel and reads what the page shows.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from km_analysis import thai

from .conftest import ROOT

pytestmark = pytest.mark.slow  # starts JupyterLab

TOKEN = "km-test-token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> dict | None:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


@contextmanager
def _make_lab(tmp_path: Path) -> Iterator[tuple[int, dict]]:
    """Run `make lab` on a free port; give the port and the kernel specs once it answers.

    JupyterLab's own state goes to tmp_path: the kernel registration, the workspace, the
    checkpoints, and user settings: autosave off, so a browser running the notebooks never
    writes them back.
    The server's whole process group is ended on the way out.
    """
    port = _free_port()
    settings = tmp_path / "lab-settings"
    _write_json(settings / "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings",
                {"autosave": False})
    _write_json(settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})
    # Every cell drawn, not only those on screen: the page is read and scrolled as a whole.
    _write_json(settings / "@jupyterlab/notebook-extension/tracker.jupyterlab-settings",
                {"windowingMode": "none"})
    environment = {
        **os.environ,
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter"),  # the kernel registers here, not in ~
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces"),
        "JUPYTER_TOKEN": TOKEN,
        "LAB_ARGS": f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0"
                    # the checkpoint JupyterLab makes of an opened notebook goes here too
                    f" --FileCheckpoints.checkpoint_dir={tmp_path / 'checkpoints'}",
    }
    server = subprocess.Popen(["make", "-s", "lab"], cwd=ROOT, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        specs = None
        deadline = time.monotonic() + 90
        while specs is None and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.5)
            specs = _get(f"http://127.0.0.1:{port}/api/kernelspecs")
        assert specs is not None, server.stderr.read().decode() if server.poll() else "timeout"
        yield port, specs
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_make_lab_serves_the_notebooks_with_the_km_workbook_kernel(tmp_path):
    with _make_lab(tmp_path) as (port, specs):
        kernel = specs["kernelspecs"]["km-workbook"]["spec"]
        assert kernel["display_name"] == "KM workbook"
        contents = _get(f"http://127.0.0.1:{port}/api/contents")
        assert {"tambon_report.ipynb", "overview_report.ipynb"} <= {
            item["name"] for item in contents["content"]}


def _fonts_conf(tmp_path: Path) -> Path:
    """A fontconfig file: the system's fonts plus the project's Sarabun.

    A Debian machine with only Chromium has no Thai font, and would draw Thai as boxes; the
    analysts' machines have one. The browser gets Sarabun, the font the reports use.
    """
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{thai.sarabun_dir()}</dir>\n"
        f"  <cachedir>{tmp_path / 'fontconfig-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8")
    return conf


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).click()
    page.locator(".lm-Menu-content .lm-Menu-itemLabel", has_text=item).first.click()


def test_an_analyst_runs_the_guided_tour_in_chromium_on_the_km_workbook_kernel(tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (.ci/run: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="playwright is not installed (the test extra: pip install -c requirements.lock "
               "-e '.[test]')")
    notebook = ROOT / "notebooks" / "explore.ipynb"
    before = notebook.read_bytes()
    code_cells = sum(cell["cell_type"] == "code"
                     for cell in json.loads(before)["cells"])

    with _make_lab(tmp_path) as (port, _), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox"],
            env={**os.environ, "FONTCONFIG_FILE": str(_fonts_conf(tmp_path))})
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(f"http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={TOKEN}")
            panel = page.locator(".jp-NotebookPanel:visible")
            panel.locator(".jp-Cell").first.wait_for()

            # The notebook asks for "Python 3"; the analyst switches to the project's kernel.
            _menu(page, "Kernel", "Change Kernel")
            dialog = page.locator(".jp-Dialog")
            dialog.locator("select").select_option(label="KM workbook")
            dialog.get_by_role("button", name="Select").click()
            dialog.wait_for(state="detached")
            kernel_name = panel.locator(".jp-Toolbar-kernelName")
            sync_api.expect(kernel_name).to_have_text("KM workbook")
            sync_api.expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
                "data-status", "idle")

            _menu(page, "Run", "Run All Cells")
            # Run All stops at a cell that fails: wait until no cell is queued or running ([*])
            # after the first has its number.
            page.wait_for_function(
                """selector => {
                    const prompts = [...document.querySelectorAll(selector)]
                        .map(p => p.textContent.trim());
                    return prompts.length > 0 && /^\\[\\d+\\]:$/.test(prompts[0])
                        && !prompts.some(p => p.includes("*"));
                }""",
                arg=".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt",
                timeout=240_000)
            outputs = panel.locator(".jp-OutputArea-output")
            # No traceback, no warning: an error output is drawn as stderr text.
            errors = panel.locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert errors.count() == 0, errors.all_inner_texts()
            # Every code cell ran, in order: [1] … [15].
            numbers = [p.strip() for p in panel.locator(
                ".jp-CodeCell .jp-InputPrompt").all_text_contents()]
            assert numbers == [f"[{n}]:" for n in range(1, code_cells + 1)]

            # Section 2's table: every tambon's measures, headed by the tambons' Thai names.
            progress = outputs.filter(has_text="name_th").filter(has_text="amphoe_th")
            sync_api.expect(progress).to_have_count(1)
            for name in ("บางจาก", "ท่าไร่", "มะม่วงสองต้น"):
                sync_api.expect(progress.locator("th, td", has_text=name).first).to_be_visible()
            # Section 4: a Thai word found, the whole cell shown (typed either way: two tables).
            found = outputs.filter(has_text="ทำบัญชีรายรับรายจ่ายให้เป็นปัจจุบันทุกเดือน")
            assert found.count() >= 2
            # The trend chart, the own chart, the fish and the river: four images, all decoded.
            figures = outputs.locator("img")
            sync_api.expect(figures).to_have_count(4)
            for figure in figures.all():
                assert figure.evaluate("img => img.complete && img.naturalWidth > 0")

            # What the analyst sees, for a person to look at: section 2's table from its Thai
            # heading row, and the river diagram at the end.
            for shown, name in ((progress.locator("tr", has_text="บางจาก").first, "progress"),
                                (figures.last, "river")):
                shown.evaluate("element => element.scrollIntoView({block: 'start'})")
                page.wait_for_timeout(300)
                page.screenshot(path=tmp_path / f"explore-{name}.png")
        finally:
            browser.close()
    # With autosave off, running the tour leaves the notebook file as it was.
    assert notebook.read_bytes() == before
