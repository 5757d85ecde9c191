"""The after-migration estate (``after:{json}``, awsassess.demo.seed_after), collected by the real collector.

The plan comes from the demo itself: the staging account is seeded, collected and analysed once; its
model.json is the before-run's plan. The demo's staging plan keeps Fargate (cheaper there), so the full
migration is also seeded from a variant of that plan that chooses its own cheapest ECS-on-EC2 option (the
instance type and count the model computed, the capacity provider it would name): the EC2 path (launch
template, Auto Scaling group, container instances, capacity provider) is checked on it.

Three after estates are seeded side by side: all waves of the EC2 variant, its first two waves, and all
waves of the plan as analysed (Fargate). Every estate here is started the same way (one server each, no
fork group) because moto's ids depend on how the server started: the after estate repeats the before ids
only when both are launched alike (``awsassess demo`` launches both accounts' estates as one group).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from awsassess.assumptions import resolve
from awsassess.collect import collect_account
from awsassess.demo import Estate, costs
from awsassess.demo.estate import ACCOUNTS, STAGING
from awsassess.demo.seed_after import AfterRequest, class_vcpus, cutover_date
from awsassess.model import write_model
from awsassess.notebook import analysis_for
from awsassess.params import AccountParams
from awsassess.pricing.specs import instance_specs
from awsassess.snapshot import Snapshot
from awsassess.values import json_list

pytestmark = pytest.mark.heavy

SPEC = STAGING


def _collect(estate: Estate, out: Path) -> Snapshot:
    params = AccountParams(name=SPEC.name, account_id=SPEC.account_id, environment=SPEC.environment,
                           regions=[SPEC.region], auth={"endpoint_url": estate.endpoint_url,
                                                        "role_arn": estate.role_arn(SPEC.account_id),
                                                        "external_id": estate.external_id},
                           collect={"processes": 1})
    return collect_account(params, out, strict=True)


def ec2_variant(model: dict[str, Any]) -> dict[str, Any]:
    """The plan with its cluster on the cheapest ECS-on-EC2 option the model priced (named as the model names
    an EC2 choice: capacity provider ``<cluster>-<type>``, the assumptions' target capacity and scaling)."""
    out = json.loads(json.dumps(model))
    a = out.get("assumptions") or {}
    for c in out["proposed_architecture"]["clusters"]:
        o = min((o for o in c["options"] if o["launch"] == "EC2"), key=lambda o: o["monthly_usd"])
        c.update(launch="EC2", arch=o["arch"], instance_type=o["instance_type"], instances=o["instances"],
                 min_instances=o["instances"],
                 max_instances=max(o["instances"], math.ceil(o["instances"] * a.get("max_scaling_factor", 2))),
                 capacity_provider={"name": f"{c['name']}-{o['instance_type'].replace('.', '-')}",
                                    "target_capacity_pct": a.get("capacity_provider_target_pct", 90),
                                    "managed_scaling": True, "managed_termination_protection": True})
        for s in c["services"]:
            s.update(launch="EC2", arch=o["arch"])
    return out


def after_string(model: Path, waves: int | None) -> str:
    return "after:" + json.dumps({"account": SPEC.environment, "model": str(model), "waves": waves})


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The staging estate as the demo seeds it, collected and analysed: its snapshot and plan (model.json)."""
    root = tmp_path_factory.mktemp("before")
    estate = Estate.start(f"fintech:{SPEC.environment}", timeout=300)
    try:
        snapshot = _collect(estate, root / "run")
    finally:
        estate.stop()
    _, model = analysis_for(snapshot, resolve(None))
    fargate = Path(write_model(model, root / "fargate")["model"])
    plan = json.loads(fargate.read_text())
    ec2 = root / "ec2" / "model.json"
    ec2.parent.mkdir()
    ec2.write_text(json.dumps(ec2_variant(plan)))
    return {"snapshot": snapshot, "fargate": fargate, "ec2": ec2, "plan": plan,
            "ec2_plan": json.loads(ec2.read_text())}


@pytest.fixture(scope="module")
def after(before: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Snapshot]]:
    """Two after estates of the EC2 variant seeded side by side (one server each), each collected once. The
    demo's own (Fargate) plan is migrated and verified end to end by tests/demo/test_demo_after.py (its waves
    read done only when every service runs at the planned launch, size and architecture)."""
    wanted = {"ec2_all": after_string(before["ec2"], None), "ec2_2": after_string(before["ec2"], 2)}
    estates: dict[str, Estate] = {}
    try:
        for key, estate in wanted.items():
            estates[key] = Estate.launch(estate, timeout=300)
        snaps = {}
        for key, estate in estates.items():
            estate.wait_seeded(300)
            snaps[key] = _collect(estate, tmp_path_factory.mktemp(key))
        yield snaps
    finally:
        for estate in estates.values():
            estate.stop()


def _workload_vpcs(snap: Snapshot) -> pd.DataFrame:
    v = snap.table("vpcs")
    return v[~v["is_default"].astype(bool)]


def _cluster(plan: dict[str, Any]) -> dict[str, Any]:
    return plan["proposed_architecture"]["clusters"][0]


def _services(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in _cluster(plan)["services"]}


def _live_nats(snap: Snapshot) -> pd.DataFrame:
    n = snap.table("nat_gateways")
    return n[n["state"] != "deleted"]


# ------------------------------------------------------------------------------------------------ full, EC2
def test_full_migration_leaves_one_vpc_with_the_plans_nat_gateways_and_albs(before: dict[str, Any],
                                                                           after: dict[str, Snapshot]) -> None:
    snap, arch = after["ec2_all"], before["ec2_plan"]["proposed_architecture"]
    vpcs = _workload_vpcs(snap)
    assert list(vpcs["name"]) == [arch["vpcs"][0]["name"]] and list(vpcs["cidr"]) == [arch["vpcs"][0]["cidr"]]
    new_vpc = vpcs["vpc_id"].iloc[0]
    old = set(_workload_vpcs(before["snapshot"])["vpc_id"])
    assert old and not old & set(snap.table("vpcs")["vpc_id"])
    nats = _live_nats(snap)
    assert len(nats) == len(arch["vpcs"][0]["nat_gateways"]) and set(nats["vpc_id"]) == {new_vpc}
    subnets = snap.table("subnets")
    assert len(subnets[subnets["vpc_id"] == new_vpc]) == len(arch["vpcs"][0]["subnets"])
    endpoints = snap.table("vpc_endpoints")
    assert sorted(endpoints["service_name"].str.rsplit(".", n=1).str[1]) == sorted(arch["vpcs"][0]["gateway_endpoints"])
    lbs = snap.table("load_balancers")
    assert sorted(lbs["name"]) == sorted(lb["name"] for lb in arch["load_balancers"])
    assert dict(zip(lbs["name"], lbs["scheme"], strict=True)) == {lb["name"]: lb["scheme"] for lb in arch["load_balancers"]}
    assert set(lbs["vpc_id"]) == {new_vpc}
    listeners = snap.table("listeners")
    assert sorted(zip(listeners["protocol"], listeners["port"], strict=True)) == sorted(
        [("HTTPS", 443), ("HTTP", 80)] * len(arch["load_balancers"]))
    if "ssl_policy" in listeners.columns:  # TLS 1.2+ on 443, 80 redirects to HTTPS
        https = listeners[listeners["protocol"] == "HTTPS"]
        assert https["ssl_policy"].str.startswith("ELBSecurityPolicy-TLS13-1-2").all()
        assert set(listeners[listeners["protocol"] == "HTTP"]["default_action"]) == {"redirect-https"}
    tgs = snap.table("target_groups")
    assert len(tgs) == len(arch["clusters"][0]["services"]) and set(tgs["vpc_id"]) == {new_vpc}
    public = {lb["name"] for lb in arch["load_balancers"] if lb["scheme"] == "internet-facing"}
    dns = set(lbs[lbs["name"].isin(public)]["dns_name"])
    origins = snap.table("origins")
    assert set(origins[origins["origin_id"].isin(["web-alb", "api-alb"])]["domain"]) <= dns  # CloudFront followed
    assert snap.table("vpc_peerings")["status"].isin(["deleted"]).all()
    assert not len(snap.table("stacks")[snap.table("stacks")["stack_name"].str.startswith(f"fintech-{SPEC.environment}")])


def test_full_migration_runs_the_services_at_plan_sizes_on_the_plans_container_instances(
        before: dict[str, Any], after: dict[str, Snapshot]) -> None:
    snap, plan = after["ec2_all"], before["ec2_plan"]
    cluster, wanted = _cluster(plan), _services(plan)
    services = snap.table("ecs_services").set_index("service_name")
    assert sorted(services.index) == sorted(wanted)
    subnets = snap.table("subnets")
    new_vpc = _workload_vpcs(snap)["vpc_id"].iloc[0]
    private = set(subnets[(subnets["vpc_id"] == new_vpc) & ~subnets["public"].astype(bool)]["subnet_id"])
    for name, s in wanted.items():
        row = services.loc[name]
        assert (row["cluster"], int(row["cpu"]), int(row["memory"]), int(row["desired_count"])) == (
            cluster["name"], s["cpu"], s["memory"], s["desired"]), name
        assert json_list(row["capacity_providers"]) == [cluster["capacity_provider"]["name"]] and not row["launch_type"]
        assert row["cpu_architecture"] == ("ARM64" if s["arch"] == "arm64" else "X86_64")
        assert row["deployment_controller"] == "ECS" and row["circuit_breaker"] and row["circuit_breaker_rollback"]
        assert set(json_list(row["subnets"])) <= private
    spec = instance_specs()[cluster["instance_type"]]
    cis = snap.table("container_instances")
    assert len(cis) == cluster["instances"] and set(cis["instance_type"]) == {cluster["instance_type"]}
    assert set(cis["registered_cpu"]) == {spec.vcpu * 1024}
    a = plan["assumptions"]
    assert set(cis["registered_memory"]) == {
        int(spec.memory_gib * 1024 * (1 - a["os_memory_overhead_pct"] / 100) - a["ecs_reserved_memory_mib"])}
    assert int(cis["running_tasks"].sum()) == sum(s["desired"] for s in wanted.values())
    instances = snap.table("ec2_instances")
    assert len(instances) == cluster["instances"] and set(instances["instance_type"]) == {cluster["instance_type"]}
    assert set(instances["subnet_id"]) <= private and set(instances["az"]) == set(cluster["azs"])
    (asg,) = snap.table("autoscaling_groups").to_dict("records")
    assert (asg["desired"], asg["min_size"], asg["max_size"]) == (
        cluster["instances"], cluster["min_instances"], cluster["max_instances"])
    cps = snap.table("capacity_providers").set_index("name")
    cp = cps.loc[cluster["capacity_provider"]["name"]]
    assert (cp["type"], bool(cp["managed_scaling"]), int(cp["target_capacity"])) == (
        "ASG", True, cluster["capacity_provider"]["target_capacity_pct"])
    (c,) = snap.table("ecs_clusters").to_dict("records")
    assert json_list(c["default_strategy"])[0]["capacityProvider"] == cluster["capacity_provider"]["name"]
    targets = snap.table("autoscaling_targets").set_index("resource_id")
    for name, s in wanted.items():
        t = targets.loc[f"service/{cluster['name']}/{name}"]
        assert (int(t["min_capacity"]), int(t["max_capacity"])) == (s["scaling"]["min_tasks"], s["scaling"]["max_tasks"])
        assert json_list(t["policies"])[0]["type"] == "TargetTrackingScaling"
    assert not len(snap.table("stopped_tasks"))


def test_full_migration_applies_the_data_store_plan_and_retires_the_pipelines(
        before: dict[str, Any], after: dict[str, Snapshot]) -> None:
    snap = after["ec2_all"]
    stores = {d["id"]: d for d in before["ec2_plan"]["proposed_architecture"]["datastores"]}
    new_vpc = _workload_vpcs(snap)["vpc_id"].iloc[0]
    dbs = snap.table("db_instances").set_index("db_instance_id")
    for ident, row in dbs.iterrows():
        d = stores[str(ident)]
        assert row["instance_class"] == d["proposed_class"] and bool(row["multi_az"]) == d["multi_az"]
        assert row["vpc_id"] == new_vpc
        if d["storage_type"]:
            assert row["storage_type"] == d["storage_type"]
    (rg,) = snap.table("replication_groups").to_dict("records")
    d = stores[rg["id"]]
    assert (rg["engine"], rg["node_type"], int(rg["nodes"]), rg["vpc_id"]) == (
        d["engine"], d["proposed_class"], d["nodes"], new_vpc)
    caches = snap.table("cache_clusters")
    assert set(caches["engine"]) == {d["engine"]} and set(caches["node_type"]) == {d["proposed_class"]}
    for t in snap.table("dynamodb_tables").to_dict("records"):
        d = stores[t["table_name"]]
        assert t["billing_mode"] == d["mode"]
        if d["mode"] == "PROVISIONED" and d["proposed_class"]:
            assert f"{t['rcu']} RCU / {t['wcu']} WCU" == d["proposed_class"]
    for table in ("pipelines", "build_projects", "deployment_groups", "pipeline_executions"):
        assert not len(snap.table(table)), table


def test_full_migration_metrics_rollouts_and_bill_follow_the_plan(before: dict[str, Any],
                                                                 after: dict[str, Snapshot]) -> None:
    snap, plan = after["ec2_all"], before["ec2_plan"]
    wanted = _services(plan)
    metrics = snap.table("metrics")
    cpu = metrics[(metrics["namespace"] == "AWS/ECS") & (metrics["metric"] == "CPUUtilization")
                  & (metrics["stat"] == "Average")]
    p95 = cpu.groupby("resource_id")["value"].quantile(0.95)
    for svc in SPEC.services:  # the same absolute usage at the new size
        s = wanted[svc.name]
        assert p95[svc.name] == pytest.approx(svc.cpu_p95 * svc.cpu * svc.desired / (s["cpu"] * s["desired"]), rel=0.02)
    rds = next(d for d in plan["proposed_architecture"]["datastores"] if d["kind"] == "rds")
    db_cpu = metrics[(metrics["namespace"] == "AWS/RDS") & (metrics["metric"] == "CPUUtilization")
                     & (metrics["stat"] == "Average")]["value"].quantile(0.95)
    assert db_cpu == pytest.approx(SPEC.rds_cpu_p95 * class_vcpus(SPEC.rds_class) / class_vcpus(rds["proposed_class"]),
                                   rel=0.02)
    reservation = metrics[(metrics["metric"] == "CPUReservation") & (metrics["stat"] == "Average")]["value"]
    assert len(reservation) and 0 < reservation.mean() <= 100
    # rollouts take the plan's predicted deploy time (minutes), not the blue/green hour and a half
    deployments = snap.table("ecs_deployments")
    minutes = (pd.to_datetime(deployments["updated_at"]) - pd.to_datetime(deployments["created_at"])).dt.total_seconds() / 60
    assert len(minutes) == len(wanted) and minutes.max() < 15 and set(deployments["rollout_state"]) == {"COMPLETED"}
    predicted = {p["service"]: sum(c["predicted_s"] for c in p["components"] if c["stage"] == "Deploy")
                 for p in plan["pipeline_time"]["pipelines"]}
    by_service = dict(zip(deployments["service_arn"].str.rsplit("/", n=1).str[1], minutes * 60, strict=True))
    for name, seconds in predicted.items():
        assert by_service[name] == pytest.approx(seconds, abs=1)
    # the last full month is billed from what is seeded: instances instead of Fargate, no pipelines
    spend = snap.table("spend")
    months = spend.groupby("month")["usd"].sum()
    last = spend[spend["month"] == months.index.max()].set_index("service")["usd"]
    assert months.index.max() == cutover_date().strftime("%Y-%m")
    assert last.get(costs.EC2_COMPUTE, 0) > 0 and costs.ECS not in last
    assert costs.CODEPIPELINE not in last and costs.CODEBUILD not in last
    assert months.iloc[-1] < 0.8 * months.iloc[0]  # the months before the cut-over keep the before bill
    _, model = analysis_for(snap, resolve(None))
    current = model.to_dict()["summary"]["current_monthly_usd"]
    assert months.iloc[-1] == pytest.approx(current, rel=0.15)


# ------------------------------------------------------------------------------------------------ two waves
def test_two_waves_build_the_foundation_and_move_the_data_stores_only(before: dict[str, Any],
                                                                     after: dict[str, Snapshot]) -> None:
    snap, first, plan = after["ec2_2"], before["snapshot"], before["ec2_plan"]
    arch, cluster = plan["proposed_architecture"], _cluster(plan)
    vpcs = _workload_vpcs(snap)
    assert set(_workload_vpcs(first)["vpc_id"]) < set(vpcs["vpc_id"])
    assert arch["vpcs"][0]["name"] in set(vpcs["name"]) and len(vpcs) == len(_workload_vpcs(first)) + 1
    lbs = set(snap.table("load_balancers")["name"])
    assert {lb["name"] for lb in arch["load_balancers"]} | set(first.table("load_balancers")["name"]) == lbs
    assert len(snap.table("container_instances")) == cluster["instances"]
    assert cluster["capacity_provider"]["name"] in set(snap.table("capacity_providers")["name"])
    assert len(_live_nats(snap)) == len(_live_nats(first)) + len(arch["vpcs"][0]["nat_gateways"])
    classes = dict(zip(snap.table("db_instances")["db_instance_id"], snap.table("db_instances")["instance_class"],
                       strict=True))
    for d in arch["datastores"]:
        if d["kind"] in ("rds", "docdb"):
            assert classes[d["id"]] == d["proposed_class"]
    assert set(snap.table("replication_groups")["engine"]) == {next(d["engine"] for d in arch["datastores"]
                                                                    if d["kind"] == "elasticache")}
    # every service still runs as before: Fargate, CodeDeploy, its size and its own VPC
    was = first.table("ecs_services").set_index("service_name")
    now = snap.table("ecs_services").set_index("service_name")
    assert sorted(now.index) == sorted(was.index)
    for col in ("launch_type", "cpu", "memory", "desired_count", "deployment_controller", "subnets", "task_definition"):
        assert list(now.sort_index()[col]) == list(was.sort_index()[col]), col
    assert sorted(snap.table("pipelines")["name"]) == sorted(first.table("pipelines")["name"])
    assert len(snap.table("deployment_groups")) == len(first.table("deployment_groups"))
    # seeded alike up to the second wave: the foundation has the same ids as in the full migration
    full = after["ec2_all"]
    assert sorted(_workload_vpcs(full)["vpc_id"]) == sorted(set(vpcs["vpc_id"]) - set(_workload_vpcs(first)["vpc_id"]))
    shared = {lb["name"] for lb in arch["load_balancers"]}
    arns = snap.table("load_balancers")
    assert sorted(arns[arns["name"].isin(shared)]["arn"]) == sorted(full.table("load_balancers")["arn"])
    spend = snap.table("spend")
    last = spend[spend["month"] == spend["month"].max()].set_index("service")["usd"]
    assert costs.CODEPIPELINE in last and last.get(costs.EC2_COMPUTE, 0) > 0  # pipelines stay, instances run


# ------------------------------------------------------------------------------------------------ no server
def test_the_fintech_footprint_prices_as_the_before_bill() -> None:
    for acct in ACCOUNTS:
        assert costs.footprint_daily_costs(costs.footprint_of(acct), 31) == pytest.approx(costs.daily_costs(acct, 31))


def test_a_registered_bill_changes_spend_from_its_cutover_only() -> None:
    acct = SPEC
    fp = costs.footprint_of(acct)
    smaller = dataclasses.replace(fp, fargate=(), instances=(("m6g.large", 2),), root_volume_gb=30, pipelines=0,
                                  build_projects=0)
    before = costs.account_cost_for_period(acct, date(2026, 1, 1), date(2026, 3, 1))
    try:
        costs.register_bill(acct.account_id, costs.Bill(date(2026, 2, 1), smaller))
        jan = costs.account_cost_for_period(acct, date(2026, 1, 1), date(2026, 2, 1))
        feb = costs.account_cost_for_period(acct, date(2026, 2, 1), date(2026, 3, 1))
    finally:
        costs.BILLS.pop(acct.account_id, None)
    assert jan == pytest.approx(costs.cost_for_period(acct, date(2026, 1, 1), date(2026, 2, 1)))
    assert costs.ECS not in feb and costs.CODEPIPELINE not in feb
    assert feb[costs.EC2_COMPUTE] == pytest.approx(2 * 0.077 * 24 * 28)  # m6g.large, us-east-1 on-demand
    assert sum(feb.values()) < sum(before.values()) / 2


def test_the_after_request_is_checked(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    model.write_text("{}")
    assert AfterRequest.parse({"account": "staging", "model": str(model), "waves": 3}).waves == 3
    assert AfterRequest.parse({"account": "fintech-production", "model": str(model), "waves": None}).account.name == (
        "fintech-production")
    for bad in ({"account": "dev", "model": str(model)}, {"account": "staging", "model": str(tmp_path / "none")},
                {"account": "staging", "model": str(model), "waves": -1},
                {"account": "staging", "model": str(model), "waves": "2"}):
        with pytest.raises(ValueError):
            AfterRequest.parse(bad)
