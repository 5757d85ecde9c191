"""What every notebook's first code cell calls: ``ctx = open_context(snapshot_dir, account_dir, assumptions)``.

With no arguments (a consultant opening a notebook in JupyterLab and pressing Run All), it points at
the latest demo snapshot, ``outputs/demo/fintech-production/snapshot``, or ``$AWSASSESS_SNAPSHOT``.
In batch runs papermill injects the three parameters.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from awsassess.assumptions import Assumptions, resolve
from awsassess.snapshot import Snapshot, SnapshotError

DEFAULT_ACCOUNT = "fintech-production"


def repo_root() -> Path:
    """The checkout holding ``lib/awsassess`` (editable install), else the current directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "notebooks").is_dir() and (parent / "lib" / "awsassess").is_dir():
            return parent
    return Path.cwd()


def default_snapshot_dir() -> Path:
    env = os.environ.get("AWSASSESS_SNAPSHOT")
    if env:
        return Path(env)
    return repo_root() / "outputs" / "demo" / DEFAULT_ACCOUNT / "snapshot"


@dataclass
class Context:
    """The account a notebook looks at: its snapshot, output folder and assumptions."""

    snapshot: Snapshot
    account_dir: Path
    assumptions: Assumptions
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def findings(self) -> list[Any]:
        """All findings, with savings attached from the cost model."""
        from awsassess.findings import evaluate
        from awsassess.model import attach_savings

        found = evaluate(self.snapshot, self.assumptions.findings)
        return attach_savings(found, self.model)

    @cached_property
    def model(self) -> Any:
        """The cost model: current vs proposed, pipeline time, migration plan."""
        from awsassess.model import assess

        return assess(self.snapshot, self.assumptions.model)

    def findings_for(self, domain: str) -> list[Any]:
        return [f for f in self.findings if f.domain == domain]


def open_context(
    snapshot_dir: str | os.PathLike[str] | None = None,
    account_dir: str | os.PathLike[str] | None = None,
    assumptions: dict[str, Any] | None = None,
) -> Context:
    snap_dir = Path(snapshot_dir) if snapshot_dir else default_snapshot_dir()
    try:
        snapshot = Snapshot.load(snap_dir)
    except SnapshotError as exc:
        if snapshot_dir is None:
            raise SnapshotError(
                f"{exc}\nNo snapshot was given and the demo one is missing. Fix: run `make demo` once, "
                "or set the notebook parameter snapshot_dir to DIR/<name>/snapshot."
            ) from None
        raise
    acct_dir = Path(account_dir) if account_dir else Path(snapshot.path or snap_dir).parent
    acct_dir.mkdir(parents=True, exist_ok=True)
    return Context(snapshot=snapshot, account_dir=acct_dir, assumptions=resolve(assumptions))
