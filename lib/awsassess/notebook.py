"""What every notebook's first code cell calls: ``ctx = open_context(snapshot_dir, account_dir, assumptions)``.

With no arguments in JupyterLab started by ``awsassess lab`` it opens the session's run and account
(:mod:`awsassess.lab.session`: chosen once, in 00_summary's picker or on the command line) with the
delivered assumptions and the session's what-if on top; elsewhere it points at the latest demo
snapshot, ``outputs/demo/fintech-production/snapshot``, or ``$AWSASSESS_SNAPSHOT``. In batch runs
papermill injects the three parameters, which always win.

Every notebook, the executive summary and the appendix included, shows the context's live analysis
(``ctx.findings``, ``ctx.model``, ``ctx.results``): computed from the snapshot and the parameters'
assumptions, never read back from the account folder, so changing an assumption changes every section
of one report alike. In a batch the kernel computes what analyze computed (same snapshot, assumptions,
code and price cache: :func:`analysis_key`), so the notebooks show the figures of the files on disk.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from awsassess.assumptions import Assumptions, resolve
from awsassess.layout import AccountFolder, RunFolder, demo_run_dir
from awsassess.snapshot import Snapshot, SnapshotError

if TYPE_CHECKING:
    from awsassess.model import CostModel

DEFAULT_ACCOUNT = "fintech-production"


def default_snapshot_dir() -> Path:
    """``$AWSASSESS_SNAPSHOT``, else the demo's production account (``outputs/demo/fintech-production/snapshot``)."""
    env = os.environ.get("AWSASSESS_SNAPSHOT")
    if env:
        return Path(env)
    return RunFolder(demo_run_dir()).account(DEFAULT_ACCOUNT).snapshot


@dataclass
class Context:
    """The account a notebook looks at: its snapshot, output folder and assumptions."""

    snapshot: Snapshot
    account_dir: Path
    assumptions: Assumptions
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    #: where the notebook writes what it draws (diagrams): the account folder in a batch; in JupyterLab
    #: (``awsassess lab``) the session's scratch folder, so exploring never overwrites a delivered file
    scratch_dir: Path | None = None
    #: in JupyterLab: the assumptions the delivered report was made with (the what-if badge compares)
    delivered: Assumptions | None = None
    #: in JupyterLab: the session's run and account (:class:`awsassess.lab.session.LabChoice`)
    lab: Any = None

    @property
    def write_dir(self) -> Path:
        """The folder drawings are written to: the scratch folder in JupyterLab, else the account folder."""
        return self.scratch_dir if self.scratch_dir is not None else self.account_dir

    @property
    def is_whatif(self) -> bool:
        """True when these assumptions differ from the delivered report's (only ever in JupyterLab)."""
        return self.delivered is not None and self.delivered != self.assumptions

    @cached_property
    def _analysis(self) -> tuple[list[Any], CostModel]:
        """(findings, cost model), computed here from the snapshot (once per process and key, see
        :func:`analysis_for`); nothing is read back from the output folder."""
        return analysis_for(self.snapshot, self.assumptions)

    @property
    def folder(self) -> AccountFolder:
        """The account folder (:class:`awsassess.layout.AccountFolder`): where diagrams are written and the
        delivered files are listed from; figures are never read back from it."""
        return AccountFolder(self.account_dir)

    @property
    def findings(self) -> list[Any]:
        """All findings, with savings attached from the cost model."""
        return self._analysis[0]

    @property
    def model(self) -> CostModel:
        """The cost model: current vs proposed, pipeline time, migration plan."""
        return self._analysis[1]

    def findings_for(self, domain: str) -> list[Any]:
        return [f for f in self.findings if f.domain == domain]

    @cached_property
    def results(self) -> Any:
        """What the executive summary and the appendix show (:class:`awsassess.report.summary.Results`:
        findings, cost lines, model summary, unpriced items) of this live analysis: the same figures as
        ``ctx.findings`` and ``ctx.model``, in the shape :meth:`~awsassess.report.summary.Results.read`
        gives the files analyze wrote."""
        from awsassess.report.summary import Results

        return Results.of_analysis(self.findings, self.model)

    @property
    def progress(self) -> dict[str, Any] | None:
        """The account's ``progress.json`` against a baseline run (``awsassess verify`` / ``run --baseline``),
        None when it was never verified. Read from the folder: progress compares two runs' delivered results."""
        from awsassess.verify import read_progress

        return read_progress(self.folder)

    @cached_property
    def iac_kit(self) -> Any:
        """The exit kit of this live analysis (:class:`awsassess.iac.IacKit`, in memory, nothing written):
        what notebook 80 and the report's "Infrastructure as code" section show."""
        from awsassess.iac import build_kit, proposed_monthly

        production = self.assumptions.shared.is_production(self.snapshot.environment)
        return build_kit(self.model.proposed, self.snapshot, self.model.migration, self.findings,
                         production=production, monthly=proposed_monthly(self.model))


