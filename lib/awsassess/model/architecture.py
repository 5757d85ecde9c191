"""The proposed architecture as plain dataclasses (JSON-serialisable; the diagrams consume it).

One VPC per region across at least two AZs (public + private subnet per AZ, a NAT gateway per AZ,
free S3/DynamoDB gateway endpoints), one internet-facing and one internal ALB (split when the
rule/target-group quotas demand), one ECS cluster (on EC2 with a capacity provider, or Fargate when
EC2 is not cheaper), the data stores after right-sizing, CloudFront, and GitHub Actions workflows.

Every element lists what it ``replaces`` (current resource ids), which is how the migration plan,
the Terraform table and the per-finding savings connect back to the snapshot.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ProposedSubnet:
    name: str
    az: str
    cidr: str
    public: bool


@dataclass
class ProposedNat:
    name: str
    az: str


@dataclass
class ProposedVpc:
    name: str
    region: str
    cidr: str
    azs: list[str]
    subnets: list[ProposedSubnet] = field(default_factory=list)
    nat_gateways: list[ProposedNat] = field(default_factory=list)
    gateway_endpoints: list[str] = field(default_factory=list)
    interface_endpoints: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)  # current VPC ids


@dataclass
class ProposedLoadBalancer:
    name: str
    region: str
    scheme: str  # internet-facing | internal
    vpc: str
    azs: list[str]
    services: list[str]
    rules: int
    target_groups: int
    replaces: list[str] = field(default_factory=list)  # current LB ARNs


@dataclass
class ScalingPolicy:
    min_tasks: int
    max_tasks: int
    metric: str
    target_value: float


@dataclass
class ProposedService:
    name: str
    cluster: str
    region: str
    desired: int
    current_cpu: int
    current_memory: int
    cpu: int
    memory: int
    launch: str  # EC2 | FARGATE
    arch: str  # x86_64 | arm64
    load_balancer: str
    public: bool
    scaling: ScalingPolicy
    rightsizing: str
    deregistration_delay_s: float | None = None
    deployment: str = "ECS rolling update, circuit breaker with rollback"
    replaces: list[str] = field(default_factory=list)  # current service ARN

    @property
    def tasks(self) -> int:
        return self.desired


@dataclass
class ComputeOption:
    label: str
    launch: str  # EC2 | FARGATE | FARGATE_SPOT
    arch: str
    instance_type: str
    instances: int
    monthly_usd: float
    chosen: bool = False
    detail: str = ""


@dataclass
class CapacityProvider:
    name: str
    target_capacity_pct: int
    managed_scaling: bool = True
    managed_termination_protection: bool = True


@dataclass
class ProposedCluster:
    name: str
    region: str
    vpc: str
    launch: str  # EC2 | FARGATE
    arch: str
    instance_type: str
    instances: int
    min_instances: int
    max_instances: int
    azs: list[str]
    capacity_provider: CapacityProvider | None
    services: list[ProposedService] = field(default_factory=list)
    options: list[ComputeOption] = field(default_factory=list)
    reason: str = ""
    replaces: list[str] = field(default_factory=list)


@dataclass
class ProposedDatastore:
    kind: str  # rds | aurora | docdb | elasticache | dynamodb
    id: str
    region: str
    engine: str
    current_engine: str
    current_class: str
    proposed_class: str
    nodes: int
    current_nodes: int
    multi_az: bool
    current_multi_az: bool
    storage_type: str = ""
    current_storage_type: str = ""
    mode: str = ""
    current_mode: str = ""
    reason: str = ""
    vpc: str = ""
    replaces: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.id

    @property
    def details(self) -> tuple[str, ...]:
        out = [self.proposed_class or self.mode or self.engine]
        if self.engine != self.current_engine:
            out.append(f"{self.current_engine} -> {self.engine}")
        if self.kind in ("rds", "docdb", "elasticache", "aurora"):
            out.append("Multi-AZ" if self.multi_az else "Single-AZ")
        return tuple(x for x in out if x)


@dataclass
class ProposedDistribution:
    id: str
    plan: str  # pay-as-you-go | flat-rate <plan>
    gb_month: float
    requests_month: float
    reason: str = ""


@dataclass
class ProposedWorkflow:
    name: str
    service: str
    replaces_pipeline: str
    runs_per_month: float
    build_minutes: int
    deploy_minutes: int
    cache: str = "docker buildx with a registry/GitHub Actions layer cache (cache-from / cache-to)"
    deploy: str = "aws-actions/amazon-ecs-deploy-task-definition (rolling, wait for service stability)"
    auth: str = "GitHub OIDC -> IAM role (no long-lived keys)"

    @property
    def minutes_per_run(self) -> int:
        return self.build_minutes + self.deploy_minutes


@dataclass
class ProposedPipelines:
    platform: str
    plan: str
    runner: str
    included_minutes: int
    minutes_per_month: float
    billable_minutes: float
    workflows: list[ProposedWorkflow] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)


@dataclass
class Charge:
    """One thing the proposal will pay for, as a quantity and the catalog row that prices it (never a price).

    :func:`awsassess.model.price` turns each charge into a cost line; model.json keeps them, so a saved plan
    can be priced again (other prices, another date) without re-proposing. ``unpriced`` (a reason) records
    something the proposal needs but cannot quantify: it is listed as unpriced, never priced at $0.
    """

    domain: str
    item: str
    resource_id: str
    region: str
    quantity: float
    unit: str
    service: str
    price_item: str
    price_region: str = ""  # the catalog region when it is not ``region`` (CloudFront's geography)
    note: str = ""
    replaces: list[str] = field(default_factory=list)  # current resource ids this charge takes over
    multiplier: float = 1.0  # x the catalog price (a Savings Plan discount), stated in the line's source
    multiplier_note: str = ""
    unpriced: str = ""


@dataclass
class ProposedArchitecture:
    account_id: str
    name: str
    environment: str
    regions: list[str]
    vpcs: list[ProposedVpc] = field(default_factory=list)
    load_balancers: list[ProposedLoadBalancer] = field(default_factory=list)
    clusters: list[ProposedCluster] = field(default_factory=list)
    datastores: list[ProposedDatastore] = field(default_factory=list)
    distributions: list[ProposedDistribution] = field(default_factory=list)
    pipelines: ProposedPipelines | None = None
    notes: list[str] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.pipelines is not None:
            for wf, raw in zip(self.pipelines.workflows, out["pipelines"]["workflows"], strict=True):
                raw["minutes_per_run"] = wf.minutes_per_run
        return out

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), indent=kw.pop("indent", 2), default=str, **kw)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProposedArchitecture:
        def build(tp: type, raw: dict[str, Any]) -> Any:
            fields = tp.__dataclass_fields__  # type: ignore[attr-defined]
            return tp(**{k: v for k, v in raw.items() if k in fields})

        vpcs = []
        for v in data.get("vpcs", []):
            vpc = build(ProposedVpc, v)
            vpc.subnets = [build(ProposedSubnet, s) for s in v.get("subnets", [])]
            vpc.nat_gateways = [build(ProposedNat, n) for n in v.get("nat_gateways", [])]
            vpcs.append(vpc)
        clusters = []
        for c in data.get("clusters", []):
            cl = build(ProposedCluster, c)
            cl.capacity_provider = build(CapacityProvider, c["capacity_provider"]) if c.get("capacity_provider") else None
            cl.options = [build(ComputeOption, o) for o in c.get("options", [])]
            cl.services = []
            for s in c.get("services", []):
                svc = build(ProposedService, s)
                svc.scaling = build(ScalingPolicy, s["scaling"])
                cl.services.append(svc)
            clusters.append(cl)
        pipes = None
        if data.get("pipelines"):
            pipes = build(ProposedPipelines, data["pipelines"])
            pipes.workflows = [build(ProposedWorkflow, w) for w in data["pipelines"].get("workflows", [])]
        return cls(
            account_id=data.get("account_id", ""), name=data.get("name", ""), environment=data.get("environment", ""),
            regions=list(data.get("regions", [])), vpcs=vpcs,
            load_balancers=[build(ProposedLoadBalancer, lb) for lb in data.get("load_balancers", [])],
            clusters=clusters, datastores=[build(ProposedDatastore, d) for d in data.get("datastores", [])],
            distributions=[build(ProposedDistribution, d) for d in data.get("distributions", [])],
            pipelines=pipes, notes=list(data.get("notes", [])),
            charges=[build(Charge, ch) for ch in data.get("charges", [])])

    # ------------------------------------------- the keys the diagrams read (architecture.ProposedSpec)
    @property
    def services(self) -> list[ProposedService]:
        return [s for c in self.clusters for s in c.services]

    @property
    def region(self) -> str | None:
        return self.regions[0] if self.regions else None

    @property
    def vpc_name(self) -> str | None:
        return self.vpcs[0].name if self.vpcs else None

    @property
    def azs(self) -> list[str] | None:
        return list(self.vpcs[0].azs) if self.vpcs else None

    @property
    def nat_per_az(self) -> bool | None:
        if not self.vpcs or not self.vpcs[0].nat_gateways:
            return None
        return len(self.vpcs[0].nat_gateways) >= len(self.vpcs[0].azs)

    @property
    def cluster_name(self) -> str | None:
        return self.clusters[0].name if self.clusters else None

    @property
    def instance_type(self) -> str | None:
        """The container instance type ('' when the cluster stays on Fargate)."""
        return self.clusters[0].instance_type if self.clusters else None

    @property
    def instances(self) -> int | None:
        return self.clusters[0].instances if self.clusters else None

    @property
    def cloudfront(self) -> bool:
        return bool(self.distributions)

    @property
    def gateway_endpoints(self) -> list[str] | None:
        return list(self.vpcs[0].gateway_endpoints) if self.vpcs else None

    @property
    def deploy(self) -> tuple[str, ...]:
        return ("GitHub Actions", "ECR", "ECS") if self.pipelines else ("ECS",)
