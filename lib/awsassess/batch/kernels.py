"""Warm kernels: a worker keeps one IPython kernel and runs its notebooks in it, one after another.

Papermill's default starts a new kernel per notebook: on the 2-core reference machine that is 1.5-2 s
to start it plus ~1.5 s to import pandas, matplotlib and awsassess, more than most of our notebooks take
to run. A :class:`WarmKernel` keeps the kernel and, before each notebook, runs a silent prelude that

- empties the namespace and the history and restarts cell numbers at 1 (IPython's
  ``reset(new_session=True)``), so a notebook sees no variable of the one before;
- closes matplotlib figures left open;
- changes the working directory to the notebook's (papermill's ``cwd``).

Imported modules stay loaded: that is the saving. It is safe for notebooks that keep their state in
variables, as ours do (they call awsassess functions, which keep none); a notebook that changes a
module's global state (``pd.set_option``, monkey-patching) would leak it to the next one.

A notebook that fails in any way (an error in a cell, a timeout, the kernel died) discards the kernel:
the next notebook gets a new one, so no half-finished state is ever reused. The kernel is also replaced
after ``max_uses`` notebooks to bound slow leaks.

It runs through papermill's Python API: :func:`execute_notebook` is ``papermill.execute_notebook``
with the engine ``awsassess-warm`` registered here, which hands nbclient the running kernel manager.
The output notebook is written once at the end (papermill's default rewrites it after every cell,
which cost 0.3-0.9 s per demo notebook, more than some notebooks' cells), and also when a timeout or
a dead kernel interrupts the run, so a failed notebook is always kept for diagnosis.
"""

from __future__ import annotations

import atexit
import contextlib
import json
from pathlib import Path
from typing import Any

ENGINE_NAME = "awsassess-warm"
# no input history database: a batch kernel never recalls it, and IPython writes every cell (and each
# reset) to SQLite otherwise
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]
DEFAULT_MAX_USES = 100


def prelude(cwd: str | None) -> str:
    """The code run silently before each notebook (see the module docstring)."""
    lines = [
        "get_ipython().reset(new_session=True)",
        "__import__('sys').modules.get('matplotlib.pyplot') and __import__('matplotlib.pyplot').pyplot.close('all')",
    ]
    if cwd:
        lines.append(f"__import__('os').chdir({json.dumps(str(cwd))})")
    return "\n".join(lines)


class WarmKernel:
    """One kernel kept alive across notebooks in this process (not thread-safe: one notebook at a time)."""

    def __init__(self, kernel_name: str = "python3", max_uses: int = DEFAULT_MAX_USES) -> None:
        self.kernel_name = kernel_name
        self.max_uses = max_uses
        self._km: Any = None
        self.uses = 0
        self.started = 0  # kernels started so far (for tests and benchmarks)
        atexit.register(self.close)

    def manager(self) -> Any:
        """The running kernel's manager: the kept one when alive and not worn out, else a new one."""
        from jupyter_core.utils import run_sync

        if self._km is not None and (self.uses >= self.max_uses or not run_sync(self._km.is_alive)()):
            self.close()
        if self._km is None:
            from jupyter_client.manager import AsyncKernelManager

            km = AsyncKernelManager(kernel_name=self.kernel_name)
            run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS)
            self._km, self.uses = km, 0
            self.started += 1
        self.uses += 1
        return self._km

    def discard(self) -> None:
        """Shut the kernel down (after a failure): the next notebook starts a new one."""
        self.close()

    def close(self) -> None:
        km, self._km = self._km, None
        if km is None:
            return
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(km.cleanup_resources)()

    @property
    def pid(self) -> int | None:
        """The kernel process id, when one is running."""
        provisioner = getattr(self._km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)


def _register_engine() -> None:
    from nbclient.exceptions import CellExecutionError
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from traitlets import Unicode

    class WarmNotebookClient(PapermillNotebookClient):
        """papermill's client, with the prelude run silently once the kernel client is connected."""

        prelude = Unicode("")

        def papermill_execute_cells(self) -> None:
            if self.prelude:
                msg_id = self.kc.execute(self.prelude, silent=True, store_history=False, allow_stdin=False)
                reply = self.wait_for_reply(msg_id)
                content = (reply or {}).get("content", {})
                if content.get("status") != "ok":
                    raise CellExecutionError(
                        f"the warm kernel could not be reset: {content.get('ename')}: {content.get('evalue')}",
                        content.get("ename", ""), content.get("evalue", ""))
            super().papermill_execute_cells()

    class WarmKernelEngine(NBClientEngine):
        """Runs the notebook on ``warm_kernel`` (a :class:`WarmKernel`) instead of a new kernel."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None, start_timeout: int = 60,
                                     execution_timeout: float | None = None, **kwargs: Any) -> Any:
            warm: WarmKernel = kwargs.pop("warm_kernel")
            cwd = kwargs.pop("warm_cwd", None)
            output = kwargs.pop("warm_output", None)
            kwargs.pop("input_path", None)
            client = WarmNotebookClient(
                nb_man, km=warm.manager(), prelude=prelude(cwd), timeout=execution_timeout,
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
            try:
                return client.execute()
            except BaseException:
                # papermill writes the output only at the end (saving after every cell cost more than
                # the cells); a timeout or a dead kernel ends here. Keep what ran for diagnosis: with an
                # output path, papermill's own final step (notebook_complete, in its engine's `finally`
                # just after this) saves the notebook, with its end time, duration and cell statuses.
                if output:
                    nb_man.output_path = output
                raise
            finally:
                # nbclient keeps a borrowed kernel running; we close its client and forget its exit hook
                atexit.unregister(client._cleanup_kernel)
                if client.kc is not None:
                    with contextlib.suppress(Exception):
                        client.kc.stop_channels()

    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


def execute_notebook(kernel: WarmKernel | None, source: Any, output: str | Path, *, cwd: str | Path,
                     **papermill_kwargs: Any) -> Any:
    """``papermill.execute_notebook`` on ``kernel`` (a warm one), or on a new kernel when it is None."""
    import papermill as pm
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    if kernel is None:
        return pm.execute_notebook(source, str(output), cwd=str(cwd), **papermill_kwargs)
    try:
        papermill_engines.get_engine(ENGINE_NAME)
    except PapermillException:
        _register_engine()
    try:
        return pm.execute_notebook(source, str(output), cwd=str(cwd), engine_name=ENGINE_NAME,
                                   request_save_on_cell_execute=False, warm_kernel=kernel,
                                   warm_cwd=str(Path(cwd).resolve()), warm_output=str(output), **papermill_kwargs)
    except BaseException:
        kernel.discard()
        raise
