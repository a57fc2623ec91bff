"""`make lab` starts JupyterLab on notebooks/ and registers the "KM workbook" kernel."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

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


def test_make_lab_serves_the_notebooks_with_the_km_workbook_kernel(tmp_path):
    port = _free_port()
    environment = {
        **os.environ,
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter"),  # the kernel registers here, not in ~
        "JUPYTER_TOKEN": TOKEN,
        "LAB_ARGS": f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0",
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
        kernel = specs["kernelspecs"]["km-workbook"]["spec"]
        assert kernel["display_name"] == "KM workbook"
        contents = _get(f"http://127.0.0.1:{port}/api/contents")
        assert {"tambon_report.ipynb", "overview_report.ipynb"} <= {
            item["name"] for item in contents["content"]}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
