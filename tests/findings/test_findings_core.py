"""The findings framework: registry metadata, evaluate(), ids, findings.json/csv, schema, catalog, metrics stats."""

from __future__ import annotations

import csv
import dataclasses
import inspect
import json
import re

import jsonschema
import pandas as pd
import pytest
from awsassess import metrics_stats as ms
from awsassess.findings import (
    REGISTRY,
    SCHEMA_PATH,
    Finding,
    FindingsAssumptions,
    RuleError,
    catalog,
    evaluate,
    load_findings,
    resolve_assumptions,
    validate,
    write_findings,
)
from awsassess.findings.base import BEST_PRACTICE_PILLAR, PILLARS, finding_id, rule
from awsassess.findings.saving import Basis, not_cost
from awsassess.tables import TABLES
from pydantic import ValidationError
from snapshots_factory import SnapshotBuilder


def test_registry_metadata_is_complete_and_consistent():
    assert len(REGISTRY) >= 50
    for rid, spec in REGISTRY.items():
        assert re.fullmatch(r"(NET|CMP|PIP|DAT|CDN|STK|SEC)-\d{3}", rid)
        assert rid[:3] == {"network": "NET", "compute": "CMP", "pipelines": "PIP", "datastores": "DAT",
                           "cdn": "CDN", "stacks": "STK", "security": "SEC"}[spec.domain]
        assert spec.title and len(spec.rationale) > 40 and spec.tables
        assert all(t in TABLES for t in spec.tables)
        # every threshold a rule reads is declared in its metadata (so docs/rules.md is truthful)
        module = inspect.getmodule(spec.fn)
        src = inspect.getsource(spec.fn)
        helpers = {n for n in re.findall(r"\b(_[a-z_0-9]+)\(", src) if callable(getattr(module, n, None))}
        src += "".join(inspect.getsource(getattr(module, n)) for n in sorted(helpers))
        used = set(re.findall(r"\ba\.([a-z_0-9]+)", src))
        assert used <= set(spec.thresholds), f"{rid} reads undeclared thresholds {used - set(spec.thresholds)}"


def test_every_threshold_is_documented_with_a_unit():
    for name, field in FindingsAssumptions.model_fields.items():
        assert field.description, name
        assert field.json_schema_extra and field.json_schema_extra.get("unit"), name


WA = {"pillar": "cost optimization", "best_practice": "COST06-BP02"}


def test_registering_with_unknown_threshold_or_table_fails():
    free = not_cost("t")
    with pytest.raises(ValueError, match="not FindingsAssumptions fields"):
        rule("XXX-999", title="t", domain="network", severity="low", rationale="r", thresholds=("nope",), saving=free,
             **WA)
    with pytest.raises(ValueError, match="not snapshot tables"):
        rule("XXX-999", title="t", domain="network", severity="low", rationale="r", tables=("nope",), saving=free,
             **WA)


def test_every_rule_names_its_well_architected_pillar_and_best_practice():
    """docs/rules.md lists them; the best-practice id is of the rule's own pillar."""
    for rid, spec in REGISTRY.items():
        assert spec.pillar in PILLARS, rid
        assert re.fullmatch(r"(OPS|SEC|REL|PERF|COST|SUS)\d{2}-BP\d{2}", spec.best_practice), rid
        assert BEST_PRACTICE_PILLAR[re.sub(r"\d.*", "", spec.best_practice)] == spec.pillar, rid
    assert {s.pillar for s in REGISTRY.values()} >= {"security", "reliability", "cost optimization",
                                                     "performance efficiency", "operational excellence"}
    free = not_cost("t")
    with pytest.raises(TypeError, match="pillar"):
        rule("XXX-999", title="t", domain="network", severity="low", rationale="r", saving=free)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="pillar 'resilience' is not one of"):
        rule("XXX-999", title="t", domain="network", severity="low", rationale="r", saving=free, pillar="resilience",
             best_practice="REL10-BP01")
    with pytest.raises(ValueError, match="not a Well-Architected best-practice id of the reliability pillar"):
        rule("XXX-999", title="t", domain="network", severity="low", rationale="r", saving=free, pillar="reliability",
             best_practice="SEC08-BP02")
    text = catalog.render()
    for rid, spec in REGISTRY.items():
        assert f"| {rid} | {spec.pillar} | {spec.best_practice} |" in text, rid


