"""Display helpers of the domain notebooks: tables render to HTML, charts to PNG, empty data to a note."""

from __future__ import annotations

import pytest
from awsassess.findings import evaluate
from awsassess.views import (
    Chart,
    Note,
    cdn,
    compute,
    datastores,
    findings_frame,
    findings_table,
    network,
    pipelines,
    stacks,
)
from snapshots_factory import SnapshotBuilder

PNG = b"\x89PNG\r\n\x1a\n"


def rich() -> SnapshotBuilder:
    b = SnapshotBuilder(environment="staging")
    for i, az in enumerate(("us-east-1a", "us-east-1b")):
        b.vpc(f"vpc-{i}", f"svc{i}")
        b.subnet(f"subnet-{i}", f"vpc-{i}", az)
        b.add("nat_gateways", nat_gateway_id=f"nat-{i}", vpc_id=f"vpc-{i}", az=az, state="available")
        b.metric("AWS/NATGateway", "BytesOutToDestination", f"nat-{i}", [1e9] * 48, stat="Sum",
                 dims={"NatGatewayId": f"nat-{i}"})
        b.fargate_service(f"svc{i}", subnets=[f"subnet-{i}"])
        b.ecs_utilisation(f"svc{i}", 10.0 + i, 20.0)
    b.add("pipelines", name="p", stages=[{"name": "Build", "actions": [{"name": "b", "category": "Build"}]}])
    for k in range(3):
        t = b.at(days=k + 1)
        b.add("pipeline_executions", pipeline="p", execution_id=f"e{k}", status="Succeeded", start=t, duration_s=600)
        b.add("pipeline_action_executions", pipeline="p", execution_id=f"e{k}", stage="Build", action="b",
              start=t, end=b.at(days=k + 1, minutes=-10), duration_s=600)
    b.add("db_instances", db_instance_id="db", engine="postgres", engine_version="13.4", instance_class="db.m5.large")
    b.metric("AWS/RDS", "CPUUtilization", "db", [5.0] * 48, dims={"DBInstanceIdentifier": "db"})
    b.add("dynamodb_tables", table_name="t", billing_mode="PROVISIONED", rcu=100, wcu=10)
    b.metric("AWS/DynamoDB", "ConsumedReadCapacityUnits", "t", [3600.0] * 48, stat="Sum", dims={"TableName": "t"})
    b.add("distributions", distribution_id="E1", domain="e1.cloudfront.net", price_class="PriceClass_All")
    b.add("cache_behaviors", distribution_id="E1", path_pattern="*", cache_policy="4135ea2d-6df8-44a3-9df3-4b5a84be39ad")
    d = {"DistributionId": "E1", "Region": "Global"}
    b.metric("AWS/CloudFront", "CacheHitRate", "E1", [40.0] * 72, dims=d)
    b.metric("AWS/CloudFront", "Requests", "E1", [100.0] * 72, stat="Sum", dims=d)
    b.add("stacks", stack_name="app-prod", status="UPDATE_COMPLETE", copilot_application="app",
          copilot_environment="prod", template_bytes=45000, resource_count=60)
    b.add("stacks", stack_name="app-prod-svc0", status="UPDATE_COMPLETE", copilot_application="app",
          copilot_environment="prod", copilot_service="svc0", template_bytes=20000, resource_count=30)
    return b


CHARTS = [(network.nat_cost_chart, True), (compute.utilisation_chart, True), (pipelines.stage_chart, True),
          (datastores.utilisation_chart, True), (cdn.hit_rate_chart, True), (stacks.limits_chart, True)]
TABLES = [network.inventory, network.nat_gateways, network.load_balancers, network.peerings, compute.inventory,
          compute.stopped_tasks, pipelines.inventory, pipelines.build_projects, pipelines.deployment_groups,
          pipelines.workflows, datastores.inventory, datastores.caches, datastores.dynamodb, cdn.inventory,
          cdn.behaviours, stacks.inventory, stacks.copilot_matrix, stacks.failed]


@pytest.mark.parametrize(("fn", "takes_a"), CHARTS, ids=lambda x: getattr(x, "__module__", "") + "." + getattr(x, "__name__", ""))
def test_charts_are_static_png(fn, takes_a):
    chart = fn(rich().build())
    assert isinstance(chart, Chart)
    assert chart._repr_png_().startswith(PNG)
    empty = fn(SnapshotBuilder().build())
    assert isinstance(empty, Note) and empty._repr_markdown_()


def test_tables_render_or_say_why_not():
    snap, empty = rich().build(), SnapshotBuilder().build()
    rendered = set()
    for fn in TABLES:
        out = fn(snap)
        if not isinstance(out, Note):
            assert "<table" in out.to_html()
            rendered.add(f"{fn.__module__.rsplit('.', 1)[1]}.{fn.__name__}")
        assert isinstance(fn(empty), Note), fn.__qualname__
    # rich() holds no load balancers, peerings, stopped tasks, builds, deployments, workflows, caches or failures
    assert rendered == {"network.inventory", "network.nat_gateways", "compute.inventory", "pipelines.inventory",
                        "datastores.inventory", "datastores.dynamodb", "cdn.inventory", "cdn.behaviours",
                        "stacks.inventory", "stacks.copilot_matrix"}


def test_inventory_contents():
    snap = rich().build()
    inv = network.inventory_frame(snap)
    assert list(inv["NAT gateways"]) == [1, 1] and list(inv["Services"]) == [1, 1]
    svc = compute.services_frame(snap)
    # at the one pair of targets (70 % CPU, 80 % memory) the rules and the model share
    assert list(svc["Right size"]) == ["0.25 vCPU / 0.5 GB", "0.25 vCPU / 0.5 GB"]
    assert datastores.databases_frame(snap).loc[0, "Standard support ends"] == "2026-02-28"
    assert pipelines.inventory_frame(snap).loc[0, "Slowest stage"] == "Build"


def test_findings_table_by_domain():
    found = evaluate(rich().build())
    df = findings_frame(found, "network")
    assert len(df) and set(df["Rule"]) <= {r for r in df["Rule"] if r.startswith("NET-")}
    html = findings_table(found, "datastores").to_html()
    assert "DAT-007" in html and "background-color" in html
    assert findings_table([], "cdn") == Note("No findings in this area.")
    # dicts from findings.json work too
    assert len(findings_frame([f.to_dict() for f in found], "cdn")) == len(findings_frame(found, "cdn"))
