"""The proposed resources as a table ready to become Terraform: resource type, name, key attributes.

One row per resource (``aws_*`` types of the AWS provider, ``github_repository_file`` for workflows),
with the attributes a module needs to be written and what it replaces. Names are Terraform-safe.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from awsassess.model.architecture import ProposedArchitecture

COLUMNS = ["resource_type", "name", "attributes", "replaces", "wave"]


def tf_name(value: str) -> str:
    out = re.sub(r"[^a-zA-Z0-9_]", "_", value).strip("_").lower()
    return out if out and not out[0].isdigit() else f"r_{out}"


def terraform_rows(arch: ProposedArchitecture) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(rtype: str, name: str, attrs: dict[str, Any], replaces: list[str] | None = None, wave: str = "") -> None:
        rows.append({"resource_type": rtype, "name": tf_name(name), "attributes": json.dumps(attrs, sort_keys=True),
                     "replaces": "|".join(replaces or []), "wave": wave})

    for vpc in arch.vpcs:
        add("aws_vpc", vpc.name, {"cidr_block": vpc.cidr, "enable_dns_hostnames": True, "enable_dns_support": True,
                                  "tags": {"Name": vpc.name}}, vpc.replaces, "network foundation")
        add("aws_internet_gateway", f"{vpc.name}-igw", {"vpc": vpc.name}, wave="network foundation")
        for sn in vpc.subnets:
            add("aws_subnet", sn.name, {"vpc": vpc.name, "availability_zone": sn.az, "cidr_block": sn.cidr,
                                        "map_public_ip_on_launch": False, "tier": "public" if sn.public else "private"},
                wave="network foundation")
        for nat in vpc.nat_gateways:
            add("aws_eip", f"{nat.name}-eip", {"domain": "vpc"}, wave="network foundation")
            add("aws_nat_gateway", nat.name, {"subnet": f"{vpc.name}-public-{nat.az[-1]}", "allocation": f"{nat.name}-eip"},
                wave="network foundation")
        for az in vpc.azs:
            nat_name = next((n.name for n in vpc.nat_gateways if n.az == az),
                            vpc.nat_gateways[0].name if vpc.nat_gateways else "")
            add("aws_route_table", f"{vpc.name}-private-{az[-1]}", {"vpc": vpc.name, "default_route": nat_name or "none"},
                wave="network foundation")
        add("aws_route_table", f"{vpc.name}-public", {"vpc": vpc.name, "default_route": f"{vpc.name}-igw"},
            wave="network foundation")
        for ep in vpc.gateway_endpoints:
            add("aws_vpc_endpoint", f"{vpc.name}-{ep}", {"vpc_endpoint_type": "Gateway",
                                                         "service_name": f"com.amazonaws.{vpc.region}.{ep}",
                                                         "route_tables": "private"}, wave="network foundation")
        for ep in vpc.interface_endpoints:
            add("aws_vpc_endpoint", f"{vpc.name}-{ep}", {"vpc_endpoint_type": "Interface",
                                                         "service_name": f"com.amazonaws.{vpc.region}.{ep}",
                                                         "subnets": "private", "private_dns_enabled": True},
                wave="network foundation")
    for lb in arch.load_balancers:
        add("aws_lb", lb.name, {"load_balancer_type": "application", "internal": lb.scheme == "internal",
                                "subnets": "public" if lb.scheme == "internet-facing" else "private",
                                "vpc": lb.vpc}, lb.replaces, "network foundation")
        add("aws_lb_listener", f"{lb.name}-https" if lb.scheme == "internet-facing" else f"{lb.name}-http",
            {"load_balancer": lb.name, "port": 443 if lb.scheme == "internet-facing" else 80,
             "protocol": "HTTPS" if lb.scheme == "internet-facing" else "HTTP", "default_action": "fixed-response 404"},
            wave="network foundation")
    for cl in arch.clusters:
        add("aws_ecs_cluster", cl.name, {"container_insights": "enabled"}, wave="network foundation")
        if cl.launch == "EC2":
            add("aws_ecs_account_setting_default", f"{cl.name}-trunking", {"name": "awsvpcTrunking", "value": "enabled"},
                wave="network foundation")
            add("aws_launch_template", f"{cl.name}-lt", {
                "instance_type": cl.instance_type, "image": f"ECS-optimized Amazon Linux 2023 ({cl.arch})",
                "user_data": {"ECS_CLUSTER": cl.name, "ECS_RESERVED_MEMORY": "from assumptions"},
                "root_volume": "gp3"}, wave="network foundation")
            add("aws_autoscaling_group", f"{cl.name}-asg", {
                "min_size": cl.min_instances, "max_size": cl.max_instances, "desired_capacity": cl.instances,
                "vpc_zone_identifier": "private subnets", "protect_from_scale_in": True}, wave="network foundation")
            if cl.capacity_provider:
                add("aws_ecs_capacity_provider", cl.capacity_provider.name, {
                    "auto_scaling_group": f"{cl.name}-asg", "managed_scaling": {
                        "status": "ENABLED", "target_capacity": cl.capacity_provider.target_capacity_pct},
                    "managed_termination_protection": "ENABLED"}, wave="network foundation")
                add("aws_ecs_cluster_capacity_providers", f"{cl.name}-providers", {
                    "cluster": cl.name, "capacity_providers": [cl.capacity_provider.name],
                    "default_strategy": [{"capacity_provider": cl.capacity_provider.name, "weight": 1}]},
                    wave="network foundation")
        for s in cl.services:
            family = f"{cl.name}-{s.name}"
            add("aws_ecs_task_definition", family, {
                "family": family, "cpu": s.cpu, "memory": s.memory, "network_mode": "awsvpc",
                "requires_compatibilities": [s.launch],
                "runtime_platform": {"cpu_architecture": "ARM64" if s.arch == "arm64" else "X86_64",
                                     "operating_system_family": "LINUX"}}, s.replaces, f"service {s.name}")
            if s.load_balancer:
                add("aws_lb_target_group", f"{s.name}-tg", {
                    "target_type": "ip", "port": 8080, "protocol": "HTTP", "vpc": cl.vpc,
                    "deregistration_delay": s.deregistration_delay_s, "health_check": {
                        "path": "/healthz", "interval": 10, "healthy_threshold": 2}}, wave=f"service {s.name}")
                add("aws_lb_listener_rule", f"{s.name}-rule", {"load_balancer": s.load_balancer,
                                                               "condition": f"host or path for {s.name}",
                                                               "action": f"forward {s.name}-tg"},
                    wave=f"service {s.name}")
            placement = ({"capacity_provider_strategy": cl.capacity_provider.name} if cl.capacity_provider
                         else {"launch_type": s.launch})
            add("aws_ecs_service", s.name, {
                "cluster": cl.name, "task_definition": family, "desired_count": s.desired, **placement,
                "deployment_circuit_breaker": {"enable": True, "rollback": True},
                "deployment_minimum_healthy_percent": 100, "deployment_maximum_percent": 200,
                "load_balancer": f"{s.name}-tg" if s.load_balancer else None}, s.replaces, f"service {s.name}")
            add("aws_appautoscaling_target", f"{s.name}-scaling", {
                "resource_id": f"service/{cl.name}/{s.name}", "min_capacity": s.scaling.min_tasks,
                "max_capacity": s.scaling.max_tasks}, wave=f"service {s.name}")
            add("aws_appautoscaling_policy", f"{s.name}-cpu", {
                "policy_type": "TargetTrackingScaling", "predefined_metric": s.scaling.metric,
                "target_value": s.scaling.target_value}, wave=f"service {s.name}")
    for d in arch.datastores:
        if d.kind == "rds":
            add("aws_db_instance", d.id, {"instance_class": d.proposed_class, "multi_az": d.multi_az,
                                          "storage_type": d.storage_type, "engine": d.engine}, d.replaces, "data stores")
        elif d.kind == "aurora":
            add("aws_rds_cluster_instance", d.id, {"instance_class": d.proposed_class, "engine": d.engine},
                d.replaces, "data stores")
        elif d.kind == "docdb" and d.nodes:
            add("aws_docdb_cluster_instance", d.id, {"instance_class": d.proposed_class}, d.replaces, "data stores")
        elif d.kind == "elasticache":
            add("aws_elasticache_replication_group", d.id, {
                "engine": d.engine, "node_type": d.proposed_class, "num_cache_clusters": d.nodes,
                "multi_az_enabled": d.multi_az, "automatic_failover_enabled": d.nodes > 1}, d.replaces, "data stores")
        elif d.kind == "dynamodb":
            attrs: dict[str, Any] = {"billing_mode": d.mode}
            if d.mode == "PROVISIONED" and d.proposed_class:
                rcu, wcu = (x.split()[0] for x in d.proposed_class.split(" / "))
                attrs.update({"read_capacity": int(float(rcu)), "write_capacity": int(float(wcu)),
                              "autoscaling": "target tracking"})
            add("aws_dynamodb_table", d.id, attrs, d.replaces, "data stores")
    for dist in arch.distributions:
        add("aws_cloudfront_distribution", dist.id, {"pricing": dist.plan, "note": "existing distribution (import)"},
            [dist.id], "network foundation")
    if arch.pipelines:
        add("aws_iam_openid_connect_provider", "github", {"url": "https://token.actions.githubusercontent.com",
                                                          "client_id_list": ["sts.amazonaws.com"]}, wave="pipelines")
        add("aws_iam_role", "github-actions-deploy", {
            "assume_role": "token.actions.githubusercontent.com:sub = repo:<org>/<repo>:environment:<env>",
            "permissions": "ecr push, ecs register-task-definition / update-service, iam pass-role"}, wave="pipelines")
        for w in arch.pipelines.workflows:
            add("github_repository_file", w.name, {
                "file": f".github/workflows/{tf_name(w.name)}.yml", "build_cache": w.cache, "deploy": w.deploy,
                "auth": w.auth}, [w.replaces_pipeline], "pipelines")
    return rows


def terraform_table(arch: ProposedArchitecture) -> pd.DataFrame:
    return pd.DataFrame(terraform_rows(arch), columns=COLUMNS)
