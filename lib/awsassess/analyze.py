"""Everything after collection, offline: findings, cost model, diagrams (``awsassess analyze``).

Reads a snapshot and writes, into the account folder::

    findings.json, findings.csv      rules (with monthly savings from the cost model)
    costs.csv, model.json            current vs proposed cost, pipeline-time model, migration plan
    diagrams/current.png|svg, proposed.png|svg (+ per-VPC pages on large estates)

No AWS call is made: the snapshot holds everything. (After it, ``awsassess run`` and ``analyze
--params`` may ask the Price List API for the prices it estimated or left unpriced, and analyse again
when some were found: :func:`fetch_missing_prices`.)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from awsassess.assumptions import Assumptions, resolve
from awsassess.layout import AccountFolder
from awsassess.snapshot import Snapshot

log = logging.getLogger(__name__)


def analyze(
    snapshot_dir: str | os.PathLike[str],
    account_dir: str | os.PathLike[str],
    assumptions: Assumptions | dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Run rules, cost model and diagrams on one snapshot; return the files written."""
    from awsassess.architecture import current_graph, proposed_graph, render
    from awsassess.findings import write_findings
    from awsassess.model import write_model
    from awsassess.notebook import analysis_for

    snapshot = Snapshot.load(snapshot_dir)
    out = AccountFolder.of(account_dir)
    out.path.mkdir(parents=True, exist_ok=True)
    chosen = resolve(assumptions)

    findings, model = analysis_for(snapshot, chosen)  # no cache file: notebooks recompute (never unpickle)
    written: dict[str, Path] = {}
    written.update(_as_paths("findings", write_findings(findings, out.path)))  # findings.json, findings.csv
    written.update(_as_paths("model", write_model(model, out.path)))  # costs.csv, model.json

    out.diagrams.mkdir(exist_ok=True)
    written.update(_as_paths("current", render(current_graph(snapshot), out.diagram("current"))))
    written.update(_as_paths("proposed", render(proposed_graph(snapshot, model.proposed), out.diagram("proposed"))))
    # the exit kit: Terraform and GitHub Actions of the proposal, checked offline (a failure of the generator
    # is written into iac/README.md and the report, never fatal to the analysis)
    from awsassess.iac import checks_wanted, write_for_analysis

    write_for_analysis(snapshot, out.iac, findings, model, production=chosen.shared.is_production(snapshot.environment),
                       run_checks=checks_wanted())
    written["iac"] = out.iac_readme
    return written


def _as_paths(prefix: str, value: Any) -> dict[str, Path]:
    if isinstance(value, dict):
        return {f"{prefix}.{k}": Path(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return {f"{prefix}.{i}": Path(v) for i, v in enumerate(value)}
    if value is None:
        return {}
    return {prefix: Path(value)}


def fetch_missing_prices(account_dir: str | os.PathLike[str], params: Any,
                         cache_dir: str | os.PathLike[str] | None = None) -> Any:
    """Ask the Price List API for the prices an analysis had to estimate or leave unpriced; cache them.

    Reads ``costs.csv`` of the analysis just written in ``account_dir``: the price keys of its
    ``estimated`` and unpriced lines are asked for with the account's own credentials
    (``pricing:GetProducts``, read-only, in the guard and the generated IAM policy) and merged into the
    price cache (:func:`awsassess.pricing.catalog.default_cache_dir`), which every later account of the run
    reads. Returns the :class:`~awsassess.pricing.refresh.RefreshResult` (re-analyse when its ``refreshed``
    is not empty), or None when every line had a list price. Never raises: without permission or network
    the lines stay estimated or unpriced, and the reason is logged. The common case (nothing missing)
    costs one CSV read, not a second model.
    """
    from awsassess.pricing.catalog import MissingPrice
    from awsassess.pricing.refresh import fetch_missing

    try:
        costs = AccountFolder.of(account_dir).read_costs()
        lines = costs[(costs["confidence"].astype(str) == "estimated") | costs["unit_price_usd"].isna()]
        wanted = [tuple(str(k).split("/", 2)) for k in dict.fromkeys(lines["price_key"]) if str(k).count("/") >= 2]
        if not wanted:
            return None
        from awsassess.aws import session_for

        client = session_for(params).client("pricing", "us-east-1")
        result = fetch_missing([MissingPrice(*w) for w in wanted], client=client, cache_dir=cache_dir)
        log.info("%s: %s", getattr(params, "name", ""), result)
        return result
    except Exception as exc:  # noqa: BLE001 - prices stay estimated/unpriced; the analysis stands
        log.warning("price look-up skipped for %s: %s: %s", getattr(params, "name", ""), type(exc).__name__, exc)
        return None
