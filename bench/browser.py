"""A real Glassnet server and a real headless Chromium, for the browser tests and the UI benchmarks."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("no Chromium found: install Debian's `chromium` package (the CI script does)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run dashboard/app.py` as `make run` starts it, on a free port, with its own workspace.

    `script` serves another app the same way (from the repository root, with its .streamlit/config.toml);
    `env` adds to the server's environment."""

    def __init__(self, home: Path, script: str = "dashboard/app.py", env: dict | None = None):
        self.home = Path(home)
        self.script = script
        self.env = dict(env or {})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> float:
        """Start and wait until healthy; returns the seconds it took."""
        env = {**os.environ, "GLASSNET_HOME": str(self.home), "GLASSNET_STANDBY": "1", **self.env}
        self.log = open(self.home / "server.log", "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", self.script,
                                      "--server.address", "127.0.0.1", "--server.port", str(self.port)],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = t0 + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                pass
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"streamlit did not start: {(self.home / 'server.log').read_text()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        self.proc = None


@contextmanager
def chromium():
    """A Playwright browser on Debian's Chromium (Playwright's own browser download is not used)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
