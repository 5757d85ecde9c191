"""Network rules: one positive and one negative case each, on hand-built snapshots."""

from __future__ import annotations

from awsassess.findings import evaluate
from snapshots_factory import SnapshotBuilder

GB = 1024**3


def run(b: SnapshotBuilder, rule: str, **overrides):
    return evaluate(b.build(), overrides or None, rules=[rule])


def sprawl(n: int, peer: bool = True, services_per_vpc: int = 1) -> SnapshotBuilder:
    b = SnapshotBuilder()
    for i in range(n):
        b.vpc(f"vpc-{i}", f"svc{i}")
        b.subnet(f"subnet-{i}", f"vpc-{i}")
        for k in range(services_per_vpc):
            b.fargate_service(f"svc{i}-{k}", subnets=[f"subnet-{i}"])
    if peer:
        for i in range(1, n):
            b.add("vpc_peerings", peering_id=f"pcx-{i}", requester_vpc_id="vpc-0", accepter_vpc_id=f"vpc-{i}",
                  status="active")
    return b


def test_vpc_sprawl_found_for_peered_small_vpcs():
    (f,) = run(sprawl(4), "NET-001")
    assert f.severity == "high"
    assert sorted(f.resource_ids) == ["vpc-0", "vpc-1", "vpc-2", "vpc-3"]
    assert f.evidence["peering_connections"] == 3
    assert f.evidence["services"] == 4
    assert f.evidence["full_mesh_peerings_for_any_to_any"] == 6


def test_vpc_sprawl_also_through_transit_gateway():
    b = sprawl(3, peer=False)
    for i in range(3):
        b.add("transit_gateway_attachments", attachment_id=f"tgw-att-{i}", transit_gateway_id="tgw-1",
              resource_type="vpc", resource_id=f"vpc-{i}", state="available")
    (f,) = run(b, "NET-001")
    assert f.evidence["transit_gateways"] == ["tgw-1"]


def test_no_vpc_sprawl_when_unconnected_or_big_or_default():
    assert run(sprawl(4, peer=False), "NET-001") == []
    assert run(sprawl(4, services_per_vpc=3), "NET-001") == []  # not small: 3 services each
    assert run(sprawl(2), "NET-001") == []  # below vpc_sprawl_min_vpcs
    b = sprawl(4)
    assert run(b, "NET-001", vpc_sprawl_min_vpcs=5) == []


def test_peering_mesh_counts_unconnected_pairs():
    (f,) = run(sprawl(5), "NET-002")
    assert f.evidence["hub_vpc"] == "vpc-0"
    assert f.evidence["unconnected_pairs"] == 10 - 4
    assert len(f.resource_ids) == 4


def test_no_peering_mesh_for_small_or_tgw_groups():
    assert run(sprawl(3), "NET-002") == []
    b = sprawl(5)
    for v in ("vpc-0", "vpc-1"):
        b.add("transit_gateway_attachments", attachment_id=f"a-{v}", transit_gateway_id="tgw-1",
              resource_type="vpc", resource_id=v, state="available")
    assert run(b, "NET-002") == []


def nat_estate(per_az: bool, vpcs: int = 3, environment: str = "production") -> SnapshotBuilder:
    b = SnapshotBuilder(environment=environment)
    for i in range(vpcs):
        b.vpc(f"vpc-{i}")
        for az in (["us-east-1a", "us-east-1b"] if per_az else ["us-east-1a"]):
            b.add("nat_gateways", nat_gateway_id=f"nat-{i}-{az[-1]}", vpc_id=f"vpc-{i}", subnet_id=f"s-{i}",
                  az=az, state="available", public_ip=f"3.0.{i}.{ord(az[-1])}")
    return b


def test_nat_per_vpc_and_az():
    (f,) = run(nat_estate(per_az=True), "NET-003")
    assert f.evidence["nat_gateways"] == 6
    assert f.evidence["per_vpc_per_az"]["vpc-0"] == {"us-east-1a": 1, "us-east-1b": 1}
    assert f.evidence["shared_egress_nat_gateways"] == 2
    assert len(f.resource_ids) == 6


def test_nat_per_az_outside_production_reported_even_when_few():
    (f,) = run(nat_estate(per_az=True, vpcs=1, environment="staging"), "NET-003")
    assert f.evidence["shared_egress_nat_gateways"] == 1


def test_nat_count_ok():
    assert run(nat_estate(per_az=True, vpcs=1), "NET-003") == []  # production: one per AZ is fine
    assert run(nat_estate(per_az=False, vpcs=3), "NET-003") == []


