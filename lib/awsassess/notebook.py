"""What every notebook's first code cell calls: ``ctx = open_context(snapshot_dir, account_dir, assumptions)``.

With no arguments (a consultant opening a notebook in JupyterLab and pressing Run All), it points at
the latest demo snapshot, ``outputs/demo/fintech-production/snapshot``, or ``$AWSASSESS_SNAPSHOT``.
In batch runs papermill injects the three parameters.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from awsassess.assumptions import Assumptions, resolve
from awsassess.snapshot import Snapshot, SnapshotError

DEFAULT_ACCOUNT = "fintech-production"
ANALYSIS_CACHE = "analysis.pkl"


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
    def _analysis(self) -> tuple[list[Any], Any]:
        """(findings, cost model): from the analyze step's cache when it matches, else computed here."""
        cached = load_analysis(self.account_dir, self.snapshot, self.assumptions)
        if cached is not None:
            return cached
        return compute_analysis(self.snapshot, self.assumptions)

    @property
    def findings(self) -> list[Any]:
        """All findings, with savings attached from the cost model."""
        return self._analysis[0]

    @property
    def model(self) -> Any:
        """The cost model: current vs proposed, pipeline time, migration plan."""
        return self._analysis[1]

    def findings_for(self, domain: str) -> list[Any]:
        return [f for f in self.findings if f.domain == domain]


def compute_analysis(snapshot: Snapshot, assumptions: Assumptions) -> tuple[list[Any], Any]:
    """Findings (with savings) and the cost model of one snapshot: pure, no AWS call."""
    from awsassess.findings import evaluate
    from awsassess.model import assess, attach_savings

    model = assess(snapshot, assumptions.model)
    return attach_savings(evaluate(snapshot, assumptions.findings), model), model


def analysis_key(snapshot: Snapshot, assumptions: Assumptions) -> str:
    """What the analysis depends on: the snapshot's manifest, the assumptions and the code (its version
    and :func:`awsassess.codedigest.code_digest`: the version is never bumped, so only the code digest
    makes an upgraded or edited package recompute instead of showing the old code's findings)."""
    from awsassess import __version__, codedigest

    payload = json.dumps([snapshot.manifest, assumptions.model_dump(mode="json"), __version__,
                          codedigest.code_digest()], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def save_analysis(account_dir: Path, snapshot: Snapshot, assumptions: Assumptions,
                  findings: list[Any], model: Any) -> Path:
    """Cache the analyze step's results so each notebook shows them instead of recomputing them."""
    path = Path(account_dir) / ANALYSIS_CACHE
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump({"key": analysis_key(snapshot, assumptions), "findings": findings, "model": model}, fh)
    tmp.replace(path)
    return path


def load_analysis(account_dir: Path, snapshot: Snapshot, assumptions: Assumptions) -> tuple[list[Any], Any] | None:
    """The cached (findings, model) if it was made from this very snapshot and these assumptions."""
    path = Path(account_dir) / ANALYSIS_CACHE
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            data = pickle.load(fh)
    except Exception:  # a cache from another version of the code: recompute
        return None
    if data.get("key") != analysis_key(snapshot, assumptions):
        return None
    return data["findings"], data["model"]


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
