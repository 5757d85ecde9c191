"""Snapshots built by hand from an :class:`~awsassess.demo.estate.AccountSpec` (no server, no collector).

They mirror what the seeder creates and the collectors record (Copilot style: a VPC per group of
services, public + private subnet per AZ, IGW, NAT per AZ or per VPC, an ALB per VPC, peering
from the api VPC, RDS + DocumentDB + Redis + DynamoDB, CloudFront in front of the web ALB,
CodePipeline -> CodeBuild -> CodeDeploy per service). Used by the diagram tests and the scale
benchmark (``benchmarks/diagrams.py``); the real collected demo snapshot is tested separately.

A test fixture, not product code: it was ``awsassess/architecture/sample.py`` until issue 15 moved
it here (the package shipped a builder of the simulated estate that nothing in it used).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from awsassess.demo.estate import APP, PRODUCTION, AccountSpec, ServiceSpec
from awsassess.snapshot import Snapshot, empty_frame
from awsassess.tables import dumps


def _hex(*parts: object, n: int = 17) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:n]


def snapshot_for(acct: AccountSpec, *, services_per_vpc: int = 1, data_vpc_service: str = "api") -> Snapshot:
    """A snapshot of ``acct`` as the collectors would record it.

    ``services_per_vpc`` > 1 packs several services into one VPC (scale estates); the data stores
    live in the VPC of service ``data_vpc_service`` (or the first VPC).
    """
    aid, region = acct.account_id, acct.region
    common = {"account_id": aid, "region": region}
    rows: dict[str, list[dict[str, object]]] = {}

    def add(table: str, **row: object) -> None:
        rows.setdefault(table, []).append({**common, **row})

    env = acct.environment
    services = list(acct.services)
    chunks = [services[i:i + services_per_vpc] for i in range(0, len(services), services_per_vpc)]
    svc_vpc: dict[str, str] = {}
    vpc_private: dict[str, list[str]] = {}
    vpc_public: dict[str, list[str]] = {}
    vpc_ids: list[str] = []
    # -------------------------------------------------------------- network
    for i, chunk in enumerate(chunks):
        key = chunk[0].name if len(chunk) == 1 else f"group{i:03d}"
        vpc = f"vpc-{_hex(aid, 'vpc', i)}"
        vpc_ids.append(vpc)
        cidr = f"10.{i % 250}.0.0/16"
        add("vpcs", vpc_id=vpc, cidr=cidr, name=f"{APP}-{env}-{key}", is_default=False, state="available",
            tags=dumps({"Name": f"{APP}-{env}-{key}", "copilot-environment": env}))
        vpc_public[vpc], vpc_private[vpc] = [], []
        for a, az in enumerate(acct.azs):
            for public in (True, False):
                sid = f"subnet-{_hex(aid, vpc, az, public)}"
                (vpc_public if public else vpc_private)[vpc].append(sid)
                add("subnets", subnet_id=sid, vpc_id=vpc, az=az, cidr=f"10.{i % 250}.{a + (0 if public else 10)}.0/24",
                    public=public, available_ips=250, name=f"{APP}-{env}-{key}-{'public' if public else 'private'}-{az[-1]}")
        add("internet_gateways", igw_id=f"igw-{_hex(aid, vpc, 'igw')}", vpc_id=vpc)
        for a, az in enumerate(acct.azs if acct.nat_per_az else acct.azs[:1]):
            add("nat_gateways", nat_gateway_id=f"nat-{_hex(aid, vpc, az)}", vpc_id=vpc, subnet_id=vpc_public[vpc][a],
                az=az, state="available", connectivity_type="public", public_ip=f"54.0.{i % 250}.{a}", created=None)
        public_lb = any(s.public for s in chunk)
        lb_name = f"{APP}-{env[:4]}-{key}"[:32]
        lb_arn = f"arn:aws:elasticloadbalancing:{region}:{aid}:loadbalancer/app/{lb_name}/{_hex(aid, vpc, 'lb', n=16)}"
        add("load_balancers", arn=lb_arn, name=lb_name, type="application",
            scheme="internet-facing" if public_lb else "internal", vpc_id=vpc, state="active",
            dns_name=f"{lb_name}-{_hex(aid, vpc, 'dns', n=8)}.{region}.elb.amazonaws.com".lower(),
            azs=dumps(list(acct.azs)), created=None, tags=dumps({}))
        for svc in chunk:
            svc_vpc[svc.name] = vpc
            tg_arn = f"arn:aws:elasticloadbalancing:{region}:{aid}:targetgroup/{svc.name[:20]}-tg/{_hex(aid, svc.name, n=16)}"
            add("target_groups", arn=tg_arn, name=f"{svc.name[:20]}-tg", vpc_id=vpc, protocol="HTTP", port=8080,
                target_type="ip", load_balancer_arns=dumps([lb_arn]), deregistration_delay_s=300,
                health_check_path="/healthz", health_check_interval_s=30, health_check_timeout_s=5,
                healthy_threshold=5, unhealthy_threshold=2, slow_start_s=0)
            _service(add, acct, svc, tg_arn, vpc_private[vpc])
    # peering: a star from the api VPC (or the first VPC)
    hub = svc_vpc.get("api", vpc_ids[0])
    for vpc in vpc_ids:
        if vpc != hub:
            add("vpc_peerings", peering_id=f"pcx-{_hex(aid, hub, vpc)}", requester_vpc_id=hub, accepter_vpc_id=vpc,
                requester_account_id=aid, accepter_account_id=aid, status="active")
    cluster = f"{APP}-{env}"
    add("ecs_clusters", cluster_arn=f"arn:aws:ecs:{region}:{aid}:cluster/{cluster}", cluster_name=cluster,
        status="ACTIVE", capacity_providers=dumps(["FARGATE", "FARGATE_SPOT"]), default_strategy=dumps([]),
        active_services=len(services), running_tasks=sum(s.desired for s in services), container_instances=0,
        tags=dumps({}))
    # ------------------------------------------------------------- data stores
    data_vpc = svc_vpc.get(data_vpc_service, vpc_ids[0])
    add("db_instances", db_instance_id=f"{APP}-{env}-postgres", engine="postgres", engine_version="15.4",
        instance_class=acct.rds_class, multi_az=acct.rds_multi_az, storage_type="gp2", allocated_gb=acct.rds_storage_gb,
        iops=None, publicly_accessible=False, cluster_id="", status="available", created=None, tags=dumps({}),
        vpc_id=data_vpc)
    docdb_ids = [f"{APP}-{env}-docdb-{k + 1}" for k in range(acct.docdb_instances)]
    for ident in docdb_ids:
        add("db_instances", db_instance_id=ident, engine="docdb", engine_version="5.0.0", instance_class=acct.docdb_class,
            multi_az=False, storage_type="", allocated_gb=0, iops=None, publicly_accessible=False,
            cluster_id=f"{APP}-{env}-docdb", status="available", created=None, tags=dumps({}), vpc_id=data_vpc)
    add("db_clusters", cluster_id=f"{APP}-{env}-docdb", engine="docdb", engine_version="5.0.0", storage_type="standard",
        members=len(docdb_ids), instance_ids=dumps(docdb_ids), multi_az=len(docdb_ids) > 1, status="available",
        allocated_gb=0, tags=dumps({}), vpc_id=data_vpc)
    rg = f"{APP}-{env}-sessions"
    for k in range(acct.redis_nodes):
        add("cache_clusters", id=f"{rg}-{k + 1:03d}", engine="redis", engine_version="7.1", node_type=acct.redis_node_type,
            nodes=1, replication_group_id=rg, status="available", az=acct.azs[k % len(acct.azs)], vpc_id=data_vpc)
    add("replication_groups", id=rg, engine="redis", node_type=acct.redis_node_type, nodes=acct.redis_nodes,
        cluster_mode=False, multi_az=acct.redis_nodes > 1, automatic_failover=acct.redis_nodes > 1, status="available",
        description="sessions", vpc_id=data_vpc)
    rcu, wcu = acct.ddb_provisioned
    add("dynamodb_tables", table_name=f"{APP}-{env}-ledger", billing_mode="PROVISIONED", rcu=rcu, wcu=wcu,
        size_bytes=0, item_count=0, table_class="STANDARD", gsi_count=1, autoscaling=False)
    add("dynamodb_tables", table_name=f"{APP}-{env}-idempotency", billing_mode="PAY_PER_REQUEST", rcu=0, wcu=0,
        size_bytes=0, item_count=0, table_class="STANDARD", gsi_count=0, autoscaling=False)
    # --------------------------------------------------------------------- cdn
    web_lb = next((r for r in rows["load_balancers"] if r["vpc_id"] == svc_vpc.get("web") and
                   r["scheme"] == "internet-facing"), None)
    dist = f"E{_hex(aid, 'cf', n=13).upper()}"
    g = {"account_id": aid, "region": "global"}
    rows.setdefault("distributions", []).append({
        **g, "distribution_id": dist, "domain": f"d{_hex(aid, 'cfd', n=13)}.cloudfront.net",
        "aliases": dumps([f"app.{env}.example.com"]), "price_class": "PriceClass_All", "enabled": True,
        "http_version": "http2", "ipv6": True, "web_acl": "", "origin_count": 1, "status": "Deployed", "comment": ""})
    if web_lb is not None:
        rows.setdefault("origins", []).append({
            **g, "distribution_id": dist, "origin_id": "web-alb", "domain": web_lb["dns_name"], "origin_type": "custom",
            "origin_access_control_id": "", "origin_access_identity": ""})
    # --------------------------------------------------------------- pipelines
    for svc in services:
        name = f"pipeline-{APP}-{svc.name}"
        add("pipelines", name=name, version=1, pipeline_type="V1", execution_mode="SUPERSEDED", stage_count=3,
            stages=dumps([
                {"name": "Source", "actions": [{"name": "Source", "category": "Source", "provider": "CodeStarSourceConnection", "run_order": 1}]},
                {"name": "Build", "actions": [{"name": "Build", "category": "Build", "provider": "CodeBuild", "run_order": 1}]},
                {"name": "Deploy", "actions": [{"name": "Deploy", "category": "Deploy", "provider": "CodeDeployToECS", "run_order": 1}]},
            ]), created=None, updated=None)
        add("build_projects", name=f"{APP}-{svc.name}-build", compute_type="BUILD_GENERAL1_LARGE",
            environment_type="LINUX_CONTAINER", image="aws/codebuild/standard:7.0", privileged_mode=True,
            cache_type="NO_CACHE", cache_modes=dumps([]), docker_build=True, buildspec_layer_cache=False, timeout_min=60,
            env_var_count=3, plaintext_secret_names=dumps([]))
        add("deployment_groups", application=f"{APP}-{svc.name}", group=f"{APP}-{env}-{svc.name}",
            compute_platform="ECS", deployment_type="BLUE_GREEN", deployment_config="CodeDeployDefault.ECSAllAtOnce",
            termination_wait_min=acct.timing.termination_wait_min, ready_action="CONTINUE_DEPLOYMENT",
            ecs_services=dumps([f"{cluster}/{APP}-{env}-{svc.name}"]))
        dur = acct.timing.source_s + sum(acct.timing.build_phases.values()) + acct.timing.deploy_install_s + \
            acct.timing.deploy_shift_s + acct.timing.termination_wait_min * 60
        for k in range(3):
            add("pipeline_executions", pipeline=name, execution_id=f"{svc.name}-{k}", status="Succeeded", start=None,
                end=None, duration_s=dur + 30 * k, trigger="Webhook")
    manifest = {"account_id": aid, "name": acct.name, "environment": env, "regions": [region],
                "schema_version": 1, "collected_at": "2026-11-26T00:00:00+00:00", "simulated": True}
    tables = {name: empty_frame(name, r) for name, r in rows.items()}
    return Snapshot(manifest=manifest, tables=tables)


def _service(add, acct: AccountSpec, svc: ServiceSpec, tg_arn: str, subnets: list[str]) -> None:  # type: ignore[no-untyped-def]
    env, aid, region = acct.environment, acct.account_id, acct.region
    cluster = f"{APP}-{env}"
    name = f"{APP}-{env}-{svc.name}"
    add("ecs_services", service_arn=f"arn:aws:ecs:{region}:{aid}:service/{cluster}/{name}", service_name=name,
        cluster=cluster, launch_type="FARGATE", capacity_providers=dumps([]), desired_count=svc.desired,
        running_count=svc.desired, pending_count=0,
        task_definition=f"arn:aws:ecs:{region}:{aid}:task-definition/{name}:1", cpu=svc.cpu, memory=svc.memory,
        cpu_architecture="X86_64", platform_version="LATEST", deployment_controller="CODE_DEPLOY",
        min_healthy_percent=100, max_percent=200, circuit_breaker=False, circuit_breaker_rollback=False,
        health_check_grace_s=60, target_group_arns=dumps([tg_arn]), subnets=dumps(subnets), assign_public_ip=False,
        created_at=None, tags=dumps({"copilot-service": svc.name}))


def scaled_spec(n_services: int, base: AccountSpec = PRODUCTION) -> AccountSpec:
    """``base`` with ``n_services`` services (names ``svc-0001``..., 1 in 5 public, sizes cycling)."""
    sizes = [(512, 1024), (1024, 2048), (2048, 4096), (4096, 8192)]
    services = tuple(
        ServiceSpec(name="api" if i == 0 else ("web" if i == 1 else f"svc-{i:04d}"), public=i % 5 == 0 or i == 1,
                    cpu=sizes[i % 4][0], memory=sizes[i % 4][1], desired=1 + i % 4, cpu_p95=20.0, mem_p95=30.0)
        for i in range(n_services))
    return replace(base, name=f"scale-{n_services}", services=services)
