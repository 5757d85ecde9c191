"""attach_savings: each finding priced on its own rule's basis, from the same cost lines and price rows.

Golden figures are hand-computed from the catalog's list prices (us-east-1): Fargate x86 $0.04048/vCPU-h and
$0.004445/GB-h, arm64 $0.03238 / $0.00356; NAT gateway $0.045/h; public IPv4 $0.005/h; ALB $0.0225/h; 730 h.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from awsassess.findings import REGISTRY, evaluate, write_findings
from awsassess.findings.base import Finding
from awsassess.model import assess, attach_savings, finding_saving
from awsassess.model.assumptions import ModelAssumptions
from awsassess.model.savings import BASES, OVERLAP_NOTE, basis_table
from awsassess.pricing.catalog import PriceCatalog
from demo_snapshots import demo_model, demo_snapshot
from snapshots_factory import SnapshotBuilder

H = 730.0
VCPU, GB, VCPU_ARM, GB_ARM = 0.04048, 0.004445, 0.03238, 0.00356
NAT_H, IPV4_H, ALB_H = 0.045, 0.005, 0.0225


# =============================================================================== hand-built snapshots
def _compute_snapshot() -> SnapshotBuilder:
    """One over-provisioned service without auto scaling and with slow rollouts (CMP-001, CMP-003, CMP-004 on the
    same service) and one CPU-starved service (CMP-002)."""
    b = SnapshotBuilder(environment="production")
    b.vpc("vpc-1")
    b.subnet("subnet-a", "vpc-1", "us-east-1a")
    b.subnet("subnet-b", "vpc-1", "us-east-1b")
    tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/1"
    b.add("target_groups", arn=tg, name="api", vpc_id="vpc-1", deregistration_delay_s=300,
          health_check_interval_s=30, healthy_threshold=5, load_balancer_arns=[])
    b.fargate_service("api", cpu=1024, memory=2048, desired=2, target_group_arns=[tg], min_healthy_percent=100,
                      max_percent=125)
    b.ecs_utilisation("api", 10.0, 20.0)
    b.fargate_service("wallet", cpu=512, memory=1024, desired=1)
    b.ecs_utilisation("wallet", 97.0, 58.0)
    return b


def _network_snapshot() -> SnapshotBuilder:
    """Two VPCs with a NAT gateway per AZ (4 NATs), each moving 1 GiB an hour, and one idle Elastic IP."""
    b = SnapshotBuilder(environment="production")
    for v in ("vpc-1", "vpc-2"):
        b.vpc(v, cidr="10.1.0.0/16" if v == "vpc-1" else "10.2.0.0/16")
        for az in ("a", "b"):
            b.subnet(f"subnet-{v}-{az}", v, f"us-east-1{az}")
            nat = f"nat-{v[-1]}{az}"
            b.add("nat_gateways", nat_gateway_id=nat, vpc_id=v, subnet_id=f"subnet-{v}-{az}", az=f"us-east-1{az}",
                  state="available", public_ip=f"3.0.{v[-1]}.{ord(az)}")
            b.metric("AWS/NATGateway", "BytesOutToDestination", nat, [1024**3] * 14 * 24, stat="Sum",
                     dims={"NatGatewayId": nat})
    b.add("elastic_ips", allocation_id="eipalloc-idle", public_ip="3.9.9.9", association_id=None)
    return b


_CACHE: dict[str, tuple] = {}


def _priced(name: str) -> tuple:
    """(snapshot, model, findings with savings) of a hand-built snapshot, computed once."""
    if name not in _CACHE:
        snap = (_compute_snapshot() if name == "compute" else _network_snapshot()).build()
        model = assess(snap)
        _CACHE[name] = (snap, model, attach_savings(evaluate(snap), model))
    return _CACHE[name]


def _one(findings: list[Finding], rule_id: str, contains: str = "") -> Finding:
    hits = [f for f in findings if f.rule_id == rule_id and any(contains in r for r in f.resource_ids)]
    assert len(hits) == 1, [(f.rule_id, f.resource_ids) for f in findings]
    return hits[0]


# =============================================================================== every rule has a basis
def test_every_registered_rule_declares_its_saving_basis() -> None:
    assert set(BASES) == set(REGISTRY)
    for rid, b in BASES.items():
        assert b.description, rid
        assert b.method in {"not_cost", "not_modelled", "lines", "region_items", "delete", "fargate_rightsize",
                            "fargate_arch", "fargate_spot", "class_change", "gp3", "standby", "docdb_rightsize",
                            "ddb_on_demand", "nat_endpoint_gb"}, rid
    # rollout speed, forensics, circuit breaker, auto scaling, stacks, security and info rules are never priced
    for rid in ("CMP-003", "CMP-004", "CMP-005", "CMP-007", "CMP-008", "PIP-001", "PIP-004", "DAT-014", "NET-002"):
        assert not BASES[rid].priced, rid
    assert all(not BASES[r].priced for r in REGISTRY if r.startswith(("STK-", "SEC-"))
               or REGISTRY[r].severity == "info")
    assert {r["rule_id"] for r in basis_table()} == set(REGISTRY)


# =============================================================================== compute: golden, no double counting
def test_over_provisioned_service_saves_its_right_sizing_only_once() -> None:
    _, model, found = _priced("compute")
    api = [f for f in found if any(r.endswith("/api") for r in f.resource_ids)]
    assert {"CMP-001", "CMP-003", "CMP-004"} <= {f.rule_id for f in api}
    cmp001 = _one(found, "CMP-001", "/api")
    # model right-size: p95 CPU 10% of 1024 at a 70% target -> 146 units, memory 20% of 2048 at 80% -> 512 MiB
    # -> 0.25 vCPU / 0.5 GB; 2 tasks, same x86 on-demand prices
    expected = 2 * H * ((1 - 0.25) * VCPU + (2 - 0.5) * GB)
    assert cmp001.monthly_savings_usd == pytest.approx(expected, abs=0.005)  # 54.06
    basis = cmp001.evidence["saving_basis"]
    assert basis["method"] == "fargate_rightsize" and basis["saving_usd"] == cmp001.monthly_savings_usd
    assert [ln["item"] for ln in basis["lines"]] == ["Fargate vCPU-hours", "Fargate GB-hours"]
    assert basis["lines"][0]["current"] == "1,460 vCPU-hours x $0.04048"
    assert basis["lines"][0]["proposed"] == "365 vCPU-hours x $0.04048"
    for rule_id in ("CMP-003", "CMP-004"):  # auto scaling and rollout speed: not cost findings
        f = _one(found, rule_id, "/api")
        assert f.monthly_savings_usd is None
        assert f.evidence["saving_basis"]["priced"] is False and f.evidence["saving_basis"]["method"] == "not_cost"
    # the model's right-sizing saving of the service is also arm64: CMP-001 is only the same-arch part
    assert cmp001.monthly_savings_usd < finding_saving(["api"], model, "compute")


def test_a_fix_that_costs_more_is_negative_only_on_the_rule_recommending_it() -> None:
    _, _, found = _priced("compute")
    cmp002 = _one(found, "CMP-002", "/wallet")
    # p95 CPU 97% of 512 at 70% -> 710 units -> 1 vCPU / 2 GB (the smallest valid size with 1 vCPU)
    assert cmp002.monthly_savings_usd == pytest.approx(-H * ((1 - 0.5) * VCPU + (2 - 1) * GB), abs=0.005)  # -18.02
    assert "costs more" in cmp002.evidence["saving_basis"]["notes"][0]
    negatives = [f.rule_id for f in found if (f.monthly_savings_usd or 0) < 0]
    assert negatives == ["CMP-002"]
    for f in found:
        if any(r.endswith("/wallet") for r in f.resource_ids) and f.rule_id not in ("CMP-002", "CMP-009"):
            assert f.monthly_savings_usd is None, f.rule_id


def test_graviton_prices_todays_x86_lines_at_the_arm64_rows() -> None:
    _, _, found = _priced("compute")
    f = _one(found, "CMP-009", "/api")
    vcpu = 2 * 1 + 1 * 0.5  # api 2 x 1 vCPU, wallet 1 x 0.5 vCPU, today's sizes
    gb = 2 * 2 + 1 * 1
    assert f.monthly_savings_usd == pytest.approx(H * (vcpu * (VCPU - VCPU_ARM) + gb * (GB - GB_ARM)), abs=0.005)
    assert "arm64" in f.evidence["saving_basis"]["lines"][0]["proposed"]


# =============================================================================== network golden figures
def test_nat_consolidation_saves_hours_and_addresses_not_bytes() -> None:
    _, model, found = _priced("network")
    f = _one(found, "NET-003", "nat-1a")
    # 4 NATs and their 4 addresses today; one NAT (and address) per AZ in the shared VPC: 2
    assert f.monthly_savings_usd == pytest.approx((4 - 2) * H * (NAT_H + IPV4_H), abs=0.005)  # 73.00
    items = {ln["item"]: ln for ln in f.evidence["saving_basis"]["lines"]}
    assert set(items) == {"NAT gateway hours", "Public IPv4 (NAT gateway address)"}
    assert items["NAT gateway hours"]["current"] == "4 x 730 hours x $0.045"
    assert sorted(items["NAT gateway hours"]["resource_ids"]) == ["nat-1a", "nat-1b", "nat-2a", "nat-2b"]
    # the model's NAT-side saving includes the same figure (the data processed does not change)
    assert finding_saving(["nat-1a", "nat-1b", "nat-2a", "nat-2b"], model, "network") == \
        pytest.approx(f.monthly_savings_usd, abs=0.01)


def test_gateway_endpoint_saving_is_the_findings_gb_at_the_nat_per_gb_row() -> None:
    _, model, found = _priced("network")
    f = _one(found, "NET-009", "vpc-1")
    gb = f.evidence["estimated_avoidable_gb_per_month"]
    assert gb == pytest.approx(0.30 * 4 * 24 * 30.4, rel=0.01)  # 30% of 4 NATs x 1 GiB/h over a month
    row = next(r for r in model.prices_used if r.item == "nat_gateway_gb")
    assert f.monthly_savings_usd == pytest.approx(round(gb * row.usd, 2), abs=0.005)
    assert f.evidence["saving_basis"]["lines"][0]["proposed_usd"] == 0.0
    # the model claims no endpoint share by default: the figure is the finding's estimate, not in the total
    assert model.assumptions.gateway_endpoint_measured_pct == 0


def test_idle_elastic_ip_saves_its_hourly_charge() -> None:
    _, _, found = _priced("network")
    f = _one(found, "NET-005", "eipalloc-idle")
    assert f.monthly_savings_usd == pytest.approx(H * IPV4_H)  # 3.65: released, nothing replaces it
    assert f.evidence["saving_basis"]["lines"][0]["proposed"] == "deleted"


def test_vpc_sprawl_is_the_network_consolidation_saving_of_the_vpcs_named() -> None:
    model = demo_model("production")
    found = attach_savings(evaluate(demo_snapshot("production"), rules=["NET-001"]), model)
    [f] = found
    network = model.by_domain().set_index("domain").loc["network", "saving_usd"]
    assert set(f.resource_ids) == set(demo_snapshot("production").table("vpcs")["vpc_id"])
    assert f.monthly_savings_usd == pytest.approx(network, abs=0.02)
    assert "not additive" in f.evidence["saving_basis"]["overlaps"]


# =============================================================================== the demo: golden figures per rule
@pytest.fixture(scope="module")
def demo() -> dict[str, list[Finding]]:
    return {name: attach_savings(evaluate(demo_snapshot(name)), demo_model(name)) for name in ("production", "staging")}


def test_demo_golden_figures(demo: dict[str, list[Finding]]) -> None:
    prod, stag = demo["production"], demo["staging"]
    # web: 3 tasks 1 vCPU/2 GB -> 0.25 vCPU/1 GB (model right-size), x86
    assert _one(prod, "CMP-001", "/web").monthly_savings_usd == pytest.approx(3 * H * (0.75 * VCPU + 1 * GB), abs=0.005)
    # wallet: 2 tasks 0.5 vCPU/1 GB -> 1 vCPU/2 GB: costs more
    assert _one(prod, "CMP-002", "/wallet").monthly_savings_usd == pytest.approx(-2 * H * (0.5 * VCPU + 1 * GB),
                                                                                abs=0.005)
    # 14 NAT gateways + addresses -> 2
    assert _one(prod, "NET-003", "nat-prod000").monthly_savings_usd == pytest.approx(12 * H * (NAT_H + IPV4_H), abs=0.005)
    # 5 internal ALBs -> 1 (LCUs carried over unchanged); 2 internet-facing -> 1 with its 2 AZ addresses
    internal = _one(prod, "NET-007", "fintech-prod-kyc")
    assert internal.monthly_savings_usd == pytest.approx(4 * H * ALB_H, abs=0.01)
    public = _one(prod, "NET-007", "fintech-prod-web")
    assert public.monthly_savings_usd == pytest.approx(H * ALB_H + 2 * H * IPV4_H, abs=0.01)
    # Redis -> Valkey, 2 x cache.m6g.large
    assert _one(prod, "DAT-010").monthly_savings_usd == pytest.approx(2 * H * (0.149 - 0.1192), abs=0.005)
    # db.m5.large -> db.m6g.large (the finding's suggestion is the model's class), Multi-AZ bills two instances
    assert _one(prod, "DAT-003", "postgres").monthly_savings_usd == pytest.approx(2 * H * (0.178 - 0.159), abs=0.005)
    # gp2 and gp3 cost the same per GB on RDS: a priced zero, explained, not an unknown
    gp3 = _one(prod, "DAT-001")
    assert gp3.monthly_savings_usd == 0.0 and gp3.evidence["saving_basis"]["priced"] is True
    assert "same per-GB price" in gp3.evidence["saving_basis"]["notes"][0]
    # staging: idle Elastic IP; t3.large -> t4g.medium (Graviton, one size down); Fargate Spot on today's 5 vCPU / 10 GB x86 on-demand
    assert _one(stag, "NET-005").monthly_savings_usd == pytest.approx(H * IPV4_H)
    assert _one(stag, "DAT-006").monthly_savings_usd == pytest.approx(H * (0.145 - 0.065), abs=0.005)
    spot = ModelAssumptions().fargate_spot_discount_pct / 100
    assert _one(stag, "CMP-010").monthly_savings_usd == pytest.approx(H * (5 * VCPU + 10 * GB) * spot, abs=0.005)


def test_demo_non_cost_rules_are_none_and_zero_is_never_unknown(demo: dict[str, list[Finding]]) -> None:
    for name, found in demo.items():
        assert found
        for f in found:
            basis = f.evidence["saving_basis"]
            if not BASES[f.rule_id].priced:
                assert f.monthly_savings_usd is None and basis["priced"] is False, (name, f.rule_id)
            if f.monthly_savings_usd is None:
                assert basis["priced"] is False and basis["reason"], (name, f.rule_id)
            else:  # a figure always comes with the lines it is made of, and adds up
                assert basis["priced"] is True and basis["lines"], (name, f.rule_id)
                assert basis["saving_usd"] == f.monthly_savings_usd
                assert basis["current_usd"] - basis["proposed_usd"] == pytest.approx(f.monthly_savings_usd, abs=0.011)
                assert sum(ln["current_usd"] for ln in basis["lines"]) == pytest.approx(basis["current_usd"], abs=0.05)
        # same service, three rules: one figure
        by_service: dict[str, list[float]] = {}
        for f in found:
            if f.rule_id in ("CMP-001", "CMP-003", "CMP-004") and f.monthly_savings_usd is not None:
                by_service.setdefault(f.resource_ids[0], []).append(f.monthly_savings_usd)
        assert by_service and all(len(v) == 1 for v in by_service.values())


def test_findings_json_round_trip_keeps_the_figures(demo: dict[str, list[Finding]], tmp_path: Path) -> None:
    found = demo["production"]
    write_findings(found, tmp_path)  # schema-valid with the basis in the evidence
    records = json.loads((tmp_path / "findings.json").read_text())
    again = attach_savings(records, demo_model("production"))
    by_id = {f.finding_id: f.monthly_savings_usd for f in found}
    assert {r["finding_id"]: r["monthly_savings_usd"] for r in again} == by_id


# =============================================================================== unknown never becomes 0
def test_a_missing_price_leaves_the_finding_unpriced_never_zero() -> None:
    snap, _, _ = _priced("network")
    package = PriceCatalog.package()
    catalog = PriceCatalog(rows={k: v for k, v in package.rows.items() if k[1] != "nat_gateway_hour"})
    model = assess(snap, {"allow_missing_prices": True}, catalog=catalog)
    [f] = attach_savings(evaluate(snap, rules=["NET-003"]), model, catalog=catalog)
    assert f.monthly_savings_usd is None
    assert "missing price" in f.evidence["saving_basis"]["reason"]


def test_rules_without_a_basis_keep_their_own_value_and_unknown_ids_stay_none() -> None:
    model = demo_model("production")
    mine = Finding(rule_id="X-001", domain="network", severity="low", title="t", account_id="1", region="us-east-1",
                   resource_ids=["nat-prod000"], evidence={}, recommendation="r", monthly_savings_usd=12.5)
    nat = {"rule_id": "NET-003", "domain": "network", "region": "us-east-1", "resource_ids": ["nat-unknown"],
           "evidence": {}, "monthly_savings_usd": None}
    out = attach_savings([mine, nat], model)
    assert out[0].monthly_savings_usd == 12.5 and out[0].evidence["saving_basis"]["method"] == "undeclared"
    assert out[1]["monthly_savings_usd"] is None and out[1]["evidence"]["saving_basis"]["priced"] is False
    assert nat["evidence"] == {}  # copied, not modified


# =============================================================================== resource-level helper
def test_finding_saving_resolves_names_arns_and_containers() -> None:
    model = demo_model("production")
    by_name = finding_saving(["web"], model)
    by_arn = finding_saving(["arn:aws:ecs:us-east-1:222222222222:service/fintech-production/web"], model)
    assert by_name is not None and by_name == by_arn and by_name > 0
    vpcs = list(demo_snapshot("production").table("vpcs")["vpc_id"])
    network = model.by_domain().set_index("domain").loc["network", "saving_usd"]
    assert finding_saving(vpcs, model, "network") == pytest.approx(network, abs=0.02)
    assert finding_saving(["kyc"], model, "network") is None
    assert finding_saving(["sg-123"], model) is None and finding_saving(["web"], model, "security") is None
    assert "not additive" in OVERLAP_NOTE
