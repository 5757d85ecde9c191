"""Seed ECS (Copilot-style Fargate services), their tasks and Application Auto Scaling.

One cluster ``fintech-<env>`` with FARGATE/FARGATE_SPOT; per service a task definition (every
container has a ``memory``), a service behind its target group with the CODE_DEPLOY controller and
running tasks. Bootstrap-starved services also get stopped tasks that failed ELB health checks and
a failed (circuit-breaker) deployment. Only web and api have auto scaling.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from awsassess.demo.estate import APP, ServiceSpec
from awsassess.demo.seedkit import AccountState, Seeder, copilot_tags, stable_hex, stable_rng, tag_list
from awsassess.demo.sim.ecs import (
    fill_ecs_cluster_counts,
    fill_ecs_service,
    fill_ecs_task,
    fill_task_definition,
)

AUTOSCALED = ("web", "api")
CONTAINER_PORT = 8080


def image_uri(state: AccountState, svc: str) -> str:
    return (f"{state.account_id}.dkr.ecr.{state.spec.region}.amazonaws.com/{APP}/{svc}:"
            f"{stable_hex(state.env, svc, 'image', n=7)}")


def _container(state: AccountState, svc: ServiceSpec) -> dict[str, object]:
    env = [
        {"name": "COPILOT_APPLICATION_NAME", "value": APP},
        {"name": "COPILOT_ENVIRONMENT_NAME", "value": state.env},
        {"name": "COPILOT_SERVICE_NAME", "value": svc.name},
        {"name": "COPILOT_SERVICE_DISCOVERY_ENDPOINT", "value": f"{state.env}.{APP}.local"},
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "PORT", "value": str(CONTAINER_PORT)},
    ]
    if state.env == "production" and svc.name == "kyc":
        # the plaintext secret the task-definition rule must find (value never leaves the estate)
        env.append({"name": "KYC_PROVIDER_API_KEY", "value": f"sk_live_{stable_hex('kyc', 'key', n=24)}"})
    secrets = [{"name": "DB_PASSWORD", "valueFrom": (
        f"arn:aws:ssm:{state.spec.region}:{state.account_id}:parameter/copilot/{APP}/{state.env}/secrets/db_password")}]
    return {
        "name": svc.name,
        "image": image_uri(state, svc.name),
        "cpu": 0,
        "memory": svc.memory,
        "essential": True,
        "portMappings": [{"containerPort": CONTAINER_PORT, "protocol": "tcp"}],
        "environment": env,
        "secrets": secrets,
        "healthCheck": {"command": ["CMD-SHELL", f"curl -f http://localhost:{CONTAINER_PORT}/healthz || exit 1"],
                        "interval": 10, "timeout": 5, "retries": 2, "startPeriod": 0},
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": f"/copilot/{APP}-{state.env}-{svc.name}", "awslogs-region": state.spec.region,
            "awslogs-stream-prefix": "copilot"}},
    }


def seed_ecs(seeder: Seeder, state: AccountState) -> None:
    ecs = seeder.client("ecs", state.account_id)
    region = state.spec.region
    created = seeder.days_ago(240 if state.env == "production" else 200)
    cluster = ecs.create_cluster(
        clusterName=state.cluster_name, capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        settings=[{"name": "containerInsights", "value": "disabled"}],
        tags=tag_list(copilot_tags(state.env), "key", "value"))["cluster"]
    state.cluster_arn = cluster["clusterArn"]
    for n, svc in enumerate(state.spec.services):
        rng = stable_rng(state.env, svc.name, "ecs")
        family = f"{APP}-{state.env}-{svc.name}"
        role = f"arn:aws:iam::{state.account_id}:role/{family}-TaskRole"
        td = ecs.register_task_definition(
            family=family, taskRoleArn=role, executionRoleArn=f"arn:aws:iam::{state.account_id}:role/{family}-ExecutionRole",
            networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu=str(svc.cpu), memory=str(svc.memory),
            runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
            containerDefinitions=[_container(state, svc)],
            tags=tag_list(copilot_tags(state.env, svc.name), "key", "value"))["taskDefinition"]
        state.task_definitions[svc.name] = td["taskDefinitionArn"]
        fill_task_definition(state.account_id, region, td["taskDefinitionArn"],
                             registered_at=seeder.days_ago(2 + rng.random() * 5))
        ids, lb = state.vpcs[svc.name], state.lbs[svc.name]
        network = {"awsvpcConfiguration": {"subnets": ids.private_subnets, "securityGroups": [ids.sg_service],
                                           "assignPublicIp": "DISABLED"}}
        service = ecs.create_service(
            cluster=state.cluster_name, serviceName=svc.name, taskDefinition=td["taskDefinitionArn"],
            desiredCount=svc.desired, launchType="FARGATE", platformVersion="LATEST",
            loadBalancers=[{"targetGroupArn": lb.tg_arn, "containerName": svc.name, "containerPort": CONTAINER_PORT}],
            networkConfiguration=network, deploymentController={"type": "CODE_DEPLOY"},
            healthCheckGracePeriodSeconds=60, propagateTags="SERVICE", enableECSManagedTags=True,
            tags=tag_list(copilot_tags(state.env, svc.name), "key", "value"))["service"]
        state.services[svc.name] = service["serviceArn"]
        tasks = ecs.run_task(
            cluster=state.cluster_name, taskDefinition=td["taskDefinitionArn"], count=svc.desired,
            launchType="FARGATE", platformVersion="LATEST", group=f"service:{svc.name}",
            startedBy=f"ecs-svc/{int(stable_hex(state.env, svc.name, 'dep', n=12), 16) % 10**19}",
            networkConfiguration=network)["tasks"]
        last_deploy = seeder.days_ago(0.5 + rng.random() * 2)
        for k, task in enumerate(tasks):
            fill_ecs_task(
                state.account_id, region, state.cluster_name, task["taskArn"], cpu=svc.cpu, memory=svc.memory,
                started_at=last_deploy + timedelta(seconds=40 + 7 * k), created_at=last_deploy,
                availability_zone=state.spec.azs[k % len(state.spec.azs)])
        deployment_id = f"ecs-svc/{stable_hex(state.env, svc.name, 'deployment', n=19)}"
        deployments = [{
            "id": deployment_id, "status": "PRIMARY", "taskDefinition": td["taskDefinitionArn"],
            "desiredCount": svc.desired, "pendingCount": 0, "runningCount": svc.desired, "failedTasks": 0,
            "createdAt": last_deploy, "updatedAt": last_deploy + timedelta(minutes=6),
            "launchType": "FARGATE", "platformVersion": "1.4.0", "platformFamily": "Linux",
            "networkConfiguration": network, "rolloutState": "COMPLETED",
            "rolloutStateReason": f"ECS deployment {deployment_id} completed.",
        }]
        if svc.bootstrap_starved:
            deployments = _seed_starved(seeder, state, svc, td["taskDefinitionArn"], network, deployments)
        fill_ecs_service(
            state.account_id, region, state.cluster_name, svc.name,
            created_at=created + timedelta(hours=3 * n), running_count=svc.desired, pending_count=0,
            launch_type="FARGATE", platform_version="LATEST",
            deployment_configuration={
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200, "minimumHealthyPercent": 100},
            health_check_grace_period_seconds=60, deployments=deployments)
    fill_ecs_cluster_counts(state.account_id, region, state.cluster_name)


def _seed_starved(seeder: Seeder, state: AccountState, svc: ServiceSpec, td_arn: str, network: Mapping[str, object],
                  deployments: list[dict[str, object]]) -> list[dict[str, object]]:
    """Tasks stopped for failing ELB health checks while CPU-starved at start-up; a failed rollout."""
    ecs = seeder.client("ecs", state.account_id)
    region = state.spec.region
    lb = state.lbs[svc.name]
    stopped = ecs.run_task(
        cluster=state.cluster_name, taskDefinition=td_arn, count=6, launchType="FARGATE",
        platformVersion="LATEST", group=f"service:{svc.name}", startedBy="ecs-svc/failed-rollout",
        networkConfiguration=network)["tasks"]
    reason = f"Task failed ELB health checks in (target-group {lb.tg_arn})"
    for k, task in enumerate(stopped):
        started = seeder.days_ago(1 + k * 0.7)
        ecs.stop_task(cluster=state.cluster_name, task=task["taskArn"], reason=reason)
        fill_ecs_task(
            state.account_id, region, state.cluster_name, task["taskArn"], cpu=svc.cpu, memory=svc.memory,
            started_at=started, created_at=started - timedelta(seconds=35),
            availability_zone=state.spec.azs[k % len(state.spec.azs)],
            stopped_at=started + timedelta(seconds=190 + 11 * k), stop_code="ServiceSchedulerInitiated",
            stopped_reason=reason, health_status="UNHEALTHY", container_exit_code=137,
            container_reason="Essential container in task exited")
    failed_at = seeder.days_ago(1.2)
    failed_id = f"ecs-svc/{stable_hex(state.env, svc.name, 'failed', n=19)}"
    failed = {
        "id": failed_id, "status": "ACTIVE", "taskDefinition": td_arn, "desiredCount": 0, "pendingCount": 0,
        "runningCount": 0, "failedTasks": len(stopped), "createdAt": failed_at,
        "updatedAt": failed_at + timedelta(minutes=19), "launchType": "FARGATE", "platformVersion": "1.4.0",
        "platformFamily": "Linux", "networkConfiguration": network, "rolloutState": "FAILED",
        "rolloutStateReason": ("ECS deployment circuit breaker: tasks failed to start. "
                               f"{len(stopped)} tasks failed ELB health checks in (target-group {lb.tg_arn})."),
    }
    return [*deployments, failed]


def seed_autoscaling(seeder: Seeder, state: AccountState) -> None:
    aas = seeder.client("application-autoscaling", state.account_id)
    for svc in state.spec.services:
        if svc.name not in AUTOSCALED:
            continue
        rid = f"service/{state.cluster_name}/{svc.name}"
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=rid,
                                     ScalableDimension="ecs:service:DesiredCount",
                                     MinCapacity=svc.desired, MaxCapacity=svc.desired * 4)
        aas.put_scaling_policy(
            PolicyName=f"{APP}-{state.env}-{svc.name}-cpu", ServiceNamespace="ecs", ResourceId=rid,
            ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 70.0, "ScaleInCooldown": 120, "ScaleOutCooldown": 60,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