def test_idle_nat_found_only_with_zero_bytes():
    b = nat_estate(per_az=False, vpcs=2)
    for nat, v in (("nat-0-a", 0.0), ("nat-1-a", 5e9)):
        for metric in ("BytesOutToDestination", "BytesOutToSource"):
            b.metric("AWS/NATGateway", metric, nat, [v] * 48, stat="Sum", dims={"NatGatewayId": nat})
    (f,) = run(b, "NET-004")
    assert f.resource_ids == ["nat-0-a"]
    assert f.evidence["bytes"] == 0


def test_idle_nat_not_judged_without_metrics():
    assert run(nat_estate(per_az=False, vpcs=2), "NET-004") == []


def test_unattached_eips():
    b = SnapshotBuilder()
    b.add("elastic_ips", allocation_id="eipalloc-1", public_ip="3.3.3.3", association_id="")
    b.add("elastic_ips", allocation_id="eipalloc-2", public_ip="3.3.3.4", association_id="eipassoc-2")
    (f,) = run(b, "NET-005")
    assert f.resource_ids == ["eipalloc-1"]
    b2 = SnapshotBuilder()
    b2.add("elastic_ips", allocation_id="eipalloc-2", public_ip="3.3.3.4", association_id="eipassoc-2")
    assert run(b2, "NET-005") == []


def test_public_ipv4_counted_by_kind_without_duplicates():
    b = nat_estate(per_az=False, vpcs=1)
    b.add("network_interfaces", eni_id="eni-1", vpc_id="vpc-0", interface_type="nat_gateway",
          public_ip="3.0.0.97", description="Interface for NAT Gateway nat-0-a")
    b.add("network_interfaces", eni_id="eni-2", vpc_id="vpc-0", interface_type="interface",
          public_ip="3.1.1.1", description="ELB app/web/123")
    b.add("network_interfaces", eni_id="eni-3", vpc_id="vpc-0", interface_type="interface", public_ip="",
          description="ELB app/internal/1")
    (f,) = run(b, "NET-006")
    assert f.evidence["public_ipv4"] == 2
    assert f.evidence["by_kind"] == {"load_balancer": 1, "nat_gateway": 1}


def test_public_ipv4_estimated_from_internet_facing_lbs_when_enis_missing():
    b = SnapshotBuilder()
    lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/"
    for name in ("web", "api"):
        b.add("load_balancers", arn=f"{lb}{name}/1", name=name, type="application", scheme="internet-facing",
              azs=["us-east-1a", "us-east-1b"])
    b.add("load_balancers", arn=f"{lb}internal/1", name="internal", type="application", scheme="internal",
          azs=["us-east-1a", "us-east-1b"])
    # web's ENIs were collected (one public address each), api's were not
    for i in range(2):
        b.add("network_interfaces", eni_id=f"eni-{i}", interface_type="interface", public_ip=f"3.1.1.{i}",
              description="ELB app/web/1")
    (f,) = run(b, "NET-006")
    assert f.evidence["estimated"] is True and f.evidence["public_ipv4"] == 4
    assert f.evidence["by_kind"] == {"load_balancer": 2, "load_balancer (estimated: one per AZ)": 2}


def test_no_public_ipv4():
    b = SnapshotBuilder()
    b.add("network_interfaces", eni_id="eni-1", vpc_id="vpc-0", public_ip="")
    assert run(b, "NET-006") == []


def alb(b: SnapshotBuilder, name: str, scheme: str = "internet-facing", tgs: int = 1, rules: int = 0, vpc="vpc-1"):
    arn = f"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/{name}/abc"
    b.add("load_balancers", arn=arn, name=name, type="application", scheme=scheme, vpc_id=vpc)
    for k in range(tgs):
        b.add("target_groups", arn=f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{name}-{k}/ff",
              name=f"{name}-{k}", vpc_id=vpc, load_balancer_arns=[arn])
    b.add("listeners", listener_arn=arn + "/l", load_balancer_arn=arn, protocol="HTTPS", port=443, rule_count=rules)
    return arn


def test_one_alb_per_service_is_a_consolidation_candidate():
    b = SnapshotBuilder()
    for i in range(4):
        alb(b, f"svc{i}", vpc=f"vpc-{i}")
    alb(b, "internal0", scheme="internal")
    (f,) = run(b, "NET-007")
    assert f.evidence["load_balancers"] == 4 and f.evidence["shared_albs_needed"] == 1
    assert f.evidence["scheme"] == "internet-facing"
    assert len(f.evidence["vpcs_spanned"]) == 4
    assert "consolidate the VPCs first" in f.recommendation


