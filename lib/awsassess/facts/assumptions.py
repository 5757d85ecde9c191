"""The assumptions every room shares, defined once.

Before this module the rules right-sized Fargate at 70 % CPU / 70 % memory
(``findings.target_utilization_pct``) and the model at 70 % / 80 % (``model.cpu_target_pct``,
``model.memory_target_pct``), so finding CMP-001 recommended one size and the model priced and the
diagram drew another. ``production_environments`` was declared in both sections too. A concept that
more than one room reads lives here, once: :class:`SharedAssumptions` is the base of both
:class:`awsassess.findings.thresholds.FindingsAssumptions` and
:class:`awsassess.model.assumptions.ModelAssumptions`, and :class:`awsassess.assumptions.Assumptions`
gives both sections the same value (set it under ``assumptions: {shared: {...}}``; the old places are
still read, and two places that disagree are an error naming both).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from awsassess.values import documented

_f = documented

# the old name of the right-sizing target of the rules (one number for CPU and memory)
LEGACY_TARGET = "target_utilization_pct"


class SharedAssumptions(BaseModel):
    """Environment, metric window and right-sizing targets: one value, read by rules, model and views."""

    model_config = ConfigDict(extra="forbid")

    production_environments: list[str] = _f(
        ["production", "prod", "prd", "live"],
        "Environment labels (params `environment`, case-insensitive) treated as production: severities of the "
        "rules, and Multi-AZ data stores kept only there.", "labels")
    metrics_lookback_days: int = _f(
        14, "Days of CloudWatch data the utilisation rules and the right-sizing read (counted back from the "
        "snapshot's collection time, else the latest datapoint).", "days", ge=1, le=455)
    min_datapoints: int = _f(
        24, "Fewest datapoints a resource needs before its utilisation is judged or it is right-sized "
        "(fewer: the size is kept).", "datapoints", ge=1)
    utilisation_statistic: Literal["Average", "Maximum"] = _f(
        "Average", "Which hourly CloudWatch statistic the p95 is taken over (Average = p95 of hourly means; "
        "Maximum is more conservative).", "statistic")
    cpu_target_pct: float = _f(
        70.0, "Right-sizing: a task's new CPU is chosen so that its measured p95 CPU is at most this share of it "
        "(headroom for peaks and deploys; the usual 60-75% target-tracking band). The findings, the model and "
        "the diagrams all use it.", "%", gt=0, le=100)
    memory_target_pct: float = _f(
        80.0, "Right-sizing: a task's new memory is chosen so that its measured p95 memory is at most this share "
        "of it (memory is not elastic: an OOM kills the task).", "%", gt=0, le=100)
    starved_cpu_pct: float = _f(
        90.0, "A task whose p95 CPU is at or above this share of its size is CPU-starved: it is sized up by "
        "the same rule, never down.", "%", gt=0, le=100)

    graviton_databases: bool = _f(
        True, "Move RDS, Aurora, DocumentDB and ElastiCache to the Graviton class of the same letter (m6g, r6g, "
        "t4g): the rules suggest it and the model prices it.", "flag")
    db_downsize_cpu_p95_pct: float = _f(
        25.0, "A database whose p95 CPU is at or below this moves one size down within its family (never below "
        "large for m/r, medium for t): the rules report it (DAT-006, DAT-008) and the model prices it.",
        "%", gt=0, le=100)
    downsize_production_databases: bool = _f(
        True, "Apply that one-size-down to production databases too (off: production keeps its sizes, and "
        "low-CPU production databases are not reported).", "flag")

    alb_max_rules: int = _f(
        100, "Listener rules per ALB (AWS default quota, adjustable, excluding default rules): the rule that "
        "proposes shared load balancers and the model that splits them use the same quota.", "rules", ge=1)
    alb_max_target_groups: int = _f(
        100, "Target groups per ALB (AWS hard quota).", "target groups", ge=1)

    @model_validator(mode="before")
    @classmethod
    def _legacy_names(cls, data: Any) -> Any:
        return legacy_to_shared(data) if isinstance(data, dict) else data

    def is_production(self, environment: str) -> bool:
        """True when ``environment`` (params ``environment``) is one of the production labels."""
        return environment.strip().lower() in {e.lower() for e in self.production_environments}

    def shared_key(self) -> tuple[Any, ...]:
        """The shared values as a hashable key (facts are memoised on it)."""
        return tuple(tuple(v) if isinstance(v, list) else v
                     for v in (getattr(self, n) for n in SharedAssumptions.model_fields))

    def shared(self) -> SharedAssumptions:
        """Only the shared values (from a findings or model section)."""
        return SharedAssumptions(**{n: getattr(self, n) for n in SharedAssumptions.model_fields})


SHARED_FIELDS: tuple[str, ...] = tuple(SharedAssumptions.model_fields)

# old names of shared fields -> their shared name (still accepted where they used to be)
RENAMED = {"never_shrink_below_current_when_starved_pct": "starved_cpu_pct",
           "db_low_cpu_p95_pct": "db_downsize_cpu_p95_pct",  # the rules' threshold
           "nonprod_downsize_cpu_pct": "db_downsize_cpu_p95_pct"}  # the model's


def renamed(data: Any, old: str, new: str) -> Any:
    """``data`` (a section's raw dict) with the key ``old`` read as ``new`` (``new`` wins when both are given);
    anything else unchanged. For a section's own renamed fields (shared ones: :data:`RENAMED`)."""
    if isinstance(data, dict) and old in data:
        data = dict(data)
        value = data.pop(old)
        data.setdefault(new, value)
    return data


def legacy_to_shared(data: dict[str, Any]) -> dict[str, Any]:
    """Old spellings in one section's dict turned into the shared names.

    ``target_utilization_pct`` (the rules' one target) sets both ``cpu_target_pct`` and
    ``memory_target_pct`` unless they are given too; ``never_shrink_below_current_when_starved_pct``
    is ``starved_cpu_pct``.
    """
    out = dict(data)
    for old, new in RENAMED.items():
        out = renamed(out, old, new)
    if LEGACY_TARGET in out:
        value = out.pop(LEGACY_TARGET)
        out.setdefault("cpu_target_pct", value)
        out.setdefault("memory_target_pct", value)
    return out
