"""Collection: read-only inventory of one account into a :class:`~awsassess.snapshot.Snapshot`.

``collect_account(params, out_dir, progress=None) -> Snapshot`` is the entry point. The domain
collectors are the modules named in :data:`COLLECTOR_MODULES` (see :mod:`awsassess.collect.contract`
for how to write one); a module that does not exist yet is skipped.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from awsassess.collect.account import collect_account
from awsassess.collect.context import Context
from awsassess.collect.contract import CORE_OPERATIONS, CollectionError, Collector, UndeclaredOperationError

log = logging.getLogger("awsassess.collect")

# Run order does not matter inside a phase; modules declare PHASE themselves.
COLLECTOR_MODULES: tuple[str, ...] = (
    "network", "compute", "pipelines", "datastores", "cdn", "stacks", "metrics", "spend",
)


def load_collectors(names: Sequence[str] | None = None, *, strict: bool = False) -> list[Collector]:
    """The registered collectors (or only ``names``), skipping modules that do not exist yet.

    A registered module that exists but is not a collector yet (no ``OPERATIONS`` or no
    ``collect``/``collect_global``) is skipped with a warning, unless ``strict`` or ``names`` is given.
    """
    out = []
    for name in names or COLLECTOR_MODULES:
        modname = f"{__name__}.{name}"
        try:
            module = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            if exc.name != modname:
                raise
            if names:
                raise
            log.debug("collector module %s not present; skipped", modname)
            continue
        try:
            out.append(Collector.from_module(module))
        except TypeError as exc:
            if strict or names:
                raise
            log.warning("collector module %s skipped: %s", modname, exc)
    return out


# Calls outside the collectors with the audit role, declared here so the guard and the IAM policy see
# them: the Price List look-ups of prices the offline catalog lacks (awsassess.analyze.fetch_missing_prices).
EXTRA_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("pricing", "GetProducts"), ("pricing", "DescribeServices"), ("pricing", "GetAttributeValues"),
)


def all_operations(collectors: Sequence[Collector] | None = None) -> list[tuple[str, str]]:
    """Every (service, operation) awsassess may call with the audit role: the framework's, the Price
    List's and all collectors'."""
    ops = set(CORE_OPERATIONS) | set(EXTRA_OPERATIONS)
    for c in collectors if collectors is not None else load_collectors():
        ops.update(c.operations)
    return sorted(ops)


@contextmanager
def rich_progress(**progress_kwargs: Any) -> Iterator[Callable[[str, int, int, str], None]]:
    """A ``progress`` callback drawing one rich progress bar per account::

        with rich_progress() as progress:
            collect_account(params, out_dir, progress=progress)
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[step]}"), TimeElapsedColumn(), **progress_kwargs)
    tasks: dict[str, Any] = {}

    def callback(account: str, done: int, total: int, message: str) -> None:
        if account not in tasks:
            tasks[account] = bars.add_task(account, total=total, step="")
        bars.update(tasks[account], completed=done, total=total, step=message)

    with bars:
        yield callback


__all__ = [
    "COLLECTOR_MODULES", "CollectionError", "Collector", "Context", "UndeclaredOperationError",
    "all_operations", "collect_account", "load_collectors", "rich_progress",
]
