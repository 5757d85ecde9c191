"""Progress of a batch: Rich bars on a terminal, plain lines elsewhere, and the final table.

On a terminal: one overall bar (steps of all accounts) and a bar per account in flight; a failed step
prints one line above the bars. Off a terminal (CI, cron, nohup): one plain line per finished step on
stderr, so a log shows the run going. ``enabled=False`` is silent. Text from AWS, paths and errors is
never read as Rich markup (``[/x]`` in an error message once crashed a whole batch).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

FINAL = ("ok", "failed", "skipped")


class BatchProgress:
    def __init__(self, accounts: list[tuple[str, int]], enabled: bool = True, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self.plain = enabled and not self.console.is_terminal  # plain lines instead of bars
        self._printed: set[tuple[str, str]] = set()
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
        if self.plain:
            self._plain_lines(name, steps)
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
        self.bars.console.print(f"[red]failed[/] {escape(name)} {escape(str(record['step']))}: "
                                f"{escape(str(err.get('type', '')))} {escape(first[0]) if first else ''}",
                                highlight=False)

    def _plain_lines(self, name: str, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            key = (name, str(step.get("step")))
            status = step.get("status")
            if status not in FINAL or key in self._printed:
                continue
            self._printed.add(key)
            took = f" ({step['duration_s']:.1f} s)" if isinstance(step.get("duration_s"), int | float) else ""
            extra = ""
            if status == "failed":
                extra = ": " + ((step.get("error") or {}).get("message") or "").split("\n")[0][:300]
            elif status == "skipped":
                extra = f": {step.get('reason') or ''}"
            elif step.get("problems"):
                extra = f": partial, {len(step['problems'])} read error(s); first: {step['problems'][0][:300]}"
            self.console.print(f"[awsassess] {name} {key[1]} {status}{took}{extra}", markup=False,
                               highlight=False, soft_wrap=True)

    def run_step(self, record: dict[str, Any]) -> None:
        if self.enabled and record.get("status") in FINAL:
            self._advance("", 1)

    def _advance(self, name: str, finished: int) -> None:
        if self.overall is None:
            return
        self.done[name] = finished
        self.bars.update(self.overall, completed=sum(self.done.values()))


def account_problems(acct: dict[str, Any]) -> list[str]:
    """What went wrong for one account of a run.json: ``step failed: message`` and each read error."""
    out: list[str] = []
    for step in acct.get("steps", []):
        if step.get("status") == "failed":
            message = ((step.get("error") or {}).get("message") or "").splitlines()[:1]
            out.append(f"{step.get('step')} failed: {' '.join(message)}")
        out.extend(str(p) for p in step.get("problems") or [])
    return out


def run_table(run: dict[str, Any]) -> Any:
    """The final table of a run (run.json's content): each account's status, what went wrong, its report."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="awsassess run")
    for col in ("account", "status", "what is missing", "report"):
        table.add_column(col, overflow="fold")
    for acct in run.get("accounts", []):
        found = account_problems(acct)
        missing = [p[:200] for p in found[:4]]
        if len(found) > 4:
            missing.append(f"... and {len(found) - 4} more (run.json)")
        report = next((s.get("outputs", {}).get("html") or s.get("outputs", {}).get("output")
                       for s in acct.get("steps", []) if s.get("kind") == "report" and s.get("status") == "ok"), None)
        status = str(acct.get("status", "?"))
        style = {"ok": "green", "partial": "yellow", "failed": "red"}.get(status, "")
        table.add_row(Text(str(acct.get("name", ""))), Text(status, style=style), Text("\n".join(missing) or "-"),
                      Text(str(report or "-")))
    return table
