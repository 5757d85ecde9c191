"""SIGTERM stops a run as Ctrl-C does, and `kill -9` of the driver leaves no process behind.

The batch runs real pool workers (fork server, warm kernels) with the test step functions of
test_batch.py; the first account's analyze waits while a SLOW file exists, so the run is mid-step.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from test_batch import _runner_script, load, notebooks, steps_of


def _start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp_path / "out"
    out.mkdir()
    (out / "SLOW-first").touch()
    script = tmp_path / "drive.py"
    script.write_text(_runner_script(out, notebooks(tmp_path, "01_ok")).replace(
        'if __name__ == "__main__":\n',
        'if __name__ == "__main__":\n    from awsassess.lifecycle import sigterm_as_interrupt\n'
        '    import contextlib\n    stack = contextlib.ExitStack(); stack.enter_context(sigterm_as_interrupt())\n'))
    proc = subprocess.Popen([sys.executable, str(script)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline:
        run = json.loads((out / "run.json").read_text()) if (out / "run.json").exists() else None
        if run and steps_of(run, "first")["analyze"]["status"] == "running":
            return proc, out
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]  # type: ignore[union-attr]
        time.sleep(0.05)
    raise AssertionError("the run never reached its slow step")


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _gone(procs: list[psutil.Process], timeout: float) -> list[str]:
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    return [" ".join(p.cmdline()[:4]) for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
def test_sigterm_is_handled_like_ctrl_c(tmp_path: Path) -> None:
    proc, out = _start(tmp_path)
    children = _descendants(proc.pid)
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    run = load(out)
    assert run["status"] == "interrupted" and run["ended"] is not None
    assert steps_of(run, "first")["analyze"]["status"] == "failed"
    assert _gone(children, 20) == []


@pytest.mark.slow
def test_kill_9_of_the_driver_leaves_no_worker_or_kernel_running(tmp_path: Path) -> None:
    proc, out = _start(tmp_path)
    children = _descendants(proc.pid)
    assert children, "the run has worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    left = _gone(children, 30)
    for p in children:  # clean up whatever a failure left
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    assert left == [], f"processes of the killed run still alive: {left}"
