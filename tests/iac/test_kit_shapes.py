"""The exit kit of generated estates (SnapshotBuilder) and of proposals built directly, one shape each:
Fargate kept, ECS on EC2, two regions, no data stores, nothing to migrate, the data stores the generator
handles partly, and 300 services. Every kit is written and checked with the real tools."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from awsassess.findings import evaluate
from awsassess.iac import build_kit, write_kit
from awsassess.iac.check import _tool, check_checkov, check_fmt, check_references, check_schema
from awsassess.iac.hcl import Block
from awsassess.iac.terraform import ECS_AMI_PARAMETER
from awsassess.model import assess
from awsassess.model.architecture import CapacityProvider, ProposedArchitecture
from iac_helpers import (
    Kit,
    add_network,
    add_pipeline,
    add_services,
    assert_checks_pass,
    imports,
    local_services,
    make_kit,
    modules,
    old_ids,
    parse,
    resources,
    skipped_checkov,
    unq,
    variables,
)
from snapshots_factory import SnapshotBuilder

pytestmark = pytest.mark.heavy  # about 30 s: seven estates written and checked, one of 300 services


def _db(b: SnapshotBuilder, name: str, cls: str = "db.m5.large", *, engine: str = "postgres",
        cluster: str = "") -> None:
    b.add("db_instances", db_instance_id=name, engine=engine, engine_version="15.4", instance_class=cls,
          multi_az=False, storage_type="aurora" if engine.startswith("aurora") else "gp2", allocated_gb=100,
          publicly_accessible=False, status="available", cluster_id=cluster)
    b.metric("AWS/RDS", "CPUUtilization", name, [20.0] * 48, dims={"DBInstanceIdentifier": name})


# ----------------------------------------------------------------------------------------- (a) + (d)
@pytest.fixture(scope="module")
def fargate(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """One region, three small services behind one public load balancer, a pipeline, no data store."""
    b = SnapshotBuilder(environment="production", name="shop")
    private = add_network(b, "vpc-0f00a1", "use1")
    add_services(b, ["web", "api", "worker"], vpc="vpc-0f00a1", subnets=private)
    add_pipeline(b, "web")
    return make_kit(b.build(), tmp_path_factory.mktemp("fargate") / "iac", checkov=False)


def test_a_fargate_kept_one_region(fargate: Kit) -> None:
    (cluster,) = fargate.model.proposed.clusters
    assert cluster.launch == "FARGATE"
    assert_checks_pass(fargate.kit.checks, root_modules=1)
    mods = modules(fargate.parsed)
    assert {"vpc", "alb_public", "ecs_cluster", "ecs_service"} <= set(mods) and "autoscaling" not in mods
    assert set(mods["ecs_cluster"]["default_capacity_provider_strategy"]) == {"FARGATE"}
    assert unq(mods["ecs_service"]["launch_type"]) == "FARGATE"
    assert [unq(x) for x in mods["ecs_service"]["requires_compatibilities"]] == ["FARGATE"]
    assert "capacity_provider_strategy" not in mods["ecs_service"]
    assert not resources(fargate.parsed, "data")
    services = local_services(fargate.parsed)
    assert set(services) == {"web", "api", "worker"}
    for i, name in enumerate(["web", "api", "worker"]):  # read from the task definitions and target groups
        s = services[name]
        assert unq(s["container_name"]) == f"{name}-app"
        assert s["port_mappings"][0]["containerPort"] == 8080 + i
        assert unq(s["health_check_path"]) == f"/{name}/health"
    targets = mods["alb_public"]["target_groups"]
    assert set(targets) == {"web", "api", "worker"} and targets["api"]["port"] == 8081


def test_a_no_old_id_in_the_terraform(fargate: Kit) -> None:
    old = old_ids(fargate.snap)
    assert any(i.startswith("sg-") for i in old) and any(":targetgroup/" in i for i in old) and len(old) >= 12
    for path in sorted(fargate.tf.glob("*.tf")):
        assert not [i for i in old if i in path.read_text()], path.name


def test_a_one_workflow_per_service_for_its_region(fargate: Kit) -> None:
    assert sorted(w.filename for w in fargate.kit.workflows) == ["deploy-api.yml", "deploy-web.yml",
                                                                 "deploy-worker.yml"]
    doc = yaml.safe_load((fargate.iac / "github-actions" / "deploy-api.yml").read_text())
    assert doc["env"]["AWS_REGION"] == "us-east-1" and doc["env"]["CONTAINER_NAME"] == "api-app"
    assert doc["jobs"]["deploy"]["runs-on"] == ("ubuntu-24.04-arm" if fargate.model.proposed.clusters[0].arch
                                                == "arm64" else "ubuntu-24.04")


def test_d_no_data_store_means_no_import(fargate: Kit) -> None:
    assert not fargate.model.proposed.datastores
    assert not imports(fargate.parsed) and fargate.kit.modules[0].imports == []
    assert not (fargate.tf / "datastores.tf").exists()
    assert not any("import {" in t for t in fargate.kit.files.values())
    assert "(no data stores)" in fargate.readme
    assert_checks_pass(fargate.kit.checks, root_modules=1)


# ----------------------------------------------------------------------------------------- (b)
@pytest.fixture(scope="module")
def ec2(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """Twelve large, busy services on an EC2 cluster with a capacity provider (the model keeps EC2) and
    one RDS instance. Checked with the real checkov too."""
    b = SnapshotBuilder(environment="production", name="batchco")
    private = add_network(b, "vpc-0e00c2", "ec2")
    names = [f"job{i:02d}" for i in range(12)]
    add_services(b, names, vpc="vpc-0e00c2", subnets=private, cpu=4096, memory=8192, util=60,
                 lb_scheme="internal", launch="EC2", capacity_providers=["batch-cp"])
    b.add("ecs_clusters", cluster_arn=f"arn:aws:ecs:us-east-1:{b.account_id}:cluster/main", cluster_name="main",
          status="ACTIVE", capacity_providers=["batch-cp"],
          default_strategy=[{"capacityProvider": "batch-cp", "weight": 1}])
    for i in range(6):
        b.add("container_instances", container_instance_arn=f"arn:aws:ecs:us-east-1:{b.account_id}:"
              f"container-instance/main/{i}", cluster="main", ec2_instance_id=f"i-0ec2{i:04d}",
              instance_type="m5.2xlarge", status="ACTIVE", registered_cpu=8192, registered_memory=31000)
    _db(b, "batch-db")
    return make_kit(b.build(), tmp_path_factory.mktemp("ec2") / "iac")


def test_b_ec2_cluster_with_capacity_provider(ec2: Kit) -> None:
    (cluster,) = ec2.model.proposed.clusters
    assert cluster.launch == "EC2" and cluster.capacity_provider is not None and cluster.instance_type
    assert_checks_pass(ec2.kit.checks, root_modules=1, workflows=False)
    mods = modules(ec2.parsed)
    asg = mods["autoscaling"]
    assert unq(asg["source"]) == "terraform-aws-modules/autoscaling/aws"
    assert unq(asg["instance_type"]) == cluster.instance_type
    assert (asg["min_size"], asg["max_size"], asg["desired_capacity"]) == (
        cluster.min_instances, cluster.max_instances, cluster.instances)
    assert unq(asg["image_id"]) == "data.aws_ssm_parameter.ecs_ami.value"
    ((_, ami),) = resources(ec2.parsed, "data").items()
    assert unq(ami["name"]) == ECS_AMI_PARAMETER[cluster.arch]
    providers = mods["ecs_cluster"]["autoscaling_capacity_providers"]
    assert unq(providers["ec2"]["auto_scaling_group_arn"]) == "module.autoscaling.autoscaling_group_arn"
    assert providers["ec2"]["managed_scaling"]["target_capacity"] == cluster.capacity_provider.target_capacity_pct
    assert set(mods["ecs_cluster"]["default_capacity_provider_strategy"]) == {"ec2"}
    service = mods["ecs_service"]
    assert "launch_type" not in service and [unq(x) for x in service["requires_compatibilities"]] == ["EC2"]
    assert unq(service["capacity_provider_strategy"]["ec2"]["capacity_provider"]) == \
        'module.ecs_cluster.autoscaling_capacity_providers["ec2"].name'
    sizes = {n: (s["cpu"], s["memory"]) for n, s in local_services(ec2.parsed).items()}
    assert sizes == {s.name: (s.cpu, s.memory) for s in cluster.services}
    assert "| module terraform-aws-modules/autoscaling/aws | 1 |" in ec2.readme
    assert set(imports(ec2.parsed)) == {"batch-db"}


def test_b_ec2_x86_built_directly(ec2: Kit, tmp_path: Path) -> None:
    """The same estate with an x86_64 EC2 cluster written into the proposal by hand (the model chose arm64):
    the x86 AMI parameter, the proposal's instance type, counts and target capacity."""
    arch = copy.deepcopy(ec2.model.proposed)
    cluster = arch.clusters[0]
    cluster.arch, cluster.instance_type = "x86_64", "m6i.xlarge"
    cluster.instances, cluster.min_instances, cluster.max_instances = 5, 4, 9
    cluster.capacity_provider = CapacityProvider("cp", 75)
    for s in cluster.services:
        s.arch = "x86_64"
    kit = build_kit(arch, ec2.snap, ec2.model.migration, [])
    write_kit(kit, tmp_path / "iac", run_checks=False)
    parsed = parse(tmp_path / "iac" / "terraform")
    mods = modules(parsed)
    assert unq(mods["autoscaling"]["instance_type"]) == "m6i.xlarge"
    assert (mods["autoscaling"]["min_size"], mods["autoscaling"]["max_size"]) == (4, 9)
    assert mods["ecs_cluster"]["autoscaling_capacity_providers"]["ec2"]["managed_scaling"]["target_capacity"] == 75
    assert unq(mods["ecs_service"]["runtime_platform"]["cpu_architecture"]) == "X86_64"
    ((_, ami),) = resources(parsed, "data").items()
    assert unq(ami["name"]) == ECS_AMI_PARAMETER["x86_64"] != ECS_AMI_PARAMETER["arm64"]
    for result in (check_schema(parsed), check_references(parsed), check_fmt(tmp_path / "iac" / "terraform")):
        assert result.status == "ok", result


