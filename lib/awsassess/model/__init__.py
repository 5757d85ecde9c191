"""The cost model: current vs proposed cost line by line, the proposed architecture, the pipeline-time
model and the migration plan, all computed from one snapshot and the price catalog.

    model = assess(snapshot)                 # CostModel: current lines, then propose() and price()
    arch = propose(snapshot, assumptions, catalog, pipeline_time)   # quantities, no prices
    price(arch, coster)                      # its proposed lines (also for a plan read from model.json)
    model.summary                            # current/proposed/saving, pipeline now -> predicted
    findings = attach_savings(findings, model)
    write_model(model, account_dir)          # costs.csv + model.json
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from awsassess.layout import AccountFolder
from awsassess.model import savings
from awsassess.model.architecture import ProposedArchitecture
from awsassess.model.assumptions import ModelAssumptions
from awsassess.model.costing import COST_COLUMNS, DOMAINS, EXTRA_COLUMNS, Coster, lines_frame, text
from awsassess.model.current import aliases, current_lines, nat_addresses
from awsassess.model.lens import Effect
from awsassess.model.lens import effects as lens_effects
from awsassess.model.migration import MigrationWave, plan_migration
from awsassess.model.pipeline_time import PipelineTimeModel, pipeline_time
from awsassess.model.proposed import price, propose
from awsassess.model.reconcile import reconcile
from awsassess.model.reconcile import summary as reconcile_summary
from awsassess.model.sensitivity import sensitivity
from awsassess.pricing.catalog import PriceCatalog, PriceRow
from awsassess.safe_files import write_csv_atomic, write_text_atomic
from awsassess.snapshot import Snapshot

__all__ = ["CostModel", "ModelAssumptions", "ProposedArchitecture", "assess", "attach_savings", "price", "propose",
           "write_model"]


@dataclass
class CostModel:
    """Everything the model computed for one account."""

    account_id: str
    name: str
    environment: str
    assumptions: ModelAssumptions
    lines: pd.DataFrame
    proposed: ProposedArchitecture
    pipeline_time: PipelineTimeModel
    migration: list[MigrationWave]
    reconciliation: pd.DataFrame
    sensitivity: pd.DataFrame
    unpriced: list[dict[str, str]] = field(default_factory=list)
    prices_used: list[PriceRow] = field(default_factory=list)
    catalog_cache: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    effects: list[Effect] = field(default_factory=list)  # what each change does to reliability and security

    # ------------------------------------------------------------------ figures
    def total(self, scenario: str) -> float:
        df = self.lines[self.lines["scenario"] == scenario]
        return float(df["monthly_usd"].sum(skipna=True))

    def by_domain(self) -> pd.DataFrame:
        """Current, proposed and saving per domain ($/month and %)."""
        rows = []
        for d in DOMAINS:
            c = float(self.lines.loc[(self.lines["scenario"] == "current") & (self.lines["domain"] == d),
                                     "monthly_usd"].sum())
            p = float(self.lines.loc[(self.lines["scenario"] == "proposed") & (self.lines["domain"] == d),
                                     "monthly_usd"].sum())
            rows.append({"domain": d, "current_usd": round(c, 2), "proposed_usd": round(p, 2),
                         "saving_usd": round(c - p, 2), "saving_pct": round(100 * (c - p) / c, 1) if c else None})
        c, p = self.total("current"), self.total("proposed")
        rows.append({"domain": "total", "current_usd": round(c, 2), "proposed_usd": round(p, 2),
                     "saving_usd": round(c - p, 2), "saving_pct": round(100 * (c - p) / c, 1) if c else None})
        return pd.DataFrame(rows)

    @property
    def summary(self) -> dict[str, Any]:
        c, p = self.total("current"), self.total("proposed")
        rec = reconcile_summary(self.reconciliation) if len(self.reconciliation) else {}
        return {
            "current_monthly_usd": round(c, 2),
            "proposed_monthly_usd": round(p, 2),
            "saving_usd": round(c - p, 2),
            "saving_pct": round(100 * (c - p) / c, 1) if c else None,
            "pipeline_now_min": _round(self.pipeline_time.now_min),
            "pipeline_predicted_min": _round(self.pipeline_time.predicted_min),
            "bill_monthly_usd": rec.get("spend_usd"),
            "bill_explained_pct": rec.get("explained_pct"),
            "unpriced_items": len(self.unpriced),
            "low_confidence_prices": sum(1 for r in self.prices_used if r.confidence in ("C", "estimated")),
            "estimated_prices": sum(1 for r in self.prices_used if r.confidence == "estimated"),
        }

    def low_confidence(self, levels: tuple[str, ...] = ("B", "C", "estimated")) -> list[PriceRow]:
        return [r for r in self.prices_used if r.confidence in levels]

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id, "name": self.name, "environment": self.environment,
            "summary": self.summary,
            "by_domain": self.by_domain().to_dict("records"),
            "proposed_architecture": self.proposed.to_dict(),
            "pipeline_time": self.pipeline_time.to_dict(),
            "migration_waves": [w.to_dict() for w in self.migration],
            "effects": [e.to_dict() for e in self.effects],
            "reconciliation": _records(self.reconciliation),
            "sensitivity": _records(self.sensitivity),
            "unpriced": self.unpriced,
            "low_confidence_prices": [r.to_dict() for r in self.low_confidence()],
            "prices_used": [r.to_dict() for r in self.prices_used],
            "price_cache": self.catalog_cache,
            "assumptions": self.assumptions.model_dump(mode="json"),
        }


def _round(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records")) if len(df) else []


def _resolve(assumptions: Any) -> ModelAssumptions:
    """The model's section of :func:`awsassess.assumptions.resolve` (a flat dict is the model overrides)."""
    if isinstance(assumptions, ModelAssumptions):
        return assumptions
    from awsassess.assumptions import resolve  # awsassess.assumptions imports this package's assumptions

    return resolve(assumptions, "model").model


