"""All tunable assumptions in one validated object: rule thresholds and cost-model defaults.

Params files override them under ``assumptions:``, e.g.::

    assumptions:
      findings: {target_utilization_pct: 60}
      model: {utilisation_target: 0.7, savings_plans: true}

Each field is documented where it is defined: :class:`awsassess.findings.thresholds.FindingsAssumptions`
and :class:`awsassess.model.assumptions.ModelAssumptions`; ``awsassess assumptions`` lists them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.model.assumptions import ModelAssumptions


class Assumptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    findings: FindingsAssumptions = Field(default_factory=FindingsAssumptions)
    model: ModelAssumptions = Field(default_factory=ModelAssumptions)


def resolve(overrides: Assumptions | dict[str, Any] | None) -> Assumptions:
    """Defaults overridden by ``overrides`` (an Assumptions, a params-style dict, or None)."""
    if isinstance(overrides, Assumptions):
        return overrides
    return Assumptions.model_validate(overrides or {})


def describe() -> list[dict[str, Any]]:
    """Every assumption with its default and description (for the README, CLI and report)."""
    rows = []
    for section, model in (("findings", FindingsAssumptions), ("model", ModelAssumptions)):
        for name, field in model.model_fields.items():
            unit = (field.json_schema_extra or {}).get("unit", "") if isinstance(field.json_schema_extra, dict) else ""
            rows.append({"key": f"{section}.{name}", "default": field.default, "unit": unit,
                         "description": field.description or ""})
    return rows
