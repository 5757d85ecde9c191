"""attach_savings: each finding's saving from the same cost lines (current - proposed), never 0 for unknown."""

from __future__ import annotations

import pytest
from awsassess.findings.base import Finding
from awsassess.model import attach_savings, finding_saving
from awsassess.model.current import nat_addresses
from test_model_snapshot import demo_model, demo_snapshot


def _finding(resource_ids: list[str], rule: str = "net.test", saving: float | None = None) -> Finding:
    return Finding(rule_id=rule, domain="network", severity="medium", title="t", account_id="111111111111",
                   region="us-east-1", resource_ids=resource_ids, evidence={}, recommendation="r",
                   monthly_savings_usd=saving)


def test_idle_elastic_ip_saves_its_hourly_charge() -> None:
    model = demo_model("staging")
    [f] = attach_savings([_finding(["eipalloc-idle"])], model)
    assert f.monthly_savings_usd == pytest.approx(3.65)  # 730 h x $0.005; nothing replaces it


def test_nat_finding_saving_is_current_minus_allocated_proposed() -> None:
    model = demo_model("production")
    snap = demo_snapshot("production")
    nats = list(snap.table("nat_gateways")["nat_gateway_id"])
    eips = list(nat_addresses(snap).values())  # a NAT's address is billed under its Elastic IP
    assert len(set(eips)) == 14 and all(e.startswith("eipalloc-") for e in eips)
    ids = set(nats) | set(eips)
    lines = model.lines
    cur = lines[(lines["scenario"] == "current") & lines["resource_id"].isin(ids)]
    prop = lines[(lines["scenario"] == "proposed")
                 & lines["replaces"].map(lambda r: bool(set(str(r).split("|")) & ids))]
    assert round(cur["monthly_usd"].sum(), 2) == round(14 * 730 * (0.045 + 0.005) + cur[
        cur["item"] == "NAT gateway data processed"]["monthly_usd"].sum(), 2)
    [f] = attach_savings([{"rule_id": "net.nat", "domain": "network", "resource_ids": nats,
                           "monthly_savings_usd": None}], model)
    # all NATs named: the whole NAT-replacing proposed cost is allocated to them and their addresses
    assert f["monthly_savings_usd"] == pytest.approx(cur["monthly_usd"].sum() - prop["monthly_usd"].sum(), abs=0.01)
    assert f["monthly_savings_usd"] > 350
    # naming half of them gives a share, not the whole
    half = finding_saving(nats[:7], model)
    assert half is not None and 0 < half < f["monthly_savings_usd"]
    # a public IPv4 finding naming the addresses gets only the address charges
    ips = list(snap.table("nat_gateways")["public_ip"])
    assert finding_saving(ips, model, "network") == pytest.approx(14 * 3.65 - 2 * 3.65, abs=0.01)


def test_vpc_ids_expand_to_the_priced_resources_inside() -> None:
    model = demo_model("production")
    vpcs = list(demo_snapshot("production").table("vpcs")["vpc_id"])
    saving = finding_saving(vpcs, model)
    network = model.by_domain().set_index("domain").loc["network", "saving_usd"]
    assert saving is not None and saving == pytest.approx(network, rel=0.05)


def test_service_names_and_arns_resolve_to_the_same_lines() -> None:
    model = demo_model("production")
    by_name = finding_saving(["web"], model)
    by_arn = finding_saving(["arn:aws:ecs:us-east-1:222222222222:service/fintech-production/web"], model)
    assert by_name is not None and by_name == by_arn and by_name > 0
    wallet = finding_saving(["wallet"], model)
    assert wallet is not None and wallet < 0  # starved: the proposal gives it more CPU, it costs more


def test_unknown_resources_keep_none_or_the_rule_value_never_zero() -> None:
    model = demo_model("production")
    out = attach_savings([_finding(["arn:aws:iam::1:role/x"]), _finding(["sg-123"], saving=12.5),
                          {"resource_ids": [], "monthly_savings_usd": None}], model)
    assert out[0].monthly_savings_usd is None
    assert out[1].monthly_savings_usd == 12.5
    assert out[2]["monthly_savings_usd"] is None


def test_only_the_findings_own_domain_counts() -> None:
    model = demo_model("production")
    td = "arn:aws:ecs:us-east-1:222222222222:task-definition/fintech-production-kyc:3"
    security = Finding(rule_id="SEC-x", domain="security", severity="high", title="t", account_id="222222222222",
                       region="us-east-1", resource_ids=[td], evidence={}, recommendation="r")
    stacks = Finding(rule_id="STK-x", domain="stacks", severity="low", title="t", account_id="222222222222",
                     region="us-east-1", resource_ids=["fintech-production"], evidence={}, recommendation="r")
    compute = Finding(rule_id="CMP-x", domain="compute", severity="low", title="t", account_id="222222222222",
                      region="us-east-1", resource_ids=[td], evidence={}, recommendation="r")
    out = attach_savings([security, stacks, compute], model)
    assert out[0].monthly_savings_usd is None and out[1].monthly_savings_usd is None
    assert out[2].monthly_savings_usd == finding_saving(["kyc"], model, "compute") and out[2].monthly_savings_usd > 0
    # a network finding naming services: no network line belongs to them
    assert finding_saving(["kyc"], model, "network") is None
