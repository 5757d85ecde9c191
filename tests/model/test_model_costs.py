"""Current and proposed cost lines: golden figures, exact arithmetic, missing prices, files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from awsassess.model import assess, write_model
from awsassess.model.assumptions import ModelAssumptions
from awsassess.pricing import MissingPriceError, PriceCatalog
from awsassess.snapshot import Snapshot
from demo_snapshots import demo_model, demo_snapshot


def _cur(model, item: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    df = model.lines
    return df[(df["scenario"] == "current") & (df["item"] == item)]


def test_nat_gateway_hours_golden_figure() -> None:
    nat = _cur(demo_model("production"), "NAT gateway hours")
    assert len(nat) == 14  # 7 VPCs x 2 AZs
    assert round(nat["monthly_usd"].sum(), 2) == 459.90  # 14 x 730 h x $0.045


def test_public_ipv4_counts_nat_addresses_and_alb_nodes_once() -> None:
    model = demo_model("production")
    ipv4 = model.lines[(model.lines["scenario"] == "current") & model.lines["item"].str.startswith("Public IPv4")]
    # 14 NAT EIPs (not counted again as Elastic IPs) + 2 internet-facing ALBs x 2 AZs
    assert ipv4["quantity"].sum() == 18 * 730
    assert round(ipv4["monthly_usd"].sum(), 2) == 65.70
    staging = demo_model("staging").lines
    idle = staging[(staging["scenario"] == "current") & (staging["resource_id"] == "eipalloc-idle")]
    assert len(idle) == 1 and round(float(idle["monthly_usd"].iloc[0]), 2) == 3.65


def test_fargate_golden_figure() -> None:
    model = demo_model("production")
    fargate = model.lines[(model.lines["scenario"] == "current") & (model.lines["domain"] == "compute")]
    vcpu = fargate[fargate["item"] == "Fargate vCPU-hours"]["quantity"].sum()
    gb = fargate[fargate["item"] == "Fargate GB-hours"]["quantity"].sum()
    assert (vcpu, gb) == (44 * 730, 88 * 730)  # 44 vCPU and 88 GB of running tasks
    assert round(fargate["monthly_usd"].sum(), 2) == round(44 * 730 * 0.04048 + 88 * 730 * 0.004445, 2)


def test_rds_multi_az_doubles_instance_and_storage() -> None:
    model = demo_model("production")
    rds = model.lines[(model.lines["scenario"] == "current") & (model.lines["resource_id"] == "fintech-production-postgres")]
    hours = rds[rds["item"] == "RDS instance hours"].iloc[0]
    assert (hours["quantity"], hours["unit_price_usd"]) == (2 * 730, 0.178)
    storage = rds[rds["item"].str.startswith("RDS storage")].iloc[0]
    assert (storage["quantity"], storage["unit_price_usd"]) == (500, 0.23)


@pytest.mark.parametrize("name", ["production", "staging"])
def test_every_line_is_quantity_times_unit_price(name: str) -> None:
    lines = demo_model(name).lines
    assert len(lines) > 20
    assert (lines["monthly_usd"] == lines["quantity"] * lines["unit_price_usd"]).all()
    assert lines["price_source"].str.len().gt(0).all()
    assert set(lines["domain"]) <= {"network", "compute", "pipelines", "datastores", "cdn"}


@pytest.mark.parametrize("name", ["production", "staging"])
def test_current_total_within_ten_percent_of_the_bill(name: str) -> None:
    model = demo_model(name)
    bill = float(model.reconciliation["spend_usd"].sum())
    assert bill > 0
    assert abs(model.total("current") - bill) / bill < 0.10
    rec = model.reconciliation.set_index("service")
    # services the model prices fully are explained to within 3%
    for service in ("Amazon Elastic Container Service", "Amazon ElastiCache", "Amazon Virtual Private Cloud",
                    "Amazon Relational Database Service", "Amazon Elastic Load Balancing"):
        assert rec.loc[service, "explained_pct"] == pytest.approx(100, abs=3), service
    # what the model cannot see (no log or registry usage in the snapshot) stays unexplained, not guessed
    assert rec.loc["AmazonCloudWatch", "model_usd"] == 0


def test_saving_is_of_the_order_of_the_case_study() -> None:
    s = demo_model("production").summary
    assert 25 <= s["saving_pct"] <= 50
    assert s["saving_usd"] == pytest.approx(s["current_monthly_usd"] - s["proposed_monthly_usd"], abs=0.02)
    by = demo_model("production").by_domain().set_index("domain")
    assert by.loc["total", "current_usd"] == pytest.approx(by.drop("total")["current_usd"].sum(), abs=0.05)
    assert by.loc["network", "saving_pct"] > 50  # 14 NATs + 7 ALBs -> 2 NATs + 2 ALBs


def _with(snapshot: Snapshot, table: str, rows: list[dict[str, object]]) -> Snapshot:
    tables = dict(snapshot.tables)
    tables[table] = pd.concat([snapshot.table(table), pd.DataFrame(rows)], ignore_index=True)
    return Snapshot(manifest=dict(snapshot.manifest), tables=tables)


def test_missing_prices_are_all_listed_never_zero() -> None:
    base = demo_snapshot("staging")
    snap = _with(base, "ec2_instances", [
        {"account_id": base.account_id, "region": "us-east-1", "instance_id": "i-1", "instance_type": "x9.huge",
         "state": "running", "name": "odd"},
        {"account_id": base.account_id, "region": "us-east-1", "instance_id": "i-2", "instance_type": "z7.tiny",
         "state": "running", "name": "odder"}])
    with pytest.raises(MissingPriceError) as err:  # strict: today's hard stop, with the full list
        assess(snap, {"strict_prices": True})
    items = {m.item for m in err.value.missing}
    assert {"instance_hour:x9.huge", "instance_hour:z7.tiny"} <= items
    for model in (assess(snap), assess(snap, {"allow_missing_prices": True})):  # default: never stops
        odd = model.lines[model.lines["resource_id"].isin(["i-1", "i-2"]) & (model.lines["scenario"] == "current")]
        assert len(odd) == 2 and odd["monthly_usd"].isna().all()  # no basis for an estimate: unpriced, not $0
        assert {u["resource_id"] for u in model.unpriced} >= {"i-1", "i-2"}


def test_a_price_missing_for_the_region_is_estimated_from_us_east_1_with_its_factor() -> None:
    """t3.medium has no shipped eu-south-2 row; the line is us-east-1 x a regional factor, said so."""
    from awsassess.pricing import PriceCatalog
    from awsassess.pricing.regional import RegionalFactors

    base = demo_snapshot("staging")
    catalog = PriceCatalog.package()
    region = "eu-central-1"
    item = next(r.item for r in catalog.rows.values() if r.service == "AmazonEC2" and r.region == "us-east-1"
                and r.item.startswith("instance_hour:") and catalog.find("AmazonEC2", r.item, region) is None)
    itype = item.split(":", 1)[1]
    snap = _with(base, "ec2_instances", [
        {"account_id": base.account_id, "region": region, "instance_id": "i-eu", "instance_type": itype,
         "state": "running", "name": "eu"}])
    model = assess(snap, catalog=catalog)
    line = model.lines[(model.lines["resource_id"] == "i-eu") & (model.lines["scenario"] == "current")].iloc[0]
    factor = RegionalFactors(catalog).factor("AmazonEC2", region)
    assert factor is not None
    us = catalog.price("AmazonEC2", item, "us-east-1").usd
    assert line["unit_price_usd"] == pytest.approx(us * factor.factor)
    assert line["confidence"] == "estimated" and "regional factor" in line["price_source"]
    with pytest.raises(MissingPriceError):
        assess(snap, {"strict_prices": True}, catalog=catalog)


def test_an_empty_catalog_lists_every_price_the_account_needs() -> None:
    with pytest.raises(MissingPriceError) as err:
        assess(demo_snapshot("staging"), {"strict_prices": True}, catalog=PriceCatalog())
    assert len(err.value.missing) > 20
    assert "AmazonEC2 / nat_gateway_hour / us-east-1" in str(err.value)


def test_assumptions_accept_params_style_dicts_and_reject_unknown_keys() -> None:
    m = assess(demo_snapshot("staging"), {"model": {"cpu_target_pct": 50}, "findings": {}})
    assert m.assumptions.cpu_target_pct == 50
    with pytest.raises(ValueError, match="cpu_target"):
        ModelAssumptions.model_validate({"cpu_target": 50})


def test_write_model_files(tmp_path: Path) -> None:
    model = demo_model("staging")
    paths = write_model(model, tmp_path)
    costs = pd.read_csv(paths["costs"])
    assert list(costs.columns[:10]) == ["scenario", "domain", "item", "resource_id", "region", "quantity", "unit",
                                        "unit_price_usd", "monthly_usd", "price_source"]
    assert len(costs) == len(model.lines)
    priced = costs[costs["unit_price_usd"].notna()]
    assert all(math.isclose(q * p, m, rel_tol=1e-12, abs_tol=1e-12)
               for q, p, m in zip(priced["quantity"], priced["unit_price_usd"], priced["monthly_usd"], strict=True))
    data = json.loads(paths["model"].read_text())
    for key in ("summary", "proposed_architecture", "pipeline_time", "migration_waves", "reconciliation",
                "sensitivity", "low_confidence_prices", "assumptions"):
        assert key in data, key
    assert data["summary"]["current_monthly_usd"] == pytest.approx(model.total("current"), abs=0.01)
    assert any(r["confidence"] == "C" for r in data["low_confidence_prices"])  # e.g. db.t4g.medium DocumentDB


def test_sensitivity_covers_targets_and_savings_plans() -> None:
    sens = demo_model("production").sensitivity
    assert set(sens["savings_plans"]) == {False, True}
    assert set(sens["utilisation_target"]) >= {0.6, 0.7, 0.8, 0.9}
    assert sens["is_default"].sum() == 1
    on = sens[sens["savings_plans"]]
    off = sens[~sens["savings_plans"]]
    assert (on["proposed_usd"].to_numpy() < off["proposed_usd"].to_numpy()).all()
    default = sens[sens["is_default"]].iloc[0]
    assert default["proposed_usd"] == pytest.approx(demo_model("production").total("proposed"), abs=0.02)


def test_transit_gateway_attachments_and_interface_endpoints() -> None:
    base = demo_snapshot("staging")
    vpcs = list(base.table("vpcs")["vpc_id"])
    acct = {"account_id": base.account_id, "region": "us-east-1"}
    snap = _with(base, "transit_gateway_attachments", [
        {**acct, "attachment_id": f"tgw-attach-{i}", "transit_gateway_id": "tgw-1", "resource_type": "vpc",
         "resource_id": v, "state": "available"} for i, v in enumerate(vpcs[:3])]
        + [{**acct, "attachment_id": "tgw-attach-vpn", "transit_gateway_id": "tgw-1", "resource_type": "vpn",
            "resource_id": "vpn-1", "state": "available"}])
    snap = _with(snap, "vpc_endpoints", [
        {**acct, "vpc_endpoint_id": f"vpce-{i}", "vpc_id": v, "service_name": "com.amazonaws.us-east-1.ecr.api",
         "endpoint_type": "Interface", "subnet_count": 2, "state": "available"} for i, v in enumerate(vpcs[:2])]
        + [{**acct, "vpc_endpoint_id": "vpce-s3", "vpc_id": vpcs[0], "service_name": "com.amazonaws.us-east-1.s3",
            "endpoint_type": "Gateway", "subnet_count": 0, "state": "available"}])
    m = assess(snap)
    cur = m.lines[m.lines["scenario"] == "current"]
    tgw = cur[cur["item"] == "Transit gateway attachment hours"]
    assert len(tgw) == 4 and round(tgw["monthly_usd"].sum(), 2) == 4 * 36.50
    eps = cur[cur["item"].str.startswith("Interface endpoint")]
    assert len(eps) == 2 and round(eps["monthly_usd"].sum(), 2) == 2 * 14.60  # 2 AZs x $7.30, gateway free
    prop = m.lines[m.lines["scenario"] == "proposed"]
    ptgw = prop[prop["item"] == "Transit gateway attachment hours"]
    assert len(ptgw) == 2  # the new VPC's attachment replaces 3, the VPN attachment is kept
    assert {r for x in ptgw["replaces"] for r in x.split("|")} == {f"tgw-attach-{i}" for i in range(3)} | {
        "tgw-attach-vpn"}
    peps = prop[prop["item"].str.startswith("Interface endpoint")]
    assert len(peps) == 1 and peps["monthly_usd"].iloc[0] == pytest.approx(14.60)  # one ecr.api endpoint, 2 AZs
    assert m.proposed.vpcs[0].interface_endpoints == ["ecr.api"]


def test_assess_without_cost_explorer_spend() -> None:
    # collect.cost_explorer: false leaves the spend table empty: the model still runs, nothing is "explained"
    from demo_snapshots import demo_snapshot

    base = demo_snapshot("production")  # session-cached: never changed in place (later tests read its bill)
    snap = Snapshot(manifest=dict(base.manifest), tables={k: v for k, v in base.tables.items() if k != "spend"})
    model = assess(snap)
    assert model.summary["current_monthly_usd"] > 0
    assert model.summary["bill_explained_pct"] is None


def test_cost_explorer_without_data_is_no_billing_data_not_a_zero_bill() -> None:
    """A new account's Cost Explorer answers with no amounts: no bill, not $0 with negative gaps."""
    base = demo_snapshot("staging")
    empty = base.table("spend").iloc[0:0]
    zero = base.table("spend").assign(usd=0.0)
    for spend in (empty, zero):
        tables = dict(base.tables)
        tables["spend"] = spend
        model = assess(Snapshot(manifest=dict(base.manifest), tables=tables))
        assert len(model.reconciliation) == 0
        assert model.summary["bill_monthly_usd"] is None and model.summary["bill_explained_pct"] is None
