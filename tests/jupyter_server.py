"""A real JupyterLab server and the system Chromium for the browser tests (Playwright, no browser download)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# as root, without a sandbox; no background connections (the machine's closed network refuses them)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_profile(home: Path) -> dict[str, str]:
    """The environment of a JupyterLab on a fresh profile in ``home`` (no settings, workspace or trust database
    of the machine's user), outside any ``awsassess lab`` session."""
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "JUPYTER_DATA_DIR": str(home / "data")}
    env.pop("AWSASSESS_LAB", None)
    return env


@contextmanager
def running(args: list[str], env: dict[str, str], port: int, token: str, log_path: Path,
            cwd: Path | None = None) -> Iterator[str]:
    """Start ``args`` (a JupyterLab on ``port``), wait until its API answers (120 s), yield its URL, stop it."""
    with log_path.open("w") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
                    break
                except OSError:
                    if proc.poll() is not None:
                        break
                    time.sleep(0.5)
            else:
                pytest.fail("JupyterLab did not start in 120 s: " + log_path.read_text()[-3000:])
            assert proc.poll() is None, log_path.read_text()[-3000:]
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
