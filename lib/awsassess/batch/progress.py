"""Rich progress for a batch: one overall bar (steps of all accounts) and a bar per account in flight.

Quiet when stderr is not a terminal or ``enabled`` is False. A failed step prints one line above the bars.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

FINAL = ("ok", "failed", "skipped")


class BatchProgress:
    def __init__(self, accounts: list[tuple[str, int]], enabled: bool = True, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self.bars = Progress(TextColumn("[bold]{task.fields[label]}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), TextColumn("{task.description}"), console=self.console,
                             disable=not self.enabled, transient=False)
        self.totals = dict(accounts)
        self.overall: TaskID | None = None
        self.rows: dict[str, TaskID] = {}
        self.done: dict[str, int] = {name: 0 for name, _ in accounts}

    def __enter__(self) -> BatchProgress:
        if self.enabled:
            self.bars.start()
            self.overall = self.bars.add_task("", total=sum(self.totals.values()) + 1, label="all accounts")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.bars.stop()

    def account(self, name: str, steps: list[dict[str, Any]]) -> None:
        if not self.enabled:
            return
        finished = sum(1 for s in steps if s.get("status") in FINAL)
        running = [s["step"] for s in steps if s.get("status") == "running"]
        if name not in self.rows:
            self.rows[name] = self.bars.add_task("", total=self.totals.get(name, len(steps)), label=name)
        self.bars.update(self.rows[name], completed=finished, description=", ".join(running),
                         visible=finished < len(steps))
        self._advance(name, finished)

    def failed(self, name: str, record: dict[str, Any]) -> None:
        if not self.enabled:
            return
        err = record.get("error") or {}
        first = (err.get("message") or "").splitlines()[:1]
        self.bars.console.print(f"[red]failed[/] {name} {record['step']}: {err.get('type', '')} "
                                f"{first[0] if first else ''}", highlight=False)

    def run_step(self, record: dict[str, Any]) -> None:
        if self.enabled and record.get("status") in FINAL:
            self._advance("", 1)

    def _advance(self, name: str, finished: int) -> None:
        if self.overall is None:
            return
        self.done[name] = finished
        self.bars.update(self.overall, completed=sum(self.done.values()))
