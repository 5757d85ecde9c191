"""Progress of one account against the plan of an earlier run: waves, money, findings, delivery, inventory.

    progress = verify_account("outputs/jan/acme-prod", "outputs/jun/acme-prod")
    write_progress(progress, "outputs/jun/acme-prod")      # progress.json (schema: docs/progress.md)

The *before* folder supplies the plan (model.json: the proposed architecture, its cost and its waves) and
the findings; when it has no model.json or findings.json they are recomputed offline from its snapshot.
The *after* folder's findings and model are read likewise (recomputed, under the before plan's
assumptions, when absent). Both snapshots must be of the same account.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from awsassess.layout import AccountFolder, ArtefactError, RunFolder
from awsassess.model.addresses import addressed
from awsassess.model.architecture import ProposedArchitecture
from awsassess.safe_files import write_text_atomic
from awsassess.snapshot import Snapshot, SnapshotError
from awsassess.values import num, text
from awsassess.verify.match import Index, KindDiff, diff, index
from awsassess.verify.waves import DONE, WaveStatus, judge

PROGRESS_SCHEMA_VERSION = 1
RESOLVED, OPEN, NEW, REGRESSED = "resolved", "open", "new", "regressed"


class VerifyError(ValueError):
    """Two folders that cannot be compared (other accounts, no snapshot, an unreadable plan): bad input."""


@dataclass
class Analysis:
    """What one side of the comparison brings: snapshot, findings (dicts), model summary and lines."""

    folder: AccountFolder
    snapshot: Snapshot
    findings: list[dict[str, Any]]
    model: dict[str, Any]
    lines: pd.DataFrame
    recomputed: list[str] = field(default_factory=list)  # which artefacts were recomputed offline


def _load(folder: AccountFolder, assumptions: Any = None) -> Analysis:
    try:
        snapshot = folder.read_snapshot()
    except SnapshotError as exc:
        raise VerifyError(f"{folder.path}: {exc}") from None
    try:
        model = folder.read_model(missing_ok=True)
        findings = [f.to_dict() for f in folder.read_findings(missing_ok=True)] if folder.findings_json.is_file() \
            else None
        lines = folder.read_costs(missing_ok=True)
    except ArtefactError as exc:
        raise VerifyError(str(exc)) from None
    recomputed = []
    if not model or findings is None or not len(lines):
        from awsassess.assumptions import resolve
        from awsassess.notebook import compute_analysis

        found, cost_model = compute_analysis(snapshot, resolve(assumptions))
        if not model or not len(lines):
            model = json.loads(json.dumps(cost_model.to_dict(), default=str))
            lines = cost_model.lines
            recomputed.append("model")  # in memory only: a run's folder is never written by verify
        if findings is None:
            findings = [f.to_dict() for f in found]
            recomputed.append("findings")
    return Analysis(folder, snapshot, findings, model, lines, recomputed)


# ----------------------------------------------------------------------------------------------- money
def _current(lines: pd.DataFrame) -> pd.DataFrame:
    return lines[lines["scenario"] == "current"] if len(lines) else lines


def _by_item(lines: pd.DataFrame, labels: dict[tuple[str, str], str]) -> dict[tuple[str, str], float]:
    """$/month per (domain, catalog row): today's and proposed lines name one charge differently ("Fargate
    vCPU-hours" and "Fargate vCPU-hours (right-sized)") but price it from the same row. ``labels`` collects
    the shortest line label of each group for display."""
    if not len(lines):
        return {}
    usd = pd.to_numeric(lines["monthly_usd"], errors="coerce").fillna(0.0)
    key = lines["price_key"].fillna("").astype(str).where(lines["price_key"].fillna("").astype(str) != "",
                                                          lines["item"].astype(str))
    for d, k, item in zip(lines["domain"].astype(str), key, lines["item"].astype(str), strict=True):
        old = labels.get((d, k))
        labels[(d, k)] = item if old is None or len(item) < len(old) else old
    grouped = usd.groupby([lines["domain"].astype(str), key]).sum()
    return {(str(k[0]), str(k[1])): float(v) for k, v in grouped.items()}


def _qualify(rows: list[dict[str, Any]]) -> None:
    """Rows of one label priced from different catalog rows (x86 and arm64 Fargate, two classes) get the row's
    qualifier in their label: "Fargate vCPU-hours (arm64)", "DocumentDB instance hours (db.r6g.large)"."""
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        seen[(r["domain"], r["item"])] = seen.get((r["domain"], r["item"]), 0) + 1
    for r in rows:
        if seen[(r["domain"], r["item"])] > 1:
            parts = str(r["price_key"]).split("/")
            qualifier = parts[1].split(":", 1)[1] if len(parts) > 1 and ":" in parts[1] else r["price_key"]
            r["item"] = f"{r['item']} ({qualifier})"


def _latest_bill(snapshot: Snapshot) -> tuple[str, float] | None:
    spend = snapshot.table("spend")
    if not len(spend):
        return None
    by_month = pd.to_numeric(spend["usd"], errors="coerce").fillna(0.0).groupby(spend["month"].astype(str)).sum()
    month = max(by_month.index)
    return str(month), round(float(by_month[month]), 2)


def _money(before: Analysis, after: Analysis) -> dict[str, Any]:
    b, a = before.model.get("summary", {}), after.model.get("summary", {})
    was, planned = num(b.get("current_monthly_usd")), num(b.get("proposed_monthly_usd"))
    now = num(a.get("current_monthly_usd"))
    promised = None if was is None or planned is None else round(was - planned, 2)
    banked = None if was is None or now is None else round(was - now, 2)
    out: dict[str, Any] = {
        "before_usd": was, "planned_usd": planned, "now_usd": now, "promised_saving_usd": promised,
        "banked_saving_usd": banked,
        "banked_pct_of_promised": round(100 * banked / promised, 1) if banked is not None and promised else None,
        "now_vs_plan_pct": round(100 * (now - planned) / planned, 1) if now is not None and planned else None,
    }
    labels: dict[tuple[str, str], str] = {}
    was_items, now_items = _by_item(_current(before.lines), labels), _by_item(_current(after.lines), labels)
    plan_lines = before.lines[before.lines["scenario"] == "proposed"] if len(before.lines) else before.lines
    plan_items = _by_item(plan_lines, labels)
    moved: list[dict[str, Any]] = [{"domain": d, "item": labels[(d, i)], "price_key": i, "before_usd": round(was_items.get((d, i), 0.0), 2),
              "now_usd": round(now_items.get((d, i), 0.0), 2),
              "change_usd": round(now_items.get((d, i), 0.0) - was_items.get((d, i), 0.0), 2)}
             for d, i in sorted(set(was_items) | set(now_items))]
    _qualify(moved)
    out["moved"] = sorted((m for m in moved if abs(m["change_usd"]) >= 0.01),
                          key=lambda m: (-abs(m["change_usd"]), m["domain"], m["item"]))
    remainder: list[dict[str, Any]] = [{"domain": d, "item": labels[(d, i)], "price_key": i, "planned_usd": round(plan_items.get((d, i), 0.0), 2),
                  "now_usd": round(now_items.get((d, i), 0.0), 2),
                  "difference_usd": round(now_items.get((d, i), 0.0) - plan_items.get((d, i), 0.0), 2)}
                 for d, i in sorted(set(plan_items) | set(now_items))]
    _qualify(remainder)
    out["now_vs_plan"] = sorted((r for r in remainder if abs(r["difference_usd"]) >= 0.01),
                                key=lambda r: (-abs(r["difference_usd"]), r["domain"], r["item"]))
    bill_b, bill_a = _latest_bill(before.snapshot), _latest_bill(after.snapshot)
    out["bill"] = None if bill_b is None or bill_a is None else {
        "before_month": bill_b[0], "before_usd": bill_b[1], "now_month": bill_a[0], "now_usd": bill_a[1],
        "saving_usd": round(bill_b[1] - bill_a[1], 2)}
    return out


# -------------------------------------------------------------------------------------------- findings
def _refs(f: dict[str, Any], idx: Index) -> frozenset[str]:
    return frozenset(idx.ref(str(r)) for r in f.get("resource_ids") or [])


def _wave_refs(waves: list[dict[str, Any]], arch: ProposedArchitecture, idx: Index) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for w in waves:
        ids = [str(r) for r in w.get("resources", [])]
        if str(w.get("name", "")).startswith("Pipelines") and arch.pipelines:
            ids += arch.pipelines.replaces
        out[int(w.get("number", 0))] = {idx.ref(r) for r in ids}
    return out


def _findings(before: Analysis, after: Analysis, b_idx: Index, a_idx: Index, waves: list[WaveStatus],
              wave_refs: dict[int, set[str]], previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    was_resolved = {(f["rule_id"], tuple(f["resources"])) for f in (previous or {}).get("findings", [])
                    if f.get("status") == RESOLVED}
    status_of = {w.number: w.status for w in waves}
    after_refs = [(f, _refs(f, a_idx)) for f in after.findings]
    by_ref: dict[tuple[str, str | None], list[int]] = {}  # (rule, resource) -> after findings: indexed, never pairwise
    for i, (g, g_refs) in enumerate(after_refs):
        for r in g_refs or (None,):
            by_ref.setdefault((g["rule_id"], r), []).append(i)
    matched_after: set[int] = set()
    out = []
    for f in before.findings:
        refs = _refs(f, b_idx)
        hits = sorted({i for r in refs or (None,) for i in by_ref.get((f["rule_id"], r), ())})
        matched_after.update(hits)
        target = next((n for n, r in sorted(wave_refs.items()) if refs & r), None)
        key = (f["rule_id"], tuple(sorted(refs)))
        status = RESOLVED if not hits else (REGRESSED if key in was_resolved else OPEN)
        out.append({
            "rule_id": f["rule_id"], "title": f.get("title", ""), "domain": f.get("domain", ""),
            "severity": f.get("severity", ""), "status": status, "resources": sorted(refs),
            "planned": addressed(f["rule_id"]),
            "monthly_savings_usd": f.get("monthly_savings_usd"), "wave": target,
            "wave_status": status_of.get(target) if target is not None else None,
            "now": [after_refs[i][0].get("finding_id", "") for i in hits]})
    # a finding naming only resources a rebuild renames (NAT gateways, addresses, peerings): matched by its rule
    # to one such finding of the same rule, never read as "resolved" + "new" of the same concern
    b_surviving, a_surviving = b_idx.surviving, a_idx.surviving

    def rebuilt_only(refs: frozenset[str], surviving: set[str]) -> bool:
        return bool(refs) and not refs & surviving

    spare: dict[str, list[int]] = {}
    for i, (g, g_refs) in enumerate(after_refs):
        if i not in matched_after and rebuilt_only(g_refs, a_surviving):
            spare.setdefault(g["rule_id"], []).append(i)
    for row, f in zip(out, before.findings, strict=True):
        if row["status"] == RESOLVED and rebuilt_only(frozenset(row["resources"]), b_surviving) \
                and spare.get(f["rule_id"]):
            i = spare[f["rule_id"]].pop(0)
            matched_after.add(i)
            row["status"] = OPEN
            row["now"] = [after_refs[i][0].get("finding_id", "")]
            row["matched_by"] = "rule (its resources' ids change on a rebuild)"
    for i, (g, g_refs) in enumerate(after_refs):
        if i in matched_after:
            continue
        key = (g["rule_id"], tuple(sorted(g_refs)))
        out.append({"rule_id": g["rule_id"], "title": g.get("title", ""), "domain": g.get("domain", ""),
                    "severity": g.get("severity", ""), "status": REGRESSED if key in was_resolved else NEW,
                    "resources": sorted(g_refs), "planned": None, "monthly_savings_usd": g.get("monthly_savings_usd"),
                    "wave": None, "wave_status": None, "now": [g.get("finding_id", "")]})
    return out


# -------------------------------------------------------------------------------------------- delivery
def _median_minutes(df: pd.DataFrame, start: str, end: str, ok: pd.Series | None = None) -> float | None:
    if not len(df):
        return None
    rows = df[ok] if ok is not None else df
    minutes = ((pd.to_datetime(rows[end], utc=True, errors="coerce") -
                pd.to_datetime(rows[start], utc=True, errors="coerce")).dt.total_seconds() / 60).dropna()
    return round(float(minutes.median()), 1) if len(minutes) else None


def _rollouts(snapshot: Snapshot) -> float | None:
    d = snapshot.table("ecs_deployments")
    return _median_minutes(d, "created_at", "updated_at",
                           d["rollout_state"].astype(str).str.upper() == "COMPLETED" if len(d) else None)


def _codedeploy(snapshot: Snapshot) -> float | None:
    d = snapshot.table("deployments")
    if not len(d):
        return None
    s = pd.to_numeric(d["duration_s"], errors="coerce").dropna()
    return round(float(s.median()) / 60, 1) if len(s) else None


def _delivery(before: Analysis, after: Analysis) -> dict[str, Any]:
    b, a = before.model.get("summary", {}), after.model.get("summary", {})
    return {"pipeline_before_min": b.get("pipeline_now_min"), "pipeline_predicted_min": b.get("pipeline_predicted_min"),
            "pipeline_now_min": a.get("pipeline_now_min"),
            "codedeploy_before_min": _codedeploy(before.snapshot), "codedeploy_now_min": _codedeploy(after.snapshot),
            "rollout_before_min": _rollouts(before.snapshot), "rollout_now_min": _rollouts(after.snapshot)}


# ------------------------------------------------------------------------------------------- the whole
@dataclass
class Progress:
    account_id: str
    name: str
    before: str
    after: str
    before_collected_at: str
    after_collected_at: str
    waves: list[WaveStatus]
    money: dict[str, Any]
    findings: list[dict[str, Any]]
    delivery: dict[str, Any]
    inventory: list[KindDiff]
    counts: dict[str, list[int]]
    notes: list[str] = field(default_factory=list)

    @property
    def planned_open(self) -> list[dict[str, Any]]:
        """Findings the plan promised to fix (:mod:`awsassess.model.addresses`) still open once the wave that
        touches them is done (or, for one no wave names, once every wave is done)."""
        all_done = all(w.status == DONE for w in self.waves)
        return [f for f in self.findings if f.get("planned") and f["status"] in (OPEN, REGRESSED)
                and (f["wave_status"] == DONE or (f["wave"] is None and all_done))]

    @property
    def summary(self) -> dict[str, Any]:
        by_status = {s: sum(1 for f in self.findings if f["status"] == s) for s in (RESOLVED, OPEN, NEW, REGRESSED)}
        return {"waves_done": sum(1 for w in self.waves if w.status == DONE), "waves": len(self.waves),
                "planned_still_open": len(self.planned_open),
                "banked_saving_usd": self.money.get("banked_saving_usd"),
                "promised_saving_usd": self.money.get("promised_saving_usd"),
                "banked_pct_of_promised": self.money.get("banked_pct_of_promised"),
                "findings": by_status}

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": PROGRESS_SCHEMA_VERSION, "account_id": self.account_id, "name": self.name,
                "before": self.before, "after": self.after, "before_collected_at": self.before_collected_at,
                "after_collected_at": self.after_collected_at,
                "verified_at": datetime.now(UTC).isoformat(timespec="seconds"), "summary": self.summary,
                "waves": [w.to_dict() for w in self.waves], "money": self.money, "findings": self.findings,
                "delivery": self.delivery,
                "inventory": {"kinds": [d.to_dict() for d in self.inventory], "counts": self.counts},
                "notes": self.notes}


def _plan(before: Analysis) -> tuple[ProposedArchitecture, list[dict[str, Any]]]:
    raw = before.model.get("proposed_architecture")
    if not isinstance(raw, dict):
        raise VerifyError(f"{before.folder.model_json}: no proposed_architecture. Fix: {before.folder.analyze_fix}")
    try:
        arch = ProposedArchitecture.from_dict(raw)
    except (TypeError, KeyError, ValueError) as exc:
        raise VerifyError(f"{before.folder.model_json}: the plan cannot be read ({exc}). Fix: "
                          f"{before.folder.analyze_fix}") from None
    return arch, list(before.model.get("migration_waves") or [])


def _planned_names(arch: ProposedArchitecture) -> tuple[set[str], set[str]]:
    names = {v.name for v in arch.vpcs} | {lb.name for lb in arch.load_balancers} | {c.name for c in arch.clusters}
    names |= {c.capacity_provider.name for c in arch.clusters if c.capacity_provider}
    gone: set[str] = set()
    for v in arch.vpcs:
        gone.update(v.replaces)
    for lb in arch.load_balancers:
        gone.update(lb.replaces)
    if arch.pipelines:
        gone.update(arch.pipelines.replaces)
    return names, gone


def verify_account(before_dir: str | os.PathLike[str] | AccountFolder, after_dir: str | os.PathLike[str] | AccountFolder,
                   previous: dict[str, Any] | None = None) -> Progress:
    """Progress of ``after_dir`` against the plan in ``before_dir`` (account folders of two runs).
    ``previous``: an earlier progress.json against the same plan, so that a finding it saw resolved and
    that is back reads as regressed."""
    b_folder, a_folder = AccountFolder.of(before_dir), AccountFolder.of(after_dir)
    before = _load(b_folder)
    b_id, a_id = str(before.snapshot.account_id), None
    try:
        a_manifest = a_folder.read_manifest()
    except ArtefactError as exc:
        raise VerifyError(str(exc)) from None
    a_id = str(a_manifest.get("account_id", ""))
    if a_id != b_id:
        raise VerifyError(f"{b_folder.path} is account {b_id} and {a_folder.path} is account {a_id}: progress "
                          "compares two snapshots of one account. Fix: give the same account's folder from each run.")
    after = _load(a_folder, (before.model.get("assumptions") and {"model": before.model["assumptions"]}) or None)
    arch, waves = _plan(before)
    b_idx, a_idx = index(before.snapshot), index(after.snapshot)
    statuses = judge(waves, arch, before.snapshot, after.snapshot, b_idx, a_idx)
    names, gone = _planned_names(arch)
    notes = [f"{side} {what} recomputed offline (no {what}.json in {a.folder.path})"
             for side, a in (("before", before), ("after", after)) for what in a.recomputed]
    if before.snapshot.schema_version != after.snapshot.schema_version:
        notes.append(f"snapshots of schema {before.snapshot.schema_version} (before) and "
                     f"{after.snapshot.schema_version} (after): columns the older one lacks compare as missing")
    return Progress(
        account_id=b_id, name=before.snapshot.name, before=str(b_folder.path), after=str(a_folder.path),
        before_collected_at=text(before.snapshot.manifest.get("collected_at")),
        after_collected_at=text(after.snapshot.manifest.get("collected_at")),
        waves=statuses, money=_money(before, after),
        findings=_findings(before, after, b_idx, a_idx, statuses, _wave_refs(waves, arch, b_idx), previous),
        delivery=_delivery(before, after), inventory=diff(b_idx, a_idx, names, gone),
        counts={t: [b_idx.counts.get(t, 0), a_idx.counts.get(t, 0)] for t in b_idx.counts}, notes=notes)


def write_progress(progress: Progress, after_dir: str | os.PathLike[str] | AccountFolder) -> Path:
    path = AccountFolder.of(after_dir).progress_json
    write_text_atomic(path, json.dumps(progress.to_dict(), indent=2, default=str))
    return path


def read_progress(account_dir: str | os.PathLike[str] | AccountFolder) -> dict[str, Any] | None:
    """``progress.json`` of an account folder, None when it was never verified."""
    path = AccountFolder.of(account_dir).progress_json
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ArtefactError(path, f"not readable as JSON ({exc})", "run `awsassess verify BEFORE AFTER` again") \
            from None
    return data if isinstance(data, dict) else None


def is_account_folder(path: Path) -> bool:
    return AccountFolder.of(path).has_snapshot()


def verify_pairs(before: str | os.PathLike[str], after: str | os.PathLike[str]
                 ) -> tuple[list[tuple[AccountFolder, AccountFolder]], list[str]]:
    """The account folders to compare: the two folders themselves (account folders), or every account
    present in both runs (run folders), with the names present in only one of them."""
    b, a = Path(before), Path(after)
    for p in (b, a):
        if not p.is_dir():
            raise VerifyError(f"{p}: no such folder. Fix: give an account folder (DIR/<name>) or a run folder (DIR).")
    if is_account_folder(b) and is_account_folder(a):
        return [(AccountFolder.of(b), AccountFolder.of(a))], []
    if is_account_folder(b) != is_account_folder(a):
        raise VerifyError(f"{b} and {a}: one is an account folder and the other is not. Fix: give two account "
                          "folders (DIR/<name>) or two run folders (DIR).")
    b_run, a_run = RunFolder.of(b), RunFolder.of(a)
    b_names = {p.name for p in b.iterdir() if p.is_dir() and is_account_folder(p)}
    a_names = {p.name for p in a.iterdir() if p.is_dir() and is_account_folder(p)}
    both = sorted(b_names & a_names)
    if not both:
        raise VerifyError(f"{b} and {a} have no account in common (before: {', '.join(sorted(b_names)) or 'none'}; "
                          f"after: {', '.join(sorted(a_names)) or 'none'}). Fix: verify runs of the same accounts.")
    skipped = [f"{n}: only in {b}" for n in sorted(b_names - a_names)] + \
              [f"{n}: only in {a}" for n in sorted(a_names - b_names)]
    return [(b_run.account(n), a_run.account(n)) for n in both], skipped
