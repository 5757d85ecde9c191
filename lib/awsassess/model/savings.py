"""Per-rule savings: each finding priced from the cost lines (or the same price rows) its fix changes.

Every rule declares a :class:`~awsassess.findings.saving.Basis` on itself (``@rule(..., saving=...)``;
:data:`BASES` reads them from the registry): which cost items and resources its recommendation changes,
and how the proposed cost of those is found. A finding's saving is
``sum(current) - sum(proposed)`` over exactly those items and resources, nothing else:

* ``lines``        the model's own current and proposed lines for the items and resources named; a proposed
                   line that replaces several resources (2 NAT gateways for 14) is shared in proportion to the
                   replaced resources' current cost of those items (NET-001, NET-003, NET-007).
* ``region_items`` the items in the finding's region, current minus proposed (NET-006 public IPv4).
* ``delete``       the resource's current lines; the fix removes it, so proposed is $0 (idle resources).
* ``fargate_rightsize``  the service's Fargate lines at the model's right-sized task size, same launch type,
                   capacity provider and architecture (CMP-001 over-, CMP-002 under-provisioned: negative,
                   "costs more").
* ``fargate_arch`` / ``fargate_spot``  today's x86 on-demand Fargate lines priced at the arm64 rows
                   (CMP-009) or with the model's Fargate Spot discount (CMP-010).
* ``class_change`` the instance/node/build-minute lines re-priced at the class the finding suggests (catalog row
                   of the same service, item pattern and region).
* ``gp3``, ``standby``, ``docdb_rightsize``, ``ddb_on_demand``, ``nat_endpoint_gb``  direct deltas from the same
                   price rows where the proposal has no per-resource line (see each function).
* ``not_cost`` / ``not_modelled``  ``None``: the finding is about speed, risk or hygiene, or the model has no
                   price for what it changes. A saving is never 0 for "unknown".

Each figure prices the finding's own change against today's configuration (one change at a time).
Figures of different findings on the same resources therefore overlap and are NOT additive: VPC
consolidation (NET-001) contains the NAT (NET-003), load balancer (NET-007) and public IPv4 (NET-006)
savings of the same VPCs; right-sizing (CMP-001) and Graviton (CMP-009) both shrink the same Fargate
lines. The account's headline saving is the model total (current - proposed of all lines), never a sum
of finding savings. The basis of each figure (items, resource ids, current and proposed $, price rows)
is written into the finding's ``evidence["saving_basis"]`` so it can be checked by hand.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from awsassess.fargate import smallest_fitting
from awsassess.findings.saving import Basis
from awsassess.model.costing import DOMAINS
from awsassess.pricing import keys
from awsassess.pricing.catalog import ANY_REGION, PriceCatalog, PriceRow
from awsassess.values import num

if TYPE_CHECKING:
    from awsassess.model import CostModel
    from awsassess.model.architecture import ProposedService

__all__ = ["BASES", "OVERLAP_NOTE", "Basis", "Priced", "attach", "basis_table", "price_finding", "resource_saving"]

OVERLAP_NOTE = ("Each finding's saving prices only its own change against today's configuration; savings of "
                "different findings on the same resources overlap (VPC consolidation contains the NAT, load "
                "balancer and public IPv4 savings of those VPCs) and are not additive. The headline saving is "
                "the cost model's total.")


class _Bases(Mapping[str, Basis]):
    """Rule id -> its declared saving basis: a live view of the rule registry (declared on each ``@rule``)."""

    @staticmethod
    def _registry() -> Mapping[str, Any]:
        from awsassess.findings import REGISTRY  # the rule modules register on import

        return REGISTRY

    def __getitem__(self, rule_id: str) -> Basis:
        return self._registry()[rule_id].saving

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry())

    def __len__(self) -> int:
        return len(self._registry())


BASES: Mapping[str, Basis] = _Bases()


def basis_table() -> list[dict[str, str]]:
    """One row per rule: how its saving is priced (for docs and the report's method note)."""
    return [{"rule_id": rid, "method": b.method, "priced": "yes" if b.priced else "no",
             "basis": b.description, "overlaps": b.overlaps} for rid, b in sorted(BASES.items())]


# =============================================================================== result
@dataclass
class Row:
    """One item of a saving: what it costs today and after the fix (text says how, for checking by hand)."""

    item: str
    resource_ids: list[str]
    current_usd: float
    proposed_usd: float
    current: str = ""
    proposed: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"item": self.item, "resource_ids": self.resource_ids,
                               "current_usd": round(self.current_usd, 2), "proposed_usd": round(self.proposed_usd, 2)}
        if self.current:
            out["current"] = self.current
        if self.proposed:
            out["proposed"] = self.proposed
        return out