def test_every_rule_declares_its_saving_on_itself():
    """The saving basis is part of the rule's declaration (one place), and a rule without one cannot register."""
    assert all(isinstance(s.saving, Basis) for s in REGISTRY.values())
    with pytest.raises(TypeError, match="saving"):
        rule("XXX-999", title="t", domain="network", severity="low", rationale="r")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="saving must be"):
        rule("XXX-999", title="t", domain="network", severity="low", rationale="r", saving="lines",  # type: ignore[arg-type]
             **WA)
    with pytest.raises(ValueError, match="not one of"):
        Basis("string surgery", "x")


def test_assumptions_resolution_and_bad_input():
    assert resolve_assumptions(None) == FindingsAssumptions()
    assert resolve_assumptions({"metrics_lookback_days": 7}).metrics_lookback_days == 7
    assert resolve_assumptions({"findings": {"metrics_lookback_days": 9}, "model": {}}).metrics_lookback_days == 9
    with pytest.raises(ValidationError, match="utilisation_target"):  # a model-only field
        resolve_assumptions({"utilisation_target": 0.5})
    with pytest.raises(ValidationError, match="cpu_target_pct"):  # the old single target sets both shared ones
        resolve_assumptions({"target_utilization_pct": 150})
    # a shared concept has one value: set under model, the rules read it too; two places disagreeing is an error
    assert resolve_assumptions({"model": {"cpu_target_pct": 55}}).cpu_target_pct == 55
    with pytest.raises(ValidationError, match="disagree.*Fix: set it once"):
        resolve_assumptions({"findings": {"target_utilization_pct": 60}, "model": {"cpu_target_pct": 50}})
    with pytest.raises(TypeError, match="assumptions"):
        resolve_assumptions(42)


def estate() -> SnapshotBuilder:
    b = SnapshotBuilder(environment="staging")
    b.add("db_instances", db_instance_id="open", engine="postgres", engine_version="16.1", storage_type="gp2",
          allocated_gb=20, publicly_accessible=True, instance_class="db.m7g.large")
    b.add("elastic_ips", allocation_id="eipalloc-1", public_ip="1.2.3.4", association_id="")
    b.add("replication_groups", id="cache", engine="redis", node_type="cache.m7g.large", nodes=1)
    return b


def test_evaluate_sorts_by_severity_then_rule_and_leaves_savings_empty():
    found = evaluate(estate().build())
    keys = [(f.severity, f.rule_id) for f in found]
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    assert keys == sorted(keys, key=lambda k: (order[k[0]], k[1]))
    assert {f.rule_id for f in found} >= {"SEC-003", "DAT-001", "NET-005", "DAT-010"}
    assert all(f.monthly_savings_usd is None for f in found)


def test_evaluate_names_a_failing_rule(monkeypatch):
    def boom(snapshot, a):
        raise KeyError("column")

    monkeypatch.setitem(REGISTRY, "NET-005", dataclasses.replace(REGISTRY["NET-005"], fn=boom))
    with pytest.raises(RuleError, match="NET-005"):
        evaluate(estate().build(), rules=["NET-005"])
    with pytest.raises(KeyError, match="unknown rule"):
        evaluate(estate().build(), rules=["NOPE-1"])


def test_finding_ids_are_stable_and_order_independent():
    assert finding_id("NET-005", "123456789012", ["b", "a"]) == finding_id("NET-005", "123456789012", ["a", "b"])
    assert finding_id("NET-005", "123456789012", ["a"]) != finding_id("NET-005", "210987654321", ["a"])
    first = [f.finding_id for f in evaluate(estate().build())]
    second = [f.finding_id for f in evaluate(estate().build())]
    assert first == second and len(set(first)) == len(first)


def test_finding_rejects_bad_enums():
    with pytest.raises(ValueError, match="severity"):
        Finding("NET-001", "network", "critical", "t", "123456789012", "r", ["x"], {}, "do")
    with pytest.raises(ValueError, match="domain"):
        Finding("NET-001", "iam", "low", "t", "123456789012", "r", ["x"], {}, "do")


def test_write_findings_json_and_csv(tmp_path):
    found = evaluate(estate().build())
    paths = write_findings(found, tmp_path / "acct")
    records = json.loads(paths["json"].read_text())
    jsonschema.validate(records, json.loads(SCHEMA_PATH.read_text()))
    assert [r["rule_id"] for r in records] == [f.rule_id for f in found]
    for r in records:
        assert set(r) >= {"rule_id", "domain", "severity", "title", "account_id", "region", "resource_ids", "evidence",
                          "recommendation", "monthly_savings_usd", "effort", "finding_id"}
        assert r["monthly_savings_usd"] is None
    with paths["csv"].open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(records) and rows[0]["monthly_savings_usd"] == ""
    assert json.loads(rows[0]["evidence"]) == records[0]["evidence"]
    back = load_findings(tmp_path / "acct")
    assert [f.to_dict() for f in back] == records