def compute_analysis(snapshot: Snapshot, assumptions: Assumptions) -> tuple[list[Any], CostModel]:
    """Findings (with savings) and the cost model of one snapshot: pure, no AWS call."""
    from awsassess.findings import evaluate
    from awsassess.model import assess, attach_savings

    model = assess(snapshot, assumptions.model)
    return attach_savings(evaluate(snapshot, assumptions.findings), model), model


def price_cache_digest() -> str | None:
    """sha256 of the refreshed price cache the model reads (``prices.csv`` of
    :func:`awsassess.pricing.catalog.default_cache_dir`), None without one."""
    from awsassess.pricing.catalog import CACHE_FILE, default_cache_dir

    try:
        return hashlib.sha256((default_cache_dir() / CACHE_FILE).read_bytes()).hexdigest()
    except OSError:
        return None


def analysis_key(snapshot: Snapshot, assumptions: Assumptions) -> str:
    """What the analysis depends on: the snapshot's manifest, the assumptions, the code (its version
    and :func:`awsassess.codedigest.code_digest`: the version is never bumped, so only the code digest
    makes an upgraded or edited package recompute instead of showing the old code's findings) and the
    price cache (:func:`price_cache_digest`: the batch analyses again, in the same worker, once it has
    fetched missing list prices; with the cache left out of the key that second analysis was the first
    one's memo, and costs.csv kept the estimates the notebooks' kernels no longer had)."""
    from awsassess import __version__, codedigest

    payload = json.dumps([snapshot.manifest, assumptions.model_dump(mode="json"), __version__,
                          codedigest.code_digest(), price_cache_digest()], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class AnalysisMemo:
    """(findings, model) of the analyses this process made, by :func:`analysis_key`; the last few kept.

    No file: an output folder is shared with colleagues and clients, and a cache read from it would be
    code from data (a planted ``analysis.pkl`` ran when a notebook opened the folder). Computing takes
    about 1.7 s on the demo account; a batch worker keeps one warm kernel, so it computes once per
    account and every further notebook of that account takes the memo (module state survives the
    kernel's reset between notebooks).
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._items: dict[str, tuple[list[Any], CostModel]] = {}

    def get(self, key: str) -> tuple[list[Any], CostModel] | None:
        return self._items.get(key)

    def put(self, key: str, value: tuple[list[Any], CostModel]) -> None:
        self._items.pop(key, None)
        self._items[key] = value
        while len(self._items) > self.size:
            self._items.pop(next(iter(self._items)))


MEMO = AnalysisMemo()


def analysis_for(snapshot: Snapshot, assumptions: Assumptions, memo: AnalysisMemo = MEMO) -> tuple[list[Any], CostModel]:
    """(findings, model) of this snapshot and these assumptions: from ``memo`` when this process already
    computed them, else computed (and remembered). The findings are copies: a caller may change them."""
    key = analysis_key(snapshot, assumptions)
    found = memo.get(key)
    if found is None:
        found = compute_analysis(snapshot, assumptions)
        memo.put(key, found)
    findings, model = found
    return [copy.copy(f) for f in findings], model


def open_context(
    snapshot_dir: str | os.PathLike[str] | None = None,
    account_dir: str | os.PathLike[str] | None = None,
    assumptions: dict[str, Any] | None = None,
) -> Context:
    if snapshot_dir is None and account_dir is None:
        from awsassess.lab.mode import session_dir

        session = session_dir()
        if session is not None:  # JupyterLab via `awsassess lab`: the session's choice (papermill passes a snapshot)
            from awsassess.lab.context import lab_context

            return lab_context(session, assumptions or {})
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
    acct_dir = Path(account_dir) if account_dir else AccountFolder.holding(snapshot.path or snap_dir).path
    acct_dir.mkdir(parents=True, exist_ok=True)
    return Context(snapshot=snapshot, account_dir=acct_dir, assumptions=resolve(assumptions))