@dataclass
class Priced:
    """A finding's saving (None when it cannot be priced) and its basis."""

    rule_id: str
    basis: Basis | None
    rows: list[Row] = field(default_factory=list)
    reason: str = ""  # why there is no figure
    notes: list[str] = field(default_factory=list)

    @property
    def current_usd(self) -> float:
        return sum(r.current_usd for r in self.rows)

    @property
    def proposed_usd(self) -> float:
        return sum(r.proposed_usd for r in self.rows)

    @property
    def saving(self) -> float | None:
        if self.reason or not self.rows:
            return None
        value = self.current_usd - self.proposed_usd
        return None if math.isnan(value) else round(value, 2)

    def evidence(self) -> dict[str, Any]:
        b = self.basis
        out: dict[str, Any] = {"method": b.method if b else "undeclared",
                               "basis": b.description if b else "the rule declares no saving basis"}
        saving = self.saving
        if saving is None:
            out["priced"] = False
            out["reason"] = self.reason or (b.description if b and not b.priced else "nothing to price")
            return out
        out.update(priced=True, current_usd=round(self.current_usd, 2), proposed_usd=round(self.proposed_usd, 2),
                   saving_usd=saving, lines=[r.to_dict() for r in self.rows])
        notes = list(self.notes)
        if saving < 0:
            notes.insert(0, f"costs more: ${-saving:,.2f}/month more than today")
        if notes:
            out["notes"] = notes
        if b and b.overlaps:
            out["overlaps"] = f"{b.overlaps}; savings of different findings overlap and are not additive"
        return out


class Unpriceable(Exception):
    """Raised inside a pricing method: the finding cannot be priced (the message says why)."""


# =============================================================================== context
def _money(x: float) -> str:
    """Unit prices in full ($0.004445), amounts in cents ($32.85)."""
    return f"${x:.6g}" if abs(x) < 1 else f"${x:,.2f}"