def test_schema_rejects_bad_records():
    good = evaluate(estate().build())[0].to_dict()
    validate([good])
    for bad in ({**good, "severity": "critical"}, {**good, "monthly_savings_usd": "12"},
                {**good, "resource_ids": []}, {**good, "account_id": "12345"},
                {k: v for k, v in good.items() if k != "evidence"}):
        with pytest.raises(jsonschema.ValidationError):
            validate([bad])


def test_evidence_is_json_safe():
    import numpy as np

    f = Finding("NET-001", "network", "low", "t", "123456789012", "r", ["x"],
                {"n": np.int64(3), "x": np.float64(float("nan")), "t": pd.Timestamp("2026-01-01", tz="UTC"),
                 "s": {"b", "a"}}, "do")
    assert f.evidence == {"n": 3, "x": None, "t": "2026-01-01T00:00:00+00:00", "s": ["a", "b"]}
    json.dumps(f.to_dict())


def test_rules_catalog_is_up_to_date():
    assert catalog.DOC_PATH.read_text() == catalog.render(), "run: python -m awsassess.findings.catalog"
    text = catalog.render()
    for rid in REGISTRY:
        assert f"| {rid} |" in text
    for name in FindingsAssumptions.model_fields:
        assert f"`{name}`" in text


def test_empty_snapshot_gives_no_findings_and_no_errors():
    assert evaluate(SnapshotBuilder().build()) == []


# ---------------------------------------------------------------------- metrics_stats
def test_metrics_stats_percentiles_and_window():
    b = SnapshotBuilder()
    dims = {"ClusterName": "c", "ServiceName": "s"}
    b.metric("AWS/ECS", "CPUUtilization", "s", list(range(1, 101)), dims=dims)  # 100 hourly points
    b.metric("AWS/ECS", "CPUUtilization", "s", [999] * 5, dims=dims, end=b.at(days=30))  # outside 14 days
    snap = b.build()
    st = ms.stats(snap, "AWS/ECS", "CPUUtilization", lookback_days=14)
    row = st.loc["s"]
    assert row["count"] == 100 and row["max"] == 100 and row["p50"] == pytest.approx(50.5)
    assert row["p95"] == pytest.approx(95.05)
    assert ms.p95(snap, "AWS/ECS", "CPUUtilization", lookback_days=14)["s"] == pytest.approx(95.05)
    by_dims = ms.stats(snap, "AWS/ECS", "CPUUtilization", lookback_days=14, by=("ClusterName", "ServiceName"))
    assert by_dims.loc[("c", "s"), "count"] == 100
    assert ms.stats(snap, "AWS/ECS", "CPUUtilization")["max"]["s"] == 999  # no window: everything
    assert ms.as_of(snap) == pd.Timestamp("2026-11-20", tz="UTC")
    assert ms.stats(snap, "AWS/RDS", "CPUUtilization").empty


def test_metrics_rate_per_second_from_sums():
    b = SnapshotBuilder()
    b.metric("AWS/DynamoDB", "ConsumedReadCapacityUnits", "t", [3600.0] * 24, stat="Sum", dims={"TableName": "t"})
    r = ms.rate_per_second(b.build(), "AWS/DynamoDB", "ConsumedReadCapacityUnits")
    assert r.loc["t", "mean"] == 1.0


def test_rules_do_not_modify_the_snapshot_tables():
    b = estate()
    b.fargate_service("web", cpu=1024, memory=2048)
    b.ecs_utilisation("web", 10.0, 20.0)
    b.add("stopped_tasks", task_arn="t1", cluster="main", group="service:web", started_at=b.at(days=1),
          stopped_at=b.at(days=1), stopped_reason="Task failed ELB health checks")
    b.add("pipelines", name="p", stages=[{"name": "Build", "actions": [{"name": "b", "category": "Build"}]}])
    b.add("pipeline_executions", pipeline="p", execution_id="e", status="Succeeded", start=b.at(days=1),
          end=b.at(hours=1), duration_s=82800)
    b.add("stack_events", stack_name="s", timestamp=b.at(days=1), logical_id="x", status="CREATE_FAILED")
    snap = b.build()
    before = {k: v.copy(deep=True) for k, v in snap.tables.items()}
    assert evaluate(snap)
    for name, df in before.items():
        pd.testing.assert_frame_equal(snap.tables[name], df, obj=name)
