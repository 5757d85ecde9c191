"""Rich progress bars for long work (collection, batch runs); silent when stderr is not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

ProgressFn = Callable[[str, int, int, str], None]


@contextmanager
def account_progress(label: str, console: Console | None = None) -> Iterator[ProgressFn]:
    """Yield a ``progress(account, done, total, message)`` callback drawing one bar per account."""
    console = console or Console(stderr=True)
    bars = Progress(TextColumn("[bold]{task.fields[account]}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("{task.description}"), console=console,
                    disable=not console.is_terminal, transient=False)
    tasks: dict[str, int] = {}

    def update(account: str, done: int, total: int, message: str) -> None:
        if account not in tasks:
            tasks[account] = bars.add_task(message, total=total or None, account=account or label)
        bars.update(tasks[account], completed=done, total=total or None, description=message)

    with bars:
        yield update
