"""Everything after collection, offline: findings, cost model, diagrams (``awsassess analyze``).

Reads a snapshot and writes, into the account folder::

    findings.json, findings.csv      rules (with monthly savings from the cost model)
    costs.csv, model.json            current vs proposed cost, pipeline-time model, migration plan
    diagrams/current.png|svg, proposed.png|svg (+ per-VPC pages on large estates)

No AWS call is made: the snapshot holds everything. (Before it, ``awsassess run`` and ``analyze
--params`` may ask the Price List API for prices the offline catalog lacks: :func:`prefetch_prices`.)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from awsassess.assumptions import Assumptions, resolve
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
    out = Path(account_dir)
    out.mkdir(parents=True, exist_ok=True)
    chosen = resolve(assumptions)

    findings, model = analysis_for(snapshot, chosen)  # no cache file: notebooks recompute (never unpickle)
    written: dict[str, Path] = {}
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


def prefetch_prices(snapshot_dir: str | os.PathLike[str], params: Any,
                    cache_dir: str | os.PathLike[str] | None = None) -> Any:
    """Ask the Price List API for the prices this snapshot needs and the catalog lacks; cache them.

    Prices the offline catalog has no row for in the account's regions (those the model would estimate
    from us-east-1 or leave unpriced) are asked for with the account's own credentials
    (``pricing:GetProducts``, read-only, in the guard and the generated IAM policy) and merged into the
    price cache (:func:`awsassess.pricing.catalog.default_cache_dir`), so the analysis that follows, and
    every later account of the run, uses them. Returns the :class:`~awsassess.pricing.refresh.RefreshResult`,
    or None when nothing was missing. Never raises: without permission or network the lines stay
    estimated or unpriced, and the reason is logged.
    """
    from awsassess.model import assess
    from awsassess.pricing import PriceCatalog
    from awsassess.pricing.refresh import fetch_missing

    try:
        snapshot = Snapshot.load(snapshot_dir)
        catalog = PriceCatalog.load(cache_dir)
        from awsassess.batch.plan import assumptions_of

        model = assess(snapshot, resolve(assumptions_of(params)).model, catalog=catalog)
        wanted: list[tuple[str, ...]] = [(r.service, r.item, r.region) for r in model.prices_used
                                         if r.confidence == "estimated"]
        unpriced = model.lines[model.lines["unit_price_usd"].isna()]
        wanted += [tuple(str(k).split("/", 2)) for k in unpriced["price_key"] if str(k).count("/") >= 2]
        if not wanted:
            return None
        from awsassess.aws import session_for
        from awsassess.pricing.catalog import MissingPrice

        session = session_for(params)
        client = session.client("pricing", "us-east-1")
        result = fetch_missing([MissingPrice(*w) for w in dict.fromkeys(wanted)], client=client,
                               cache_dir=cache_dir)
        log.info("%s: %s", getattr(params, "name", ""), result)
        return result
    except Exception as exc:  # noqa: BLE001 - prices stay estimated/unpriced; the analysis goes on
        log.warning("price look-up skipped for %s: %s: %s", getattr(params, "name", ""), type(exc).__name__, exc)
        return None
