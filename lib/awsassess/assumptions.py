"""All tunable assumptions in one validated object: shared concepts, rule thresholds, cost-model defaults.

Params files override them under ``assumptions:``, e.g.::

    assumptions:
      shared: {cpu_target_pct: 60, production_environments: [prod]}
      findings: {overprovisioned_max_p95_pct: 40}
      model: {utilisation_target: 0.7, savings_plans: true}

A concept more than one room reads (production labels, the metric window, the right-sizing targets) is
defined once in :class:`awsassess.facts.assumptions.SharedAssumptions` and has one value: ``findings``
and ``model`` both carry it, always equal. It may still be written where it used to live
(``findings.production_environments``, ``model.cpu_target_pct``, the rules' old single target
``findings.target_utilization_pct`` = both targets); two places that disagree are an error naming both.

Each field is documented where it is defined (:class:`SharedAssumptions`,
:class:`awsassess.findings.thresholds.FindingsAssumptions`, :class:`awsassess.model.assumptions.ModelAssumptions`);
``awsassess assumptions`` lists them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from awsassess.facts.assumptions import SHARED_FIELDS, SharedAssumptions, legacy_to_shared
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.model.assumptions import ModelAssumptions

SECTIONS = ("shared", "findings", "model")


def _given(section: Any) -> dict[str, Any]:
    """The values a section sets explicitly (a dict, or a model's fields that were set)."""
    if section is None:
        return {}
    if isinstance(section, BaseModel):
        return {k: getattr(section, k) for k in section.model_fields_set}
    if isinstance(section, dict):
        return legacy_to_shared(section)
    return section  # pydantic reports the wrong type with the field name


class Assumptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    shared: SharedAssumptions = Field(default_factory=SharedAssumptions)
    findings: FindingsAssumptions = Field(default_factory=FindingsAssumptions)
    model: ModelAssumptions = Field(default_factory=ModelAssumptions)

    @model_validator(mode="before")
    @classmethod
    def _one_value_per_shared_concept(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        sections = {name: _given(data.get(name)) for name in SECTIONS}
        if not all(isinstance(v, dict) for v in sections.values()):
            return data
        value: dict[str, Any] = {}
        where: dict[str, str] = {}
        for name in SHARED_FIELDS:
            for section in SECTIONS:
                if name not in sections[section]:
                    continue
                v = sections[section][name]
                if name in value and v != value[name]:
                    raise ValueError(
                        f"assumptions.{where[name]}.{name} = {value[name]!r} and assumptions.{section}.{name} = "
                        f"{v!r} disagree: {name} is one assumption shared by the rules and the model. "
                        f"Fix: set it once, under assumptions.shared.{name}.")
                value.setdefault(name, v)
                where.setdefault(name, section)
        out = dict(data)
        out["shared"] = {**{k: v for k, v in sections["shared"].items()}, **value}
        for section in ("findings", "model"):
            out[section] = {**sections[section], **value}
        return out


def resolve(overrides: Any, section: str | None = None) -> Assumptions:
    """Defaults overridden by ``overrides``: the one resolver of every room.

    ``overrides`` is None, an :class:`Assumptions`, one section's model (:class:`FindingsAssumptions`,
    :class:`ModelAssumptions`, :class:`SharedAssumptions`: its explicitly set fields), or a params-style
    dict (``{"shared": {...}, "findings": {...}, "model": {...}}``). A flat dict of one section's fields
    is accepted when ``section`` names it (``findings.evaluate`` and ``model.assess`` pass theirs).
    """
    if overrides is None or (isinstance(overrides, dict) and not overrides):
        return Assumptions()
    if isinstance(overrides, Assumptions):
        return overrides
    for name, kind in (("findings", FindingsAssumptions), ("model", ModelAssumptions), ("shared", SharedAssumptions)):
        if isinstance(overrides, kind):
            return Assumptions.model_validate({name: overrides})
    if isinstance(overrides, dict):
        if overrides and set(overrides) <= set(SECTIONS):
            return Assumptions.model_validate(overrides)
        if section is None:
            unknown = sorted(set(overrides) - set(SECTIONS))
            raise ValueError(f"assumptions: unknown section(s) {unknown}. Fix: put each override under one of "
                             f"{', '.join(SECTIONS)} (see `awsassess assumptions`).")
        return Assumptions.model_validate({section: overrides})
    raise TypeError(f"assumptions: expected Assumptions, a section's model or a dict, got {type(overrides).__name__}")


def describe() -> list[dict[str, Any]]:
    """Every assumption with its default and description (for the README, CLI and report), each once."""
    rows = []
    for section, model in (("shared", SharedAssumptions), ("findings", FindingsAssumptions),
                           ("model", ModelAssumptions)):
        for name, field in model.model_fields.items():
            if section != "shared" and name in SHARED_FIELDS:
                continue
            unit = (field.json_schema_extra or {}).get("unit", "") if isinstance(field.json_schema_extra, dict) else ""
            rows.append({"key": f"{section}.{name}", "default": field.default, "unit": unit,
                         "description": field.description or ""})
    return rows
