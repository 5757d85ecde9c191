"""Everything after collection, offline: findings, cost model, diagrams (``awsassess analyze``).

Reads a snapshot and writes, into the account folder::

    findings.json, findings.csv      rules (with monthly savings from the cost model)
    analysis.pkl                     the same findings and model, cached for the notebooks (keyed by
                                     snapshot manifest + assumptions + version; recomputed if stale)
    costs.csv, model.json            current vs proposed cost, pipeline-time model, migration plan
    diagrams/current.png|svg, proposed.png|svg (+ per-VPC pages on large estates)

No AWS call is made: the snapshot holds everything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from awsassess.assumptions import Assumptions, resolve
from awsassess.snapshot import Snapshot


def analyze(
    snapshot_dir: str | os.PathLike[str],
    account_dir: str | os.PathLike[str],
    assumptions: Assumptions | dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Run rules, cost model and diagrams on one snapshot; return the files written."""
    from awsassess.architecture import current_graph, proposed_graph, render
    from awsassess.findings import write_findings
    from awsassess.model import write_model
    from awsassess.notebook import compute_analysis, save_analysis

    snapshot = Snapshot.load(snapshot_dir)
    out = Path(account_dir)
    out.mkdir(parents=True, exist_ok=True)
    chosen = resolve(assumptions)

    findings, model = compute_analysis(snapshot, chosen)
    written: dict[str, Path] = {"analysis_cache": save_analysis(out, snapshot, chosen, findings, model)}
    written.update(_as_paths("findings", write_findings(findings, out)))
    written.update(_as_paths("model", write_model(model, out)))

    diagrams = out / "diagrams"
    diagrams.mkdir(exist_ok=True)
    written.update(_as_paths("current", render(current_graph(snapshot), diagrams / "current")))
    written.update(_as_paths("proposed", render(proposed_graph(snapshot, model.proposed), diagrams / "proposed")))
    return written


def _as_paths(prefix: str, value: Any) -> dict[str, Path]:
    if isinstance(value, dict):
        return {f"{prefix}.{k}": Path(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return {f"{prefix}.{i}": Path(v) for i, v in enumerate(value)}
    if value is None:
        return {}
    return {prefix: Path(value)}