def _qty(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _split_key(price_key: str) -> tuple[str, str, str]:
    service, rest = price_key.split("/", 1)
    item, region = rest.rsplit("/", 1)
    return service, item, region


_ITEM_DETAIL = re.compile(r",[^()]*\)")


def _norm_item(item: str) -> str:
    """'Public IPv4 (NAT gateway address, nat-1)' -> 'Public IPv4 (NAT gateway address)'; drops '(right-sized)'."""
    return _ITEM_DETAIL.sub(")", item).replace(" (right-sized)", "")


class Line(NamedTuple):
    """One cost line (costs.csv columns used here)."""

    scenario: str
    domain: str
    item: str
    resource_id: str
    region: str
    quantity: float
    unit: str
    unit_price_usd: float
    monthly_usd: float
    replaces: tuple[str, ...]
    price_key: str

    @classmethod
    def of(cls, r: dict[str, Any]) -> Line:
        def f(x: Any) -> float:
            return num(x, math.nan)

        return cls(str(r["scenario"]), str(r["domain"]), str(r["item"]), str(r["resource_id"]), str(r["region"]),
                   f(r["quantity"]), str(r["unit"]), f(r["unit_price_usd"]), f(r["monthly_usd"]),
                   tuple(x for x in str(r.get("replaces") or "").split("|") if x and x != "nan"),
                   str(r.get("price_key") or ""))


class Context:
    """The model's lines, names and price rows, prepared once for all findings of an account."""

    def __init__(self, model: CostModel, catalog: PriceCatalog | None = None):
        self.model = model
        lines = [Line.of(r) for r in model.lines.to_dict("records")]
        self.current = [ln for ln in lines if ln.scenario == "current"]
        self.proposed = [ln for ln in lines if ln.scenario == "proposed"]
        self.by_resource: dict[str, list[Line]] = defaultdict(list)
        for ln in self.current:
            self.by_resource[ln.resource_id].append(ln)
        self.current_ids = set(self.by_resource)
        self.hours = float(model.assumptions.hours_per_month)
        self.used = {r.key: r for r in model.prices_used}
        self._catalog = catalog
        self.services: dict[str, ProposedService] = {}
        for cluster in model.proposed.clusters:
            for s in cluster.services:
                for arn in s.replaces:
                    self.services[arn] = s

    # ------------------------------------------------------------------ prices
    def catalog(self) -> PriceCatalog:
        if self._catalog is None:
            cat = PriceCatalog.package()
            cache = self.model.catalog_cache
            if cache and Path(cache).is_file():
                cat.merge_csv(Path(cache))
            self._catalog = cat
        return self._catalog

    def price(self, service: str, item: str, region: str) -> PriceRow | None:
        """The row the model's lines used, else the catalog's (region, then any-region)."""
        for key in ((service, item, region), (service, item, ANY_REGION)):
            if key in self.used:
                return self.used[key]
        return self.catalog().find(service, item, region)

    # ------------------------------------------------------------------ names
    def resolve(self, ids: Iterable[str], expand: bool = True) -> list[str]:
        """Resource ids of cost lines for the ids a finding names: exact, alias (name, ARN, IP), ARN tail, and
        (``expand``) what a container holds (VPC -> NATs, their addresses, LBs, endpoints; cluster -> members)."""
        aliases, members = self.model.aliases, self.model.members
        out: list[str] = []

        def add(rid: str) -> None:
            if rid and rid in self.current_ids and rid not in out:
                out.append(rid)

        for raw in ids:
            rid = str(raw)
            add(rid)
            add(aliases.get(rid, ""))
            if "/" in rid:
                add(aliases.get(rid.rsplit("/", 1)[-1], ""))
            if expand:
                for m in members.get(rid, []):
                    add(m)
        return out

    def lines_of(self, ids: Iterable[str], domain: str | None = None, items: tuple[str, ...] = ()) -> list[Line]:
        """Current lines of the resources (in order), of ``domain`` and item prefixes when given."""
        return [ln for rid in dict.fromkeys(ids) for ln in self.by_resource.get(rid, [])
                if (not domain or ln.domain == domain) and (not items or ln.item.startswith(items))]


def _group_text(parts: list[tuple[float, str, float]]) -> str:
    """'14 x 730 hours x $0.045' for identical lines, '1,812.97 GB x $0.045' for one unit price, else a count."""
    if not parts:
        return "none today"
    if len(set(parts)) == 1:
        q, unit, usd = parts[0]
        return (f"{len(parts)} x " if len(parts) > 1 else "") + _line_text(q, unit, usd)
    if len({(u, p) for _, u, p in parts}) == 1:
        return f"{len(parts)} lines, " + _line_text(sum(q for q, _, _ in parts), parts[0][1], parts[0][2])
    return f"{len(parts)} lines (see costs.csv)"


def _check_priced(lines: Iterable[Line]) -> None:
    bad = sorted({f"{ln.item} of {ln.resource_id}" for ln in lines if math.isnan(ln.monthly_usd)})
    if bad:
        raise Unpriceable("missing price for " + ", ".join(bad))


def _line_text(q: float, unit: str, usd: float) -> str:
    return f"{_qty(q)} {unit} x {_money(usd)}"


# =============================================================================== methods
def _lines(ctx: Context, f: dict[str, Any], basis: Basis, resources: list[str], region: str | None = None) -> Priced:
    """Current lines of ``resources`` (basis items) minus their share of the proposed lines that replace them."""
    domain, items = f["domain"], basis.items

    def keep(ln: Line) -> bool:
        return ln.domain == domain and (not items or ln.item.startswith(items)) and (region is None or ln.region == region)

    cur = [ln for ln in ctx.current if keep(ln)]
    prop = [ln for ln in ctx.proposed if keep(ln)]
    named = {ln.resource_id for ln in cur} if region is not None else set(resources)
    mine = [ln for ln in cur if ln.resource_id in named]
    if not mine:
        raise Unpriceable("no cost line of the resources named matches the basis items")
    _check_priced(mine)
    weight: dict[str, float] = defaultdict(float)
    for ln in cur:
        weight[ln.resource_id] += ln.monthly_usd
    rows: dict[str, Row] = {}
    how: dict[str, list[tuple[float, str, float]]] = defaultdict(list)
    for ln in mine:
        key = _norm_item(ln.item)
        row = rows.setdefault(key, Row(key, [], 0.0, 0.0))
        row.resource_ids.append(ln.resource_id)
        row.current_usd += ln.monthly_usd
        how[key].append((ln.quantity, ln.unit, ln.unit_price_usd))
    shares: dict[str, list[str]] = defaultdict(list)
    for ln in prop:
        if region is not None:
            share = 1.0
        else:
            replaced = list(ln.replaces)
            hit = [r for r in replaced if r in named]
            if not hit:
                continue
            total = sum(max(weight.get(r, 0.0), 0.0) for r in replaced)
            share = (sum(max(weight.get(r, 0.0), 0.0) for r in hit) / total) if total > 0 else len(hit) / len(replaced)
        if math.isnan(ln.monthly_usd):
            raise Unpriceable(f"missing price for proposed {ln.item} of {ln.resource_id}")
        key = _norm_item(ln.item)
        row = rows.setdefault(key, Row(key, [], 0.0, 0.0))
        row.proposed_usd += ln.monthly_usd * share
        shares[key].append(f"{ln.resource_id} {_money(ln.monthly_usd)}"
                           + (f" x {share:.4g} share" if share < 1 else ""))
    for key, row in rows.items():
        row.current = _group_text(how.get(key, []))
        row.proposed = "; ".join(shares[key]) if shares.get(key) else "removed (no proposed line replaces them)"
    return Priced(f["rule_id"], basis, sorted(rows.values(), key=lambda r: r.item))


def _m_lines(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    resources = ctx.resolve(f["resource_ids"])
    if not resources:
        raise Unpriceable("none of the resources named has a cost line")
    return _lines(ctx, f, basis, resources)


def _m_region_items(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    return _lines(ctx, f, basis, [], region=str(f.get("region") or ""))


def _m_delete(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    resources = ctx.resolve(f["resource_ids"])
    mine = ctx.lines_of(resources, f["domain"], basis.items)
    if not len(mine):
        raise Unpriceable("none of the resources named has a cost line")
    _check_priced(mine)
    rows = [Row(ln.item, [ln.resource_id], ln.monthly_usd, 0.0, _line_text(ln.quantity, ln.unit, ln.unit_price_usd),
                "deleted")
            for ln in mine]
    return Priced(f["rule_id"], basis, rows)


# ------------------------------------------------------------------ Fargate
def _arch(ln: Line) -> str:
    k = _key(ln)
    return str(k.parts.get("arch", "")) if k is not None else ""


def _fargate_lines(ctx: Context, arn: str) -> list[Line]:
    return ctx.lines_of([arn], "compute", ("Fargate",))


def _is_vcpu(item: str) -> bool:
    return "vCPU" in item


def _weight(ctx: Context, region: str, cpu: float, memory: float) -> float:
    v = ctx.price("AmazonECS", keys.item("fargate_vcpu", arch="x86_64"), region)
    g = ctx.price("AmazonECS", keys.item("fargate_gb", arch="x86_64"), region)
    return cpu / 1024 * (v.usd if v else 0.04048) + memory / 1024 * (g.usd if g else 0.004445)


def _model_size(ctx: Context, arn: str, region: str) -> tuple[int, int, int, int, str] | None:
    """(current cpu, memory, right-sized Fargate cpu, memory, how) from the model's proposal."""
    s = ctx.services.get(arn)
    if s is None:
        return None
    if s.launch == "FARGATE":
        return s.current_cpu, s.current_memory, s.cpu, s.memory, f"the model's right-sized Fargate size ({s.rightsizing})"
    v = ctx.price("AmazonECS", keys.item("fargate_vcpu", arch="x86_64"), region)
    g = ctx.price("AmazonECS", keys.item("fargate_gb", arch="x86_64"), region)
    valid = smallest_fitting(s.cpu, s.memory, v.usd if v else 0.04048, g.usd if g else 0.004445)
    if valid is None:
        return None
    return (s.current_cpu, s.current_memory, valid[0], valid[1],
            f"the model's right-size ({s.cpu} CPU units / {s.memory} MiB on EC2) as the smallest valid Fargate size "
            f"({s.rightsizing})")


def _m_fargate_rightsize(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    ev = f.get("evidence") or {}
    smaller = f["rule_id"] != "CMP-002"  # CMP-001 shrinks, CMP-002 grows
    out = Priced(f["rule_id"], basis)
    for arn in ctx.resolve(f["resource_ids"], expand=False):
        lines = _fargate_lines(ctx, arn)
        if not lines:
            continue
        _check_priced(lines)
        region = lines[0].region
        size = _model_size(ctx, arn, region)
        cur_cpu = int(size[0]) if size else int(ev.get("current_cpu") or 0)
        cur_mem = int(size[1]) if size else int(ev.get("current_memory") or 0)
        if not cur_cpu or not cur_mem:
            raise Unpriceable(f"today's task size of {arn} is unknown")
        now = _weight(ctx, region, cur_cpu, cur_mem)

        def goes_right_way(cpu: float, mem: float, now: float = now, region: str = region) -> bool:
            w = _weight(ctx, region, cpu, mem)
            return w < now if smaller else w > now

        if size and goes_right_way(size[2], size[3]):
            new_cpu, new_mem, how = size[2], size[3], size[4]
        elif ev.get("recommended_cpu") and ev.get("recommended_memory") and \
                goes_right_way(float(ev["recommended_cpu"]), float(ev["recommended_memory"])):
            new_cpu, new_mem = int(ev["recommended_cpu"]), int(ev["recommended_memory"])
            how = "the finding's recommended size" + (
                f" (the model's right-size {size[2]} / {size[3]} does not move this way)" if size else
                " (the model proposes no size for this service)")
        else:
            raise Unpriceable(f"neither the model nor the finding gives a {'smaller' if smaller else 'larger'} "
                              f"valid Fargate size for {arn}")
        out.notes.append(f"{arn.rsplit('/', 1)[-1]}: {cur_cpu} CPU units / {cur_mem} MiB -> {new_cpu} / {new_mem}, "
                         f"{how}")
        for ln in lines:
            factor = new_cpu / cur_cpu if _is_vcpu(ln.item) else new_mem / cur_mem
            q, usd = ln.quantity, ln.unit_price_usd
            out.rows.append(Row(ln.item, [arn], ln.monthly_usd, ln.monthly_usd * factor,
                                _line_text(q, ln.unit, usd), _line_text(q * factor, ln.unit, usd)))
    if not out.rows:
        raise Unpriceable("no Fargate cost line for the services named")
    return out


def _on_demand(lines: list[Line]) -> tuple[list[Line], list[Line], list[Line]]:
    """(x86 on-demand, arm64 on-demand, Spot) Fargate lines."""
    spot = [ln for ln in lines if ln.item.startswith("Fargate Spot")]
    arm = [ln for ln in lines if ln not in spot and _arch(ln) == "arm64"]
    return [ln for ln in lines if ln not in spot and ln not in arm], arm, spot


def _m_fargate_arch(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    out = Priced(f["rule_id"], basis)
    for arn in ctx.resolve(f["resource_ids"], expand=False):
        x86, _, spot = _on_demand(_fargate_lines(ctx, arn))
        if spot:
            out.notes.append(f"{arn.rsplit('/', 1)[-1]}: its Fargate Spot share is not priced (Spot runs X86_64 only)")
        _check_priced(x86)
        for ln in x86:
            k = _key(ln)
            if k is None:
                raise Unpriceable(f"{ln.price_key} is not a Fargate price key")
            _reprice(ctx, out, ln, k.with_(arch="arm64"), "arm64")
    if not out.rows:
        raise Unpriceable("no x86 on-demand Fargate line for the services named")
    return out


def _m_fargate_spot(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    out = Priced(f["rule_id"], basis)
    pct = float(ctx.model.assumptions.fargate_spot_discount_pct)
    for arn in ctx.resolve(f["resource_ids"], expand=False):
        x86, arm, _ = _on_demand(_fargate_lines(ctx, arn))
        if arm:
            out.notes.append(f"{arn.rsplit('/', 1)[-1]}: arm64 tasks cannot use Fargate Spot (X86_64 only)")
        _check_priced(x86)
        for ln in x86:
            q, usd = ln.quantity, ln.unit_price_usd
            out.rows.append(Row(ln.item, [arn], ln.monthly_usd, ln.monthly_usd * (1 - pct / 100),
                                _line_text(q, ln.unit, usd), _line_text(q, ln.unit, usd * (1 - pct / 100))
                                + f" (Fargate Spot: {pct:g}% discount assumption)"))
    if not out.rows:
        raise Unpriceable("no x86 on-demand Fargate line for the services named")
    return out


# ------------------------------------------------------------------ class changes
_CLASS_KEYS = ("instance_class", "node_type", "compute_type")
# the keys whose class a class-change finding moves (database, cache node, build host)
CLASS_KINDS = {"rds_instance", "aurora_instance", "aurora_iopt_instance", "docdb_instance", "cache_node", "build_minute"}


def _key(ln: Line) -> keys.PriceKey | None:
    """The typed key a cost line was priced with (:mod:`awsassess.pricing.keys`), or None."""
    if not ln.price_key:
        return None
    service, item, _ = _split_key(ln.price_key)
    return keys.parse(service, item)


def _reprice(ctx: Context, out: Priced, ln: Line, new: keys.PriceKey, what: str) -> None:
    """``ln`` priced at the catalog row of ``new`` (the line's key with a part changed), same quantity and
    region: the configuration changed, priced like the model prices it."""
    _check_priced([ln])
    region = _split_key(ln.price_key)[2]
    row = ctx.price(new.service, new.item, region)
    if row is None:
        raise Unpriceable(f"no catalog price {new.service}/{new.item}/{region}")
    out.rows.append(Row(ln.item, [ln.resource_id], ln.monthly_usd, ln.quantity * row.usd,
                        _line_text(ln.quantity, ln.unit, ln.unit_price_usd),
                        _line_text(ln.quantity, ln.unit, row.usd) + f" ({what}, {row.citation})"))


def _m_class_change(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    ev = f.get("evidence") or {}
    rule_id = f["rule_id"]
    if rule_id == "PIP-003":
        if ev.get("verdict") != "oversized":
            raise Unpriceable("an undersized build host: the minutes a larger host needs are unknown")
        target = "BUILD_GENERAL1_MEDIUM"
    elif rule_id == "DAT-010":
        target = ""
    else:
        target = str(ev.get("suggested_class") or ev.get("suggested_node_type") or "")
        if not target:
            raise Unpriceable("the finding suggests no class")
    current_class = next((str(ev[k]) for k in _CLASS_KEYS if ev.get(k)), "")
    out = Priced(rule_id, basis)
    lines = ctx.lines_of(ctx.resolve(f["resource_ids"]), f["domain"])
    for ln in lines:
        k = _key(ln)
        cls = str(k.parts.get("cls", "")) if k is not None else ""
        if k is None or not cls or (current_class and cls != current_class):
            continue
        if rule_id == "DAT-010":
            if k.kind == "cache_node" and k.parts.get("engine") == "redis":
                _reprice(ctx, out, ln, k.with_(engine="valkey"), "Valkey, same node type")
            continue
        if k.kind not in CLASS_KINDS:
            continue
        _reprice(ctx, out, ln, k.with_(cls=target), f"{cls} -> {target}")
    if not out.rows:
        raise Unpriceable("no instance, node or build-minute line of today's class for the resources named")
    return out


def _m_gp3(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    ev = f.get("evidence") or {}
    out = Priced(f["rule_id"], basis)
    for ln in ctx.lines_of(ctx.resolve(f["resource_ids"]), "datastores", ("RDS storage (gp2)",)):
        k = _key(ln)
        if k is None or k.kind != "rds_storage":
            raise Unpriceable(f"{ln.price_key} is not an RDS storage price key")
        region = _split_key(ln.price_key)[2]
        _reprice(ctx, out, ln, k.with_(storage="gp3"), "gp3, same GB")
        gap = max(float(ev.get("gp2_baseline_iops") or 0) - float(ev.get("gp3_baseline_iops") or 0), 0.0)
        if gap:
            iops = keys.key("rds_iops", storage="gp3", multi_az=bool(k.parts.get("multi_az")))
            row = ctx.price(iops.service, iops.item, region)
            if row is None:
                raise Unpriceable(f"no catalog price {iops.service}/{iops.item}/{region}")
            out.rows.append(Row("RDS gp3 IOPS above baseline", [ln.resource_id], 0.0, gap * row.usd, "included in gp2",
                                _line_text(gap, "IOPS-months", row.usd) + " to keep gp2's baseline IOPS"))
    if not out.rows:
        raise Unpriceable("no gp2 storage line for the instances named")
    cur, prop = out.current_usd, out.proposed_usd
    if abs(cur - prop) < 0.005:
        out.notes.append("gp3 has the same per-GB price as gp2 here: the change buys baseline IOPS "
                         f"({ev.get('gp3_baseline_iops')} vs {ev.get('gp2_baseline_iops')}), not a lower bill")
    return out


def _m_standby(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    out = Priced(f["rule_id"], basis)
    for rid in [str(r) for r in f["resource_ids"]]:
        own = ctx.lines_of([rid], "datastores")
        _check_priced(own)
        members = [m for m in ctx.model.members.get(rid, []) if m in ctx.current_ids]
        if members:  # a DocumentDB / Aurora cluster: keep the first instance (as the model does)
            for ln in ctx.lines_of(sorted(members)[1:], "datastores"):
                if "instance hours" in ln.item:
                    _check_priced([ln])
                    out.rows.append(Row(ln.item, [ln.resource_id], ln.monthly_usd, 0.0,
                                        _line_text(ln.quantity, ln.unit, ln.unit_price_usd),
                                        f"removed (keep {sorted(members)[0]})"))
            continue
        for ln in own:
            item, q, usd = ln.item, ln.quantity, ln.unit_price_usd
            k = _key(ln)
            if item == "RDS instance hours" and q > ctx.hours * 1.5:  # Multi-AZ: two copies billed
                out.rows.append(Row(item, [rid], ln.monthly_usd, ctx.hours * usd, _line_text(q, ln.unit, usd),
                                    _line_text(ctx.hours, ln.unit, usd) + " (Single-AZ)"))
            elif k is not None and k.parts.get("multi_az"):
                _reprice(ctx, out, ln, k.with_(multi_az=False), "Single-AZ")
            elif item.startswith("ElastiCache") and q > ctx.hours * 1.5:  # replicas
                out.rows.append(Row(item, [rid], ln.monthly_usd, ctx.hours * usd, _line_text(q, ln.unit, usd),
                                    _line_text(ctx.hours, ln.unit, usd) + " (one node)"))
    if not out.rows:
        raise Unpriceable("no standby, replica or Multi-AZ line for the resources named")
    return out


def _m_docdb_rightsize(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    ev = f.get("evidence") or {}
    if ev.get("idle"):
        return _m_delete(ctx, f, Basis("delete", basis.description, overlaps=basis.overlaps))
    out = Priced(f["rule_id"], basis)
    instances = sorted(str(p["instance"]) for p in ev.get("instances") or [] if isinstance(p, dict))
    instances = instances or sorted(m for r in f["resource_ids"] for m in ctx.model.members.get(str(r), []))
    keep = int(ev.get("suggested_instances") or len(instances))
    target = str(ev.get("suggested_class") or "")
    lines = ctx.lines_of(instances, "datastores", ("DocumentDB instance hours",))
    _check_priced(lines)
    for ln in lines:
        if instances.index(ln.resource_id) >= keep:
            out.rows.append(Row(ln.item, [ln.resource_id], ln.monthly_usd, 0.0,
                                _line_text(ln.quantity, ln.unit, ln.unit_price_usd), f"removed ({keep} instance(s) kept)"))
        elif target:
            k = _key(ln)
            if k is None or k.kind != "docdb_instance":
                raise Unpriceable(f"{ln.price_key} is not a DocumentDB instance price key")
            new = k.with_(cls=target)
            if ctx.price(new.service, new.item, _split_key(ln.price_key)[2]) is None:
                out.notes.append(f"{target} is not priced in the catalog: {ln.resource_id} kept at its class")
                continue
            _reprice(ctx, out, ln, new, f"-> {target}")
    if not out.rows:
        raise Unpriceable(f"no instance removed and the suggested class {target or '(none)'} has no catalog price")
    return out


def _m_ddb_on_demand(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    ev = f.get("evidence") or {}
    reads = (ev.get("consumed_read_per_s") or {}).get("mean")
    writes = (ev.get("consumed_write_per_s") or {}).get("mean")
    if reads is None and writes is None:
        raise Unpriceable("the finding has no consumed read/write rates")
    out = Priced(f["rule_id"], basis)
    seconds = ctx.hours * 3600
    for ln in ctx.lines_of(ctx.resolve(f["resource_ids"]), "datastores", ("DynamoDB provisioned",)):
        _check_priced([ln])
        service, _, region = _split_key(ln.price_key)
        read = "RCU" in ln.item
        rate = float((reads if read else writes) or 0.0)
        row = ctx.price(service, "rru_million" if read else "wru_million", region)
        if row is None:
            raise Unpriceable(f"no catalog price {service}/{'rru' if read else 'wru'}_million/{region}")
        units = rate * seconds / 1e6
        out.rows.append(Row(ln.item, [ln.resource_id], ln.monthly_usd, units * row.usd,
                            _line_text(ln.quantity, ln.unit, ln.unit_price_usd),
                            f"{rate:g}/s mean x {seconds:,.0f} s = {_qty(units)} million "
                            f"{'read' if read else 'write'} request units x {_money(row.usd)} (on-demand, "
                            f"{row.citation})"))
    if not out.rows:
        raise Unpriceable("no provisioned capacity line for the tables named")
    return out


def _m_nat_endpoint_gb(ctx: Context, f: dict[str, Any], basis: Basis) -> Priced:
    ev = f.get("evidence") or {}
    gb = ev.get("estimated_avoidable_gb_per_month")
    if gb is None:
        raise Unpriceable("the finding has no estimated GB per month")
    region = str(f.get("region") or "")
    row = ctx.price("AmazonEC2", "nat_gateway_gb", region)
    if row is None:
        raise Unpriceable(f"no catalog price AmazonEC2/nat_gateway_gb/{region}")
    free = ctx.price("AmazonVPC", "gateway_endpoint_hour", region)
    nats = [r for r in ctx.resolve(f["resource_ids"])
            if ctx.lines_of([r], "network", ("NAT gateway data processed",))]
    out = Priced(f["rule_id"], basis, [Row(
        "NAT gateway data processed (S3/DynamoDB share, estimate)", nats or [str(r) for r in f["resource_ids"]],
        float(gb) * row.usd, 0.0, _line_text(float(gb), "GB", row.usd) + f" ({row.citation})",
        "through gateway endpoints: " + (f"{_money(free.usd)}/hour, no per-GB charge ({free.citation})" if free
                                         else "no charge"))])
    out.notes.append(str(ev.get("basis") or "estimated share of NAT bytes"))
    return out


_METHODS: dict[str, Callable[[Context, dict[str, Any], Basis], Priced]] = {
    "lines": _m_lines, "region_items": _m_region_items, "delete": _m_delete,
    "fargate_rightsize": _m_fargate_rightsize, "fargate_arch": _m_fargate_arch, "fargate_spot": _m_fargate_spot,
    "class_change": _m_class_change, "gp3": _m_gp3, "standby": _m_standby, "docdb_rightsize": _m_docdb_rightsize,
    "ddb_on_demand": _m_ddb_on_demand, "nat_endpoint_gb": _m_nat_endpoint_gb,
}


# =============================================================================== entry points
def _fields(f: Any) -> dict[str, Any]:
    get = f.get if isinstance(f, dict) else (lambda k, d=None: getattr(f, k, d))
    return {"rule_id": str(get("rule_id", "") or ""), "domain": str(get("domain", "") or ""),
            "region": str(get("region", "") or ""), "resource_ids": list(get("resource_ids", []) or []),
            "evidence": dict(get("evidence", {}) or {})}


def price_finding(finding: Any, ctx: Context) -> Priced:
    """The saving of one finding (a Finding or a findings.json dict) and its basis."""
    f = _fields(finding)
    basis = BASES.get(f["rule_id"])
    if basis is None:
        return Priced(f["rule_id"], None, reason="the rule declares no saving basis")
    if not basis.priced:
        return Priced(f["rule_id"], basis, reason=basis.description)
    if f["domain"] not in DOMAINS:
        return Priced(f["rule_id"], basis, reason=f"domain {f['domain']} has no cost lines")
    try:
        return _METHODS[basis.method](ctx, f, basis)
    except Unpriceable as exc:
        return Priced(f["rule_id"], basis, reason=str(exc))


def _with(f: Any, saving: float | None, evidence: dict[str, Any]) -> Any:
    if isinstance(f, dict):
        return {**f, "monthly_savings_usd": saving, "evidence": evidence}
    if dataclasses.is_dataclass(f) and not isinstance(f, type):
        return dataclasses.replace(f, monthly_savings_usd=saving, evidence=evidence)
    if hasattr(f, "model_copy"):
        return f.model_copy(update={"monthly_savings_usd": saving, "evidence": evidence})
    f.monthly_savings_usd = saving
    f.evidence = evidence
    return f


def attach(findings: Iterable[Any], model: CostModel, catalog: PriceCatalog | None = None) -> list[Any]:
    """Each finding (copied) with ``monthly_savings_usd`` from its rule's basis and ``evidence["saving_basis"]``.

    A rule with a declared basis gets the model's figure or ``None`` (never 0 for unknown); a rule that declares
    none keeps its own value.
    """
    ctx = Context(model, catalog)
    out = []
    for f in findings:
        priced = price_finding(f, ctx)
        fields = _fields(f)
        saving = priced.saving
        if priced.basis is None:  # not ours to price: keep what the finding says
            saving = f.get("monthly_savings_usd") if isinstance(f, dict) else getattr(f, "monthly_savings_usd", None)
        evidence = {**fields["evidence"], "saving_basis": priced.evidence()}
        out.append(_with(f, saving, evidence))
    return out


def resource_saving(resource_ids: Iterable[str], model: CostModel, domain: str | None = None) -> float | None:
    """current - proposed $/month of every line of the resources named (within ``domain`` when given), a
    proposed line shared among the resources it replaces; None when none of them has a line.

    This is the model's view of what the resources cost before and after the whole proposal, not the saving of
    one finding (see :func:`attach`)."""
    if domain is not None and domain not in DOMAINS:
        return None
    ctx = Context(model)
    resources = ctx.resolve([str(r) for r in resource_ids])
    if not resources:
        return None
    domains = [domain] if domain else list(DOMAINS)
    total, found = 0.0, False
    for d in domains:
        try:
            p = _lines(ctx, {"rule_id": "", "domain": d}, Basis("lines", ""), resources)
        except Unpriceable:
            continue
        found = True
        total += p.current_usd - p.proposed_usd
    return round(total, 2) if found and not math.isnan(total) else None
