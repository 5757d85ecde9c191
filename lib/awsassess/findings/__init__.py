"""Assessment rules: pure functions ``(snapshot, assumptions) -> list[Finding]``, one module per domain.

Public API::

    evaluate(snapshot, assumptions=None) -> list[Finding]   # all rules, sorted by severity then rule id
    write_findings(findings, account_dir) -> dict[str, Path]  # findings.json (schema-validated) + findings.csv
    load_findings(path) -> list[Finding]
    REGISTRY: dict[rule_id, RuleSpec]                        # metadata; docs/rules.md is generated from it

``monthly_savings_usd`` is always ``None`` here: ``awsassess.model.attach_savings`` prices it.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from awsassess.findings import (  # noqa: F401
    capacity,
    cdn,
    compute,
    datastores,
    network,
    pipelines,
    reliability,
    security,
    stacks,
)
from awsassess.findings.base import (
    DOMAINS,
    EFFORTS,
    REGISTRY,
    SEVERITIES,
    Finding,
    RuleError,
    RuleSpec,
)
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.layout import AccountFolder
from awsassess.safe_files import csv_safe, write_text_atomic
from awsassess.snapshot import Snapshot

__all__ = ["not_assessed", "DOMAINS", "EFFORTS", "REGISTRY", "SEVERITIES", "Finding", "FindingsAssumptions", "RuleError",
           "RuleSpec", "SCHEMA_PATH", "evaluate", "findings_frame", "load_findings", "resolve_assumptions",
           "validate", "write_findings"]

SCHEMA_PATH = Path(__file__).with_name("schema.json")
CSV_COLUMNS = ["finding_id", "rule_id", "domain", "severity", "title", "account_id", "region", "resource_ids",
               "evidence", "recommendation", "monthly_savings_usd", "effort"]


def resolve_assumptions(assumptions: Any = None) -> FindingsAssumptions:
    """The rules' section of :func:`awsassess.assumptions.resolve` (a flat dict is the findings overrides)."""
    if isinstance(assumptions, FindingsAssumptions):
        return assumptions
    from awsassess.assumptions import resolve  # awsassess.assumptions imports this package's thresholds

    return resolve(assumptions, "findings").findings


class _MemoSnapshot(Snapshot):
    """The same snapshot with ``table()`` memoised for one evaluation (rules never modify frames in place)."""

    def __init__(self, inner: Snapshot) -> None:
        super().__init__(manifest=inner.manifest, tables=inner.tables, path=inner.path)
        self._memo: dict[str, Any] = {}
        self._inner = inner
        self.series_cache: dict[Any, Any] = {}  # awsassess.metrics_stats.series memo

    def table(self, name: str) -> Any:
        if name not in self._memo:
            self._memo[name] = self._inner.table(name)
        return self._memo[name]


def not_assessed(snapshot: Snapshot, rules: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(rule id, reason) of the rules :func:`evaluate` withholds: a table they read was not fully read
    (a denied, skipped or failed call of its collector, :func:`awsassess.coverage.unread_tables`).

    "7 VPCs for 0 services" from a snapshot whose ECS calls were denied would be a false finding;
    such a rule is listed as *not assessed*, with the reason, instead.
    """
    from awsassess.coverage import not_assessed_reason, unread_tables

    unread = unread_tables(snapshot)
    if not unread:
        return []
    out = []
    for rule_id in sorted(REGISTRY) if rules is None else rules:
        reason = not_assessed_reason(REGISTRY[rule_id].tables, unread)
        if reason:
            out.append((rule_id, reason))
    return out


def evaluate(snapshot: Snapshot, assumptions: Any = None, *, rules: Iterable[str] | None = None) -> list[Finding]:
    """Run every registered rule (or only ``rules``) on ``snapshot``; sorted by severity, then rule id.

    Rules whose data could not be read are not run (:func:`not_assessed` lists them and why).

    A rule that raises stops the evaluation with :class:`RuleError` naming the rule (a bug, not data).
    """
    a = resolve_assumptions(assumptions)
    selected = sorted(REGISTRY) if rules is None else list(rules)
    unknown = [r for r in selected if r not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown rule id(s) {unknown}; known: {', '.join(sorted(REGISTRY))}")
    findings: list[Finding] = []
    withheld = {rule_id for rule_id, _reason in not_assessed(snapshot, selected)}
    snapshot = _MemoSnapshot(snapshot)
    for rule_id in selected:
        if rule_id in withheld:  # its tables were not fully read: it must not conclude (see not_assessed)
            continue
        try:
            findings.extend(REGISTRY[rule_id].fn(snapshot, a))
        except Exception as exc:  # noqa: BLE001 - re-raised with the rule named
            raise RuleError(f"rule {rule_id} ({REGISTRY[rule_id].title}) failed on "
                            f"{snapshot.name or snapshot.account_id}: {type(exc).__name__}: {exc}") from exc
    # two findings of one rule on the same resources (e.g. in two regions) must keep distinct ids
    seen: dict[str, int] = {}
    for f in sorted(findings, key=Finding.sort_key):
        n = seen.get(f.finding_id, 0)
        seen[f.finding_id] = n + 1
        if n:
            f.finding_id = f"{f.finding_id}-{n}"
    return sorted(findings, key=Finding.sort_key)


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def validate(records: list[dict[str, Any]]) -> None:
    """Validate findings.json records against schema.json (raises ``jsonschema.ValidationError``)."""
    import jsonschema

    jsonschema.validate(records, _schema())


def write_findings(findings: Iterable[Finding], account_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``findings.json`` (validated against schema.json) and ``findings.csv`` into ``account_dir``."""
    items = sorted(findings, key=Finding.sort_key)
    records = [f.to_dict() for f in items]
    validate(records)
    acct = AccountFolder.of(account_dir)
    json_path, csv_path = acct.findings_json, acct.findings_csv
    write_text_atomic(json_path, json.dumps(records, indent=2, sort_keys=False) + "\n")

    buffer = io.StringIO(newline="")
    w = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    w.writeheader()
    for rec in records:
        row = dict(rec)
        row["resource_ids"] = ";".join(rec["resource_ids"])
        row["evidence"] = json.dumps(rec["evidence"], sort_keys=True)
        row["monthly_savings_usd"] = "" if rec["monthly_savings_usd"] is None else rec["monthly_savings_usd"]
        w.writerow({k: csv_safe(row[k]) for k in CSV_COLUMNS})  # no cell an Excel user opens runs as a formula
    write_text_atomic(csv_path, buffer.getvalue())
    return {"json": json_path, "csv": csv_path}


def load_findings(path: str | os.PathLike[str]) -> list[Finding]:
    """Read findings.json (a file, or an account folder holding one)."""
    p = Path(path)
    if p.is_dir():
        p = AccountFolder(p).findings_json
    records = json.loads(p.read_text())
    validate(records)
    return [Finding.from_dict(r) for r in records]


def findings_frame(findings: Iterable[Finding | Mapping[str, Any]]) -> Any:
    """Findings as a pandas DataFrame (CSV column order)."""
    import pandas as pd

    recs = [f.to_dict() if isinstance(f, Finding) else dict(f) for f in findings]
    return pd.DataFrame(recs, columns=CSV_COLUMNS)
