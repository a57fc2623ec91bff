"""A report's kernel: started ahead of its notebook, named for its process, always removed.

This module is light (jupyter_client, no nbconvert or WeasyPrint), so that `km report` starts
the kernel first and loads the records while the kernel starts: Python, IPython and the
package's imports in the kernel overlap the loading and checking in this process.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import default

from .. import locations
from ..errors import ReportError
from .outputs import process_gone

KERNEL = "python3"

# A kernel's files, in the temporary folder: its IPC sockets <name>-1 … <name>-5, its
# connection file <name>.json and its own messages <name>.log, where <name> is
# km-kernel-<pid>-<hex>, the pid being the rendering process's. A render removes its kernel's
# files however it ends; the files of a killed render are removed by the next render, once no
# process of that pid runs.
KERNEL_PREFIX = "km-kernel-"
_KERNEL_FILE = re.compile(rf"{KERNEL_PREFIX}(\d+)-[0-9a-f]{{12}}(?:-\d+|\.json|\.log)")
_launched: dict[str, subprocess.Popen] = {}  # kernel name → its process, until it is stopped


def kernel_name() -> Path:
    """Return a new name for a kernel's files (see KERNEL_PREFIX), owned by this process."""
    return Path(tempfile.gettempdir()) / f"{KERNEL_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"


