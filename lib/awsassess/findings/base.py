"""The Finding record, the rule registry and the helpers every rule module uses."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from awsassess.findings.saving import Basis
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot
from awsassess.tables import TABLES
from awsassess.values import json_list as json_list  # re-exported for the rule modules
from awsassess.values import json_obj as json_obj  # re-exported for the rule modules
from awsassess.values import num as num  # re-exported for the rule modules (None default)
from awsassess.values import text
from awsassess.values import truthy as truthy  # re-exported for the rule modules

DOMAINS = ("network", "compute", "pipelines", "datastores", "cdn", "stacks", "security")
SEVERITIES = ("high", "medium", "low", "info")
EFFORTS = ("low", "medium", "high")
SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
#: the AWS Well-Architected Framework's pillars; every rule names the one it serves
PILLARS = ("operational excellence", "security", "reliability", "performance efficiency", "cost optimization",
           "sustainability")
#: the pillar of each Well-Architected best-practice id prefix (``SEC08-BP02`` -> security)
BEST_PRACTICE_PILLAR = {"OPS": "operational excellence", "SEC": "security", "REL": "reliability",
                        "PERF": "performance efficiency", "COST": "cost optimization", "SUS": "sustainability"}
BEST_PRACTICE_ID = re.compile(r"(OPS|SEC|REL|PERF|COST|SUS)(\d{2})-BP(\d{2})")

RuleFn = Callable[[Snapshot, FindingsAssumptions], "list[Finding]"]


class RuleError(RuntimeError):
    """A rule failed on a snapshot; the message names the rule."""


def finding_id(rule_id: str, account_id: str, resource_ids: Iterable[str]) -> str:
    """Stable id: the same rule on the same account and resources gives the same id on every run."""
    key = "|".join([rule_id, str(account_id), *sorted(str(r) for r in resource_ids)])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def jsonable(value: Any) -> Any:
    """Evidence values made JSON-safe (numpy scalars, timestamps, NaN -> None, tuples -> lists)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 4)
    if isinstance(value, pd.Timestamp | datetime):
        return None if pd.isna(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is pd.NaT or value is None:
        return None
    if isinstance(value, bool | int | str):
        return value
    return str(value)


@dataclass
class Finding:
    """One thing a rule found (INTERFACE: findings.json), plus a stable ``finding_id``."""

    rule_id: str
    domain: str
    severity: str
    title: str
    account_id: str
    region: str
    resource_ids: list[str]
    evidence: dict[str, Any]
    recommendation: str
    monthly_savings_usd: float | None = None
    effort: str = "medium"
    finding_id: str = field(default="")

    def __post_init__(self) -> None:
        if self.domain not in DOMAINS:
            raise ValueError(f"{self.rule_id}: domain {self.domain!r} is not one of {DOMAINS}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.rule_id}: severity {self.severity!r} is not one of {SEVERITIES}")
        if self.effort not in EFFORTS:
            raise ValueError(f"{self.rule_id}: effort {self.effort!r} is not one of {EFFORTS}")
        self.account_id = str(self.account_id)
        self.resource_ids = [str(r) for r in self.resource_ids]
        self.evidence = jsonable(self.evidence)
        if not self.finding_id:
            self.finding_id = finding_id(self.rule_id, self.account_id, self.resource_ids)

    def to_dict(self) -> dict[str, Any]:
        return {
            "finding_id": self.finding_id,
            "rule_id": self.rule_id,
            "domain": self.domain,
            "severity": self.severity,
            "title": self.title,
            "account_id": self.account_id,
            "region": self.region,
            "resource_ids": list(self.resource_ids),
            "evidence": self.evidence,
            "recommendation": self.recommendation,
            "monthly_savings_usd": self.monthly_savings_usd,
            "effort": self.effort,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def sort_key(self) -> tuple[Any, ...]:
        return (SEVERITY_ORDER[self.severity], self.rule_id, self.account_id, self.region,
                tuple(self.resource_ids))


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule and its metadata (what docs/rules.md lists)."""

    id: str
    title: str
    domain: str
    severity: str
    rationale: str
    thresholds: tuple[str, ...]
    tables: tuple[str, ...]
    effort: str
    fn: RuleFn
    saving: Basis  # what the rule's saving is made of, priced by awsassess.model.savings
    pillar: str = ""  # the Well-Architected pillar the rule serves (one of PILLARS)
    best_practice: str = ""  # the Well-Architected best-practice id it checks, e.g. "REL10-BP01"

    def finding(
        self,
        snapshot: Snapshot,
        *,
        region: str,
        resource_ids: Sequence[str],
        evidence: dict[str, Any],
        recommendation: str,
        title: str | None = None,
        severity: str | None = None,
        effort: str | None = None,
    ) -> Finding:
        return Finding(
            rule_id=self.id, domain=self.domain, severity=severity or self.severity,
            title=title or self.title, account_id=snapshot.account_id, region=str(region or "global"),
            resource_ids=list(resource_ids), evidence=evidence, recommendation=recommendation,
            monthly_savings_usd=None, effort=effort or self.effort,
        )


REGISTRY: dict[str, RuleSpec] = {}


def rule(
    id: str, *, title: str, domain: str, severity: str, rationale: str,
    thresholds: Sequence[str] = (), tables: Sequence[str] = (), effort: str = "medium", saving: Basis,
    pillar: str, best_practice: str,
) -> Callable[[RuleFn], RuleFn]:
    """Register a rule with the basis of its saving (:class:`awsassess.findings.saving.Basis`; ``not_cost`` or
    ``not_modelled`` when it has none), the Well-Architected ``pillar`` it serves (one of :data:`PILLARS`) and
    the ``best_practice`` id it checks (``REL10-BP01``: AWS's numbering, of that pillar). Checks at import time
    that thresholds and tables exist."""
    fields = FindingsAssumptions.model_fields
    unknown = [t for t in thresholds if t not in fields]
    if unknown:
        raise ValueError(f"rule {id}: thresholds {unknown} are not FindingsAssumptions fields")
    missing = [t for t in tables if t not in TABLES]
    if missing:
        raise ValueError(f"rule {id}: tables {missing} are not snapshot tables (awsassess.tables)")
    if not isinstance(saving, Basis):
        raise ValueError(f"rule {id}: saving must be a findings.saving.Basis (not_cost(why) when it saves nothing)")
    if domain not in DOMAINS or severity not in SEVERITIES or effort not in EFFORTS:
        raise ValueError(f"rule {id}: bad domain/severity/effort {domain}/{severity}/{effort}")
    if pillar not in PILLARS:
        raise ValueError(f"rule {id}: pillar {pillar!r} is not one of {PILLARS}")
    match = BEST_PRACTICE_ID.fullmatch(best_practice)
    if not match or BEST_PRACTICE_PILLAR[match.group(1)] != pillar:
        raise ValueError(f"rule {id}: best_practice {best_practice!r} is not a Well-Architected best-practice id of "
                         f"the {pillar} pillar (e.g. {next(k for k, v in BEST_PRACTICE_PILLAR.items() if v == pillar)}"
                         "01-BP01)")

    def deco(fn: RuleFn) -> RuleFn:
        if id in REGISTRY and REGISTRY[id].fn is not fn:
            raise ValueError(f"rule id {id} registered twice ({REGISTRY[id].fn.__name__}, {fn.__name__})")
        REGISTRY[id] = RuleSpec(id, title, domain, severity, rationale, tuple(thresholds), tuple(tables),
                                effort, fn, saving, pillar, best_practice)
        fn.spec = REGISTRY[id]  # type: ignore[attr-defined]
        return fn

    return deco


def spec(rule_id: str) -> RuleSpec:
    return REGISTRY[rule_id]


# ------------------------------------------------------------------ small helpers for rules
def is_production(snapshot: Snapshot, a: FindingsAssumptions) -> bool:
    """The snapshot's environment is a production one (the shared definition, :class:`SharedAssumptions`)."""
    return a.is_production(snapshot.environment)


def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    return df.to_dict("records")


def regions_of(*frames: pd.DataFrame) -> list[str]:
    found: set[str] = set()
    for df in frames:
        if len(df):
            found.update(text(r) or "global" for r in df["region"].unique())
    return sorted(found)


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60.0, 1)


def flag(value: Any) -> bool | None:
    """A boolean cell as True / False, or None when it is missing (not collected, or not reported): a rule about
    a setting that is off must not conclude from a cell it never saw (a snapshot of an older schema, a field an
    API did not return)."""
    return None if text(value) == "" else truthy(value)
