"""Seed the estate as it looks after the first N waves of a before-run's migration plan (``after:{json}``).

``{"account": "staging"|"production", "model": "/abs/path/model.json", "waves": null|N}``: the account's
fintech estate is seeded exactly as ``fintech:<env>`` seeds it (same phases, same ids: the plan's resource
ids are the ones it names), then every wave numbered up to N (all when N is null) of the plan's
``migration_waves`` is applied through the real APIs, as the client's engineers would apply it:

- **Network foundation**: the plan's VPC (Name tag, CIDR, a public and a private subnet per AZ, internet
  gateway, its NAT gateways with Elastic IPs, S3/DynamoDB gateway endpoints), a temporary peering to the hub
  VPC, a security group per load balancer and per service, the shared ALBs (HTTPS 443 with a TLS 1.2+/1.3
  policy and an ACM certificate, HTTP 80 redirecting to HTTPS), the ECS cluster (on EC2: instance role and
  profile, launch template with the ECS-optimized AMI from SSM, Auto Scaling group, the plan's instances
  registered as container instances with their type's CPU and memory, an ASG capacity provider with managed
  scaling at the plan's target capacity as the cluster's default strategy, awsvpc trunking) and the GitHub
  OIDC provider with a deploy role.
- **Data stores**: identifiers kept; moved into the new VPC's private subnets and resized as planned: RDS by
  switching the DB subnet group (Single-AZ while moving) then class/storage/Multi-AZ, DocumentDB and
  ElastiCache by snapshot-restore under the same id (class, node count, Valkey engine), DynamoDB by
  ``UpdateTable`` (billing mode, right-sized capacity with target-tracking auto scaling).
- **Services** (each services wave): per service a new task-definition revision at the plan's CPU/memory and
  architecture with its own IAM roles and log group, a target group and listener rule on its shared ALB,
  the old service scaled to 0, its tasks stopped and deleted, then the new service of the same name (EC2
  capacity provider or Fargate, awsvpc in the new private subnets, circuit breaker with rollback,
  Application Auto Scaling at the plan's min/max with a target-tracking policy); CloudFront origins follow
  the web and api ALBs.
- **Pipelines**: the account's CodePipeline pipelines, their CodeBuild projects and CodeDeploy applications
  and deployment groups are deleted (GitHub Actions is outside AWS).
- **Decommission**: the old VPCs with their NAT gateways (Elastic IPs released), load balancers, target
  groups, peering connections, endpoints, ENIs and security groups; idle Elastic IPs released; the old
  data-tier subnet groups; the Copilot environment and service stacks.

The timeline: every applied wave is dated at the *cut-over*, the first day of the last full month; the
estate is observed now. So the 14 days of CloudWatch show the after state: a resized service keeps the
absolute usage it had (the same hourly shape, p95 = before p95 x before size / new size), a data store's CPU
scales by its old/new vCPU ratio, traffic moves from the old ALBs and NAT gateways to the shared ones (less
the S3/DynamoDB share the gateway endpoints take off the NAT gateways); ECS rollouts take the plan's predicted
deploy time (``pipeline_time``: the Deploy stage predicted for the service's pipeline). Cost Explorer bills
the months before the cut-over as the fintech estate and the days from it from what is seeded
(:class:`awsassess.demo.costs.Footprint`), so the last full month and this month are the after estate's.

Where moto falls short, the fills of :mod:`awsassess.demo.sim` stand in (registered container resources,
deleted services/NAT gateways/stopped tasks/replication groups that AWS forgets, CodeDeploy deletions,
CloudWatch series replaced); moto launches every Auto Scaling instance in the group's first subnet, so the
instances are launched per AZ from the launch template and attached to the group; moto places EC2 tasks
first-fit (binpack) on the container instances in registration order, and when they do not fit the cluster
gains an instance, as managed scaling would.

Deterministic: the same model.json and N give the same ids and numbers (moto's seeded ids, one sequential
order of calls, :func:`~awsassess.demo.seedkit.stable_rng` for every number).
"""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from awsassess.demo import costs
from awsassess.demo.estate import ACCOUNTS, APP, AccountSpec, ServiceSpec
from awsassess.demo.seed_data import DOCDB_VERSION, REDIS_VERSION, STORE_CLIENTS
from awsassess.demo.seed_data import names as data_names
from awsassess.demo.seed_metrics import avg_points, hours, pct_points, shaped, sum_points, to_p95
from awsassess.demo.seedkit import AccountState, Seeder, short_env, stable_hex, stable_rng, tag_list
from awsassess.demo.sim.cloudwatch import drop_metric_series, put_metric_series
from awsassess.demo.sim.docdb import relabel_docdb
from awsassess.demo.sim.ec2 import expire_deleted_nat_gateways, fill_nat_connectivity_type
from awsassess.demo.sim.ecs import (
    expire_stopped_tasks,
    fill_ecs_cluster_counts,
    fill_ecs_service,
    fill_ecs_task,
    fill_task_definition,
)
from awsassess.demo.sim.elasticache import complete_replication_group_deletion, fill_replication_group_members

CONTAINER_PORT = 8080
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"  # TLS 1.3 and 1.2 only
ENGINE_VERSIONS = {"valkey": "8.0", "redis": REDIS_VERSION}
# model defaults when model.json does not state them (awsassess.model.assumptions)
DEFAULTS = {"os_memory_overhead_pct": 2.5, "ecs_reserved_memory_mib": 256, "root_volume_gb": 30,
            "dynamodb_target_pct": 70.0}
WAVE_KINDS = ("Network foundation", "Data stores", "Services", "Pipelines", "Decommission")
Series = tuple[str, str, dict[str, str]]


# ------------------------------------------------------------------------------------------------ the request
@dataclass(frozen=True)
class AfterRequest:
    account: AccountSpec
    model_path: Path
    waves: int | None

    @classmethod
    def parse(cls, params: dict[str, Any]) -> AfterRequest:
        wanted = str(params.get("account", ""))
        spec = next((a for a in ACCOUNTS if wanted in (a.environment, a.name)), None)
        if spec is None:
            raise ValueError(f"after: unknown account {wanted!r}: use staging or production")
        model = params.get("model")
        if not model or not Path(str(model)).is_file():
            raise ValueError(f"after: model {model!r} is not a file (give the before-run's <account>/model.json)")
        waves = params.get("waves")
        if waves is not None and (isinstance(waves, bool) or not isinstance(waves, int) or waves < 0):
            raise ValueError(f"after: waves must be null or a number >= 0, got {waves!r}")
        return cls(spec, Path(str(model)), waves)


def wave_kind(name: str) -> str:
    kind = next((k for k in WAVE_KINDS if name.startswith(k)), None)
    if kind is None:
        raise ValueError(f"after: unknown migration wave {name!r}")
    return kind


def class_vcpus(cls: str) -> int:
    """vCPUs of an EC2/RDS/DocumentDB/ElastiCache class (``db.m6g.large`` -> 2)."""
    from awsassess.pricing.specs import instance_specs

    base = cls.split(".", 1)[1] if cls.startswith(("db.", "cache.")) else cls
    spec = instance_specs().get(base)
    if spec is not None:
        return spec.vcpu
    size = base.rsplit(".", 1)[-1]
    if size.endswith("xlarge"):
        return 4 * int(size[:-6] or 1)
    return 2  # nano .. large


def deploy_seconds(model: dict[str, Any], service: str, workflows: dict[str, int]) -> float:
    """The plan's predicted deploy time of a service: the Deploy stage of its pipeline's prediction, else its
    workflow's deploy minutes, else 10 minutes."""
    for p in (model.get("pipeline_time") or {}).get("pipelines") or []:
        if p.get("service") == service:
            predicted = sum(float(c.get("predicted_s") or 0) for c in p.get("components") or []
                            if c.get("stage") == "Deploy")
            if predicted > 0:
                return predicted
    return 60.0 * workflows.get(service, 10)


# ------------------------------------------------------------------------------------------------ the state
@dataclass
class NewLb:
    name: str
    arn: str
    dns: str
    scheme: str
    sg: str
    https_listener: str
    services: list[str]

    @property
    def dimension(self) -> str:
        return self.arn.split(":loadbalancer/", 1)[1]


@dataclass
class Migrated:
    """A service in the new cluster."""

    spec: ServiceSpec
    desired: int
    cpu: int
    memory: int
    arch: str
    launch: str  # EC2 | FARGATE
    lb: str
    tg_arn: str
    task_cpu_on_ec2: int = 0

    @property
    def tg_dimension(self) -> str:
        return "targetgroup/" + self.tg_arn.split(":targetgroup/", 1)[1]


@dataclass
class Instance:
    instance_id: str
    az: str
    container_instance_arn: str = ""


@dataclass
class AfterState:
    vpc_id: str = ""
    public: dict[str, str] = field(default_factory=dict)  # az -> subnet
    private: dict[str, str] = field(default_factory=dict)
    private_rts: list[str] = field(default_factory=list)
    nat_ids: list[str] = field(default_factory=list)
    lb_sgs: dict[str, str] = field(default_factory=dict)
    svc_sgs: dict[str, str] = field(default_factory=dict)
    instance_sg: str = ""
    peering: str = ""
    certificate: str = ""
    lbs: dict[str, NewLb] = field(default_factory=dict)
    cluster: str = ""
    capacity_provider: str = ""
    asg: str = ""
    launch_template: str = ""
    instance_type: str = ""
    registered: tuple[int, int] = (0, 0)  # CPU units, MiB per container instance
    instances: list[Instance] = field(default_factory=list)
    migrated: dict[str, Migrated] = field(default_factory=dict)
    stores_done: bool = False
    data_sg: str = ""
    pipelines_gone: bool = False
    decommissioned: bool = False


