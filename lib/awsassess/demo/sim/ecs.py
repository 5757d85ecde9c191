"""ECS fills: services, clusters, tasks and task definitions get the fields moto leaves out;
describe_capacity_providers, list_tasks and list_services answer as AWS does; container instances
register the resources they report; stopped tasks age out; services in bulk for the scale estate."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

from moto.ecs.models import CapacityProvider, ecs_backends

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim._common import set_attrs, utc_naive

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("ecs", "DescribeServices"),  # fill_ecs_service, bulk_create_ecs
    ("ecs", "DescribeClusters"),  # fill_ecs_cluster_counts, bulk_create_ecs
    ("ecs", "DescribeTasks"),  # fill_ecs_task, expire_stopped_tasks
    ("ecs", "DescribeTaskDefinition"),  # fill_task_definition
    ("ecs", "DescribeCapacityProviders"),  # patch_ecs_describe_capacity_providers
    ("ecs", "ListTasks"),  # patch_ecs_list_tasks_default_running, expire_stopped_tasks
    ("ecs", "ListServices"),  # patch_ecs_list_services_active
    ("ecs", "RegisterContainerInstance"),  # patch_ecs_register_container_instance
    ("ecs", "DescribeContainerInstances"),  # patch_ecs_register_container_instance
)


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
    set_attrs(svc, created_at=utc_naive(created_at))
    svc.launch_type = launch_type
    svc.platform_version = platform_version
    set_attrs(svc, platform_family=platform_family)
    svc.running_count = running_count
    svc.pending_count = pending_count
    if capacity_provider_strategy is not None:
        set_attrs(svc, capacity_provider_strategy=capacity_provider_strategy)
    if deployment_configuration is not None:
        set_attrs(svc, deployment_configuration=deployment_configuration)
    if health_check_grace_period_seconds is not None:
        set_attrs(svc, health_check_grace_period_seconds=health_check_grace_period_seconds)
    if deployments is not None:
        svc.deployments = [{k: utc_naive(v) if isinstance(v, datetime) else v for k, v in d.items()}
                           for d in deployments]
    set_attrs(svc, enable_ecs_managed_tags=True)


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
    health = health_status or "HEALTHY"
    # launch_type: moto declares str, but None (no launchType, as for capacity-provider tasks) is meant
    set_attrs(task, cpu=str(cpu), memory=str(memory), created_at=utc_naive(created_at or started_at),
              pull_started_at=utc_naive(started_at), started_at=utc_naive(started_at),
              availability_zone=availability_zone, launch_type=launch_type)
    task.capacity_provider_name = capacity_provider_name
    task.platform_version = "1.4.0"
    set_attrs(task, platform_family="Linux", connectivity="CONNECTED", health_status=health)
    if stopped_at is not None:
        stopped = utc_naive(stopped_at)
        set_attrs(task, stopping_at=stopped, execution_stopped_at=stopped, stopped_at=stopped, stop_code=stop_code)
        task.stopped_reason = stopped_reason or ""
    for container in task.containers:
        container.health_status = health
        container.last_status = task.last_status
        if container_exit_code is not None:
            container.exitCode = container_exit_code
            set_attrs(container, exit_code=container_exit_code)
        if container_reason is not None:
            set_attrs(container, reason=container_reason)


def fill_task_definition(account_id: str, region: str, arn: str, *, registered_at: datetime,
                         runtime_platform: dict[str, str] | None = None) -> None:
    """Gap: task definitions lack ``registeredAt`` (and ``runtimePlatform`` unless passed).

    Fill (A): set them on moto's ``TaskDefinition``.
    """
    backend = ecs_backends[account_id][region]
    family, revision = arn.rsplit("/", 1)[1].rsplit(":", 1)
    td = backend.task_definitions[family][int(revision)]
    set_attrs(td, registered_at=utc_naive(registered_at))
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
        found, failures = original(self, user) if user else ([], [])
        providers: list[CapacityProvider | _FargateProvider] = list(found)
        for n in wanted:
            if n in fargate:
                providers.insert(0, _FargateProvider(n, self.account_id, self.region_name))
        return providers, failures

    set_attrs(describe_capacity_providers, _awsassess=True)
    set_attrs(ecs_models.EC2ContainerServiceBackend, describe_capacity_providers=describe_capacity_providers)


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

    set_attrs(list_tasks, _awsassess=True)
    set_attrs(ecs_models.EC2ContainerServiceBackend, list_tasks=list_tasks)


def patch_ecs_list_services_active() -> None:
    """Gap: list_services lists deleted (INACTIVE) services; AWS lists only ACTIVE and DRAINING ones.

    Fill (B): wrap ``EC2ContainerServiceBackend.list_services`` to leave INACTIVE services out (the
    after-migration estate deletes the services it replaces; the fintech estate deletes none).
    """
    from moto.ecs import models as ecs_models

    original = ecs_models.EC2ContainerServiceBackend.list_services
    if getattr(original, "_awsassess", False):
        return

    def list_services(self: Any, cluster_str: str, scheduling_strategy: str | None = None,
                      launch_type: str | None = None) -> list[str]:
        inactive = {s.arn for s in self.services.values() if s.status == "INACTIVE"}
        return [a for a in original(self, cluster_str, scheduling_strategy, launch_type) if a not in inactive]

    set_attrs(list_services, _awsassess=True)
    set_attrs(ecs_models.EC2ContainerServiceBackend, list_services=list_services)


def patch_ecs_register_container_instance() -> None:
    """Gap: register_container_instance ignores ``totalResources`` (every instance registers 4096 CPU
    units and 7482 MiB, whatever its type) and sets no ``ecs.cpu-architecture`` attribute.

    Fill (B): replace the response handler: register as moto does, then take the CPU and MEMORY the
    request reports (what the ECS agent sends) as registered and remaining resources, and add the
    architecture of the EC2 instance.
    """
    import json

    from moto.core.responses import ActionResult
    from moto.ec2.models import ec2_backends
    from moto.ecs.responses import EC2ContainerServiceResponse

    if getattr(EC2ContainerServiceResponse.register_container_instance, "_awsassess", False):
        return

    def register_container_instance(self: Any) -> Any:
        cluster_str = self._get_param("cluster", "default")
        document = json.loads(self._get_param("instanceIdentityDocument"))
        ci = self.ecs_backend.register_container_instance(cluster_str, document["instanceId"])
        reported = {r.get("name"): r for r in self._get_param("totalResources") or []}
        for resources in (ci.registered_resources, ci.remaining_resources):
            for r in resources:
                got = reported.get(r["name"])
                if got is not None and r["type"] == "INTEGER" and got.get("integerValue") is not None:
                    r["integerValue"] = int(got["integerValue"])
        instance = ec2_backends[self.current_account][self.region].get_instance(document["instanceId"])
        ci.attributes["ecs.cpu-architecture"] = getattr(instance, "architecture", "x86_64") or "x86_64"
        return ActionResult({"containerInstance": ci})

    set_attrs(register_container_instance, _awsassess=True)
    set_attrs(EC2ContainerServiceResponse, register_container_instance=register_container_instance)


def expire_stopped_tasks(account_id: str, region: str, cluster: str, group: str) -> int:
    """Gap: stopped tasks stay listed for ever; AWS shows a stopped task for about an hour.

    Fill (A): forget the stopped tasks of ``group`` (``service:<name>``) in ``cluster``, as AWS has by
    the time an estate observed weeks after a change is read. Returns how many were forgotten.
    """
    tasks = ecs_backends[account_id][region].tasks.get(cluster, {})
    gone = [arn for arn, t in tasks.items() if t.group == group and t.last_status == "STOPPED"]
    for arn in gone:
        del tasks[arn]
    return len(gone)


class _FargateProvider:
    """An AWS-managed capacity provider as describe_capacity_providers returns it."""

    def __init__(self, name: str, account_id: str, region: str) -> None:
        self.name = name
        self.capacity_provider_arn = f"arn:aws:ecs:{region}:{account_id}:capacity-provider/{name}"
        self.status = "ACTIVE"
        self.tags: list[dict[str, str]] = []


# bulk seeding (scale estate)
def bulk_create_ecs(account_id: str, region: str, services: int, per_cluster: int, name_prefix: str,
                    created_at: datetime) -> list[str]:
    """Gap: as above, for ECS clusters, task definitions and services.

    Fill (A): create them in moto's ECS backend and give them the fields the fintech estate's
    services get (Fargate, createdAt, counts; see :func:`fill_ecs_service`). Returns service ARNs.
    """
    backend = ecs_backends[account_id][region]
    arns = []
    clusters = max(1, -(-services // per_cluster))
    for c in range(clusters):
        cluster = f"{name_prefix}-cluster-{c:02d}"
        backend.create_cluster(cluster, capacity_providers=["FARGATE", "FARGATE_SPOT"])
        for s in range(c * per_cluster, min(services, (c + 1) * per_cluster)):
            family = f"{name_prefix}-svc-{s:04d}"
            td = backend.register_task_definition(
                family, [{"name": "app", "image": f"public.ecr.aws/nginx/nginx:{s % 5 + 1}", "memory": 512,
                          "cpu": 0, "essential": True}],
                network_mode="awsvpc", requires_compatibilities=["FARGATE"], cpu="256", memory="512")
            svc = backend.create_service(cluster, family, 1, task_definition_str=f"{family}:{td.revision}",
                                         launch_type="FARGATE")
            fill_ecs_service(account_id, region, cluster, family, created_at=created_at, running_count=1)
            arns.append(svc.arn)
        fill_ecs_cluster_counts(account_id, region, cluster)
    return arns


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches
PATCHES: tuple[Callable[[], None], ...] = (
    patch_ecs_describe_capacity_providers,
    patch_ecs_list_tasks_default_running,
    patch_ecs_list_services_active,
    patch_ecs_register_container_instance,
)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