def test_alb_quota_math_needs_two_albs():
    b = SnapshotBuilder()
    alb(b, "a", tgs=2, rules=60)
    alb(b, "b", tgs=2, rules=60)
    (f,) = run(b, "NET-007")
    assert f.evidence["rules_needed_shared"] == 120
    assert f.evidence["shared_albs_needed"] == 2  # 120 rules > 80% of 100


def test_busy_albs_not_consolidated():
    b = SnapshotBuilder()
    alb(b, "a", tgs=10)
    alb(b, "b", tgs=10)
    assert run(b, "NET-007") == []
    b2 = SnapshotBuilder()
    alb(b2, "only")
    assert run(b2, "NET-007") == []


def test_lb_with_unhealthy_or_no_targets():
    b = SnapshotBuilder()
    a1 = alb(b, "sick")
    alb(b, "fine")
    alb(b, "empty", tgs=0)
    tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"
    b.add("target_health", target_group_arn=tg + "sick-0/ff", target_id="10.0.0.1", state="unhealthy")
    b.add("target_health", target_group_arn=tg + "fine-0/ff", target_id="10.0.0.2", state="healthy")
    found = {f.resource_ids[0]: f.evidence["reason"] for f in run(b, "NET-008")}
    assert found[a1] == "all targets unhealthy"
    assert sorted(found.values()) == ["all targets unhealthy", "no target group"]


def test_lb_health_from_metrics_when_target_health_missing():
    b = SnapshotBuilder()
    alb(b, "zero")
    alb(b, "ok")
    for name, v in (("zero", 0), ("ok", 2)):
        b.metric("AWS/ApplicationELB", "HealthyHostCount", f"{name}-0", [v] * 24, stat="Maximum",
                 dims={"LoadBalancer": f"app/{name}/abc", "TargetGroup": f"targetgroup/{name}-0/ff"})
    (f,) = run(b, "NET-008")
    assert "zero" in f.resource_ids[0]
    # neither target health nor metrics: nothing is claimed
    b2 = SnapshotBuilder()
    alb(b2, "unknown")
    assert run(b2, "NET-008") == []


def test_gateway_endpoints_estimate():
    b = nat_estate(per_az=False, vpcs=2)
    b.add("vpc_endpoints", vpc_endpoint_id="vpce-1", vpc_id="vpc-1", service_name="com.amazonaws.us-east-1.s3",
          endpoint_type="Gateway", state="available")
    b.add("vpc_endpoints", vpc_endpoint_id="vpce-2", vpc_id="vpc-1",
          service_name="com.amazonaws.us-east-1.dynamodb", endpoint_type="Gateway", state="available")
    for i in range(2):
        b.metric("AWS/NATGateway", "BytesOutToDestination", f"nat-{i}-a", [1 * GB] * 24 * 10, stat="Sum",
                 dims={"NatGatewayId": f"nat-{i}-a"})
    (f,) = run(b, "NET-009")
    assert f.resource_ids == ["vpc-0"]
    assert f.evidence["estimate"] is True
    per = f.evidence["per_vpc"][0]
    assert per["missing"] == ["dynamodb", "s3"]
    assert abs(per["nat_gb_per_month"] - 24 * 30.4) < 1
    assert abs(f.evidence["estimated_avoidable_gb_per_month"] - 0.3 * 24 * 30.4) < 1


def test_gateway_endpoints_not_reported_for_little_traffic():
    b = nat_estate(per_az=False, vpcs=1)
    b.metric("AWS/NATGateway", "BytesOutToDestination", "nat-0-a", [1000] * 48, stat="Sum",
             dims={"NatGatewayId": "nat-0-a"})
    assert run(b, "NET-009") == []


def test_nat_bytes_uses_the_complete_metric_pair():
    from awsassess.facts.metrics import nat_bytes

    b = nat_estate(per_az=False, vpcs=1)
    d = {"NatGatewayId": "nat-0-a"}
    b.metric("AWS/NATGateway", "BytesOutToDestination", "nat-0-a", [3.0] * 24, stat="Sum", dims=d)  # Out pair: half
    b.metric("AWS/NATGateway", "BytesInFromSource", "nat-0-a", [3.0] * 24, stat="Sum", dims=d)
    b.metric("AWS/NATGateway", "BytesInFromDestination", "nat-0-a", [7.0] * 24, stat="Sum", dims=d)
    t = nat_bytes(b.build(), 14)
    assert t.loc["nat-0-a", "bytes"] == 240.0 and t.loc["nat-0-a", "datapoints"] == 24
    assert abs(t.loc["nat-0-a", "days"] - 1.0) < 1e-9