def _members(snapshot: Snapshot) -> dict[str, list[str]]:
    """Container id -> ids of the priced resources inside it (VPC -> NATs, LBs, endpoints; cluster -> services)."""
    out: dict[str, list[str]] = defaultdict(list)
    addresses = nat_addresses(snapshot)
    for _, n in snapshot.table("nat_gateways").iterrows():
        nid = text(n["nat_gateway_id"])
        out[text(n["vpc_id"])].append(nid)
        if addresses.get(nid, nid) != nid:  # its Elastic IP
            out[nid].append(addresses[nid])
            out[text(n["vpc_id"])].append(addresses[nid])
    for _, d in snapshot.table("db_instances").iterrows():
        if text(d["cluster_id"]):
            out[text(d["cluster_id"])].append(text(d["db_instance_id"]))
    for _, g in snapshot.table("cache_clusters").iterrows():
        if text(g["replication_group_id"]):
            out[text(g["id"])].append(text(g["replication_group_id"]))
    for _, lb in snapshot.table("load_balancers").iterrows():
        out[text(lb["vpc_id"])].append(text(lb["arn"]))
    for _, e in snapshot.table("vpc_endpoints").iterrows():
        out[text(e["vpc_id"])].append(text(e["vpc_endpoint_id"]))
    for _, a in snapshot.table("transit_gateway_attachments").iterrows():
        out[text(a["resource_id"])].append(text(a["attachment_id"]))
    for _, s in snapshot.table("ecs_services").iterrows():
        out[text(s["cluster"])].append(text(s["service_arn"]))
    for _, c in snapshot.table("ecs_clusters").iterrows():
        if text(c["cluster_arn"]) and text(c["cluster_name"]) in out:
            out[text(c["cluster_arn"])] = out[text(c["cluster_name"])]
    return {k: v for k, v in out.items() if k}


def assess(snapshot: Snapshot, assumptions: Any = None, catalog: PriceCatalog | None = None,
           cache_dir: str | os.PathLike[str] | None = None) -> CostModel:
    """The whole model for one snapshot. Prices missing for the region are estimated or left unpriced
    (listed); with ``strict_prices`` it raises :class:`MissingPriceError` listing every missing price."""
    a = _resolve(assumptions)
    catalog = catalog if catalog is not None else PriceCatalog.load(cache_dir)
    c = Coster(snapshot, a, catalog)
    current_lines(c)
    ptm = pipeline_time(snapshot, a)
    arch = propose(snapshot, a, catalog, ptm)  # quantities only
    price(arch, c)  # the proposed lines, from the same catalog rows as today's
    if a.prices_strict:
        c.lookup.raise_missing()
    lines = lines_frame(c.lines)
    production = a.is_production(snapshot.environment)
    found = lens_effects(snapshot, arch, production)
    model = CostModel(
        account_id=snapshot.account_id, name=snapshot.name, environment=snapshot.environment, assumptions=a,
        lines=lines, proposed=arch, pipeline_time=ptm, migration=plan_migration(snapshot, arch, production, found),
        effects=found,
        reconciliation=reconcile(lines, snapshot.table("spend"), a.hours_per_month),
        sensitivity=sensitivity(snapshot, a, catalog, lines),
        unpriced=[u.to_dict() for u in c.unpriced], prices_used=sorted(c.lookup.used.values(), key=lambda r: r.key),
        catalog_cache=str(catalog.cache_path) if catalog.cache_path else None, aliases=aliases(snapshot),
        members=_members(snapshot))
    return model


# =============================================================================== savings per finding
def finding_saving(resource_ids: list[str], model: CostModel, domain: str | None = None) -> float | None:
    """current - proposed $/month of every line of the resources named (within ``domain``'s lines when given);
    None when none of them is priced. The whole proposal's effect on those resources, not one finding's saving
    (that is :func:`attach_savings`). See :func:`awsassess.model.savings.resource_saving`."""
    return savings.resource_saving(list(resource_ids), model, domain)


def attach_savings(findings: list[Any], cost_model: CostModel, catalog: PriceCatalog | None = None) -> list[Any]:
    """Each finding (copied) with ``monthly_savings_usd`` priced from its rule's saving basis, and the basis
    (items, resource ids, current and proposed $) in ``evidence["saving_basis"]``.

    Only what the finding's recommendation changes is priced (right-sizing for CMP-001, NAT hours for NET-003 ...);
    non-cost rules and what the model cannot price stay None, never 0. A fix that costs more is negative on the
    rule that recommends it (CMP-002). Savings of different findings overlap and are not additive: the headline is
    the model total. Works on :class:`awsassess.findings.Finding` objects and on findings.json dicts.
    See :mod:`awsassess.model.savings` (each rule declares its basis: ``@rule(..., saving=...)``).
    """
    return savings.attach(findings, cost_model, catalog)


# =============================================================================== files
def write_model(cost_model: CostModel, account_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``costs.csv`` (INTERFACE columns + note, replaces, price_key, confidence) and ``model.json``."""
    acct = AccountFolder.of(account_dir)
    acct.path.mkdir(parents=True, exist_ok=True)
    costs = acct.costs_csv
    df = cost_model.lines[[*COST_COLUMNS, *EXTRA_COLUMNS]]
    write_csv_atomic(costs, df)  # formula-safe text cells; exclusive temp file, atomic rename, no links
    model_json = acct.model_json
    write_text_atomic(model_json, json.dumps(cost_model.to_dict(), indent=2, default=str))
    return {"costs": costs, "model": model_json}
