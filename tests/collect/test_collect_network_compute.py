"""Network and compute collectors.

1. Parsing: AWS's published example responses (botocore examples, AWS CLI docs), validated by
   botocore's Stubber against the service model, parse into rows with the documented columns.
2. Over HTTP against the simulated estate: counts match the estate, secrets are masked, ECS
   services are described 10 at a time; AccessDenied for one service leaves the other tables
   complete; 30 % throttling gives the same tables as no faults; a disabled opt-in region is recorded.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from awsassess.aws import session_for
from awsassess.collect import compute, load_collectors, network
from awsassess.collect.account import collect_account
from awsassess.demo.estate import PRODUCTION, expected_counts
from awsassess.params import AccountParams
from awsassess.snapshot import Snapshot, empty_frame
from awsassess.tables import loads
from botocore.stub import Stubber
from botocore.utils import parse_timestamp as default_timestamp_parser
from paths import FIXTURES

EXAMPLES = FIXTURES / "shared-testdata" / "aws-examples"
RESPONSES = EXAMPLES / "responses"


def _stubbed(service: str, operation: str, body: dict[str, Any], method: str, **params: Any) -> dict[str, Any]:
    """``body`` returned by a real client call through a Stubber (which validates it against the model)."""
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    shape = client.meta.service_model.operation_model(operation).output_shape
    with Stubber(client) as stub:
        stub.add_response(method, _as_parsed(shape, body), params or None)
        return getattr(client, method)(**params)


def _as_parsed(shape: Any, value: Any) -> Any:
    """``value`` as botocore's parser hands it to a caller: the AWS CLI examples write timestamps as epoch
    seconds or text, a real client call returns datetimes (a Stubber returns its body unparsed)."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "timestamp" and isinstance(value, int | float | str):
        return default_timestamp_parser(value)
    if kind == "structure" and isinstance(value, dict):
        return {k: _as_parsed(shape.members.get(k), v) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_as_parsed(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _as_parsed(shape.value, v) for k, v in value.items()}
    return value


def _example(name: str) -> dict[str, Any]:
    return json.loads((RESPONSES / name).read_text())


def _frame(table: str, rows: list[dict[str, Any]]) -> Any:
    return empty_frame(table, [{"account_id": "1", "region": "r", **r} for r in rows])


# --------------------------------------------------------------------------- parsing real AWS examples
@pytest.mark.parametrize("name", ["ec2.DescribeVpcs.botocore.json", "ec2.DescribeVpcs.awscli.json",
                                  "ec2.DescribeVpcs.awscli-2.json"])
def test_vpc_examples(name: str) -> None:
    resp = _stubbed("ec2", "DescribeVpcs", _example(name), "describe_vpcs")
    rows = [network.parse_vpc(v) for v in resp["Vpcs"]]
    _frame("vpcs", rows)
    assert all(r["vpc_id"].startswith("vpc-") and "/" in r["cidr"] for r in rows)
    if name == "ec2.DescribeVpcs.awscli.json":
        assert [(r["vpc_id"], r["cidr"], r["name"]) for r in rows] == [
            ("vpc-0e9801d129EXAMPLE", "30.1.0.0/16", "Not Shared"), ("vpc-06e4ab6c6cEXAMPLE", "10.0.0.0/16", "Shared VPC")]
        assert loads(rows[0]["tags"]) == {"Name": "Not Shared"}


@pytest.mark.parametrize("name", ["ec2.DescribeSubnets.botocore.json", "ec2.DescribeSubnets.awscli.json"])
def test_subnet_examples_with_route_tables(name: str) -> None:
    subnets = _stubbed("ec2", "DescribeSubnets", _example(name), "describe_subnets")["Subnets"]
    tables = _stubbed("ec2", "DescribeRouteTables", _example("ec2.DescribeRouteTables.botocore.json"),
                      "describe_route_tables")["RouteTables"]
    public = network.public_subnets(tables, subnets)
    rows = [network.parse_subnet(s, public[s["SubnetId"]]) for s in subnets]
    _frame("subnets", rows)
    assert rows and all(r["subnet_id"].startswith("subnet-") and r["az"] for r in rows)
    # the example's only route table is a main table with the local route: nothing is public
    assert not any(r["public"] for r in rows)
    (rt,) = [network.parse_route_table(t) for t in tables]
    assert rt["main"] is True and rt["has_igw_route"] is False
    assert loads(rt["routes"]) == [{"destination": "10.0.0.0/16", "target": "local"}]


def test_public_subnet_rule_explicit_association_beats_main_table() -> None:
    tables = [
        {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": True}],
         "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}]},
        {"RouteTableId": "rtb-priv", "VpcId": "vpc-1", "Associations": [{"Main": False, "SubnetId": "subnet-b"}],
         "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}]},
    ]
    subnets = [{"SubnetId": "subnet-a", "VpcId": "vpc-1"}, {"SubnetId": "subnet-b", "VpcId": "vpc-1"},
               {"SubnetId": "subnet-c", "VpcId": "vpc-2"}]
    assert network.public_subnets(tables, subnets) == {"subnet-a": True, "subnet-b": False, "subnet-c": False}
    assert network.parse_route_table(tables[1])["has_nat_route"] is True


@pytest.mark.parametrize(("name", "connectivity", "public_ip"), [
    ("ec2.DescribeNatGateways.botocore.json", "public", "198.11.222.333"),
    ("ec2.DescribeNatGateways.awscli.json", "public", "54.85.121.213"),
    ("ec2.DescribeNatGateways.awscli-2.json", "private", ""),
])
def test_nat_gateway_examples(name: str, connectivity: str, public_ip: str) -> None:
    gws = _stubbed("ec2", "DescribeNatGateways", _example(name), "describe_nat_gateways")["NatGateways"]
    rows = [network.parse_nat_gateway(n, {}) for n in gws]
    _frame("nat_gateways", rows)
    assert rows[0]["connectivity_type"] == connectivity
    assert rows[0]["public_ip"] == public_ip
    # moto leaves ConnectivityType out: inferred from the public IP
    gw = dict(gws[0])
    gw.pop("ConnectivityType", None)
    assert network.parse_nat_gateway(gw, {})["connectivity_type"] == connectivity


@pytest.mark.parametrize("name", ["ecs.DescribeServices.botocore.json", "ecs.DescribeServices.awscli.json"])
def test_ecs_service_examples(name: str) -> None:
    resp = _stubbed("ecs", "DescribeServices", _example(name), "describe_services", services=["s"])
    td = {"cpu": 256, "memory": 512, "cpu_architecture": "X86_64"}
    rows = [compute.parse_service(s, td) for s in resp["services"]]
    _frame("ecs_services", rows)
    deployments = [compute.parse_deployment(s["serviceArn"], d) for s in resp["services"] for d in s["deployments"]]
    _frame("ecs_deployments", deployments)
    assert rows[0]["cluster"] == "default" and rows[0]["cpu"] == 256
    if name.endswith("awscli.json"):
        assert (rows[0]["service_name"], rows[0]["desired_count"], rows[0]["running_count"]) == ("my-http-service", 10, 10)
        assert rows[0]["deployment_controller"] == "ECS" and rows[0]["launch_type"] == ""
        assert deployments[0]["deployment_id"] == "ecs-svc/1234567890123456789"


def test_capacity_provider_strategy_means_no_launch_type() -> None:
    svc = {"serviceArn": "a", "serviceName": "s", "clusterArn": "arn:aws:ecs:r:1:cluster/c", "launchType": "EC2",
           "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}
    row = compute.parse_service(svc)
    assert row["launch_type"] == "" and loads(row["capacity_providers"]) == ["FARGATE_SPOT"]
    plain = compute.parse_service({"serviceArn": "b", "serviceName": "t", "clusterArn": "c"},
                                  cluster_default=[{"capacityProvider": "FARGATE"}])
    assert loads(plain["capacity_providers"]) == ["FARGATE"]


@pytest.mark.parametrize("name", ["ecs.DescribeClusters.botocore.json", "ecs.DescribeClusters.awscli.json"])
def test_ecs_cluster_examples(name: str) -> None:
    resp = _stubbed("ecs", "DescribeClusters", _example(name), "describe_clusters")
    rows = [compute.parse_cluster(c) for c in resp["clusters"]]
    _frame("ecs_clusters", rows)
    assert rows[0]["cluster_name"]
    if name.endswith("awscli.json"):
        assert loads(rows[0]["capacity_providers"]) == ["sampleCapacityProvider"]
        cp = compute.parse_capacity_provider("sampleCapacityProvider", "sampleCluster", None)
        assert cp["type"] == "ASG"


@pytest.mark.parametrize("name", ["ecs.DescribeTaskDefinition.botocore.json", "ecs.DescribeTaskDefinition.awscli.json"])
def test_task_definition_examples(name: str) -> None:
    td = _stubbed("ecs", "DescribeTaskDefinition", _example(name), "describe_task_definition",
                  taskDefinition="td")["taskDefinition"]
    row = compute.parse_task_definition(td)
    _frame("task_definitions", [row])
    containers = loads(row["containers"])
    assert row["family"] and row["revision"] and containers and containers[0]["image"]
    assert row["env_var_count"] == sum(len(c.get("environment", [])) for c in td["containerDefinitions"])


@pytest.mark.parametrize("path", sorted((EXAMPLES / "task-definitions").glob("*.json")), ids=lambda p: p.name)
def test_published_task_definitions(path: Path) -> None:
    td = json.loads(path.read_text())
    row = compute.parse_task_definition(td)
    _frame("task_definitions", [row])
    assert row["family"] == td["family"]
    assert len(loads(row["containers"])) == len(td["containerDefinitions"])
    assert loads(row["plaintext_secret_names"]) == []  # none of the samples carries a secret


def test_stopped_task_example() -> None:
    resp = _stubbed("ecs", "DescribeTasks", _example("ecs.DescribeTasks.botocore.json"), "describe_tasks",
                    tasks=["t"])
    (row,) = [compute.parse_stopped_task(t) for t in resp["tasks"]]
    _frame("stopped_tasks", [row])
    assert row["cluster"] == "default" and loads(row["container_exit_codes"]) == {"ecs-demo": None}


# --------------------------------------------------------------------------- over HTTP, simulated estate
def _prod_params(estate: Any, regions: list[str] | None = None, **collect: Any) -> AccountParams:
    return AccountParams(name=PRODUCTION.name, account_id=PRODUCTION.account_id, environment="production",
                         regions=regions or [PRODUCTION.region],
                         auth={"role_arn": estate.role_arn(PRODUCTION.account_id), "external_id": estate.external_id,
                               "endpoint_url": estate.endpoint_url}, collect=collect)


NET_COMPUTE = ["network", "compute"]


@pytest.fixture(scope="module")
def baseline(demo_estate: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A clean network + compute collection of the production account, and the DescribeServices batch sizes."""
    demo_estate.clear_faults()
    params = _prod_params(demo_estate)
    session = session_for(params)
    batches: list[int] = []
    session.client("ecs", PRODUCTION.region).meta.events.register(
        "provide-client-params.ecs.DescribeServices", lambda params, **_: batches.append(len(params["services"])))
    out = tmp_path_factory.mktemp("baseline")
    snap = collect_account(params, out, collectors=load_collectors(NET_COMPUTE), session=session, strict=True)
    return {"snap": snap, "out": out, "batches": batches}


def test_counts_match_the_estate(baseline: dict[str, Any]) -> None:
    snap: Snapshot = baseline["snap"]
    want = expected_counts(PRODUCTION)
    vpcs = snap.table("vpcs")
    default = set(vpcs[vpcs["is_default"]]["vpc_id"])
    assert len(default) == 1 and len(vpcs) - 1 == want["vpcs"]
    subnets = snap.table("subnets")
    own = subnets[~subnets["vpc_id"].isin(default)]
    assert len(own) == want["subnets"]
    assert int(own["public"].sum()) == len(PRODUCTION.services) * len(PRODUCTION.azs)
    assert len(snap.table("nat_gateways")) == want["nat_gateways"]
    assert set(snap.table("nat_gateways")["connectivity_type"]) == {"public"}
    assert len(snap.table("internet_gateways")[lambda d: d["vpc_id"] != ""]) >= want["internet_gateways"]
    assert len(snap.table("vpc_peerings")) == want["vpc_peerings"]
    lbs = snap.table("load_balancers")
    assert len(lbs) == want["load_balancers"]
    assert (lbs["scheme"] == "internet-facing").sum() == want["internet_facing_load_balancers"]
    tgs = snap.table("target_groups")
    assert len(tgs) == want["target_groups"] and tgs["deregistration_delay_s"].notna().all()
    assert len(snap.table("listeners")) == want["load_balancers"]
    assert len(snap.table("ecs_clusters")) == want["ecs_clusters"]
    services = snap.table("ecs_services")
    assert len(services) == want["ecs_services"]
    assert services["cpu"].notna().all() and services["memory"].notna().all()
    spec = {s.name: s for s in PRODUCTION.services}
    for _, svc in services.iterrows():
        assert (svc["cpu"], svc["memory"], svc["desired_count"]) == (
            spec[svc["service_name"]].cpu, spec[svc["service_name"]].memory, spec[svc["service_name"]].desired)
    assert len(snap.table("task_definitions")) == want["ecs_services"]
    assert set(snap.table("capacity_providers")["type"]) <= {"FARGATE", "FARGATE_SPOT", "ASG"}
    cov = snap.table("coverage")
    assert set(cov["status"]) == {"ok"}, cov[cov["status"] != "ok"].to_dict("records")


def test_story_details_reach_the_tables(baseline: dict[str, Any]) -> None:
    snap: Snapshot = baseline["snap"]
    deps = snap.table("ecs_deployments")
    failed = deps[deps["rollout_state"] == "FAILED"]
    starved = {s.name for s in PRODUCTION.services if s.bootstrap_starved}
    assert {arn.rsplit("/", 1)[-1] for arn in failed["service_arn"]} == starved
    stopped = snap.table("stopped_tasks")
    assert len(stopped) and set(stopped["group"]) == {f"service:{n}" for n in starved}
    assert stopped["stopped_reason"].str.contains("health checks").all()
    targets = snap.table("autoscaling_targets")
    assert len(targets) and (targets["policy_count"] >= 1).all()


def test_plaintext_secret_is_named_but_never_stored(baseline: dict[str, Any]) -> None:
    snap: Snapshot = baseline["snap"]
    tds = snap.table("task_definitions")
    flagged = {row["family"]: loads(row["plaintext_secret_names"]) for _, row in tds.iterrows()
               if loads(row["plaintext_secret_names"])}
    assert flagged == {"fintech-production-kyc": ["KYC_PROVIDER_API_KEY"]}
    snap_dir = Path(baseline["out"]) / PRODUCTION.name / "snapshot"
    blobs = [gzip.open(p, "rt").read() for p in (snap_dir / "raw").rglob("*.json.gz")]
    assert any("KYC_PROVIDER_API_KEY" in b for b in blobs)
    assert not any("sk_live_" in b for b in blobs)
    for file in (snap_dir / "tables").glob("*.parquet"):
        assert b"sk_live_" not in file.read_bytes()


def test_describe_services_batches_of_at_most_ten(baseline: dict[str, Any]) -> None:
    assert baseline["batches"] and max(baseline["batches"]) <= 10
    assert sum(baseline["batches"]) == expected_counts(PRODUCTION)["ecs_services"]


def _signature(snap: Snapshot) -> dict[str, Any]:
    keys = {"vpcs": "vpc_id", "subnets": "subnet_id", "nat_gateways": "nat_gateway_id", "load_balancers": "arn",
            "target_groups": "arn", "listeners": "listener_arn", "target_health": "target_id",
            "ecs_services": "service_arn", "task_definitions": "task_definition_arn",
            "stopped_tasks": "task_arn", "autoscaling_targets": "resource_id", "ecs_deployments": "deployment_id",
            "route_tables": "route_table_id", "security_groups": "group_id", "elastic_ips": "allocation_id"}
    return {t: sorted(snap.table(t)[k]) for t, k in keys.items()}


def test_access_denied_for_one_service_leaves_other_tables_complete(
        fresh_faults: Any, baseline: dict[str, Any], tmp_path: Path) -> None:
    fresh_faults.set_faults([{"service": "ecs", "code": "AccessDeniedException",
                              "message": "User is not authorized to perform ecs:*"}])
    snap = collect_account(_prod_params(fresh_faults), tmp_path, collectors=load_collectors(NET_COMPUTE), strict=True)
    base = _signature(baseline["snap"])
    now = _signature(snap)
    for table in ("vpcs", "subnets", "nat_gateways", "load_balancers", "target_groups", "listeners",
                  "route_tables", "security_groups", "elastic_ips"):
        assert now[table] == base[table], table
    assert now["ecs_services"] == [] and now["task_definitions"] == []
    cov = snap.table("coverage")
    ecs_rows = cov[cov["service"] == "ecs"]
    assert len(ecs_rows) and set(ecs_rows["status"]) == {"access_denied"}
    assert ecs_rows["message"].str.contains("not authorized").all()
    assert set(cov[cov["service"].isin(["ec2", "elbv2"])]["status"]) == {"ok"}
    assert any("ecs:ListClusters" in p for p in snap.manifest["coverage"]["problems"])


@pytest.mark.slow
def test_thirty_percent_throttling_gives_the_same_tables(fresh_faults: Any, baseline: dict[str, Any],
                                                         tmp_path: Path) -> None:
    rules = [{"service": s, "code": code, "probability": 0.3, "seed": i}
             for i, (s, code) in enumerate([("ec2", "RequestLimitExceeded"), ("elbv2", "Throttling"),
                                            ("ecs", "ThrottlingException"),
                                            ("application-autoscaling", "ThrottlingException"),
                                            ("autoscaling", "Throttling")])]
    fresh_faults.set_faults(rules)
    snap = collect_account(_prod_params(fresh_faults), tmp_path, collectors=load_collectors(NET_COMPUTE), strict=True)
    fired = sum(r["fired"] for r in fresh_faults.faults())
    assert fired >= 10, f"only {fired} throttles were injected"
    assert _signature(snap) == _signature(baseline["snap"])
    cov = snap.table("coverage")
    assert set(cov["status"]) == {"ok"}, cov[cov["status"] != "ok"].to_dict("records")


def test_disabled_opt_in_region_is_recorded_not_fatal(demo_estate: Any, tmp_path: Path) -> None:
    params = _prod_params(demo_estate, regions=[PRODUCTION.region, "me-south-1"])
    snap = collect_account(params, tmp_path, collectors=load_collectors(["network"]), strict=True)
    assert snap.manifest["regions_collected"] == [PRODUCTION.region]
    cov = snap.table("coverage")
    row = cov[cov["region"] == "me-south-1"].iloc[0]
    assert row["status"] == "opt_in_required" and "me-south-1" in row["message"]
    assert set(snap.table("vpcs")["region"]) == {PRODUCTION.region}


def test_stopped_tasks_can_be_turned_off(demo_estate: Any, tmp_path: Path) -> None:
    demo_estate.reset_operations()
    snap = collect_account(_prod_params(demo_estate, stopped_tasks=False), tmp_path,
                           collectors=load_collectors(["compute"]), strict=True)
    assert len(snap.table("stopped_tasks")) == 0 and len(snap.table("ecs_services"))
    assert ("ecs", "ListTasks") not in demo_estate.operations()
    cov = snap.table("coverage")
    assert cov[cov["operation"] == "ListTasks"].iloc[0]["status"] == "skipped"


@pytest.mark.slow
def test_scale_estate_every_subnet_and_service(tmp_path: Path) -> None:
    """>= 250 subnets and >= 120 ECS services (3 clusters) all reach the tables; DescribeServices stays <= 10."""
    from awsassess.demo import Estate
    from awsassess.demo.seed_scale import SCALE_ACCOUNT

    spec = {"regions": ["us-east-1"], "vpcs": 25, "subnets": 250, "ecs_services": 120, "load_balancers": 12,
            "databases": 0, "stacks": 0}
    with Estate.start("scale:" + json.dumps(spec), timeout=300) as estate:
        params = AccountParams(name="scale", account_id=SCALE_ACCOUNT, regions=["us-east-1"],
                               auth={"role_arn": estate.role_arn(SCALE_ACCOUNT), "external_id": estate.external_id,
                                     "endpoint_url": estate.endpoint_url})
        session = session_for(params)
        batches: list[int] = []
        session.client("ecs", "us-east-1").meta.events.register(
            "provide-client-params.ecs.DescribeServices", lambda params, **_: batches.append(len(params["services"])))
        snap = collect_account(params, tmp_path, collectors=load_collectors(NET_COMPUTE), session=session,
                               strict=True)
    vpcs = snap.table("vpcs")
    default = set(vpcs[vpcs["is_default"]]["vpc_id"])
    subnets = snap.table("subnets")
    assert len(vpcs) - len(default) == 25
    assert len(subnets[~subnets["vpc_id"].isin(default)]) == 250
    assert snap.table("subnets")["subnet_id"].is_unique
    services = snap.table("ecs_services")
    assert len(services) == 120 and services["service_arn"].is_unique and services["cpu"].notna().all()
    assert len(snap.table("ecs_clusters")) == 3
    assert len(snap.table("load_balancers")) == 12 and len(snap.table("target_groups")) == 12
    assert max(batches) <= 10 and sum(batches) == 120 and len(batches) == 12
    cov = snap.table("coverage")
    assert set(cov["status"]) == {"ok"}, cov[cov["status"] != "ok"].to_dict("records")
