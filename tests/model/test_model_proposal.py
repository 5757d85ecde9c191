"""The proposed architecture, the migration waves and the Terraform table of the demo accounts."""

from __future__ import annotations

import ipaddress
import json

from awsassess.model import assess
from awsassess.model.architecture import ProposedArchitecture
from awsassess.model.migration import peering_order
from awsassess.snapshot import Snapshot, empty_frame
from demo_snapshots import demo_model, demo_snapshot


def test_one_vpc_two_azs_nat_per_az_and_two_albs() -> None:
    arch = demo_model("production").proposed
    assert len(arch.vpcs) == 1
    vpc = arch.vpcs[0]
    assert len(vpc.azs) == 2 and len(vpc.nat_gateways) == 2 and set(vpc.gateway_endpoints) == {"s3", "dynamodb"}
    assert len(vpc.replaces) == 7
    assert sorted(lb.scheme for lb in arch.load_balancers) == ["internal", "internet-facing"]
    public = next(lb for lb in arch.load_balancers if lb.scheme == "internet-facing")
    assert sorted(public.services) == ["api", "web"] and len(public.replaces) == 2
    # the new CIDR overlaps none of the old VPCs (they peer during the migration)
    new = ipaddress.ip_network(vpc.cidr)
    assert not any(new.overlaps(ipaddress.ip_network(c)) for c in demo_snapshot("production").table("vpcs")["cidr"])


def test_alb_is_split_when_the_rule_quota_demands() -> None:
    model = assess(demo_snapshot("production"), {"alb_max_rules": 3})
    internal = [lb for lb in model.proposed.load_balancers if lb.scheme == "internal"]
    assert len(internal) == 2  # 5 internal services, 3 rules per ALB
    assert sorted(s for lb in internal for s in lb.services) == [
        "kyc", "market-data", "notifications", "trading-engine", "wallet"]


def test_compute_choice_is_explained_and_priced_both_ways() -> None:
    cluster = demo_model("production").proposed.clusters[0]
    labels = {o.launch for o in cluster.options}
    assert labels == {"EC2", "FARGATE", "FARGATE_SPOT"}
    chosen = [o for o in cluster.options if o.chosen]
    assert len(chosen) == 1 and chosen[0].launch in ("EC2", "FARGATE")
    assert chosen[0].monthly_usd == min(o.monthly_usd for o in cluster.options if o.launch != "FARGATE_SPOT")
    assert cluster.reason
    by_name = {s.name: s for s in cluster.services}
    assert by_name["wallet"].cpu > by_name["wallet"].current_cpu  # starved: sized up
    assert by_name["trading-engine"].cpu == by_name["trading-engine"].current_cpu  # healthy: kept
    assert by_name["web"].cpu < by_name["web"].current_cpu
    assert by_name["api"].scaling.min_tasks == 4 and by_name["api"].scaling.max_tasks == 16  # kept from AAS


def test_data_stores_follow_the_environment() -> None:
    prod = {d.id: d for d in demo_model("production").proposed.datastores}
    stg = {d.id: d for d in demo_model("staging").proposed.datastores}
    assert prod["fintech-production-postgres"].multi_az and prod["fintech-production-postgres"].storage_type == "gp3"
    assert prod["fintech-production-redis"].engine == "valkey" and prod["fintech-production-redis"].nodes == 2
    assert prod["fintech-production-ledger"].mode != "PROVISIONED" or "right-sized" in prod[
        "fintech-production-ledger"].reason
    assert prod["fintech-production-docdb-1"].proposed_class == "db.r6g.large"
    assert not stg["fintech-staging-postgres"].multi_az
    assert stg["fintech-staging-postgres"].proposed_class in ("db.t4g.medium", "db.t4g.large", "db.t3.medium")


def test_architecture_json_round_trip_and_diagram_keys() -> None:
    arch = demo_model("production").proposed
    data = json.loads(arch.to_json())
    back = ProposedArchitecture.from_dict(data)
    assert back.to_dict() == arch.to_dict()
    # the keys the diagrams read (architecture.ProposedSpec)
    assert arch.region == "us-east-1" and arch.azs == arch.vpcs[0].azs and arch.nat_per_az is True
    assert {s.name for s in arch.services} == {s.name for s in arch.clusters[0].services}
    assert all(d.name == d.id and d.details for d in arch.datastores)
    assert arch.cloudfront and arch.gateway_endpoints == ["s3", "dynamodb"]
    assert arch.instance_type == ("" if arch.clusters[0].launch == "FARGATE" else arch.clusters[0].instance_type)


def test_migration_waves_follow_the_peering_graph() -> None:
    snap = demo_snapshot("production")
    hub, _ = peering_order(snap)
    assert hub == snap.table("vpcs").set_index("name").loc["fintech-production-api", "vpc_id"]
    waves = demo_model("production").migration
    names = [w.name for w in waves]
    assert names[0] == "Network foundation" and names[1] == "Data stores" and names[-1] == "Decommission"
    assert names[-2].startswith("Pipelines")
    services = [w for w in waves if w.name.startswith("Services")]
    assert services[-1].name == "Services: api"  # the hub moves last
    order = [n.strip() for w in services for n in w.name.split(":", 1)[1].split(",")]
    assert order.index("web") > order.index("kyc")  # internal before public
    assert sorted(order) == sorted(s.name for s in demo_model("production").proposed.services)
    for w in waves:
        assert w.steps and w.risks and w.rollback and w.effort in ("low", "medium", "high") and w.effort_days > 0
        assert all(d < w.number for d in w.depends_on)


def test_no_vpc_and_no_service_still_gives_a_model() -> None:
    snap = Snapshot(manifest={"account_id": "123456789012", "environment": "dev", "regions": ["eu-west-1"]},
                    tables={"dynamodb_tables": empty_frame("dynamodb_tables", [{
                        "account_id": "123456789012", "region": "eu-west-1", "table_name": "t",
                        "billing_mode": "PAY_PER_REQUEST", "size_bytes": 0}])})
    model = assess(snap, {"allow_missing_prices": True})
    assert model.total("current") == 0 and model.summary["pipeline_now_min"] is None
    assert model.migration[0].name == "Network foundation"