class LocalKernelManager(AsyncKernelManager):
    """A kernel on IPC sockets: nothing listens on a TCP port while a report runs.

    Each kernel gets file names of its own (`kernel_name`): parallel reports start kernels in
    the same folder, and jupyter_client's default IPC names would collide between processes.
    The kernel's own output (its log, its warnings when stopped) goes to <name>.log, not to
    the terminal: a report's errors are one line.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._clients: list = []

    def client(self, **kwargs):
        """Return a client of the kernel (nbclient makes one a notebook), kept to be stopped."""
        client = super().client(**kwargs)
        self._clients.append(client)
        return client

    def stop_clients(self) -> None:
        """Stop the clients nbclient left open: it stops only those of kernels it owns."""
        while self._clients:
            self._clients.pop().stop_channels()

    async def _async_wait(self, pollinterval: float = 0.005) -> None:
        # A killed kernel is gone within milliseconds; jupyter_client polls every 0.1 s, and
        # that wait was a tenth of a second of every report.
        await super()._async_wait(pollinterval=pollinterval)

    @default("transport")
    def _transport_default(self):
        return "ipc"

    @default("ip")
    def _ip_default(self):
        return str(kernel_name())

    @default("connection_file")
    def _connection_file_default(self):
        return f"{self.ip}.json"

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        # Ctrl-C between starting the kernel and noting its process would leave a kernel
        # that end_kernel cannot stop, writing its files after they were removed.
        with _signals_held(), open(f"{self.ip}.log", "ab") as log:  # the kernel has a copy
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            await super()._async_launch_kernel(kernel_cmd, **kw)
            process = getattr(self.provisioner, "process", None)
            if process is not None:
                _launched[self.ip] = process


@contextlib.contextmanager
def _signals_held():
    """Hold Ctrl-C and SIGTERM until the block ends, then deliver them (in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are handled in the main thread only
        return
    held: list[int] = []
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    previous = {number: handler for number, handler in previous.items() if handler is not None}
    for number in previous:
        signal.signal(number, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(held):
            signal.raise_signal(number)


def end_kernel(name: Path) -> None:
    """Stop the kernel of `name` if it still runs, and remove its files.

    nbclient shuts a kernel down and removes its sockets and connection file when the notebook
    ends, fails or is interrupted while running, but not when interrupted while the kernel
    starts; this is the rest, whatever happened.
    """
    process = _launched.pop(str(name), None)
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()
    for path in name.parent.glob(f"{name.name}*"):
        path.unlink(missing_ok=True)


def remove_stale_kernel_files(folder: Path | None = None) -> list[Path]:
    """Remove the kernel files of renders whose process no longer runs; return them."""
    folder = Path(folder) if folder is not None else Path(tempfile.gettempdir())
    removed = []
    for path in folder.glob(f"{KERNEL_PREFIX}*"):
        match = _KERNEL_FILE.fullmatch(path.name)
        if match and process_gone(int(match[1])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def last_line(path: Path) -> str:
    """Return the last line of a kernel's log, or "" when it said nothing."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip() if lines else ""


# Run silently in the kernel, as expressions that bind no name (see kernelstate.py).
WARM_UP = '__import__("km_analysis.report.kernelstate", fromlist=["warm_up"]).warm_up()'
PREPARE_DRAWINGS = ('__import__("km_analysis.report.kernelstate", fromlist=["prepare_drawings"])'
                    ".prepare_drawings()")
RESTORE = '__import__("km_analysis.report.kernelstate", fromlist=["restore"]).restore()'
# As nbclient starts its own kernels: no IPython history database shared by parallel kernels.
IN_MEMORY_HISTORY = "--HistoryManager.hist_file=:memory:"


class StartedKernel:
    """A kernel started for a report, in the notebooks' folder; `close` stops it.

    papermill runs the notebook on it (`km=`), after which nbclient leaves the kernel to its
    owner: `close` stops it and removes its files however the report ended, also when the
    records were refused and no notebook ran. The warm-up runs silently and out of history,
    so the notebook's execution counts start at 1 and its outputs are a fresh kernel's.
    A batch's worker reuses its kernel: `restore` resets it as kernelstate.py lists.
    A kernel that will draw (`draws`, or `prepare_drawings` once that is known) imports the
    drawing code while it waits for its notebook.
    """

    def __init__(self, cwd: Path | None = None, draws: bool = False):
        self.manager = LocalKernelManager(kernel_name=KERNEL)
        self.name = Path(self.manager.ip)
        self._client: BlockingKernelClient | None = None
        self._drawings_prepared = False
        try:
            run_sync(self.manager.start_kernel)(cwd=str(cwd or notebooks_folder()),
                                                extra_arguments=[IN_MEMORY_HISTORY])
            self._client = BlockingKernelClient()
            self._client.load_connection_info(self.manager.get_connection_info())
            # The shell channel only: nothing would read the notebook's output on the others.
            self._client.start_channels(iopub=False, stdin=False, hb=False, control=False)
            self._client.execute(WARM_UP, silent=True, store_history=False)
            if draws:
                self.prepare_drawings()
        except BaseException:
            self.close()
            raise

    def prepare_drawings(self) -> None:
        """Ask the kernel to import the drawing code next (once; see kernelstate.py)."""
        if self._client is not None and not self._drawings_prepared:
            self._client.execute(PREPARE_DRAWINGS, silent=True, store_history=False)
            self._drawings_prepared = True

    def restore(self, timeout: float = 60) -> None:
        """Reset the kernel to its state after the warm-up, for another report; ReportError
        if it cannot be (the kernel died, or the reset failed): then close it."""
        self.manager.stop_clients()
        if self._client is None or not run_sync(self.manager.is_alive)():
            raise ReportError("the kernel kept for the next report no longer runs")
        asked = self._client.execute(RESTORE, silent=True, store_history=False)
        while True:  # the warm-up's replies come first
            try:
                reply = self._client.get_shell_msg(timeout=timeout)
            except queue.Empty:
                raise ReportError("the kernel kept for the next report did not answer") from None
            if reply["parent_header"].get("msg_id") == asked:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise ReportError("the kernel kept for the next report could not be reset: "
                              f"{content.get('ename')}: {content.get('evalue')}")

    @property
    def log(self) -> Path:
        """The kernel's own messages (see LocalKernelManager)."""
        return self.name.with_name(f"{self.name.name}.log")

    def close(self) -> None:
        """Stop the kernel (if it runs) and remove its files; closing twice does nothing."""
        if self._client is not None:
            self._client.stop_channels()
            self._client = None
        if self.manager.has_kernel:
            with contextlib.suppress(Exception):  # a kernel that already died is stopped
                run_sync(self.manager.shutdown_kernel)(now=True)
        self.manager.stop_clients()
        end_kernel(self.name)

    def __enter__(self) -> StartedKernel:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def notebooks_folder() -> Path:
    """Return the folder of the report notebooks (the kernel's working folder)."""
    return notebook_path("tambon_report.ipynb").parent


def notebook_path(name: str) -> Path:
    """Return the path of a report notebook: the project's notebooks/, or the installed copy."""
    path = locations.notebook_path(name)
    if path is not None:
        return path
    raise ReportError(f"the notebook {name} is missing from notebooks/ and from {sys.prefix}")
