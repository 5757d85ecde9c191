"""Every fill of a moto gap, in one place. THIS MODULE IS THE SIMULATION LAYER.

moto 5 models most of what an assessment reads, but not all (see
``/work/shared/reference/moto-simulation.md``). Each function below names the gap it fills and how:

- mechanism A: set attributes on moto's in-memory model objects (the response serializer reads
  them by the botocore shape, so new attributes appear in API responses);
- mechanism B: replace a method on a moto Response or Backend class (whole operations);
- mechanism C: answer an operation in the front door (:mod:`awsassess.demo.frontdoor`) because moto
  has no route or no backend for it (registered in :data:`SIMULATED_OPERATIONS`).

The seeders (``seed*.py``) create resources through the real APIs and call these fills; they never
patch moto themselves. Everything here runs inside the estate server process.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ecs.models import ecs_backends

from awsassess.demo.frontdoor import SimHandler

# (boto3 client name, operation) -> handler, answered by the front door (mechanism C)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}


def apply_patches() -> None:
    """Install every mechanism-B patch. Call once, before the first request reaches moto."""
    patch_ecs_describe_capacity_providers()
    patch_ecs_list_tasks_default_running()


# =============================================================================== EC2 / VPC
def fill_nat_connectivity_type(account_id: str, region: str) -> None:
    """Gap: moto omits ``ConnectivityType`` of NAT gateways unless it was passed (AWS always returns it).

    Fill (A): set ``connectivity_type = "public"`` on every NAT gateway that has none.
    """
    for nat in ec2_backends[account_id][region].nat_gateways.values():
        if not getattr(nat, "connectivity_type", None):
            nat.connectivity_type = "public"


# =============================================================================== ECS
def fill_ecs_service(account_id: str, region: str, cluster: str, service: str, *,
                     created_at: datetime, running_count: int, pending_count: int = 0,
                     launch_type: str | None = "FARGATE", platform_version: str = "LATEST",
                     platform_family: str = "Linux",
                     capacity_provider_strategy: list[dict[str, Any]] | None = None,
                     deployment_configuration: dict[str, Any] | None = None,
                     health_check_grace_period_seconds: int | None = None,
                     deployments: list[dict[str, Any]] | None = None) -> None:
    """Gap: create_service drops capacityProviderStrategy, deploymentConfiguration and
    healthCheckGracePeriodSeconds; lacks createdAt/platformVersion/platformFamily; runningCount is 0
    and pendingCount = desired; CODE_DEPLOY services have no deployments.

    Fill (A): set those attributes on moto's ``Service`` object.
    """
    svc = ecs_backends[account_id][region].services[f"{cluster}:{service}"]
    svc.created_at = created_at
    svc.launch_type = launch_type
    svc.platform_version = platform_version
    svc.platform_family = platform_family
    svc.running_count = running_count
    svc.pending_count = pending_count
    if capacity_provider_strategy is not None:
        svc.capacity_provider_strategy = capacity_provider_strategy
    if deployment_configuration is not None:
        svc.deployment_configuration = deployment_configuration
    if health_check_grace_period_seconds is not None:
        svc.health_check_grace_period_seconds = health_check_grace_period_seconds
    if deployments is not None:
        svc.deployments = deployments
    svc.enable_ecs_managed_tags = True


def fill_ecs_cluster_counts(account_id: str, region: str, cluster: str) -> None:
    """Gap: ``activeServicesCount``/``runningTasksCount`` stay 0 whatever runs in the cluster.

    Fill (A): count the cluster's services and running tasks and set them on the ``Cluster``.
    """
    backend = ecs_backends[account_id][region]
    c = backend.clusters[cluster]
    services = [s for s in backend.services.values() if s.cluster_name == cluster and s.status == "ACTIVE"]
    c.active_services_count = len(services)
    c.running_tasks_count = sum(s.running_count for s in services)
    c.pending_tasks_count = sum(s.pending_count for s in services)


def fill_ecs_task(account_id: str, region: str, cluster: str, task_arn: str, *, cpu: int, memory: int,
                  started_at: datetime, availability_zone: str, created_at: datetime | None = None,
                  capacity_provider_name: str | None = None, launch_type: str | None = "FARGATE",
                  stopped_at: datetime | None = None, stop_code: str | None = None,
                  stopped_reason: str | None = None, health_status: str | None = None,
                  container_exit_code: int | None = None, container_reason: str | None = None) -> None:
    """Gap: tasks lack cpu, memory, createdAt, startedAt, availabilityZone, capacityProviderName;
    stopped tasks lack stopCode/stoppedAt and container exit codes.

    Fill (A): set them on moto's ``Task`` (and its ``Container``) objects.
    """
    task = ecs_backends[account_id][region].tasks[cluster][task_arn]
    task.cpu = str(cpu)
    task.memory = str(memory)
    task.created_at = created_at or started_at
    task.pull_started_at = started_at
    task.started_at = started_at
    task.availability_zone = availability_zone
    task.capacity_provider_name = capacity_provider_name
    task.launch_type = launch_type
    task.platform_version = "1.4.0"
    task.platform_family = "Linux"
    task.connectivity = "CONNECTED"
    task.health_status = health_status or "HEALTHY"
    if stopped_at is not None:
        task.stopping_at = stopped_at
        task.execution_stopped_at = stopped_at
        task.stopped_at = stopped_at
        task.stop_code = stop_code
        task.stopped_reason = stopped_reason or ""
    for container in task.containers:
        container.health_status = task.health_status
        container.last_status = task.last_status
        if container_exit_code is not None:
            container.exitCode = container_exit_code
            container.exit_code = container_exit_code
        if container_reason is not None:
            container.reason = container_reason


def fill_task_definition(account_id: str, region: str, arn: str, *, registered_at: datetime,
                         runtime_platform: dict[str, str] | None = None) -> None:
    """Gap: task definitions lack ``registeredAt`` (and ``runtimePlatform`` unless passed).

    Fill (A): set them on moto's ``TaskDefinition``.
    """
    backend = ecs_backends[account_id][region]
    family, revision = arn.rsplit("/", 1)[1].rsplit(":", 1)
    td = backend.task_definitions[family][int(revision)]
    td.registered_at = registered_at
    if runtime_platform is not None and not getattr(td, "runtime_platform", None):
        td.runtime_platform = copy.deepcopy(runtime_platform)


def patch_ecs_describe_capacity_providers() -> None:
    """Gap: describe_capacity_providers without names fails (500 TypeError), and FARGATE /
    FARGATE_SPOT come back as failures MISSING.

    Fill (B): wrap ``EC2ContainerServiceBackend.describe_capacity_providers``: no names means all
    user providers plus the two AWS-managed Fargate providers, which are answered too.
    """
    from moto.ecs import models as ecs_models

    original = ecs_models.EC2ContainerServiceBackend.describe_capacity_providers
    if getattr(original, "_awsassess", False):
        return

    def describe_capacity_providers(self: Any, names: list[str] | None = None) -> Any:
        fargate = ["FARGATE", "FARGATE_SPOT"]
        wanted = list(names) if names else [*fargate, *self.capacity_providers.keys()]
        user = [n for n in wanted if n not in fargate]
        providers, failures = original(self, user) if user else ([], [])
        for n in wanted:
            if n in fargate:
                providers.insert(0, _FargateProvider(n, self.account_id, self.region_name))
        return providers, failures

    describe_capacity_providers._awsassess = True  # type: ignore[attr-defined]
    ecs_models.EC2ContainerServiceBackend.describe_capacity_providers = describe_capacity_providers


def patch_ecs_list_tasks_default_running() -> None:
    """Gap: list_tasks without ``desiredStatus`` returns stopped tasks too (AWS defaults to RUNNING), and
    the ``serviceName`` filter is ignored.

    Fill (B): wrap ``EC2ContainerServiceBackend.list_tasks``: a missing desiredStatus means RUNNING;
    serviceName keeps the tasks whose group is ``service:<name>``.
    """
    from moto.ecs import models as ecs_models

    original = ecs_models.EC2ContainerServiceBackend.list_tasks
    if getattr(original, "_awsassess", False):
        return

    def list_tasks(self: Any, cluster_str: str | None = None, container_instance: str | None = None,
                   family: str | None = None, started_by: str | None = None, service_name: str | None = None,
                   desiredStatus: str | None = None) -> Any:  # noqa: N803 - moto's parameter name
        tasks = original(self, cluster_str, container_instance, family, started_by, None, desiredStatus or "RUNNING")
        if service_name:
            tasks = [t for t in tasks if t.group == f"service:{service_name}"]
        return tasks

    list_tasks._awsassess = True  # type: ignore[attr-defined]
    ecs_models.EC2ContainerServiceBackend.list_tasks = list_tasks


class _FargateProvider:
    """An AWS-managed capacity provider as describe_capacity_providers returns it."""

    def __init__(self, name: str, account_id: str, region: str) -> None:
        self.name = name
        self.capacity_provider_arn = f"arn:aws:ecs:{region}:{account_id}:capacity-provider/{name}"
        self.status = "ACTIVE"
        self.tags: list[dict[str, str]] = []