# ------------------------------------------------------------------------------------------------ entry point
def seed_after(endpoint_url: str, params: dict[str, Any]) -> dict[str, float]:
    """Seed the after-migration estate of ``params`` into a fresh, prepared server; seconds per step."""
    from awsassess.demo.seed import fintech_phases, global_phases

    request = AfterRequest.parse(params)
    model = json.loads(request.model_path.read_text(encoding="utf-8"))
    if str(model.get("account_id", "")) != request.account.account_id:
        raise ValueError(f"after: {request.model_path} is the plan of account {model.get('account_id')!r}, "
                         f"not of {request.account.name} ({request.account.account_id})")
    seeder = Seeder(endpoint_url)
    timings: dict[str, float] = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    state = AccountState(request.account)
    for name, phase in fintech_phases():
        t0 = time.perf_counter()
        phase(seeder, state)
        timings[name] = time.perf_counter() - t0
    for name, fn in global_phases():
        t0 = time.perf_counter()
        fn(seeder, [state])
        timings[name] = time.perf_counter() - t0
    migration = Migration(seeder, state, model)
    for wave in migration.waves_up_to(request.waves):
        t0 = time.perf_counter()
        migration.apply(wave)
        key = "after:" + wave_kind(str(wave["name"])).lower().replace(" ", "_")
        timings[key] = timings.get(key, 0.0) + time.perf_counter() - t0
    t0 = time.perf_counter()
    migration.finish()
    timings["after:metrics_and_bill"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    timings["total_cpu"] = time.process_time() - cpu_start
    return {k: round(v, 3) for k, v in timings.items()}


class Migration:
    """Applies the plan's waves to one seeded account, through the APIs, and keeps what it built."""

    def __init__(self, seeder: Seeder, state: AccountState, model: dict[str, Any]) -> None:
        from awsassess.model.architecture import ProposedArchitecture

        self.seeder, self.state, self.model = seeder, state, model
        self.arch = ProposedArchitecture.from_dict(model["proposed_architecture"])
        if not self.arch.vpcs:
            raise ValueError("after: the plan proposes no VPC")
        self.vpc_plan = self.arch.vpcs[0]
        self.cluster_plan = self.arch.clusters[0] if self.arch.clusters else None
        self.assumptions = {**DEFAULTS, **(model.get("assumptions") or {})}
        self.spec = state.spec
        self.env, self.region, self.account = state.env, state.spec.region, state.account_id
        self.new = AfterState()
        day = cutover_date(seeder.now)
        self.cutover = datetime(day.year, day.month, day.day, tzinfo=UTC)
        self.wave_number = 0
        workflows = {w.service: w.deploy_minutes for w in (self.arch.pipelines.workflows if self.arch.pipelines else [])}
        self.deploy_s = {s.name: deploy_seconds(model, s.name, workflows) for s in self.arch.services}
        unknown = sorted({s.name for s in self.arch.services} - {s.name for s in self.spec.services})
        if unknown:
            raise ValueError(f"after: the plan names services the {self.spec.name} estate does not run: {unknown}")

    # ------------------------------------------------------------------ helpers
    def c(self, service: str) -> Any:
        return self.seeder.client(service, self.account, self.region)

    def at(self, hours_after: float = 0.0) -> datetime:
        """When something of the current wave happened: the cut-over, one hour per wave apart."""
        return self.cutover + timedelta(hours=self.wave_number - 1 + hours_after)

    def tags(self, **extra: str) -> dict[str, str]:
        return {"application": APP, "environment": self.env, "managed-by": "terraform", **extra}

    def spec_tags(self, resource: str, **extra: str) -> list[dict[str, object]]:
        return [{"ResourceType": resource, "Tags": tag_list(self.tags(**extra))}]

    def waves_up_to(self, n: int | None) -> list[dict[str, Any]]:
        waves = sorted(self.model.get("migration_waves") or [], key=lambda w: int(w.get("number", 0)))
        return [w for w in waves if n is None or int(w.get("number", 0)) <= n]

    def apply(self, wave: dict[str, Any]) -> None:
        self.wave_number = int(wave.get("number", self.wave_number + 1))
        kind = wave_kind(str(wave.get("name", "")))
        if kind == "Network foundation":
            self.network_foundation()
        elif kind == "Data stores":
            self.data_stores()
        elif kind == "Services":
            by_arn = {r: s.name for s in self.arch.services for r in s.replaces}
            names = [by_arn.get(str(r), str(r).rsplit("/", 1)[-1]) for r in wave.get("resources") or []]
            if not names:
                names = [n.strip() for n in str(wave["name"]).split(":", 1)[1].split(",")]
            for name in names:
                self.migrate_service(name)
        elif kind == "Pipelines":
            self.retire_pipelines()
        else:
            self.decommission([str(v) for v in wave.get("resources") or []])

    # ================================================================== wave: network foundation
    def network_foundation(self) -> None:
        ec2, plan, new = self.c("ec2"), self.vpc_plan, self.new
        new.vpc_id = ec2.create_vpc(CidrBlock=plan.cidr, TagSpecifications=self.spec_tags(
            "vpc", Name=plan.name))["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=new.vpc_id, EnableDnsSupport={"Value": True})
        ec2.modify_vpc_attribute(VpcId=new.vpc_id, EnableDnsHostnames={"Value": True})
        for s in plan.subnets:
            subnet = ec2.create_subnet(VpcId=new.vpc_id, CidrBlock=s.cidr, AvailabilityZone=s.az,
                                       TagSpecifications=self.spec_tags("subnet", Name=s.name,
                                                                        tier="public" if s.public else "private"))
            (new.public if s.public else new.private)[s.az] = subnet["Subnet"]["SubnetId"]
        igw = ec2.create_internet_gateway(TagSpecifications=self.spec_tags(
            "internet-gateway", Name=f"{plan.name}-igw"))["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=new.vpc_id)
        public_rt = ec2.create_route_table(VpcId=new.vpc_id, TagSpecifications=self.spec_tags(
            "route-table", Name=f"{plan.name}-public"))["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        for subnet in new.public.values():
            ec2.associate_route_table(RouteTableId=public_rt, SubnetId=subnet)
        nat_by_az: dict[str, str] = {}
        for nat in plan.nat_gateways:
            subnet = new.public.get(nat.az) or next(iter(new.public.values()))
            alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=self.spec_tags(
                "elastic-ip", Name=nat.name))["AllocationId"]
            nat_by_az[nat.az] = ec2.create_nat_gateway(
                SubnetId=subnet, AllocationId=alloc, ConnectivityType="public",
                TagSpecifications=self.spec_tags("natgateway", Name=nat.name))["NatGateway"]["NatGatewayId"]
        new.nat_ids = list(nat_by_az.values())
        fill_nat_connectivity_type(self.account, self.region)
        for az, subnet in new.private.items():
            rt = ec2.create_route_table(VpcId=new.vpc_id, TagSpecifications=self.spec_tags(
                "route-table", Name=f"{plan.name}-private-{az[-1]}"))["RouteTable"]["RouteTableId"]
            nat_id = nat_by_az.get(az) or next(iter(nat_by_az.values()), None)
            if nat_id:
                ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
            ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
            new.private_rts.append(rt)
        for endpoint in plan.gateway_endpoints:
            ec2.create_vpc_endpoint(
                VpcId=new.vpc_id, ServiceName=f"com.amazonaws.{self.region}.{endpoint}", VpcEndpointType="Gateway",
                RouteTableIds=new.private_rts, TagSpecifications=self.spec_tags(
                    "vpc-endpoint", Name=f"{plan.name}-{endpoint}"))
        if plan.interface_endpoints:
            sg = self.security_group(f"{plan.name}-endpoints", "interface endpoints",
                                     [("tcp", 443, 443, {"CidrIp": plan.cidr})])
            for endpoint in plan.interface_endpoints:
                ec2.create_vpc_endpoint(
                    VpcId=new.vpc_id, ServiceName=f"com.amazonaws.{self.region}.{endpoint}",
                    VpcEndpointType="Interface", SubnetIds=list(new.private.values()), SecurityGroupIds=[sg],
                    PrivateDnsEnabled=True, TagSpecifications=self.spec_tags(
                        "vpc-endpoint", Name=f"{plan.name}-{endpoint}"))
        self.temporary_peering()
        self.security_groups()
        self.load_balancers()
        self.cluster()
        self.github_oidc()

    def security_group(self, name: str, description: str,
                       rules: list[tuple[str, int, int, dict[str, str]]]) -> str:
        ec2 = self.c("ec2")
        sg = ec2.create_security_group(GroupName=name, Description=description, VpcId=self.new.vpc_id,
                                       TagSpecifications=self.spec_tags("security-group", Name=name))["GroupId"]
        self.authorize(sg, rules)
        return str(sg)

    def authorize(self, sg: str, rules: list[tuple[str, int, int, dict[str, str]]]) -> None:
        permissions = []
        for proto, lo, hi, source in rules:
            perm: dict[str, Any] = {"IpProtocol": proto, "FromPort": lo, "ToPort": hi}
            if "GroupId" in source:
                perm["UserIdGroupPairs"] = [source]
            else:
                perm["IpRanges"] = [source]
            permissions.append(perm)
        if permissions:
            self.c("ec2").authorize_security_group_ingress(GroupId=sg, IpPermissions=permissions)

    def old_hub(self) -> str | None:
        """The old VPC with the most peering connections (the plan's hub), read from the API."""
        degree: dict[str, int] = {}
        for p in self.c("ec2").describe_vpc_peering_connections()["VpcPeeringConnections"]:
            if p["Status"]["Code"] != "active":
                continue
            for side in ("RequesterVpcInfo", "AccepterVpcInfo"):
                vpc = p[side]["VpcId"]
                degree[vpc] = degree.get(vpc, 0) + 1
        ranked = sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[0][0] if ranked and ranked[0][1] > 1 else None

    def temporary_peering(self) -> None:
        """New VPC <-> the hub VPC while services are split between them (routes both ways)."""
        ec2, new = self.c("ec2"), self.new
        hub = self.old_hub()
        if hub is None:
            return
        hub_vpc = next(v for v in self.state.vpcs.values() if v.vpc_id == hub)
        new.peering = ec2.create_vpc_peering_connection(
            VpcId=new.vpc_id, PeerVpcId=hub, PeerOwnerId=self.account, TagSpecifications=self.spec_tags(
                "vpc-peering-connection", Name=f"{self.vpc_plan.name}-to-hub-temporary"),
        )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=new.peering)
        for rt in new.private_rts:
            ec2.create_route(RouteTableId=rt, DestinationCidrBlock=hub_vpc.cidr, VpcPeeringConnectionId=new.peering)
        for rt in hub_vpc.private_rts:
            ec2.create_route(RouteTableId=rt, DestinationCidrBlock=self.vpc_plan.cidr,
                             VpcPeeringConnectionId=new.peering)

    def security_groups(self) -> None:
        new, plan = self.new, self.vpc_plan
        for lb in self.arch.load_balancers:
            source = "0.0.0.0/0" if lb.scheme == "internet-facing" else plan.cidr
            new.lb_sgs[lb.name] = self.security_group(
                f"{lb.name}-lb", f"{lb.name} load balancer",
                [("tcp", 443, 443, {"CidrIp": source}), ("tcp", 80, 80, {"CidrIp": source})])
        lb_of = {name: lb.name for lb in self.arch.load_balancers for name in lb.services}
        for s in self.arch.services:
            rules: list[tuple[str, int, int, dict[str, str]]] = []
            if s.name in lb_of:
                rules.append(("tcp", CONTAINER_PORT, CONTAINER_PORT, {"GroupId": new.lb_sgs[lb_of[s.name]]}))
            new.svc_sgs[s.name] = self.security_group(f"{plan.name}-{s.name}", f"{s.name} tasks", rules)

    def load_balancers(self) -> None:
        elb, new = self.c("elbv2"), self.new
        acm = self.c("acm")
        domain = f"{self.env}.{APP}.example"
        new.certificate = acm.request_certificate(
            DomainName=f"*.{domain}", SubjectAlternativeNames=[domain], ValidationMethod="DNS",
            Tags=tag_list(self.tags()))["CertificateArn"]
        for lb in self.arch.load_balancers:
            public = lb.scheme == "internet-facing"
            subnets = [(new.public if public else new.private)[az] for az in lb.azs
                       if az in (new.public if public else new.private)]
            created = elb.create_load_balancer(
                Name=lb.name, Subnets=subnets, SecurityGroups=[new.lb_sgs[lb.name]], Scheme=lb.scheme,
                Type="application", IpAddressType="ipv4", Tags=tag_list(self.tags()))["LoadBalancers"][0]
            https = elb.create_listener(
                LoadBalancerArn=created["LoadBalancerArn"], Protocol="HTTPS", Port=443, SslPolicy=TLS_POLICY,
                Certificates=[{"CertificateArn": new.certificate}],
                DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {
                    "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}],
                Tags=tag_list(self.tags()))["Listeners"][0]["ListenerArn"]
            elb.create_listener(
                LoadBalancerArn=created["LoadBalancerArn"], Protocol="HTTP", Port=80,
                DefaultActions=[{"Type": "redirect", "RedirectConfig": {
                    "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}], Tags=tag_list(self.tags()))
            new.lbs[lb.name] = NewLb(lb.name, created["LoadBalancerArn"], created["DNSName"], lb.scheme,
                                     new.lb_sgs[lb.name], https, list(lb.services))

    def cluster(self) -> None:
        plan, new = self.cluster_plan, self.new
        if plan is None:
            return
        ecs = self.c("ecs")
        new.cluster = plan.name
        if plan.name != self.state.cluster_name:
            ecs.create_cluster(clusterName=plan.name, capacityProviders=["FARGATE", "FARGATE_SPOT"],
                               defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
                               settings=[{"name": "containerInsights", "value": "disabled"}],
                               tags=tag_list(self.tags(), "key", "value"))
        if plan.launch != "EC2":
            return
        self.ec2_capacity()

    def ec2_capacity(self) -> None:
        plan, new = self.cluster_plan, self.new
        assert plan is not None and plan.capacity_provider is not None
        ec2, iam, ecs, asg = self.c("ec2"), self.c("iam"), self.c("ecs"), self.c("autoscaling")
        from awsassess.pricing.specs import instance_specs

        spec = instance_specs().get(plan.instance_type)
        if spec is None:
            raise ValueError(f"after: no specs for instance type {plan.instance_type!r} (pricing/data/instance_specs.csv)")
        new.instance_type = plan.instance_type
        usable = spec.memory_gib * 1024 * (1 - float(self.assumptions["os_memory_overhead_pct"]) / 100)
        new.registered = (spec.vcpu * 1024, int(usable - int(self.assumptions["ecs_reserved_memory_mib"])))
        role = f"{plan.name}-ecs-instance"
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "ec2.amazonaws.com"}}]}),
            Tags=tag_list(self.tags()))
        # the actions of the managed AmazonEC2ContainerServiceforEC2Role (moto does not know that policy)
        iam.put_role_policy(RoleName=role, PolicyName="ecs-agent", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
                "ec2:DescribeTags", "ecs:CreateCluster", "ecs:DeregisterContainerInstance", "ecs:DiscoverPollEndpoint",
                "ecs:Poll", "ecs:RegisterContainerInstance", "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState",
                "ecs:Submit*", "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"]}]}))
        iam.create_instance_profile(InstanceProfileName=role)
        iam.add_role_to_instance_profile(InstanceProfileName=role, RoleName=role)
        arch = "arm64" if spec.arch == "arm64" else ""
        ami = self.c("ssm").get_parameter(Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/"
                                          + (f"{arch}/" if arch else "") + "recommended/image_id")["Parameter"]["Value"]
        new.instance_sg = self.security_group(f"{plan.name}-instances", "ECS container instances", [])
        user_data = (f"#!/bin/bash\ncat >> /etc/ecs/ecs.config <<EOF\nECS_CLUSTER={plan.name}\n"
                     f"ECS_RESERVED_MEMORY={int(self.assumptions['ecs_reserved_memory_mib'])}\n"
                     "ECS_ENABLE_TASK_ENI=true\nECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance\nEOF\n")
        root_gb = int(self.assumptions["root_volume_gb"]) or 30
        new.launch_template = ec2.create_launch_template(
            LaunchTemplateName=f"{plan.name}-ecs", TagSpecifications=self.spec_tags("launch-template"),
            LaunchTemplateData={
                "ImageId": ami, "InstanceType": plan.instance_type,
                "IamInstanceProfile": {"Name": role}, "SecurityGroupIds": [new.instance_sg],
                "UserData": base64.b64encode(user_data.encode()).decode(),
                "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
                    "VolumeSize": root_gb, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}}],
                "TagSpecifications": [{"ResourceType": "instance", "Tags": tag_list(self.tags(
                    Name=f"{plan.name}-ecs"))}]})["LaunchTemplate"]["LaunchTemplateId"]
        new.asg = f"{plan.name}-asg"
        azs = [az for az in plan.azs if az in new.private] or list(new.private)
        asg.create_auto_scaling_group(
            AutoScalingGroupName=new.asg, LaunchTemplate={"LaunchTemplateId": new.launch_template, "Version": "$Latest"},
            MinSize=0, MaxSize=max(plan.max_instances, plan.instances), DesiredCapacity=0,
            VPCZoneIdentifier=",".join(new.private[az] for az in azs), NewInstancesProtectedFromScaleIn=True,
            HealthCheckType="EC2", Tags=[{"Key": "AmazonECSManaged", "Value": "", "PropagateAtLaunch": True},
                                         *({"Key": k, "Value": v, "PropagateAtLaunch": True}
                                           for k, v in self.tags().items())])
        for k in range(plan.instances):
            self.add_instance(azs[k % len(azs)])
        asg.update_auto_scaling_group(AutoScalingGroupName=new.asg, MinSize=plan.min_instances)
        ecs.put_account_setting(name="awsvpcTrunking", value="enabled")
        group_arn = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[new.asg])["AutoScalingGroups"][0][
            "AutoScalingGroupARN"]
        cp = plan.capacity_provider
        new.capacity_provider = cp.name
        ecs.create_capacity_provider(name=cp.name, autoScalingGroupProvider={
            "autoScalingGroupArn": group_arn,
            "managedScaling": {"status": "ENABLED" if cp.managed_scaling else "DISABLED",
                               "targetCapacity": cp.target_capacity_pct, "minimumScalingStepSize": 1,
                               "maximumScalingStepSize": 10, "instanceWarmupPeriod": 300},
            "managedTerminationProtection": "ENABLED" if cp.managed_termination_protection else "DISABLED"},
            tags=tag_list(self.tags(), "key", "value"))
        current = ecs.describe_clusters(clusters=[plan.name])["clusters"][0]
        providers = [p for p in current.get("capacityProviders") or [] if p != cp.name] + [cp.name]
        ecs.put_cluster_capacity_providers(cluster=plan.name, capacityProviders=providers,
                                           defaultCapacityProviderStrategy=[{"capacityProvider": cp.name,
                                                                             "weight": 1, "base": 0}])

    def add_instance(self, az: str) -> Instance:
        """One container instance in ``az``: launched from the launch template, attached to the group,
        registered with the cluster as the ECS agent registers it."""
        ec2, asg, ecs, new = self.c("ec2"), self.c("autoscaling"), self.c("ecs"), self.new
        launched = ec2.run_instances(LaunchTemplate={"LaunchTemplateId": new.launch_template, "Version": "$Latest"},
                                     SubnetId=new.private[az], MinCount=1, MaxCount=1)["Instances"][0]
        iid = launched["InstanceId"]
        asg.attach_instances(AutoScalingGroupName=new.asg, InstanceIds=[iid])
        cpu, memory = new.registered
        document = {"instanceId": iid, "instanceType": new.instance_type, "availabilityZone": az,
                    "region": self.region, "accountId": self.account, "imageId": launched.get("ImageId", ""),
                    "architecture": launched.get("Architecture", "x86_64"),
                    "privateIp": launched.get("PrivateIpAddress", "")}
        ci = ecs.register_container_instance(
            cluster=new.cluster, instanceIdentityDocument=json.dumps(document),
            instanceIdentityDocumentSignature=stable_hex(iid, "signature", n=64),
            totalResources=[{"name": "CPU", "type": "INTEGER", "integerValue": cpu},
                            {"name": "MEMORY", "type": "INTEGER", "integerValue": memory},
                            {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "2376", "51678",
                                                                                      "51679"]}])
        instance = Instance(iid, az, ci["containerInstance"]["containerInstanceArn"])
        new.instances.append(instance)
        return instance

    def github_oidc(self) -> None:
        iam = self.c("iam")
        provider = iam.create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"], Tags=tag_list(self.tags()))
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": provider["OpenIDConnectProviderArn"]},
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                          "StringLike": {"token.actions.githubusercontent.com:sub":
                                         f"repo:{APP}/*:environment:{self.env}"}}}]}
        role = f"{APP}-{self.env}-github-deploy"
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust), Tags=tag_list(self.tags()))
        iam.put_role_policy(RoleName=role, PolicyName="deploy", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Resource": "*", "Action": [
                    "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecs:RegisterTaskDefinition",
                    "ecs:DescribeTaskDefinition", "ecs:DescribeServices", "ecs:UpdateService"]},
                {"Effect": "Allow", "Action": "iam:PassRole",
                 "Resource": f"arn:aws:iam::{self.account}:role/{self.new.cluster or APP}-*"}]}))

    # ================================================================== wave: data stores
    def data_stores(self) -> None:
        new, plan = self.new, self.vpc_plan
        if not new.vpc_id:
            raise ValueError("after: the data stores wave needs the network foundation wave applied first")
        old_cidr = {name: vpc.cidr for name, vpc in self.state.vpcs.items()}
        rules: list[tuple[str, int, int, dict[str, str]]] = []
        for port, clients in STORE_CLIENTS.values():
            for client in clients:
                if client in new.svc_sgs:
                    rules.append(("tcp", port, port, {"GroupId": new.svc_sgs[client]}))
                if client in old_cidr and client not in new.migrated:  # still in its old VPC (peering)
                    rules.append(("tcp", port, port, {"CidrIp": old_cidr[client],
                                                      "Description": f"{client} until it moves"}))
        new.data_sg = self.security_group(f"{plan.name}-data", "fintech data tier", rules)
        group = f"{plan.name}-data"
        private = list(new.private.values())
        self.c("rds").create_db_subnet_group(DBSubnetGroupName=group, DBSubnetGroupDescription="fintech data tier (shared VPC)",
                                             SubnetIds=private, Tags=tag_list(self.tags()))
        self.c("elasticache").create_cache_subnet_group(
            CacheSubnetGroupName=group, CacheSubnetGroupDescription="fintech data tier (shared VPC)", SubnetIds=private)
        docdb_clusters: dict[str, list[Any]] = {}
        for d in self.arch.datastores:
            if d.kind == "rds":
                self.move_rds(d, group)
            elif d.kind == "docdb":
                cluster = self.c("docdb").describe_db_instances(DBInstanceIdentifier=d.id)["DBInstances"][0][
                    "DBClusterIdentifier"]
                docdb_clusters.setdefault(cluster, []).append(d)
            elif d.kind == "elasticache":
                self.restore_cache(d, group)
            elif d.kind == "dynamodb":
                self.dynamodb(d)
        for cluster, members in docdb_clusters.items():
            self.restore_docdb(cluster, members, group)
        new.stores_done = True

    def move_rds(self, d: Any, group: str) -> None:
        rds = self.c("rds")
        current = rds.describe_db_instances(DBInstanceIdentifier=d.id)["DBInstances"][0]
        if current.get("MultiAZ"):
            rds.modify_db_instance(DBInstanceIdentifier=d.id, MultiAZ=False, ApplyImmediately=True)
        rds.modify_db_instance(DBInstanceIdentifier=d.id, DBSubnetGroupName=group,
                               VpcSecurityGroupIds=[self.new.data_sg], ApplyImmediately=True)
        change: dict[str, Any] = {"MultiAZ": d.multi_az}
        if d.proposed_class:
            change["DBInstanceClass"] = d.proposed_class
        if d.storage_type:
            change["StorageType"] = d.storage_type
        rds.modify_db_instance(DBInstanceIdentifier=d.id, ApplyImmediately=True, **change)

    def restore_docdb(self, cluster: str, members: list[Any], group: str) -> None:
        """Snapshot, delete, restore under the same id into the shared VPC; instances at the plan's class.

        moto refuses the docdb engine, so the cluster and its instances are restored as aurora-postgresql
        and relabelled (as the fintech estate creates them: seed_data)."""
        docdb = self.c("docdb")
        current = docdb.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
        snapshot = f"{cluster}-move-{self.cutover:%Y%m%d}"
        docdb.create_db_cluster_snapshot(DBClusterIdentifier=cluster, DBClusterSnapshotIdentifier=snapshot)
        for m in current.get("DBClusterMembers") or []:
            docdb.delete_db_instance(DBInstanceIdentifier=m["DBInstanceIdentifier"])
        docdb.delete_db_cluster(DBClusterIdentifier=cluster, SkipFinalSnapshot=True)
        # AWS deletes a cluster's automated snapshots with it; moto keeps them, and the restored cluster's own
        # automated snapshot (named after the cluster and the minute) would collide with the last one
        for snap in docdb.describe_db_cluster_snapshots(DBClusterIdentifier=cluster, SnapshotType="automated")[
                "DBClusterSnapshots"]:
            docdb.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=snap["DBClusterSnapshotIdentifier"])
        docdb.restore_db_cluster_from_snapshot(
            DBClusterIdentifier=cluster, SnapshotIdentifier=snapshot, Engine="aurora-postgresql",
            EngineVersion=DOCDB_VERSION, Port=int(current.get("Port") or 27017), DBSubnetGroupName=group,
            VpcSecurityGroupIds=[self.new.data_sg], Tags=tag_list(self.tags()))
        kept = []
        for i, d in enumerate(members):
            if not d.proposed_class:
                continue  # an instance the plan removes
            docdb.create_db_instance(DBInstanceIdentifier=d.id, DBInstanceClass=d.proposed_class,
                                     Engine="aurora-postgresql", DBClusterIdentifier=cluster,
                                     AvailabilityZone=self.spec.azs[i % len(self.spec.azs)], Tags=tag_list(self.tags()))
            kept.append(d.id)
        relabel_docdb(self.account, self.region, cluster, kept, DOCDB_VERSION)

    def restore_cache(self, d: Any, group: str) -> None:
        """Snapshot, delete, restore under the same id into the shared VPC (engine, node type and count)."""
        ec = self.c("elasticache")
        current = ec.describe_replication_groups(ReplicationGroupId=d.id)["ReplicationGroups"][0]
        snapshot = f"{d.id}-move-{self.cutover:%Y%m%d}"
        ec.create_snapshot(ReplicationGroupId=d.id, SnapshotName=snapshot)
        ec.delete_replication_group(ReplicationGroupId=d.id, RetainPrimaryCluster=False)
        complete_replication_group_deletion(self.account, self.region, d.id)
        node_type = d.proposed_class or d.current_class
        nodes = max(1, d.nodes or d.current_nodes or 1)
        version = ENGINE_VERSIONS.get(d.engine, REDIS_VERSION)
        azs = [self.spec.azs[i % len(self.spec.azs)] for i in range(nodes)]
        ec.create_replication_group(
            ReplicationGroupId=d.id, ReplicationGroupDescription=current.get("Description") or d.id,
            Engine=d.engine, EngineVersion=version, CacheNodeType=node_type, NumCacheClusters=nodes,
            AutomaticFailoverEnabled=nodes > 1, MultiAZEnabled=bool(d.multi_az and nodes > 1),
            PreferredCacheClusterAZs=azs, CacheSubnetGroupName=group, SecurityGroupIds=[self.new.data_sg],
            SnapshotName=snapshot, TransitEncryptionEnabled=True, AtRestEncryptionEnabled=True,
            Tags=tag_list(self.tags()))
        fill_replication_group_members(
            self.account, self.region, d.id, nodes=nodes, node_type=node_type, engine_version=version,
            azs=list(self.spec.azs), subnet_group=group, security_group_ids=[self.new.data_sg], engine=d.engine)

    @staticmethod
    def capacity(text: str) -> tuple[int, int] | None:
        m = re.match(r"\s*(\d+)\s*RCU\s*/\s*(\d+)\s*WCU", text or "")
        return (int(m.group(1)), int(m.group(2))) if m else None

    def dynamodb(self, d: Any) -> None:
        ddb, aas = self.c("dynamodb"), self.c("application-autoscaling")
        table = ddb.describe_table(TableName=d.id)["Table"]
        mode = (table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
        throughput = table.get("ProvisionedThroughput") or {}
        if d.mode == "PAY_PER_REQUEST":
            if mode != "PAY_PER_REQUEST":
                ddb.update_table(TableName=d.id, BillingMode="PAY_PER_REQUEST")
            return
        capacity = self.capacity(d.proposed_class)
        if capacity is None:
            return
        rcu, wcu = max(1, capacity[0]), max(1, capacity[1])
        if mode != "PROVISIONED" or (throughput.get("ReadCapacityUnits"), throughput.get("WriteCapacityUnits")) != (rcu, wcu):
            ddb.update_table(TableName=d.id, BillingMode="PROVISIONED",
                             ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu})
        if "auto scaling" not in (d.reason or ""):
            return
        target = float(self.assumptions["dynamodb_target_pct"])
        for dim, units, metric in (("dynamodb:table:ReadCapacityUnits", rcu, "DynamoDBReadCapacityUtilization"),
                                   ("dynamodb:table:WriteCapacityUnits", wcu, "DynamoDBWriteCapacityUtilization")):
            aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{d.id}", ScalableDimension=dim,
                                         MinCapacity=units, MaxCapacity=max(units * 4, units + 10))
            aas.put_scaling_policy(
                PolicyName=f"{d.id}-{dim.rsplit(':', 1)[1]}", ServiceNamespace="dynamodb", ResourceId=f"table/{d.id}",
                ScalableDimension=dim, PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration={
                    "TargetValue": target, "PredefinedMetricSpecification": {"PredefinedMetricType": metric}})

    # ================================================================== wave: services
    def migrate_service(self, name: str) -> None:
        new = self.new
        plan = next((s for s in self.arch.services if s.name == name), None)
        if plan is None:
            raise ValueError(f"after: the services wave names {name!r}, which the plan does not propose")
        if not new.vpc_id or not new.cluster:
            raise ValueError("after: a services wave needs the network foundation wave applied first")
        if name in new.migrated:
            return
        ecs, elb = self.c("ecs"), self.c("elbv2")
        old_cluster = self.state.cluster_name
        spec = self.state.svc(name)
        rng = stable_rng(self.account, name, "after-service")
        launch = "EC2" if plan.launch == "EC2" and new.capacity_provider else "FARGATE"
        # -------------------------------------------------- task definition revision, roles, log group
        old = ecs.describe_services(cluster=old_cluster, services=[name])["services"][0]
        td_old = ecs.describe_task_definition(taskDefinition=old["taskDefinition"])["taskDefinition"]
        family = td_old["family"]
        roles = self.task_roles(family)
        log_group = f"/ecs/{new.cluster}/{name}"
        self.c("logs").create_log_group(logGroupName=log_group, tags=self.tags())
        self.c("logs").put_retention_policy(logGroupName=log_group, retentionInDays=30)
        containers = []
        for cdef in td_old["containerDefinitions"]:
            cdef = {k: v for k, v in cdef.items() if v not in (None, [], {})}
            cdef["memory"] = plan.memory
            if launch == "EC2":
                cdef["cpu"] = plan.cpu
            cdef["logConfiguration"] = {"logDriver": "awslogs", "options": {
                "awslogs-group": log_group, "awslogs-region": self.region, "awslogs-stream-prefix": "ecs"}}
            containers.append(cdef)
        td = ecs.register_task_definition(
            family=family, taskRoleArn=roles[0], executionRoleArn=roles[1], networkMode="awsvpc",
            requiresCompatibilities=[launch], cpu=str(plan.cpu), memory=str(plan.memory),
            runtimePlatform={"cpuArchitecture": "ARM64" if plan.arch == "arm64" else "X86_64",
                             "operatingSystemFamily": "LINUX"},
            containerDefinitions=containers, tags=tag_list(self.tags(service=name), "key", "value"))["taskDefinition"]
        fill_task_definition(self.account, self.region, td["taskDefinitionArn"], registered_at=self.at(0.1))
        # -------------------------------------------------- target group and rule on the shared ALB
        lb = new.lbs.get(plan.load_balancer) if plan.load_balancer else None
        tg_arn = ""
        if lb is not None:
            tg_name = f"{APP}-{short_env(self.env)}-{name}"[:32].rstrip("-")
            tg_arn = elb.create_target_group(
                Name=tg_name, Protocol="HTTP", Port=CONTAINER_PORT, VpcId=new.vpc_id, TargetType="ip",
                HealthCheckProtocol="HTTP", HealthCheckPath="/healthz", HealthCheckIntervalSeconds=30,
                HealthCheckTimeoutSeconds=5, HealthyThresholdCount=5, UnhealthyThresholdCount=2,
                Matcher={"HttpCode": "200"}, Tags=tag_list(self.tags(service=name)))["TargetGroups"][0]["TargetGroupArn"]
            if plan.deregistration_delay_s is not None:
                elb.modify_target_group_attributes(TargetGroupArn=tg_arn, Attributes=[{
                    "Key": "deregistration_delay.timeout_seconds", "Value": str(int(plan.deregistration_delay_s))}])
            host = f"{name}.{self.env}.{APP}.example"
            elb.create_rule(ListenerArn=lb.https_listener, Priority=10 * (lb.services.index(name) + 1)
                            if name in lb.services else 500 + len(new.migrated),
                            Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": [host]}}],
                            Actions=[{"Type": "forward", "TargetGroupArn": tg_arn}], Tags=tag_list(self.tags(service=name)))
        # -------------------------------------------------- the old service: to 0, tasks stopped, deleted
        self.retire_service(old_cluster, name, old)
        # -------------------------------------------------- the new service
        network = {"awsvpcConfiguration": {"subnets": list(new.private.values()), "securityGroups": [new.svc_sgs[name]],
                                           "assignPublicIp": "DISABLED"}}
        strategy = [{"capacityProvider": new.capacity_provider, "weight": 1, "base": 0}] if launch == "EC2" else None
        placement: dict[str, Any] = ({"capacityProviderStrategy": strategy,
                                      "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                                                            {"type": "binpack", "field": "memory"}]}
                                     if strategy else {"launchType": "FARGATE", "platformVersion": "LATEST"})
        deployment_config = {"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                             "maximumPercent": 200, "minimumHealthyPercent": 100}
        if tg_arn:
            placement.update(loadBalancers=[{"targetGroupArn": tg_arn, "containerName": containers[0]["name"],
                                             "containerPort": CONTAINER_PORT}], healthCheckGracePeriodSeconds=60)
        ecs.create_service(
            cluster=new.cluster, serviceName=name, taskDefinition=td["taskDefinitionArn"], desiredCount=plan.desired,
            networkConfiguration=network, deploymentController={"type": "ECS"},
            deploymentConfiguration=deployment_config, propagateTags="SERVICE", enableECSManagedTags=True,
            tags=tag_list(self.tags(service=name), "key", "value"), **placement)
        last = self.seeder.days_ago(0.5 + rng.random() * 2).replace(microsecond=0)
        deployment_id = f"ecs-svc/{int(stable_hex(self.account, name, 'after-deployment', n=15), 16) % 10**19}"
        tasks = self.run_tasks(name, td["taskDefinitionArn"], plan.desired, plan.cpu, plan.memory, launch,
                               network, deployment_id, last)
        if tg_arn:
            ips = [d["value"] for t in tasks for a in t.get("attachments") or [] for d in a.get("details") or []
                   if d.get("name") == "privateIPv4Address"]
            if ips:
                elb.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": ip, "Port": CONTAINER_PORT} for ip in ips])
        deploy_s = self.deploy_s.get(name, 600.0)
        deployment: dict[str, Any] = {
            "id": deployment_id, "status": "PRIMARY", "taskDefinition": td["taskDefinitionArn"],
            "desiredCount": plan.desired, "pendingCount": 0, "runningCount": plan.desired, "failedTasks": 0,
            "createdAt": last, "updatedAt": last + timedelta(seconds=round(deploy_s)), "platformFamily": "Linux",
            "networkConfiguration": network, "rolloutState": "COMPLETED",
            "rolloutStateReason": f"ECS deployment {deployment_id} completed."}
        if strategy:
            deployment["capacityProviderStrategy"] = strategy
        else:
            deployment.update(launchType="FARGATE", platformVersion="1.4.0")
        fill_ecs_service(
            self.account, self.region, new.cluster, name, created_at=self.at(0.2), running_count=plan.desired,
            launch_type=None if strategy else "FARGATE", platform_version="" if strategy else "LATEST",
            capacity_provider_strategy=strategy, deployment_configuration=deployment_config,
            health_check_grace_period_seconds=60 if tg_arn else None, deployments=[deployment])
        # -------------------------------------------------- auto scaling
        aas = self.c("application-autoscaling")
        rid = f"service/{new.cluster}/{name}"
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=rid, ScalableDimension="ecs:service:DesiredCount",
                                     MinCapacity=plan.scaling.min_tasks, MaxCapacity=plan.scaling.max_tasks)
        aas.put_scaling_policy(
            PolicyName=f"{new.cluster}-{name}-cpu-target", ServiceNamespace="ecs", ResourceId=rid,
            ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": float(plan.scaling.target_value), "ScaleInCooldown": 300, "ScaleOutCooldown": 60,
                "PredefinedMetricSpecification": {"PredefinedMetricType": plan.scaling.metric}})
        new.migrated[name] = Migrated(spec, plan.desired, plan.cpu, plan.memory, plan.arch, launch,
                                      lb.name if lb else "", tg_arn,
                                      plan.cpu * plan.desired if launch == "EC2" else 0)
        if lb is not None and lb.scheme == "internet-facing":
            self.repoint_cloudfront(name, lb.dns)

    def task_roles(self, family: str) -> tuple[str, str]:
        """A task role and an execution role of the new task definition (the Copilot ones go with its stacks)."""
        iam = self.c("iam")
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})
        arns = []
        for suffix, policy in (("task", {"Effect": "Allow", "Resource": f"arn:aws:dynamodb:*:{self.account}:table/"
                                                                      f"{APP}-{self.env}-*",
                                         "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
                                                    "dynamodb:UpdateItem"]}),
                               ("execution", {"Effect": "Allow", "Resource": "*", "Action": [
                                   "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                                   "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "logs:CreateLogStream",
                                   "logs:PutLogEvents", "ssm:GetParameters"]})):
            name = f"{family}-{suffix}"
            arns.append(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust,
                                        Tags=tag_list(self.tags()))["Role"]["Arn"])
            iam.put_role_policy(RoleName=name, PolicyName=suffix, PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [policy]}))
        return arns[0], arns[1]

    def retire_service(self, cluster: str, name: str, old: dict[str, Any]) -> None:
        """Scale the old service to 0, stop its tasks (ECS deletes their ENIs), deregister its targets and
        scaling, delete it. Its stopped tasks have aged out by the time the estate is read."""
        ecs, ec2, elb, aas = self.c("ecs"), self.c("ec2"), self.c("elbv2"), self.c("application-autoscaling")
        rid = f"service/{cluster}/{name}"
        for p in aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=rid)["ScalingPolicies"]:
            if p["ResourceId"] != rid:
                continue
            aas.delete_scaling_policy(PolicyName=p["PolicyName"], ServiceNamespace="ecs", ResourceId=rid,
                                      ScalableDimension=p["ScalableDimension"])
        if aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])["ScalableTargets"]:
            aas.deregister_scalable_target(ServiceNamespace="ecs", ResourceId=rid,
                                           ScalableDimension="ecs:service:DesiredCount")
        ecs.update_service(cluster=cluster, service=name, desiredCount=0)
        running = ecs.list_tasks(cluster=cluster, serviceName=name)["taskArns"]
        if running:
            for t in ecs.describe_tasks(cluster=cluster, tasks=running)["tasks"]:
                ecs.stop_task(cluster=cluster, task=t["taskArn"], reason="Scaled down: service moved to the shared VPC")
                for a in t.get("attachments") or []:
                    for d in a.get("details") or []:
                        if d.get("name") == "networkInterfaceId":
                            ec2.delete_network_interface(NetworkInterfaceId=d["value"])
        for lb in old.get("loadBalancers") or []:
            tg = lb.get("targetGroupArn")
            if tg:
                targets = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
                if targets:
                    elb.deregister_targets(TargetGroupArn=tg, Targets=[t["Target"] for t in targets])
        ecs.delete_service(cluster=cluster, service=name, force=True)
        expire_stopped_tasks(self.account, self.region, cluster, f"service:{name}")

    def run_tasks(self, name: str, td_arn: str, desired: int, cpu: int, memory: int, launch: str,
                  network: dict[str, Any], deployment_id: str, started: datetime) -> list[dict[str, Any]]:
        ecs, new = self.c("ecs"), self.new
        azs = list(new.private)
        tasks: list[dict[str, Any]] = []
        if launch == "FARGATE":
            tasks = ecs.run_task(cluster=new.cluster, taskDefinition=td_arn, count=desired, launchType="FARGATE",
                                 platformVersion="LATEST", group=f"service:{name}", startedBy=deployment_id,
                                 networkConfiguration=network)["tasks"] if desired else []
            placed = [(t, azs[k % len(azs)]) for k, t in enumerate(tasks)]
        else:
            placed = []
            az_of = {i.container_instance_arn: i.az for i in new.instances}
            strategy = [{"capacityProvider": new.capacity_provider, "weight": 1, "base": 0}]
            for _ in range(desired):
                got = ecs.run_task(cluster=new.cluster, taskDefinition=td_arn, count=1, group=f"service:{name}",
                                   startedBy=deployment_id, capacityProviderStrategy=strategy,
                                   networkConfiguration=network)["tasks"]
                if not got:  # no room: managed scaling adds an instance in the AZ with the fewest
                    counts = {az: sum(1 for i in new.instances if i.az == az) for az in azs}
                    added = self.add_instance(min(azs, key=lambda az: (counts[az], az)))
                    az_of[added.container_instance_arn] = added.az
                    self.c("autoscaling").update_auto_scaling_group(
                        AutoScalingGroupName=new.asg, MaxSize=max(len(new.instances), self.cluster_max()))
                    got = ecs.run_task(cluster=new.cluster, taskDefinition=td_arn, count=1, group=f"service:{name}",
                                       startedBy=deployment_id, capacityProviderStrategy=strategy,
                                       networkConfiguration=network)["tasks"]
                    if not got:
                        raise ValueError(f"after: a {cpu}/{memory} task of {name} fits no {new.instance_type}")
                tasks += got
                placed += [(t, az_of.get(t.get("containerInstanceArn", ""), azs[0])) for t in got]
        for k, (t, az) in enumerate(placed):
            fill_ecs_task(self.account, self.region, new.cluster, t["taskArn"], cpu=cpu, memory=memory,
                          started_at=started + timedelta(seconds=40 + 7 * k), created_at=started,
                          availability_zone=az, launch_type=launch,
                          capacity_provider_name=new.capacity_provider if launch == "EC2" else None)
        return tasks

    def cluster_max(self) -> int:
        return self.cluster_plan.max_instances if self.cluster_plan else 0

    def repoint_cloudfront(self, name: str, dns: str) -> None:
        """CloudFront origins that pointed at the service's old ALB now point at the shared one."""
        old = self.state.lbs.get(name)
        if old is None or not self.state.extra.get("distribution_id"):
            return
        cf = self.c("cloudfront")
        dist = self.state.extra["distribution_id"]
        current = cf.get_distribution_config(Id=dist)
        config = current["DistributionConfig"]
        changed = False
        for origin in config["Origins"]["Items"]:
            if origin["DomainName"] == old.dns_name:
                origin["DomainName"] = dns
                origin["CustomOriginConfig"]["OriginProtocolPolicy"] = "https-only"
                changed = True
        if changed:
            cf.update_distribution(Id=dist, IfMatch=current["ETag"], DistributionConfig=config)

    # ================================================================== wave: pipelines
    def retire_pipelines(self) -> None:
        cp, cb, cd = self.c("codepipeline"), self.c("codebuild"), self.c("codedeploy")
        wanted = set(self.arch.pipelines.replaces) if self.arch.pipelines else set()
        wanted |= {w.replaces_pipeline for w in (self.arch.pipelines.workflows if self.arch.pipelines else [])}
        existing = {p["name"] for p in cp.list_pipelines()["pipelines"]}
        projects: set[str] = set()
        groups: set[tuple[str, str]] = set()
        for name in sorted(wanted & existing):
            pipeline = cp.get_pipeline(name=name)["pipeline"]
            for stage in pipeline["stages"]:
                for action in stage["actions"]:
                    config = action.get("configuration") or {}
                    if config.get("ProjectName"):
                        projects.add(config["ProjectName"])
                    if config.get("ApplicationName"):
                        groups.add((config["ApplicationName"], config.get("DeploymentGroupName", "")))
            cp.delete_pipeline(name=name)
        for project in sorted(projects):
            cb.delete_project(name=project)
        for app, group in sorted(groups):
            if group:
                cd.delete_deployment_group(applicationName=app, deploymentGroupName=group)
        for app in sorted({a for a, _ in groups}):
            cd.delete_application(applicationName=app)
        self.new.pipelines_gone = True

    # ================================================================== wave: decommission
    def decommission(self, old_vpcs: list[str]) -> None:
        ec2, elb, new = self.c("ec2"), self.c("elbv2"), self.new
        live = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
        # the plan names the old VPCs by id; when none of them is here (a plan read from an estate launched
        # another way: moto's ids depend on the server's start-up), they are this estate's service VPCs
        old_vpcs = ([v for v in old_vpcs if v in live and v != new.vpc_id]
                    or [v.vpc_id for v in self.state.vpcs.values() if v.vpc_id in live])
        allocations: list[str] = []
        for nat in ec2.describe_nat_gateways()["NatGateways"]:
            if nat["State"] in ("deleted", "deleting") or nat.get("VpcId") not in old_vpcs:
                continue
            ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
            allocations += [a["AllocationId"] for a in nat.get("NatGatewayAddresses") or [] if a.get("AllocationId")]
        for alloc in allocations:
            ec2.release_address(AllocationId=alloc)
        for lb in elb.describe_load_balancers()["LoadBalancers"]:
            if lb.get("VpcId") in old_vpcs:
                elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
        for tg in elb.describe_target_groups()["TargetGroups"]:
            if tg.get("VpcId") in old_vpcs:
                elb.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
        for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]:
            ends = {p["RequesterVpcInfo"]["VpcId"], p["AccepterVpcInfo"]["VpcId"]}
            if ends & set(old_vpcs) and p["Status"]["Code"] not in ("deleted", "rejected"):
                ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=p["VpcPeeringConnectionId"])
        endpoints = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
                     if e.get("VpcId") in old_vpcs]
        if endpoints:
            ec2.delete_vpc_endpoints(VpcEndpointIds=endpoints)
        for rt in new.private_rts:  # the temporary routes to the hub go with the peering
            table = ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]
            for r in table["Routes"]:
                if r.get("VpcPeeringConnectionId") and r.get("DestinationCidrBlock"):
                    ec2.delete_route(RouteTableId=rt, DestinationCidrBlock=r["DestinationCidrBlock"])
        self.retire_old_data_tier()
        for vpc in old_vpcs:
            self.delete_vpc(vpc)
        in_use = {a.get("AllocationId") for nat in ec2.describe_nat_gateways()["NatGateways"]
                  if nat["State"] not in ("deleted", "deleting") for a in nat.get("NatGatewayAddresses") or []}
        idle = [a for a in ec2.describe_addresses()["Addresses"] if a["AllocationId"] not in in_use
                and not a.get("AssociationId") and not a.get("NetworkInterfaceId")]
        for a in idle:
            ec2.release_address(AllocationId=a["AllocationId"])
        expire_deleted_nat_gateways(self.account, self.region)
        self.delete_copilot_stacks()
        if new.data_sg:  # the old VPCs' CIDRs are gone: their rules too
            sg = ec2.describe_security_groups(GroupIds=[new.data_sg])["SecurityGroups"][0]
            stale = [{"IpProtocol": p["IpProtocol"], "FromPort": p["FromPort"], "ToPort": p["ToPort"],
                      "IpRanges": p["IpRanges"]} for p in sg.get("IpPermissions") or [] if p.get("IpRanges")]
            if stale:
                ec2.revoke_security_group_ingress(GroupId=new.data_sg, IpPermissions=stale)
        new.decommissioned = True

    def retire_old_data_tier(self) -> None:
        old = data_names(self.state)["subnets"]
        if not self.new.stores_done:
            return
        self.c("rds").delete_db_subnet_group(DBSubnetGroupName=old)
        # the ElastiCache subnet group of the same name stays: moto has no DeleteCacheSubnetGroup (and nothing
        # uses it any more)

    def delete_vpc(self, vpc: str) -> None:
        ec2 = self.c("ec2")
        only = [{"Name": "vpc-id", "Values": [vpc]}]
        for eni in ec2.describe_network_interfaces(Filters=only)["NetworkInterfaces"]:
            ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
        for igw in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])[
                "InternetGateways"]:
            ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc)
            ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
        for rt in ec2.describe_route_tables(Filters=only)["RouteTables"]:
            if any(a.get("Main") for a in rt.get("Associations") or []):
                continue
            for a in rt.get("Associations") or []:
                ec2.disassociate_route_table(AssociationId=a["RouteTableAssociationId"])
            ec2.delete_route_table(RouteTableId=rt["RouteTableId"])
        groups = [g for g in ec2.describe_security_groups(Filters=only)["SecurityGroups"] if g["GroupName"] != "default"]
        for g in groups:  # rules referring to each other first
            refs = [p for p in g.get("IpPermissions") or [] if p.get("UserIdGroupPairs")]
            if refs:
                ec2.revoke_security_group_ingress(GroupId=g["GroupId"], IpPermissions=refs)
        for g in groups:
            ec2.delete_security_group(GroupId=g["GroupId"])
        for subnet in ec2.describe_subnets(Filters=only)["Subnets"]:
            ec2.delete_subnet(SubnetId=subnet["SubnetId"])
        ec2.delete_vpc(VpcId=vpc)

    def delete_copilot_stacks(self) -> None:
        cfn = self.c("cloudformation")
        for stack in cfn.describe_stacks()["Stacks"]:
            tags = {t["Key"]: t["Value"] for t in stack.get("Tags") or []}
            # the environment's and services' stacks, and the application's own (infrastructure roles): the
            # plan retires Copilot (`copilot app delete`)
            if tags.get("copilot-application") == APP and tags.get("copilot-environment") in (self.env, None):
                cfn.delete_stack(StackName=stack["StackName"])

    # ================================================================== after the waves: metrics, counts, bill
    def finish(self) -> None:
        new = self.new
        for cluster in sorted({self.state.cluster_name, new.cluster} - {""}):
            fill_ecs_cluster_counts(self.account, self.region, cluster)
        self.metrics()
        costs.register_bill(self.account, costs.Bill(self.cutover.date(), self.footprint()))

    def put(self, namespace: str, metric: str, dims: dict[str, str], points: list[Any], unit: str) -> None:
        put_metric_series(self.account, self.region, namespace, metric, dims, points, unit)

    def metrics(self) -> None:
        """Replace the series the applied waves changed: the lookback shows the estate after the cut-over."""
        acct, new, state = self.account, self.new, self.state
        ts = hours(self.seeder)
        drop: list[Series] = []
        puts: list[tuple[str, str, dict[str, str], list[Any], str]] = []
        # ------------------------------------------------------------ services and their old ALBs/NATs
        for name, m in new.migrated.items():
            svc = m.spec
            drop += [("AWS/ECS", metric, {"ClusterName": state.cluster_name, "ServiceName": name})
                     for metric in ("CPUUtilization", "MemoryUtilization")]
            rng = stable_rng(acct, name, "ecs-metrics")
            cpu_raw = shaped(ts, rng, 0.35 if not svc.bootstrap_starved else 0.08, 0.12)
            # replay the before draws, so memory keeps the hourly shape it was seeded with
            pct_points(ts, to_p95(cpu_raw, svc.cpu_p95), rng, maxima=[0.0] * len(ts) if svc.bootstrap_starved else None)
            mem_raw = shaped(ts, rng, 0.08, 0.04)
            cpu_p95 = svc.cpu_p95 * (svc.cpu * svc.desired) / max(1, m.cpu * m.desired)
            mem_p95 = svc.mem_p95 * (svc.memory * svc.desired) / max(1, m.memory * m.desired)
            prng = stable_rng(acct, name, "ecs-metrics", "after")
            dims = {"ClusterName": new.cluster, "ServiceName": name}
            puts.append(("AWS/ECS", "CPUUtilization", dims, pct_points(ts, to_p95(cpu_raw, cpu_p95), prng), "Percent"))
            puts.append(("AWS/ECS", "MemoryUtilization", dims,
                         pct_points(ts, to_p95(mem_raw, mem_p95), prng, peak=1.08), "Percent"))
            old_lb = state.lbs.get(name)
            if old_lb is not None:
                drop += [("AWS/ApplicationELB", metric, {"LoadBalancer": old_lb.lb_dimension})
                         for metric in ("RequestCount", "ConsumedLCUs")]
                drop += [("AWS/ApplicationELB", metric, {"TargetGroup": old_lb.tg_dimension,
                                                         "LoadBalancer": old_lb.lb_dimension})
                         for metric in ("HealthyHostCount", "UnHealthyHostCount")]
            old_vpc = state.vpcs.get(name)
            for nat in old_vpc.nat_ids if old_vpc else []:
                for metric in ("BytesOutToDestination", "BytesInFromSource", "BytesInFromDestination", "BytesOutToSource"):
                    drop.append(("AWS/NATGateway", metric, {"NatGatewayId": nat}))
                    if not new.decommissioned:  # idle until deleted
                        puts.append(("AWS/NATGateway", metric, {"NatGatewayId": nat}, sum_points(ts, [0.0] * len(ts)), "Bytes"))
        # ------------------------------------------------------------ the shared ALBs and target groups
        for lb in new.lbs.values():
            members = [new.migrated[n] for n in lb.services if n in new.migrated]
            if not members:
                continue
            requests = [0.0] * len(ts)
            lcus = [0.0] * len(ts)
            for m in members:
                load = shaped(ts, stable_rng(acct, m.spec.name, "alb"), 0.45, 0.08)
                per_request_lcu = costs.BYTES_PER_REQUEST / 1e9
                for i, f in enumerate(load):
                    requests[i] += m.spec.requests_per_hour * f
                    lcus[i] += m.spec.requests_per_hour * per_request_lcu * f
                puts.append(("AWS/ApplicationELB", "HealthyHostCount",
                             {"TargetGroup": m.tg_dimension, "LoadBalancer": lb.dimension},
                             avg_points(ts, [float(m.desired)] * len(ts)), "Count"))
                puts.append(("AWS/ApplicationELB", "UnHealthyHostCount",
                             {"TargetGroup": m.tg_dimension, "LoadBalancer": lb.dimension},
                             avg_points(ts, [0.0] * len(ts)), "Count"))
            puts.append(("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb.dimension},
                         sum_points(ts, requests), "Count"))
            puts.append(("AWS/ApplicationELB", "ConsumedLCUs", {"LoadBalancer": lb.dimension},
                         avg_points(ts, [max(0.05, v) for v in lcus]), "Count"))
        # ------------------------------------------------------------ the shared NAT gateways
        if new.nat_ids:
            per_nat_gb = self.new_nat_gb_per_day() / len(new.nat_ids)
            for nat in new.nat_ids:
                per_hour = [per_nat_gb * 1e9 / 24 * f for f in shaped(ts, stable_rng(acct, nat, "nat"), 0.3, 0.1)]
                out_share = 0.3
                for metric, share in (("BytesOutToDestination", out_share), ("BytesInFromSource", out_share),
                                      ("BytesInFromDestination", 1 - out_share), ("BytesOutToSource", 1 - out_share)):
                    puts.append(("AWS/NATGateway", metric, {"NatGatewayId": nat},
                                 sum_points(ts, [v * share for v in per_hour]), "Bytes"))
        # ------------------------------------------------------------ the cluster's reservation (EC2)
        if new.instances:
            cpu_total = new.registered[0] * len(new.instances)
            mem_total = new.registered[1] * len(new.instances)
            on_ec2 = [m for m in new.migrated.values() if m.launch == "EC2"]
            cpu_res = 100.0 * sum(m.cpu * m.desired for m in on_ec2) / max(1, cpu_total)
            mem_res = 100.0 * sum(m.memory * m.desired for m in on_ec2) / max(1, mem_total)
            dims = {"ClusterName": new.cluster}
            drop += [("AWS/ECS", "CPUReservation", dims), ("AWS/ECS", "MemoryReservation", dims)]
            puts.append(("AWS/ECS", "CPUReservation", dims, avg_points(ts, [cpu_res] * len(ts)), "Percent"))
            puts.append(("AWS/ECS", "MemoryReservation", dims, avg_points(ts, [mem_res] * len(ts)), "Percent"))
        if new.stores_done:
            d_drop, d_puts = self.datastore_series(ts)
            drop += d_drop
            puts += d_puts
        drop += [(ns, metric, dims) for ns, metric, dims, _, _ in puts]
        drop_metric_series(acct, self.region, drop)
        for ns, metric, dims, points, unit in puts:
            self.put(ns, metric, dims, points, unit)

    def datastore_series(self, ts: list[datetime]) -> tuple[list[Series], list[tuple[str, str, dict[str, str], list[Any], str]]]:
        acct, spec, names = self.account, self.spec, data_names(self.state)
        drop: list[Series] = []
        puts: list[tuple[str, str, dict[str, str], list[Any], str]] = []
        conns = max(10, sum(s.desired for s in spec.services) * 6)
        by_id = {d.id: d for d in self.arch.datastores}
        rds = by_id.get(names["postgres"])
        if rds is not None and rds.proposed_class:
            rng = stable_rng(acct, "rds")
            p95 = spec.rds_cpu_p95 * class_vcpus(spec.rds_class) / class_vcpus(rds.proposed_class)
            dims = {"DBInstanceIdentifier": rds.id}
            puts.append(("AWS/RDS", "CPUUtilization", dims, pct_points(ts, to_p95(shaped(ts, rng, 0.3, 0.1), p95), rng),
                         "Percent"))
            puts.append(("AWS/RDS", "DatabaseConnections", dims,
                         avg_points(ts, [conns * f for f in shaped(ts, rng, 0.2, 0.05)]), "Count"))
        for i in range(spec.docdb_instances):
            iid = f"{names['docdb']}-{i + 1}"
            d = by_id.get(iid)
            if d is None:
                continue
            dims = {"DBInstanceIdentifier": iid}
            if not d.proposed_class:  # removed
                drop += [("AWS/DocDB", "CPUUtilization", dims), ("AWS/DocDB", "DatabaseConnections", dims)]
                continue
            drng = stable_rng(acct, iid)
            p95 = spec.docdb_cpu_p95 * class_vcpus(spec.docdb_class) / class_vcpus(d.proposed_class)
            puts.append(("AWS/DocDB", "CPUUtilization", dims,
                         pct_points(ts, to_p95(shaped(ts, drng, 0.25, 0.1), p95), drng), "Percent"))
            puts.append(("AWS/DocDB", "DatabaseConnections", dims,
                         avg_points(ts, [conns / 2 * f for f in shaped(ts, drng, 0.2, 0.05)]), "Count"))
        cache = by_id.get(names["redis"])
        if cache is not None:
            ratio = class_vcpus(spec.redis_node_type) / class_vcpus(cache.proposed_class or spec.redis_node_type)
            nodes = max(1, cache.nodes or spec.redis_nodes)
            for i in range(max(nodes, spec.redis_nodes)):
                cid = f"{names['redis']}-{i + 1:03d}"
                dims = {"CacheClusterId": cid}
                if i >= nodes:
                    drop += [("AWS/ElastiCache", m, dims) for m in ("CPUUtilization", "EngineCPUUtilization",
                                                                    "CurrConnections")]
                    continue
                crng = stable_rng(acct, cid)
                cpu, engine = (9.0, 14.0) if i == 0 else (4.0, 6.0)
                puts.append(("AWS/ElastiCache", "CPUUtilization", dims,
                             pct_points(ts, to_p95(shaped(ts, crng, 0.3, 0.1), cpu * ratio), crng), "Percent"))
                puts.append(("AWS/ElastiCache", "EngineCPUUtilization", dims,
                             pct_points(ts, to_p95(shaped(ts, crng, 0.3, 0.1), engine * ratio), crng), "Percent"))
                puts.append(("AWS/ElastiCache", "CurrConnections", dims,
                             avg_points(ts, [conns * 1.5 * f for f in shaped(ts, crng, 0.2, 0.05)]), "Count"))
        for table in (names["ledger"], names["sessions"]):
            d = by_id.get(table)
            capacity = self.capacity(d.proposed_class) if d is not None and d.mode == "PROVISIONED" else None
            dims = {"TableName": table}
            if d is not None and d.mode == "PAY_PER_REQUEST":
                drop += [("AWS/DynamoDB", "ProvisionedReadCapacityUnits", dims),
                         ("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dims)]
            if capacity is None:
                continue
            puts.append(("AWS/DynamoDB", "ProvisionedReadCapacityUnits", dims,
                         avg_points(ts, [float(max(1, capacity[0]))] * len(ts), samples=12), "Count"))
            puts.append(("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dims,
                         avg_points(ts, [float(max(1, capacity[1]))] * len(ts), samples=12), "Count"))
        return drop, puts

    # ------------------------------------------------------------------ traffic and the bill
    def egress_gb_per_day(self, svc: ServiceSpec) -> float:
        """What a service sends through NAT gateways per day (each NAT of its old VPC processed its figure)."""
        return svc.nat_gb_per_day * (len(self.spec.azs) if self.spec.nat_per_az else 1)

    def new_nat_gb_per_day(self) -> float:
        """The migrated services' egress through the shared NAT gateways, less what the gateway endpoints carry."""
        endpoints = {"s3", "dynamodb"} <= set(self.vpc_plan.gateway_endpoints)
        return sum(self.egress_gb_per_day(m.spec) * (1 - (m.spec.s3_dynamo_share if endpoints else 0.0))
                   for m in self.new.migrated.values())

    def footprint(self) -> costs.Footprint:
        """What the seeded after estate runs, for Cost Explorer from the cut-over on."""
        spec, new, state = self.spec, self.new, self.state
        before = costs.footprint_of(spec)
        staying = [s for s in spec.services if s.name not in new.migrated]
        fargate = [(s.desired, s.cpu, s.memory, "x86_64") for s in staying]
        fargate += [(m.desired, m.cpu, m.memory, m.arch) for m in new.migrated.values() if m.launch == "FARGATE"]
        per_vpc = len(spec.azs) if spec.nat_per_az else 1
        old_vpcs_left = 0 if new.decommissioned else len(spec.services)
        nat_gateways = old_vpcs_left * per_vpc + len(new.nat_ids)
        nat_gb = sum(self.egress_gb_per_day(s) for s in staying) + self.new_nat_gb_per_day()
        idle = 1 if spec.environment == "staging" and not new.decommissioned else 0
        old_public = 0 if new.decommissioned else sum(s.public for s in spec.services)
        new_public = sum(len(self.vpc_plan.azs) for lb in new.lbs.values() if lb.scheme == "internet-facing")
        public_ipv4 = nat_gateways + old_public * len(spec.azs) + new_public + idle
        lcus = [] if new.decommissioned else [costs.alb_lcu_per_hour(s) if s.name not in new.migrated else 0.0
                                              for s in spec.services]
        for lb in new.lbs.values():
            members = [new.migrated[n].spec for n in lb.services if n in new.migrated]
            lcus.append(max(0.05, sum(s.requests_per_hour * costs.BYTES_PER_REQUEST / 1e9 for s in members))
                        if members else 0.0)
        by_id = {d.id: d for d in self.arch.datastores}
        names = data_names(state)
        rds = by_id.get(names["postgres"]) if new.stores_done else None
        cache = by_id.get(names["redis"]) if new.stores_done else None
        docdb = before.docdb_classes
        if new.stores_done:
            planned = [by_id.get(f"{names['docdb']}-{k + 1}") for k in range(spec.docdb_instances)]
            docdb = tuple(d.proposed_class if d is not None else spec.docdb_class for d in planned
                          if d is None or d.proposed_class)
        tables = []
        for t in before.dynamodb:
            d = by_id.get(names[t.name]) if new.stores_done else None
            capacity = self.capacity(d.proposed_class) if d is not None and d.mode == "PROVISIONED" else None
            if d is not None and d.mode == "PROVISIONED" and capacity is not None:
                tables.append(costs.DynamoTable(t.name, "PROVISIONED", max(1, capacity[0]), max(1, capacity[1])))
            elif d is not None and d.mode == "PAY_PER_REQUEST" and t.mode == "PROVISIONED":
                tables.append(costs.DynamoTable(t.name, "PAY_PER_REQUEST", reads_per_day=t.rcu * 3600 * 24 * spec.ddb_consumed_share,
                                                writes_per_day=t.wcu * 3600 * 24 * spec.ddb_consumed_share))
            else:
                tables.append(t)
        instances = ((new.instance_type, len(new.instances)),) if new.instances else ()
        return costs.Footprint(
            environment=spec.environment, fargate=tuple(fargate), instances=instances,
            root_volume_gb=int(self.assumptions["root_volume_gb"]) if new.instances else 0,
            nat_gateways=nat_gateways, nat_gb_per_day=nat_gb, public_ipv4=public_ipv4, alb_lcus=tuple(lcus),
            rds_engine="postgres", rds_class=(rds.proposed_class or spec.rds_class) if rds else spec.rds_class,
            rds_multi_az=rds.multi_az if rds else spec.rds_multi_az, rds_storage_gb=spec.rds_storage_gb,
            rds_storage_type=(rds.storage_type or "gp2") if rds else "gp2", docdb_classes=docdb,
            cache_engine=cache.engine if cache else "redis",
            cache_node_type=(cache.proposed_class or spec.redis_node_type) if cache else spec.redis_node_type,
            cache_nodes=max(1, cache.nodes or spec.redis_nodes) if cache else spec.redis_nodes,
            dynamodb=tuple(tables), cloudfront_gb_per_day=spec.cloudfront_gb_per_day,
            cloudfront_requests_per_day=spec.cloudfront_requests_per_day,
            pipelines=0 if new.pipelines_gone else before.pipelines,
            build_projects=0 if new.pipelines_gone else before.build_projects,
            builds_per_day=before.builds_per_day, build_minutes=before.build_minutes,
            tasks=sum(s.desired for s in staying) + sum(m.desired for m in new.migrated.values()),
            repositories=before.repositories)


def cutover_date(now: datetime | None = None) -> date:
    """The after estate's cut-over day for an estate observed at ``now``: the first day of the last full month."""
    now = now or datetime.now(UTC)
    return (now.replace(day=1) - timedelta(days=1)).replace(day=1).date()