# ----------------------------------------------------------------------------------------- (c)
@pytest.fixture(scope="module")
def two_regions(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """us-east-1 (two services, a pipeline) and eu-west-1 (two other services and an RDS instance)."""
    b = SnapshotBuilder(environment="production", name="global", regions=["us-east-1", "eu-west-1"])
    add_services(b, ["web", "api"], vpc="vpc-0a5e1", subnets=add_network(b, "vpc-0a5e1", "use1"))
    add_pipeline(b, "web")
    b.region = "eu-west-1"
    add_services(b, ["eu-web", "eu-api"], vpc="vpc-0e7w1", subnets=add_network(b, "vpc-0e7w1", "euw1"))
    _db(b, "eu-db")
    return make_kit(b.build(), tmp_path_factory.mktemp("two") / "iac", checkov=False)


def test_c_one_root_module_per_region(two_regions: Kit) -> None:
    regions = ["us-east-1", "eu-west-1"]
    assert sorted(m.region for m in two_regions.kit.modules) == sorted(regions)
    tf_files = [f for f in two_regions.kit.files if f.startswith("terraform/")]
    assert all(f.split("/")[1] in regions and f.count("/") == 2 for f in tf_files)
    assert not list(two_regions.tf.glob("*.tf"))
    assert_checks_pass(two_regions.kit.checks, root_modules=2)
    for region in regions:
        assert {c["check"].split(": ")[0] for c in two_regions.kit.checks if region in c["check"]} == \
            {f"terraform/{region}"}
        parsed = two_regions.parsed_in(region)
        assert unq(variables(parsed)["region"]["default"]) == region
        expected = {s.name for s in two_regions.model.proposed.services if s.region == region}
        assert set(local_services(parsed)) == expected and len(expected) == 2
        assert set(imports(parsed)) == ({"eu-db"} if region == "eu-west-1" else set())
        assert f"## `terraform/{region}` ({region})" in two_regions.readme
        assert (two_regions.tf / region / "terraform.tfvars.example").is_file()


def test_c_account_global_iam_is_declared_once(two_regions: Kit) -> None:
    declared = [r for r in ("us-east-1", "eu-west-1")
                if ("aws_iam_openid_connect_provider", "github") in resources(two_regions.parsed_in(r))]
    assert len(declared) == 1


def test_c_same_service_name_in_two_regions_keeps_both_workflows(tmp_path: Path) -> None:
    b = SnapshotBuilder(environment="production", name="twin", regions=["us-east-1", "eu-west-1"])
    add_services(b, ["web"], vpc="vpc-0a", subnets=add_network(b, "vpc-0a", "use1"))
    add_pipeline(b, "web")
    b.region = "eu-west-1"
    add_services(b, ["web"], vpc="vpc-0b", subnets=add_network(b, "vpc-0b", "euw1"))
    model = assess(b.build(), {})
    kit = build_kit(model.proposed, b.build(), model.migration, [])
    assert len(kit.workflows) == 2
    assert len([f for f in kit.files if f.startswith("github-actions/")]) == 2


# ----------------------------------------------------------------------------------------- (e)
def test_e_an_account_with_nothing_to_migrate_gets_no_terraform(tmp_path: Path) -> None:
    b = SnapshotBuilder(environment="production", name="quiet")
    b.vpc("vpc-0only", name="only")
    b.subnet("subnet-0only", "vpc-0only")
    k = make_kit(b.build(), tmp_path / "iac", run_checks=False)
    assert k.kit.empty
    assert "Nothing to migrate" in k.readme
    assert not (tmp_path / "iac" / "terraform").exists()


def test_e_an_empty_proposal_writes_only_the_readme(tmp_path: Path) -> None:
    """The "nothing to migrate" path itself, with a proposal built directly: no network, compute, data store
    or pipeline."""
    b = SnapshotBuilder(environment="staging", name="quiet")
    b.vpc("vpc-0only", name="only")
    arch = ProposedArchitecture(b.account_id, "quiet", "staging", ["us-east-1"])
    kit = build_kit(arch, b.build(), [], [])
    assert kit.empty and kit.modules == [] and kit.workflows == [] and set(kit.files) == {"README.md"}
    write_kit(kit, tmp_path / "iac", arch=arch, waves=[])
    assert sorted(p.name for p in (tmp_path / "iac").iterdir()) == ["README.md", "checks.json"]
    readme = (tmp_path / "iac" / "README.md").read_text()
    assert "Nothing to migrate" in readme and "terraform plan" not in readme
    assert (tmp_path / "iac" / "checks.json").read_text().strip() == "[]"
    assert kit.summary()["root_modules"] == [] and kit.summary()["imports"] == []


# ----------------------------------------------------------------------------------------- (f)
@pytest.fixture(scope="module")
def partial_stores(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """An Aurora cluster of two instances, an ElastiCache group already on Valkey, a standalone Redis cache
    cluster and a DynamoDB table from an older snapshot (no key schema), beside one service."""
    b = SnapshotBuilder(environment="production", name="stores")
    add_services(b, ["web"], vpc="vpc-0d5", subnets=add_network(b, "vpc-0d5", "dst"))
    for i in (1, 2):
        _db(b, f"orders-aurora-{i}", "db.r5.large", engine="aurora-postgresql", cluster="orders-aurora")
    b.add("db_clusters", cluster_id="orders-aurora", engine="aurora-postgresql", engine_version="15.4",
          members=2, instance_ids=["orders-aurora-1", "orders-aurora-2"], multi_az=True, status="available")
    b.add("replication_groups", id="sessions-vk", engine="valkey", node_type="cache.r6g.large", nodes=2,
          multi_az=True, status="available", description="sessions")
    for i in (1, 2):
        b.add("cache_clusters", id=f"sessions-vk-00{i}", engine="valkey", engine_version="7.2",
              node_type="cache.r6g.large", nodes=1, replication_group_id="sessions-vk", status="available")
    b.add("cache_clusters", id="legacy-cache", engine="redis", engine_version="6.2", node_type="cache.t3.medium",
          nodes=1, replication_group_id="", status="available")
    b.add("dynamodb_tables", table_name="audit-log", billing_mode="PAY_PER_REQUEST", size_bytes=10**9)
    return make_kit(b.build(), tmp_path_factory.mktemp("stores") / "iac", checkov=False)


def test_f_every_data_store_is_imported_or_listed_as_manual_work(partial_stores: Kit) -> None:
    stores = partial_stores.model.proposed.datastores
    assert {d.kind for d in stores} == {"aurora", "elasticache", "dynamodb"} and len(stores) == 5
    found = imports(partial_stores.parsed)
    manual = partial_stores.kit.modules[0].manual
    for d in stores:
        assert d.id in found or any(d.id in x for x in manual), d.id
    assert set(found) == {"orders-aurora", "orders-aurora-1", "orders-aurora-2", "sessions-vk", "legacy-cache"}
    assert "### Manual work" in partial_stores.readme
    for x in manual:
        assert f"- {x}" in partial_stores.readme
    assert_checks_pass(partial_stores.kit.checks, root_modules=1, workflows=False, except_checkov=True)


def test_f_aurora_cluster_and_instances(partial_stores: Kit) -> None:
    res = resources(partial_stores.parsed)
    found = imports(partial_stores.parsed)
    assert found["orders-aurora"] == "aws_rds_cluster.orders_aurora"
    cluster = res[("aws_rds_cluster", "orders_aurora")]
    assert unq(cluster["engine"]) == "aurora-postgresql" and cluster["lifecycle"][0]["prevent_destroy"] is True
    for i in (1, 2):
        inst = res[("aws_rds_cluster_instance", f"orders_aurora_{i}")]
        assert found[f"orders-aurora-{i}"] == f"aws_rds_cluster_instance.orders_aurora_{i}"
        assert unq(inst["cluster_identifier"]) == "aws_rds_cluster.orders_aurora.id"
        proposed = next(d for d in partial_stores.model.proposed.datastores if d.id == f"orders-aurora-{i}")
        assert unq(inst["instance_class"]) == proposed.proposed_class


def test_f_valkey_group_kept_and_standalone_cache_listed(partial_stores: Kit) -> None:
    res = resources(partial_stores.parsed)
    group = res[("aws_elasticache_replication_group", "sessions_vk")]
    assert unq(group["engine"]) == "valkey" and "engine_version" not in group  # already Valkey: no upgrade
    assert "engine_version" in group["lifecycle"][0]["ignore_changes"] and group["num_cache_clusters"] == 2
    solo = res[("aws_elasticache_cluster", "legacy_cache")]
    proposed = next(d for d in partial_stores.model.proposed.datastores if d.id == "legacy-cache")
    assert proposed.engine == "valkey" and unq(solo["engine"]) == "redis"  # not changed in place ...
    assert any("legacy-cache" in x and "cannot change engine in place" in x
               for x in partial_stores.kit.modules[0].manual)  # ... but said


def test_f_dynamodb_table_without_key_schema_is_manual_work(partial_stores: Kit) -> None:
    assert "audit-log" not in imports(partial_stores.parsed)
    assert not [b for (t, _), b in resources(partial_stores.parsed).items() if t == "aws_dynamodb_table"]
    (note,) = [x for x in partial_stores.kit.modules[0].manual if "audit-log" in x]
    assert "no key schema" in note and note in partial_stores.readme


def test_f_checkov_passes_on_partial_stores(partial_stores: Kit) -> None:
    if _tool("checkov") is None:
        pytest.skip("checkov is not installed")
    checkov = check_checkov(partial_stores.tf)  # the real one (the fixture wrote the kit without it)
    assert checkov.status == "ok", checkov.problems


def test_f_a_replication_group_is_always_imported_as_one() -> None:
    b = SnapshotBuilder(environment="production", name="cache")
    add_services(b, ["web"], vpc="vpc-0c", subnets=add_network(b, "vpc-0c", "c"))
    b.add("replication_groups", id="grp", engine="redis", node_type="cache.r6g.large", nodes=2, multi_az=True,
          status="available")
    snap = b.build()
    model = assess(snap, {})
    kit = build_kit(model.proposed, snap, model.migration, [])
    assert ("aws_elasticache_replication_group.grp", "grp") in [(a, i) for a, i, _ in kit.modules[0].imports]


# ----------------------------------------------------------------------------------------- (g)
def _estate(n: int) -> Any:
    b = SnapshotBuilder(environment="production", name="big")
    add_services(b, [f"svc{i:03d}" for i in range(n)], vpc="vpc-0b19", subnets=add_network(b, "vpc-0b19", "big"),
                 hours=6)
    add_pipeline(b, "svc000")
    return b.build()


def _generation_seconds(snap: Any, model: Any, findings: list[Any]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        build_kit(model.proposed, snap, model.migration, findings, production=True)
        best = min(best, time.perf_counter() - start)
    return best


def test_g_300_services_linear_and_checked(tmp_path: Path) -> None:
    small, big = _estate(30), _estate(300)
    small_model, big_model = assess(small, {}), assess(big, {})
    assert len(big_model.proposed.services) == 300
    small_findings, big_findings = evaluate(small), evaluate(big)
    ratio = _generation_seconds(big, big_model, big_findings) / _generation_seconds(small, small_model, small_findings)
    assert ratio < 30, f"10x the services took {ratio:.1f}x the time"  # linear ~10x; quadratic ~100x
    kit = build_kit(big_model.proposed, big, big_model.migration, big_findings, production=True)
    small_kit = build_kit(small_model.proposed, small, small_model.migration, small_findings, production=True)
    for name in ("terraform/locals.tf", "terraform/load_balancers.tf"):
        assert kit.files[name].count("\n") < 12 * small_kit.files[name].count("\n"), name
    with pytest.MonkeyPatch.context() as mp:  # checkov evaluates the same for_each; it runs on the other shapes
        mp.setattr("awsassess.iac.check.check_checkov", skipped_checkov)
        write_kit(kit, tmp_path / "iac", arch=big_model.proposed, waves=big_model.migration)
    assert_checks_pass(kit.checks, root_modules=1)  # parse, schema, references and fmt of the 300, 300 workflows
    (m,) = kit.modules
    assert len(m.services) == 300 and len(kit.workflows) == 300
    assert len(list((tmp_path / "iac" / "github-actions").glob("deploy-*.yml"))) == 300
    albs = [b for b in m.files["load_balancers.tf"] if isinstance(b, Block) and b.type == "module"]
    assert len(albs) == len(big_model.proposed.load_balancers) >= 3  # the rule quota splits the load balancer
    routed = [s for b in albs for s in b.attributes()["target_groups"]]  # type: ignore[union-attr]
    assert sorted(routed) == sorted(s.name for s in big_model.proposed.services)
