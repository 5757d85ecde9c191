"""The rules against the real seeded estate: collected over HTTP from the simulated accounts, then evaluated.

The case study (awsassess.demo.estate) implies a list of findings; the expectations below are derived
from the estate's data (which services are seeded over-provisioned, which is bootstrap-starved, which
are healthy), never from a stored result. The domain notebooks are executed with papermill against the
same snapshot.
"""

from __future__ import annotations

import json

import pytest
from awsassess.demo.estate import (
    ACCOUNTS,
    PRODUCTION,
    STAGING,
    AccountSpec,
)
from awsassess.fargate import is_valid
from awsassess.findings import REGISTRY, evaluate, load_findings, write_findings
from paths import REPO

pytestmark = pytest.mark.slow

NOTEBOOKS = ["10_networking", "20_compute", "30_pipelines", "40_data_stores", "50_cloudfront", "60_stacks"]
NB_DIR = REPO / "notebooks"


@pytest.fixture(scope="module")
def found(demo_snapshots) -> dict[str, list]:
    return {spec.name: evaluate(demo_snapshots[spec.name]) for spec in ACCOUNTS}


def by_rule(findings, rule_id):
    return [f for f in findings if f.rule_id == rule_id]


def services_of(findings, rule_id):
    return {f.evidence.get("service") for f in by_rule(findings, rule_id)}


@pytest.mark.parametrize("spec", ACCOUNTS, ids=lambda s: s.name)
def test_case_study_findings(found, spec: AccountSpec):
    f = found[spec.name]
    # networking: one VPC per service joined by peering, a NAT gateway per VPC (and per AZ in production),
    # one load balancer per service
    (sprawl,) = by_rule(f, "NET-001")
    assert sprawl.evidence["vpcs"] == len(spec.services)
    assert sprawl.evidence["peering_connections"] == len(spec.services) - 1
    (nat,) = by_rule(f, "NET-003")
    assert nat.evidence["nat_gateways"] == len(spec.services) * (len(spec.azs) if spec.nat_per_az else 1)
    if spec.nat_per_az:
        assert len(nat.evidence["vpcs_with_nat_per_az"]) == len(spec.services)
    lbs = by_rule(f, "NET-007")
    assert sum(x.evidence["load_balancers"] for x in lbs) == len(spec.services)
    assert {x.evidence["scheme"] for x in lbs} == {"internet-facing", "internal"}
    # compute: every service seeded over-provisioned is found, with a valid smaller Fargate size
    over = {s.name for s in spec.services if not s.healthy and not s.bootstrap_starved
            and max(s.cpu_p95, s.mem_p95) < 50}
    sized = {x.evidence["service"]: x for x in by_rule(f, "CMP-001")}
    assert over <= set(sized), f"missing over-provisioned services {over - set(sized)}"
    for x in sized.values():
        assert is_valid(x.evidence["recommended_cpu"], x.evidence["recommended_memory"])
        # within the one pair of targets the rules and the model share (70 % CPU, 80 % memory by default)
        assert x.evidence["projected_cpu_p95_pct"] <= x.evidence["cpu_target_pct"] == 70
        assert x.evidence["projected_memory_p95_pct"] <= x.evidence["memory_target_pct"] == 80
    # the CPU-starved bootstrap of wallet
    starved = {s.name for s in spec.services if s.bootstrap_starved}
    assert services_of(f, "CMP-006") == starved
    for x in by_rule(f, "CMP-006"):
        assert x.evidence["cpu_peak_max_pct"] >= 99 and x.evidence["recommended_cpu"] > x.evidence["current_cpu"]
    assert starved <= services_of(f, "CMP-005")
    # pipelines: ~1.5 h, dominated by the deploy stage (blue/green wait), builds without layer cache
    slow = by_rule(f, "PIP-001")
    assert len(slow) == len(spec.services)
    for x in slow:
        assert x.evidence["dominant_stage"] == "Deploy" and x.evidence["p50_min"] > 60
    waits = by_rule(f, "PIP-004")
    assert len(waits) == len(spec.services)
    assert {x.evidence["termination_wait_min"] for x in waits} == {spec.timing.termination_wait_min}
    assert len(by_rule(f, "PIP-002")) == len(spec.services)
    # data stores: gp2, Redis OSS -> Valkey, the provisioned DynamoDB table
    assert len(by_rule(f, "DAT-001")) == 1
    assert len(by_rule(f, "DAT-010")) == 1
    (ddb,) = by_rule(f, "DAT-013")
    assert ddb.evidence["rcu"] == spec.ddb_provisioned[0]
    # CloudFront: a behaviour with caching disabled and the low hit ratio
    (cd,) = by_rule(f, "CDN-002")
    assert any("CachingDisabled" in " ".join(b["issues"]) for b in cd.evidence["behaviours"])
    (hit,) = by_rule(f, "CDN-001")
    assert abs(hit.evidence["cache_hit_rate_pct"] - spec.cloudfront_hit_rate) < 5
    # stacks: the Copilot application map
    (app,) = by_rule(f, "STK-001")
    assert set(app.evidence["services"]) == {s.name for s in spec.services}
    # no finding carries a price: the cost model attaches savings
    assert all(x.monthly_savings_usd is None for x in f)


def test_healthy_resources_are_not_flagged(found, demo_snapshots):
    prod = found[PRODUCTION.name]
    healthy = {s.name for s in PRODUCTION.services if s.healthy}
    assert healthy == {"trading-engine"}
    assert not healthy & (services_of(prod, "CMP-001") | services_of(prod, "CMP-002"))
    for spec in ACCOUNTS:
        snap = demo_snapshots[spec.name]
        ddb = snap.table("dynamodb_tables")
        on_demand = set(ddb[ddb["billing_mode"] == "PAY_PER_REQUEST"]["table_name"])
        assert on_demand, "the seeded on-demand (sessions) table is missing"
        flagged = {r for x in found[spec.name] if x.rule_id in {"DAT-013", "DAT-014"} for r in x.resource_ids}
        assert not on_demand & flagged
        for x in by_rule(found[spec.name], "CDN-002"):
            assert "/static/*" not in {b["path_pattern"] for b in x.evidence["behaviours"]}
    # production Multi-AZ is expected; outside production it is reported exactly when seeded
    assert not by_rule(prod, "DAT-004")
    assert bool(by_rule(found[STAGING.name], "DAT-004")) == STAGING.rds_multi_az


def test_findings_files_round_trip(found, tmp_path):
    for name, f in found.items():
        paths = write_findings(f, tmp_path / name)
        back = load_findings(paths["json"])
        assert [x.finding_id for x in back] == [x.finding_id for x in f]
        ids = [x.finding_id for x in f]
        assert len(set(ids)) == len(ids)
        assert json.loads(paths["json"].read_text())[0]["severity"] == "high"
    assert {x.rule_id for fs in found.values() for x in fs} <= set(REGISTRY)


def test_rules_do_not_change_the_snapshot(demo_snapshots):
    import pandas as pd

    snap = demo_snapshots[PRODUCTION.name]
    before = {k: v.copy(deep=True) for k, v in snap.tables.items()}
    evaluate(snap)
    for name, df in before.items():
        pd.testing.assert_frame_equal(snap.tables[name], df, obj=name)
