"""Processes end with the run that started them, and SIGTERM stops a run as Ctrl-C does.

- :func:`exit_when_gone` starts a watchdog thread that ends this process (``os._exit``) once another
  process is gone. Batch and collector workers watch the *driver* (``awsassess run``), whose pid they
  are given: their direct parent is the multiprocessing fork server, and a driver killed with
  ``kill -9`` left 7 processes (1.35 GB, kernels included) running and writing into the folder the next
  ``--resume`` used. Jupyter kernels follow their worker by ipykernel's own parent poller
  (``JPY_PARENT_PID``), the fork server by its alive pipe, estate servers by
  :func:`awsassess.demo.server._die_with_parent`.
  Not ``PR_SET_PDEATHSIG``: Linux sends it when the parent *thread* ends, which kills processes started
  from a worker thread as soon as that thread finishes.
- :func:`sigterm_as_interrupt` makes SIGTERM raise :class:`Terminated` (a ``KeyboardInterrupt``) in the
  main thread, so the batch closes ``run.json`` as ``interrupted`` and ends its workers exactly as after
  Ctrl-C; the CLI then exits 143 (128 + SIGTERM).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

WATCH_INTERVAL_S = 0.5
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143


class Terminated(KeyboardInterrupt):
    """The process was asked to stop with SIGTERM."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else (pid reused): treat as gone only if not ours
        return True
    return True


def exit_when_gone(pid: int, interval: float = WATCH_INTERVAL_S) -> threading.Thread | None:
    """End this process as soon as process ``pid`` no longer exists (checked every ``interval`` s).

    Also ends it when ``pid`` was this process's parent and the parent changed (it died and this
    process was re-parented), which a recycled pid cannot fool. Returns the watchdog thread."""
    if pid <= 1 or pid == os.getpid():
        return None
    was_parent = os.getppid() == pid

    def watch() -> None:
        while True:
            if (was_parent and os.getppid() != pid) or not _alive(pid):
                os._exit(0)
            time.sleep(interval)

    thread = threading.Thread(target=watch, daemon=True, name=f"exit-when-{pid}-gone")
    thread.start()
    return thread


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread (restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
