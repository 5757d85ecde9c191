"""The proposed architecture as a Terraform root module (one per region).

Built from :class:`awsassess.model.architecture.ProposedArchitecture` (the object the report prices and
the diagrams draw) and the snapshot's evidence (:mod:`awsassess.iac.inputs`); nothing comes from a
template of the demo. The module uses the terraform-aws-modules registry modules where one fits (vpc,
alb, ecs cluster and service, autoscaling) at the versions pinned in ``schema/modules.json`` and plain
``aws_*`` resources elsewhere (gateway endpoints, security groups of the data stores, ECR, the GitHub
OIDC provider and deploy roles, the data stores themselves).

Data stores are imported, never recreated: an ``import`` block per RDS instance, Aurora cluster and
instance, DocumentDB cluster and instance, ElastiCache replication group or cluster and DynamoDB table,
``lifecycle { prevent_destroy = true }``, and the model's changes (class, gp3, Valkey, capacity mode)
as attribute values whose comment names the reason. What the client must supply (certificate, host
names, images, repositories) are variables without defaults.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from awsassess.iac.hcl import Block, Call, Expr, Item, Value
from awsassess.iac.inputs import ENGINE_PORTS, EstateInputs, ServiceInputs, tf_name
from awsassess.iac.pins import module_source, schema
from awsassess.model.architecture import (
    ProposedArchitecture,
    ProposedCluster,
    ProposedDatastore,
    ProposedLoadBalancer,
    ProposedService,
)
from awsassess.model.migration import MigrationWave

TERRAFORM_VERSION = ">= 1.5.7"  # import blocks (1.5) and the modules' own floor
AWS_PROVIDER = "~> 6.62"  # the provider schema the arguments are checked against (schema/aws_provider.json)
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"  # TLS 1.3 and 1.2 only: the AWS recommended policy
ECS_AMI_PARAMETER = {
    "x86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "arm64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
}


@dataclass
class RootModule:
    """One generated root module: its files (name -> top-level items) and what the README must say."""

    region: str
    files: dict[str, list[Item]] = field(default_factory=dict)
    imports: list[tuple[str, str, str]] = field(default_factory=list)  # (address, id, what)
    manual: list[str] = field(default_factory=list)  # what the generator could not express
    variables: dict[str, str] = field(default_factory=dict)  # name -> description (client inputs)
    tfvars_example: dict[str, Any] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)
    datastore_pairs: list[tuple[str, int]] = field(default_factory=list)  # (service, port) admitted
    prices: dict[str, float] = field(default_factory=dict)  # the cost model's proposed $/month per resource id

    def add(self, file: str, *items: Item) -> None:
        self.files.setdefault(file, []).extend(items)

    def resource_counts(self) -> Counter[str]:
        """Resources by type and module calls by source, for the README and the report."""
        out: Counter[str] = Counter()
        for items in self.files.values():
            for item in items:
                if isinstance(item, Block) and item.type == "resource":
                    out[item.labels[0]] += 1
                elif isinstance(item, Block) and item.type == "module":
                    src = str(item.attributes().get("source", ""))
                    each = item.attributes().get("for_each")
                    out[f"module {src}" + (" (for_each)" if each is not None else "")] += 1
        return out


# ----------------------------------------------------------------------------------------- helpers
def _module(name: str, key: str, comment: str = "") -> Block:
    src, version = module_source(key)
    b = Block("module", (name,))
    if comment:
        b.comment(comment)
    b.attr("source", src).attr("version", version)
    b.blank()
    return b


def _lb_module_name(arch: ProposedArchitecture, lb: ProposedLoadBalancer) -> str:
    same_scheme = [x for x in arch.load_balancers if x.scheme == lb.scheme and x.region == lb.region]
    base = "alb_public" if lb.scheme == "internet-facing" else "alb_internal"
    return base if len(same_scheme) == 1 else f"{base}_{same_scheme.index(lb) + 1}"


def _port(inputs: ServiceInputs | None) -> int | None:
    return int(inputs.port.value) if inputs and inputs.port else None


def deploy_role_name(name: str, service: str, region: str | None = None) -> str:
    """The deploy role of a service (IAM names are account-wide: the region is in it when the kit spans
    several regions). The workflows assume this name."""
    return f"{name}-{region}-deploy-{service}" if region else f"{name}-deploy-{service}"


def _price(m: RootModule, *ids: str) -> str:
    """``; $123/month proposed`` for the first id the cost model prices ('' when none)."""
    for i in ids:
        if i in m.prices:
            return f"; ${m.prices[i]:,.0f}/month proposed (cost model, list prices)"
    return ""


def _evidence(findings: dict[str, list[str]], *ids: str) -> str:
    found = sorted({f for i in ids for f in findings.get(i, [])})
    return f" ({', '.join(found)})" if found else ""


# ----------------------------------------------------------------------------------------- files
def _versions(m: RootModule) -> None:
    tf = Block("terraform")
    tf.attr("required_version", TERRAFORM_VERSION)
    tf.blank()
    rp = tf.block("required_providers")
    rp.attr("aws", {"source": "hashicorp/aws", "version": AWS_PROVIDER})
    m.add("versions.tf", tf)


def _providers(m: RootModule, arch: ProposedArchitecture) -> None:
    p = Block("provider", ("aws",))
    p.attr("region", Expr("var.region"))
    p.attr("allowed_account_ids", [arch.account_id],
           comment="The account this plan was made for (from the snapshot): applying it elsewhere fails early.")
    p.blank()
    dt = p.block("default_tags")
    dt.attr("tags", Call("merge", (Expr("var.tags"), {"Environment": arch.environment, "ManagedBy": "terraform",
                                                      "Source": "awsassess"})))
    m.add("providers.tf", p)


_REQUIRED: Any = object()  # a variable without a default: the client must set it


def _variable(m: RootModule, name: str, type_: str, description: str, default: Value = _REQUIRED, *,
              validation: tuple[str, str] | None = None, example: Any = None, client: bool = True) -> None:
    v = Block("variable", (name,))
    v.attr("description", description)
    v.attr("type", Expr(type_))
    if default is not _REQUIRED:
        v.attr("default", default)
    if validation:
        v.blank()
        val = v.block("validation")
        val.attr("condition", Expr(validation[0]))
        val.attr("error_message", validation[1])
    m.add("variables.tf", v)
    if client and default is _REQUIRED:
        m.variables[name] = description
    if example is not None:
        m.tfvars_example[name] = example


def _locals(m: RootModule, arch: ProposedArchitecture, cluster: ProposedCluster | None,
            inputs: EstateInputs, findings: dict[str, list[str]]) -> None:
    loc = Block("locals")
    loc.attr("name", arch.name or f"awsassess-{arch.account_id}")
    if cluster is not None:
        loc.attr("cluster_name", cluster.name)
    if cluster is not None and cluster.services:
        loc.blank()
        loc.comment("One entry per proposed service: size and scaling from the cost model (awsassess model.json),\n"
                    "ports and health checks from today's target groups and task definitions.")
        services: dict[str, Value] = {}
        for s in cluster.services:
            si = inputs.services.get(s.name)
            entry = Block("_")
            entry.comment(f"{s.rightsizing or 'size kept'}{_evidence(findings, *s.replaces)}{_price(m, *s.replaces)}")
            entry.attr("cpu", s.cpu).attr("memory", s.memory)
            entry.comment(f"today {s.desired} task(s); auto scaling {s.scaling.min_tasks}-{s.scaling.max_tasks} "
                          f"on {s.scaling.metric} at {s.scaling.target_value:g}%")
            entry.attr("desired", s.desired).attr("min", s.scaling.min_tasks).attr("max", s.scaling.max_tasks)
            entry.attr("target_cpu_pct", s.scaling.target_value)
            entry.attr("container_name", si.container_name.value if si else s.name)
            port = _port(si)
            entry.comment(si.port.source if si and si.port else "no container port in the snapshot: no port mapping")
            entry.attr("port_mappings", [{"name": s.name, "containerPort": port, "protocol": "tcp"}]
                       if port is not None else [])
            entry.comment(si.health_check_path.source if si and si.health_check_path else
                          "no health check path in the snapshot: / (check it)")
            entry.attr("health_check_path", si.health_check_path.value if si and si.health_check_path else "/")
            entry.attr("load_balancer", s.load_balancer or None)
            entry.attr("deregistration_delay", int(s.deregistration_delay_s) if s.deregistration_delay_s else 30)
            services[s.name] = entry
        loc.attr("services", services)
    m.add("locals.tf", loc)


def _network(m: RootModule, arch: ProposedArchitecture, region: str) -> None:
    vpcs = [v for v in arch.vpcs if v.region == region]
    if not vpcs:
        return
    vpc = vpcs[0]
    mod = _module("vpc", "terraform-aws-modules/vpc/aws",
                  f"One VPC for the account in {region}, replacing {len(vpc.replaces)} VPC(s) (the decommission wave "
                  "of the README names them)" if vpc.replaces else f"One VPC for the account in {region}")
    mod.attr("name", vpc.name)
    mod.attr("cidr", vpc.cidr, comment="a /16 no current VPC uses (awsassess model: proposed VPC)")
    mod.attr("azs", list(vpc.azs))
    mod.attr("public_subnets", [s.cidr for s in vpc.subnets if s.public])
    mod.attr("private_subnets", [s.cidr for s in vpc.subnets if not s.public])
    mod.blank()
    nat_per_az = len(vpc.nat_gateways) >= len(vpc.azs) and len(vpc.nat_gateways) > 0
    mod.comment(f"{len(vpc.nat_gateways)} NAT gateway(s): "
                + ("one per AZ (an AZ outage keeps the other AZs' egress; no cross-AZ NAT traffic)" if nat_per_az
                   else "one shared (lower cost; egress depends on its AZ)" if vpc.nat_gateways else "none"))
    mod.attr("enable_nat_gateway", bool(vpc.nat_gateways))
    mod.attr("single_nat_gateway", bool(vpc.nat_gateways) and not nat_per_az)
    mod.attr("one_nat_gateway_per_az", nat_per_az)
    mod.attr("enable_dns_hostnames", True)
    mod.attr("enable_dns_support", True)
    m.add("network.tf", mod)
    if vpc.gateway_endpoints:
        ep = Block("resource", ("aws_vpc_endpoint", "gateway"))
        ep.comment("S3 and DynamoDB gateway endpoints: free, and their traffic leaves the NAT gateways")
        ep.attr("for_each", Expr(f"toset({json.dumps(sorted(vpc.gateway_endpoints))})"))
        ep.blank()
        ep.attr("vpc_id", Expr("module.vpc.vpc_id"))
        ep.attr("service_name", Expr('"com.amazonaws.${var.region}.${each.value}"'))
        ep.attr("vpc_endpoint_type", "Gateway")
        ep.attr("route_table_ids", Expr("module.vpc.private_route_table_ids"))
        m.add("network.tf", ep)
    for name in vpc.interface_endpoints:
        m.manual.append(f"Interface endpoint {name}: proposed by the model; add an aws_vpc_endpoint of type "
                        "Interface with a security group (not generated).")


def _load_balancers(m: RootModule, arch: ProposedArchitecture, region: str, services: dict[str, ProposedService],
                    inputs: EstateInputs, production: bool) -> None:
    lbs = [lb for lb in arch.load_balancers if lb.region == region]
    if any(lb.scheme == "internet-facing" for lb in lbs):
        _variable(m, "certificate_arn", "string",
                  "ARN of the ACM certificate of the public host names (the HTTPS listener of the public load "
                  "balancer). Must be in the same region.",
                  validation=('can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))',
                              "certificate_arn must be an ACM certificate ARN (arn:aws:acm:...)."),
                  example="arn:aws:acm:REGION:ACCOUNT:certificate/ID")
    routed = [s for lb in lbs for s in lb.services if s in services]
    if routed:
        _variable(m, "service_hosts", "map(string)",
                  "Host name each service answers on its load balancer (the listener rule matches the Host header), "
                  "for example { web = \"www.example.com\" }. One entry per service behind a load balancer.",
                  validation=(f"length(setsubtract({json.dumps(sorted(routed))}, keys(var.service_hosts))) == 0",
                              "service_hosts needs a host name for every service behind a load balancer: "
                              + ", ".join(sorted(routed)) + "."),
                  example={s: f"{s}.example.com" for s in sorted(routed)})
    for lb in lbs:
        name = _lb_module_name(arch, lb)
        public = lb.scheme == "internet-facing"
        mod = _module(name, "terraform-aws-modules/alb/aws",
                      f"{'Internet-facing' if public else 'Internal'} ALB shared by {len(lb.services)} service(s) "
                      f"({lb.rules} rules, {lb.target_groups} target groups of the quota), replacing "
                      f"{len(lb.replaces)} load balancer(s){_price(m, lb.name)}")
        mod.attr("name", lb.name[:32])
        mod.attr("load_balancer_type", "application")
        mod.attr("internal", not public)
        mod.attr("vpc_id", Expr("module.vpc.vpc_id"))
        mod.attr("subnets", Expr("module.vpc.public_subnets" if public else "module.vpc.private_subnets"))
        mod.attr("drop_invalid_header_fields", True)
        mod.attr("enable_deletion_protection", production)
        mod.blank()
        if public:
            mod.attr("security_group_ingress_rules", {
                "https": {"from_port": 443, "to_port": 443, "ip_protocol": "tcp", "cidr_ipv4": "0.0.0.0/0",
                          "description": "HTTPS from the internet"},
                "http": {"from_port": 80, "to_port": 80, "ip_protocol": "tcp", "cidr_ipv4": "0.0.0.0/0",
                         "description": "HTTP from the internet: redirected to HTTPS"},
            })
        else:
            mod.attr("security_group_ingress_rules", {
                "http_vpc": {"from_port": 80, "to_port": 80, "ip_protocol": "tcp",
                             "cidr_ipv4": Expr("module.vpc.vpc_cidr_block"),
                             "description": "HTTP from inside the VPC (service to service)"},
            })
        mod.attr("security_group_egress_rules", {
            "to_services": {"ip_protocol": "tcp", "from_port": 0, "to_port": 65535,
                            "cidr_ipv4": Expr("module.vpc.vpc_cidr_block"),
                            "description": "to the tasks' ports inside the VPC"},
        })
        mod.blank()
        rules: dict[str, Any] = {}
        tgs: dict[str, Any] = {}
        for i, svc_name in enumerate(lb.services):
            svc = services.get(svc_name)
            if svc is None:
                continue
            port = _port(inputs.services.get(svc_name))
            if port is None:
                m.manual.append(f"{svc_name}: no container port in the snapshot; its target group and listener rule "
                                f"on {lb.name} are not generated (add them with the port).")
                continue
            key = svc_name
            rules[key] = {"priority": 100 + i * 10,
                          "actions": [{"forward": {"target_group_key": key}}],
                          "conditions": [{"host_header": {"values": [Expr(f'var.service_hosts["{svc_name}"]')]}}]}
            tgs[key] = {"name_prefix": "tg-", "protocol": "HTTP", "port": port, "target_type": "ip",
                        "deregistration_delay": Expr(f'local.services["{svc_name}"].deregistration_delay'),
                        "create_attachment": False,
                        "health_check": {"enabled": True, "path": Expr(f'local.services["{svc_name}"].health_check_path'),
                                         "matcher": "200-399", "interval": 15, "healthy_threshold": 2,
                                         "unhealthy_threshold": 3}}
        listeners: dict[str, Any] = {}
        fixed = {"content_type": "text/plain", "message_body": "not found", "status_code": "404"}
        if public:
            listeners["http_redirect"] = {"port": 80, "protocol": "HTTP",
                                          "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}
            listeners["https"] = {"port": 443, "protocol": "HTTPS", "ssl_policy": TLS_POLICY,
                                  "certificate_arn": Expr("var.certificate_arn"), "fixed_response": fixed,
                                  "rules": rules}
        else:
            mod.comment("checkov:skip=CKV_AWS_2:internal load balancer, reachable only from inside the VPC; "
                        "add an HTTPS listener with a private certificate to encrypt service-to-service traffic")
            mod.comment("checkov:skip=CKV_AWS_103:no TLS listener on the internal load balancer (see above)")
            listeners["http"] = {"port": 80, "protocol": "HTTP", "fixed_response": fixed, "rules": rules}
        mod.attr("listeners", listeners)
        mod.attr("target_groups", tgs)
        m.add("load_balancers.tf", mod)


def _cluster(m: RootModule, cluster: ProposedCluster) -> None:
    mod = _module("ecs_cluster", "terraform-aws-modules/ecs/aws//modules/cluster",
                  f"ECS cluster on {cluster.launch} ({cluster.arch}): {cluster.reason}")
    mod.attr("name", Expr("local.cluster_name"))
    mod.attr("setting", [{"name": "containerInsights", "value": "enabled"}])
    mod.blank()
    if cluster.launch == "EC2":
        cp = cluster.capacity_provider
        target = cp.target_capacity_pct if cp else 90
        mod.comment(f"Capacity provider on the Auto Scaling group below, managed scaling at {target}% target capacity")
        mod.attr("autoscaling_capacity_providers", {
            "ec2": {"auto_scaling_group_arn": Expr("module.autoscaling.autoscaling_group_arn"),
                    "managed_draining": "ENABLED", "managed_termination_protection": "ENABLED",
                    "managed_scaling": {"status": "ENABLED", "target_capacity": target,
                                        "maximum_scaling_step_size": 5, "minimum_scaling_step_size": 1}}})
        mod.attr("default_capacity_provider_strategy", {"ec2": {"weight": 1, "base": 0}})
    else:
        mod.attr("default_capacity_provider_strategy", {"FARGATE": {"weight": 100, "base": 0}})
    m.add("ecs.tf", mod)
    if cluster.launch != "EC2":
        return
    ssm = Block("data", ("aws_ssm_parameter", "ecs_ami"))
    ssm.comment(f"The current ECS-optimised Amazon Linux 2023 AMI ({cluster.arch})")
    ssm.attr("name", ECS_AMI_PARAMETER.get(cluster.arch, ECS_AMI_PARAMETER["x86_64"]))
    m.add("ecs.tf", ssm)
    sg = Block("resource", ("aws_security_group", "container_instances"))
    sg.attr("name_prefix", f"{cluster.name}-instances-")
    sg.attr("description", "ECS container instances: no inbound; tasks use their own security groups (awsvpc)")
    _skip(sg, "CKV2_AWS_5", "attached to the instances by module.autoscaling (security_groups)")
    sg.attr("vpc_id", Expr("module.vpc.vpc_id"))
    sg.blank()
    eg = sg.block("egress")
    eg.attr("description", "HTTPS to the ECS, ECR and SSM endpoints")
    eg.attr("from_port", 443).attr("to_port", 443).attr("protocol", "tcp").attr("cidr_blocks", ["0.0.0.0/0"])
    m.add("ecs.tf", sg)
    asg = _module("autoscaling", "terraform-aws-modules/autoscaling/aws",
                  f"{cluster.instance_type} x {cluster.instances} ({cluster.min_instances}-{cluster.max_instances}): "
                  "the model's packing of the right-sized tasks")
    asg.attr("name", Expr('"${local.cluster_name}-ecs"'))
    asg.attr("instance_type", cluster.instance_type)
    asg.attr("image_id", Expr("data.aws_ssm_parameter.ecs_ami.value"))
    asg.attr("min_size", cluster.min_instances)
    asg.attr("max_size", cluster.max_instances)
    asg.attr("desired_capacity", cluster.instances)
    asg.attr("vpc_zone_identifier", Expr("module.vpc.private_subnets"))
    asg.attr("security_groups", [Expr("aws_security_group.container_instances.id")])
    asg.attr("user_data", Expr('base64encode("#!/bin/bash\\necho ECS_CLUSTER=${local.cluster_name} >> '
                               '/etc/ecs/ecs.config\\n")'))
    asg.attr("protect_from_scale_in", True,
             comment="ECS managed termination protection needs scale-in protection on the group")
    asg.attr("ignore_desired_capacity_changes", True)
    asg.attr("health_check_type", "EC2")
    asg.blank()
    asg.attr("create_iam_instance_profile", True)
    asg.attr("iam_role_name", Expr('"${local.cluster_name}-ecs-instance"'))
    asg.attr("iam_role_policies", {
        "AmazonEC2ContainerServiceforEC2Role": "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
        "AmazonSSMManagedInstanceCore": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"})
    asg.attr("metadata_options", {"http_endpoint": "enabled", "http_tokens": "required",
                                  "http_put_response_hop_limit": 1})
    asg.attr("autoscaling_group_tags", {"AmazonECSManaged": "true"})
    m.add("ecs.tf", asg)


def _today_image(inputs: EstateInputs, service: str) -> str:
    """Today's image of a service (its task definition) for the tfvars example, else a placeholder."""
    si = inputs.services.get(service)
    image = si.image if si is not None else None
    return str(image.value) if image is not None else f"ACCOUNT.dkr.ecr.REGION.amazonaws.com/{service}:TAG"


def _services(m: RootModule, arch: ProposedArchitecture, cluster: ProposedCluster, inputs: EstateInputs) -> None:
    if not cluster.services:
        return
    names = [s.name for s in cluster.services]
    _variable(m, "container_images", "map(string)",
              "Image URI each service starts with (the GitHub Actions workflow deploys new ones), for example "
              "{ web = \"123456789012.dkr.ecr.REGION.amazonaws.com/app/web:1.4.2\" }.",
              validation=(f"length(setsubtract({json.dumps(sorted(names))}, keys(var.container_images))) == 0",
                          "container_images needs an image for every service: " + ", ".join(sorted(names)) + "."),
              example={n: _today_image(inputs, n) for n in sorted(names)})
    lb_names = {lb.name: _lb_module_name(arch, lb) for lb in arch.load_balancers if lb.region == cluster.region}
    mod = _module("ecs_service", "terraform-aws-modules/ecs/aws//modules/service",
                  "One ECS service per proposed service (local.services); the deploy workflows register new task "
                  "definitions, so Terraform ignores later revisions.")
    mod.attr("for_each", Expr("local.services"))
    mod.blank()
    mod.attr("name", Expr("each.key"))
    mod.attr("family", Expr('"${local.name}-${each.key}"'), comment="the workflows deploy new revisions of this family")
    mod.attr("cluster_arn", Expr("module.ecs_cluster.arn"))
    mod.attr("cpu", Expr("each.value.cpu"))
    mod.attr("memory", Expr("each.value.memory"))
    mod.attr("desired_count", Expr("each.value.desired"))
    mod.attr("ignore_task_definition_changes", True)
    mod.attr("enable_execute_command", False)
    mod.blank()
    if cluster.launch == "EC2":
        mod.attr("requires_compatibilities", ["EC2"])
        mod.attr("capacity_provider_strategy", {"ec2": {
            "capacity_provider": Expr('module.ecs_cluster.autoscaling_capacity_providers["ec2"].name'),
            "weight": 1, "base": 0}})
    else:
        mod.attr("requires_compatibilities", ["FARGATE"])
        mod.attr("launch_type", "FARGATE")
    mod.attr("runtime_platform", {"cpu_architecture": "ARM64" if cluster.arch == "arm64" else "X86_64",
                                  "operating_system_family": "LINUX"},
             comment=("Graviton: build the images for linux/arm64 (the workflows do)" if cluster.arch == "arm64"
                      else None))
    mod.attr("subnet_ids", Expr("module.vpc.private_subnets"))
    mod.attr("assign_public_ip", False)
    mod.blank()
    mod.attr("deployment_circuit_breaker", {"enable": True, "rollback": True},
             comment="Rolling update with the circuit breaker: a failed deployment rolls back by itself")
    mod.attr("deployment_minimum_healthy_percent", 100)
    mod.attr("deployment_maximum_percent", 200)
    mod.attr("health_check_grace_period_seconds", Expr("each.value.load_balancer == null ? null : 60"),
             comment="60 s for a new task to start before the load balancer's health check counts against it")
    mod.blank()
    mod.attr("enable_autoscaling", True)
    mod.attr("autoscaling_min_capacity", Expr("each.value.min"))
    mod.attr("autoscaling_max_capacity", Expr("each.value.max"))
    mod.attr("autoscaling_policies", {"cpu": {
        "policy_type": "TargetTrackingScaling",
        "target_tracking_scaling_policy_configuration": {
            "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
            "target_value": Expr("each.value.target_cpu_pct"),
            "scale_in_cooldown": 300, "scale_out_cooldown": 60}}})
    mod.blank()
    mod.attr("container_definitions", {Expr("each.value.container_name"): Call("merge", (
        Expr("local.container_defaults"),
        {"image": Expr("var.container_images[each.key]"), "portMappings": Expr("each.value.port_mappings")}))})
    mod.blank()
    mod.attr("load_balancer", Expr("local.service_load_balancers[each.key]"))
    mod.attr("security_group_ingress_rules", Expr("local.service_ingress[each.key]"))
    mod.attr("security_group_egress_rules", {
        "https": {"description": "HTTPS to AWS APIs, ECR and the internet (through the NAT gateways)",
                  "ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"},
        "in_vpc": {"description": "the internal load balancer and the data stores, inside the VPC",
                   "ip_protocol": "tcp", "from_port": 0, "to_port": 65535,
                   "cidr_ipv4": Expr("module.vpc.vpc_cidr_block")}})
    m.add("services.tf", mod)
    wiring = Block("locals")
    wiring.comment("Which target group and load balancer security group each service is wired to ({} for a service\n"
                   "without a load balancer or a known port)")
    lbs: dict[str, Value] = {}
    ingress: dict[str, Value] = {}
    for s in cluster.services:
        mod_name = lb_names.get(s.load_balancer)
        si = inputs.services.get(s.name)
        port = _port(si)
        if not mod_name or port is None or si is None:
            lbs[s.name], ingress[s.name] = {}, {}
            continue
        lbs[s.name] = {"service": {"target_group_arn": Expr(f'module.{mod_name}.target_groups["{s.name}"].arn'),
                                   "container_name": si.container_name.value, "container_port": port}}
        ingress[s.name] = {"from_load_balancer": {
            "description": f"from {s.load_balancer}", "ip_protocol": "tcp", "from_port": port, "to_port": port,
            "referenced_security_group_id": Expr(f"module.{mod_name}.security_group_id")}}
    wiring.attr("service_load_balancers", lbs)
    wiring.attr("service_ingress", ingress)
    m.add("services.tf", wiring)
    loc = Block("locals")
    loc.comment("What every container gets: logs in CloudWatch, a read-only root file system (mount a volume for\n"
                "anything the application writes), no privileged mode.")
    loc.attr("container_defaults", {"essential": True, "readonlyRootFilesystem": True, "privileged": False,
                                    "enable_cloudwatch_logging": True,
                                    "cloudwatch_log_group_retention_in_days": 30})
    m.add("services.tf", loc)
    m.services.extend(names)


def _store_sg(m: RootModule, region_stores: list[ProposedDatastore], inputs: EstateInputs,
              cluster: ProposedCluster | None) -> None:
    """The data stores' security group in the new VPC, admitting each service only on the ports of the
    stores its security groups show it reaching today (:mod:`awsassess.facts.access`)."""
    if cluster is None or not cluster.services:
        return
    names = sorted(s.name for s in cluster.services)
    store_ids = {d.id for d in region_stores} | {inputs.stores[d.id].cluster_id for d in region_stores
                                                  if d.id in inputs.stores and inputs.stores[d.id].cluster_id}
    access = [a for k, a in sorted(inputs.access.items()) if k in store_ids and a.port is not None]
    ports_of = {d.id: ENGINE_PORTS.get(d.engine) for d in region_stores}
    if not access and not any(ports_of.values()):
        return
    pairs: dict[tuple[str, int], list[str]] = {}
    blind: list[str] = []
    for a in access:
        assert a.port is not None
        clients = names if a.clients is None else sorted(c for c in a.clients if c in names)
        if a.clients is None:
            blind.append(a.store)
        for c in clients:
            pairs.setdefault((c, a.port), []).append(a.store)
    known = {a.store for a in access}
    for d in region_stores:  # stores the access facts do not know (no row): not observable
        port = ports_of.get(d.id)
        if port and d.id not in known and (inputs.stores.get(d.id) is None or
                                           inputs.stores[d.id].cluster_id not in known):
            blind.append(d.id)
            for c in names:
                pairs.setdefault((c, port), []).append(d.id)
    sg = Block("resource", ("aws_security_group", "datastores"))
    sg.comment("The data stores' security group in the new VPC: attach it when each store moves (wave 'Data stores');\n"
               "it admits each service only on the ports of the stores it reaches today (local.datastore_access).")
    sg.attr("name_prefix", Expr('"${local.name}-datastores-"'))
    sg.attr("description", "Data stores: only the ECS services that use them, on the engine ports")
    _skip(sg, "CKV2_AWS_5", "attached to each data store when it moves into the new VPC (wave 'Data stores')")
    sg.attr("vpc_id", Expr("module.vpc.vpc_id"))
    m.add("datastores.tf", sg)
    loc = Block("locals")
    loc.comment("Service -> data-store port pairs: from today's security groups (a store's group admits the service's\n"
                "group, or a CIDR holding its subnets, on the port)"
                + (f"; stores whose groups are not in the snapshot ({', '.join(sorted(set(blind)))}) admit every "
                   "service: narrow them" if blind else ""))
    entries: dict[str, Value] = {}
    for (svc, port), stores in sorted(pairs.items()):
        e = Block("_")
        e.comment(f"reaches {', '.join(sorted(set(stores)))}")
        e.attr("service", svc).attr("port", port)
        entries[f"{svc}-{port}"] = e
    loc.attr("datastore_access", entries)
    m.add("datastores.tf", loc)
    m.datastore_pairs = sorted(pairs)
    if entries:
        rule = Block("resource", ("aws_vpc_security_group_ingress_rule", "datastores"))
        rule.attr("for_each", Expr("local.datastore_access"))
        rule.blank()
        rule.attr("security_group_id", Expr("aws_security_group.datastores.id"))
        rule.attr("referenced_security_group_id", Expr("module.ecs_service[each.value.service].security_group_id"))
        rule.attr("ip_protocol", "tcp")
        rule.attr("from_port", Expr("each.value.port"))
        rule.attr("to_port", Expr("each.value.port"))
        rule.attr("description", Expr('"${each.value.service} to port ${each.value.port}"'))
        m.add("datastores.tf", rule)
    if blind:
        m.manual.append(f"The security groups of {', '.join(sorted(set(blind)))} are not in the snapshot, so which "
                        "service reaches them is unknown: every service may reach their ports. Narrow "
                        "local.datastore_access to the services that use them.")
    unused = [a.store for a in access if a.clients is not None and not a.clients]
    if unused:
        m.manual.append(f"No service's security group reaches {', '.join(sorted(unused))} today (access from "
                        "outside ECS, or through rules awsassess does not read): check who uses them before the move.")


def _import(m: RootModule, address: str, identifier: str, what: str) -> Block:
    imp = Block("import")
    imp.attr("to", Expr(address))
    imp.attr("id", identifier)
    m.imports.append((address, identifier, what))
    return imp


def _skip(b: Block, check_id: str, reason: str) -> None:
    """A checkov suppression with its reason, as a comment in the block (reviewed like the code)."""
    b.comment(f"checkov:skip={check_id}:{reason}")


SINGLE_AZ = ("no standby or automatic failover outside production: the plan's choice (a standby costs as much as "
             "the primary); production keeps Multi-AZ")
KEPT_AS_TODAY = "imported as it is today; not part of this migration (review it with the security findings)"


def _lifecycle(b: Block, ignore: list[str]) -> None:
    b.blank()
    lc = b.block("lifecycle")
    lc.attr("prevent_destroy", True)
    if ignore:
        lc.attr("ignore_changes", [Expr(x) for x in ignore])


def _datastores(m: RootModule, arch: ProposedArchitecture, region: str, inputs: EstateInputs,
                findings: dict[str, list[str]], production: bool) -> None:
    stores = [d for d in arch.datastores if d.region == region]
    docdb_clusters: dict[str, list[ProposedDatastore]] = {}
    aurora_clusters: dict[str, list[ProposedDatastore]] = {}
    for d in stores:
        si = inputs.stores.get(d.id)
        why = f"{d.reason}{_evidence(findings, d.id, *(d.replaces or []))}{_price(m, d.id)}"
        if d.kind == "docdb":
            docdb_clusters.setdefault(si.cluster_id if si and si.cluster_id else d.id, []).append(d)
            continue
        if d.kind == "aurora":
            aurora_clusters.setdefault(si.cluster_id if si and si.cluster_id else d.id, []).append(d)
            continue
        name = tf_name(d.id)
        if d.kind == "rds":
            r = Block("resource", ("aws_db_instance", name))
            r.comment(why)
            r.attr("identifier", d.id)
            r.attr("engine", d.engine)
            r.attr("instance_class", d.proposed_class, comment=f"today {d.current_class}" if
                   d.proposed_class != d.current_class else None)
            if si and si.allocated_gb:
                r.attr("allocated_storage", int(si.allocated_gb))
            r.attr("storage_type", d.storage_type or "gp3",
                   comment=f"today {d.current_storage_type}" if d.storage_type != d.current_storage_type else None)
            r.attr("multi_az", d.multi_az,
                   comment=("Multi-AZ kept in production: a failover takes about a minute" if d.multi_az else
                            "Single-AZ outside production (today Multi-AZ)" if d.current_multi_az else None))
            r.attr("storage_encrypted", True, comment="checked on import: a plan that wants to change it means "
                   "today's instance is unencrypted (a snapshot-copy-restore, not an in-place change)")
            r.attr("deletion_protection", True)
            r.attr("copy_tags_to_snapshot", True)
            r.attr("skip_final_snapshot", False)
            r.attr("final_snapshot_identifier", f"{d.id}-final")
            for check, what in (("CKV_AWS_353", "Performance Insights"), ("CKV_AWS_118", "enhanced monitoring"),
                                ("CKV_AWS_129", "log exports"), ("CKV2_AWS_30", "query logging"),
                                ("CKV_AWS_161", "IAM authentication"),
                                ("CKV_AWS_226", "automatic minor upgrades")):
                _skip(r, check, f"{what}: {KEPT_AS_TODAY}")
            if not d.multi_az:
                _skip(r, "CKV_AWS_157", SINGLE_AZ)
            r.attr("apply_immediately", False, comment="changes wait for the maintenance window; set true in the "
                   "change window of the data-store wave")
            _lifecycle(r, ["engine_version", "db_subnet_group_name", "vpc_security_group_ids", "parameter_group_name",
                           "password", "username"])
            m.add("datastores.tf", _import(m, f"aws_db_instance.{name}", d.id, f"RDS {d.engine} instance"), r)
        elif d.kind == "elasticache":
            if si is not None and si.replication_group:
                r = Block("resource", ("aws_elasticache_replication_group", name))
                r.comment(why)
                r.attr("replication_group_id", d.id)
                r.attr("description", si.description or f"{d.id} (imported)")
                r.attr("engine", d.engine, comment=f"today {d.current_engine}: in-place engine upgrade" if
                       d.engine != d.current_engine else None)
                if d.engine == "valkey" and d.current_engine != "valkey":
                    r.attr("engine_version", "7.2", comment="Valkey 7.2 is the in-place target for Redis OSS 5.0.6-7.x")
                r.attr("node_type", d.proposed_class, comment=f"today {d.current_class}" if
                       d.proposed_class != d.current_class else None)
                r.attr("num_cache_clusters", d.nodes)
                r.attr("automatic_failover_enabled", d.nodes > 1)
                r.attr("multi_az_enabled", d.multi_az)
                r.attr("apply_immediately", False)
                for check in ("CKV_AWS_29", "CKV_AWS_30", "CKV_AWS_31", "CKV_AWS_191"):
                    _skip(r, check, "encryption at rest cannot change in place and in transit needs the clients' "
                          f"change: {KEPT_AS_TODAY}")
                if not d.multi_az:
                    _skip(r, "CKV2_AWS_50", SINGLE_AZ)
                _lifecycle(r, ["subnet_group_name", "security_group_ids", "parameter_group_name", "auth_token",
                               "at_rest_encryption_enabled", "transit_encryption_enabled"]
                           + (["engine_version"] if d.engine == d.current_engine else []))
                m.add("datastores.tf", _import(m, f"aws_elasticache_replication_group.{name}", d.id,
                                               f"ElastiCache {d.current_engine} replication group"), r)
            else:
                r = Block("resource", ("aws_elasticache_cluster", name))
                r.comment(why)
                r.attr("cluster_id", d.id)
                r.attr("engine", d.current_engine)
                r.attr("node_type", d.proposed_class)
                r.attr("num_cache_nodes", max(d.nodes, 1))
                r.attr("apply_immediately", False)
                for check, what in (("CKV_AWS_134", "automatic backups"), ("CKV_AWS_323", "subnet group")):
                    _skip(r, check, f"{what}: {KEPT_AS_TODAY}")
                _lifecycle(r, ["subnet_group_name", "security_group_ids", "parameter_group_name", "engine_version"])
                if d.engine != d.current_engine:
                    m.manual.append(f"{d.id}: a standalone cache cluster cannot change engine in place; create a "
                                    f"{d.engine} replication group from a backup, then delete it.")
                m.add("datastores.tf", _import(m, f"aws_elasticache_cluster.{name}", d.id,
                                               f"ElastiCache {d.current_engine} cluster"), r)
        elif d.kind == "dynamodb":
            _dynamodb(m, d, si, why)
        else:
            m.manual.append(f"{d.kind} {d.id}: not expressed by the generator; manage it as today.")
    for cluster_id, members in sorted(docdb_clusters.items()):
        _docdb(m, cluster_id, members, findings)
    for cluster_id, members in sorted(aurora_clusters.items()):
        _aurora(m, cluster_id, members, inputs, findings)


def _dynamodb(m: RootModule, d: ProposedDatastore, si: Any, why: str) -> None:
    name = tf_name(d.id)
    keys = (si.key_schema if si else None) or {}
    attrs = keys.get("attributes") or {}
    if not keys.get("hash_key") or not all(attrs.get(k) for k in (keys.get("hash_key"), keys.get("range_key")) if k):
        m.manual.append(f"DynamoDB {d.id}: the snapshot has no key schema (collected before awsassess recorded it); "
                        f"re-collect, or import it by hand: {d.current_mode or '?'} -> {d.mode} ({d.proposed_class}).")
        return
    r = Block("resource", ("aws_dynamodb_table", name))
    r.comment(why)
    r.attr("name", d.id)
    r.attr("billing_mode", d.mode, comment=f"today {d.current_mode}" if d.mode != d.current_mode else None)
    provisioned = d.mode == "PROVISIONED"
    rcu = wcu = None
    if provisioned and "RCU" in d.proposed_class:
        parts = d.proposed_class.replace("/", " ").split()
        rcu, wcu = int(parts[0]), int(parts[2])
        r.attr("read_capacity", rcu).attr("write_capacity", wcu)
    r.attr("hash_key", keys["hash_key"])
    if keys.get("range_key"):
        r.attr("range_key", keys["range_key"])
    r.attr("deletion_protection_enabled", True)
    _skip(r, "CKV_AWS_119", f"encryption key (AWS owned unless set otherwise): {KEPT_AS_TODAY}")
    if not provisioned:
        _skip(r, "CKV2_AWS_16", "on-demand capacity: nothing to auto scale")
    for attr in [keys["hash_key"], *([keys["range_key"]] if keys.get("range_key") else [])]:
        r.blank()
        a = r.block("attribute")
        a.attr("name", attr).attr("type", attrs[attr])
    r.blank()
    pitr = r.block("point_in_time_recovery")
    pitr.attr("enabled", True)
    ignore = ["global_secondary_index", "attribute"] if (si and si.gsi_count) else []
    if provisioned:
        ignore += ["read_capacity", "write_capacity"]  # auto scaling moves them
    _lifecycle(r, ignore)
    m.add("datastores.tf", _import(m, f"aws_dynamodb_table.{name}", d.id, "DynamoDB table"), r)
    if si and si.gsi_count:
        m.manual.append(f"DynamoDB {d.id}: {si.gsi_count} global secondary index(es) are left as they are "
                        "(ignored by Terraform); add them to the configuration to manage them.")
    if provisioned and rcu is not None and wcu is not None:
        for dim, unit, lo in (("read", "ReadCapacityUnits", rcu), ("write", "WriteCapacityUnits", wcu)):
            t = Block("resource", ("aws_appautoscaling_target", f"{name}_{dim}"))
            t.attr("service_namespace", "dynamodb")
            t.attr("resource_id", Expr(f'"table/${{aws_dynamodb_table.{name}.name}}"'))
            t.attr("scalable_dimension", f"dynamodb:table:{unit}")
            t.attr("min_capacity", lo)
            t.attr("max_capacity", max(lo * 10, 10))
            p = Block("resource", ("aws_appautoscaling_policy", f"{name}_{dim}"))
            p.attr("name", f"{d.id}-{dim}")
            p.attr("policy_type", "TargetTrackingScaling")
            p.attr("service_namespace", Expr(f"aws_appautoscaling_target.{name}_{dim}.service_namespace"))
            p.attr("resource_id", Expr(f"aws_appautoscaling_target.{name}_{dim}.resource_id"))
            p.attr("scalable_dimension", Expr(f"aws_appautoscaling_target.{name}_{dim}.scalable_dimension"))
            p.blank()
            cfg = p.block("target_tracking_scaling_policy_configuration")
            cfg.attr("target_value", 70)
            cfg.blank()
            spec = cfg.block("predefined_metric_specification")
            spec.attr("predefined_metric_type", f"DynamoDB{dim.capitalize()}CapacityUtilization")
            m.add("datastores.tf", t, p)


def _docdb(m: RootModule, cluster_id: str, members: list[ProposedDatastore], findings: dict[str, list[str]]) -> None:
    name = tf_name(cluster_id)
    c = Block("resource", ("aws_docdb_cluster", name))
    c.comment(f"DocumentDB cluster {cluster_id}{_evidence(findings, cluster_id)}")
    c.attr("cluster_identifier", cluster_id)
    c.attr("engine", "docdb")
    c.attr("storage_encrypted", True)
    c.attr("deletion_protection", True)
    c.attr("skip_final_snapshot", False)
    c.attr("final_snapshot_identifier", f"{cluster_id}-final")
    for check, what in (("CKV_AWS_85", "log exports"), ("CKV_AWS_360", "backup retention"),
                        ("CKV_AWS_182", "encryption key")):
        _skip(c, check, f"{what}: {KEPT_AS_TODAY}")
    _lifecycle(c, ["engine_version", "db_subnet_group_name", "vpc_security_group_ids", "master_password",
                   "master_username", "db_cluster_parameter_group_name", "availability_zones"])
    m.add("datastores.tf", _import(m, f"aws_docdb_cluster.{name}", cluster_id, "DocumentDB cluster"), c)
    for d in sorted(members, key=lambda x: x.id):
        if not d.nodes:
            m.manual.append(f"DocumentDB {d.id}: the plan removes this instance ({d.reason}); delete it after the "
                            "cluster's snapshot, outside Terraform (it is not imported).")
            continue
        iname = tf_name(d.id)
        i = Block("resource", ("aws_docdb_cluster_instance", iname))
        i.comment(d.reason + _price(m, d.id))
        i.attr("identifier", d.id)
        i.attr("cluster_identifier", Expr(f"aws_docdb_cluster.{name}.id"))
        i.attr("instance_class", d.proposed_class, comment=f"today {d.current_class}" if
               d.proposed_class != d.current_class else None)
        i.attr("apply_immediately", False)
        _lifecycle(i, ["availability_zone", "promotion_tier"])
        m.add("datastores.tf", _import(m, f"aws_docdb_cluster_instance.{iname}", d.id, "DocumentDB instance"), i)


def _aurora(m: RootModule, cluster_id: str, members: list[ProposedDatastore], inputs: EstateInputs,
            findings: dict[str, list[str]]) -> None:
    name = tf_name(cluster_id)
    engine = members[0].engine
    c = Block("resource", ("aws_rds_cluster", name))
    c.comment(f"Aurora cluster {cluster_id}{_evidence(findings, cluster_id)}")
    c.attr("cluster_identifier", cluster_id)
    c.attr("engine", engine)
    c.attr("storage_encrypted", True)
    c.attr("deletion_protection", True)
    c.attr("skip_final_snapshot", False)
    c.attr("final_snapshot_identifier", f"{cluster_id}-final")
    c.attr("copy_tags_to_snapshot", True)
    for check, what in (("CKV_AWS_162", "IAM authentication"), ("CKV_AWS_324", "log exports"),
                        ("CKV_AWS_327", "encryption key"), ("CKV_AWS_313", "IAM authentication"),
                        ("CKV_AWS_139", "deletion protection as today"), ("CKV_AWS_128", "IAM authentication"),
                        ("CKV_AWS_96", "encryption as today"), ("CKV2_AWS_8", "backup plan"),
                        ("CKV2_AWS_27", "query logging")):
        _skip(c, check, f"{what}: {KEPT_AS_TODAY}")
    _lifecycle(c, ["engine_version", "db_subnet_group_name", "vpc_security_group_ids", "master_password",
                   "master_username", "db_cluster_parameter_group_name", "availability_zones", "engine_mode"])
    m.add("datastores.tf", _import(m, f"aws_rds_cluster.{name}", cluster_id, f"Aurora ({engine}) cluster"), c)
    for d in sorted(members, key=lambda x: x.id):
        iname = tf_name(d.id)
        i = Block("resource", ("aws_rds_cluster_instance", iname))
        i.comment(d.reason + _price(m, d.id))
        i.attr("identifier", d.id)
        i.attr("cluster_identifier", Expr(f"aws_rds_cluster.{name}.id"))
        i.attr("engine", Expr(f"aws_rds_cluster.{name}.engine"))
        i.attr("instance_class", d.proposed_class)
        i.attr("apply_immediately", False)
        for check, what in (("CKV_AWS_353", "Performance Insights"), ("CKV_AWS_118", "enhanced monitoring"),
                            ("CKV_AWS_226", "automatic minor upgrades")):
            _skip(i, check, f"{what}: {KEPT_AS_TODAY}")
        _lifecycle(i, ["availability_zone", "promotion_tier", "db_subnet_group_name", "db_parameter_group_name"])
        m.add("datastores.tf", _import(m, f"aws_rds_cluster_instance.{iname}", d.id, "Aurora instance"), i)


def _github(m: RootModule, arch: ProposedArchitecture, cluster: ProposedCluster | None, *, primary: bool,
            multi_region: bool) -> None:
    """ECR, the GitHub OIDC provider (account-wide: created by the first region's module, read by the
    others) and one deploy role per service."""
    if cluster is None or not cluster.services or arch.pipelines is None:
        return
    names = sorted(s.name for s in cluster.services)
    _variable(m, "github_repositories", "map(string)",
              "GitHub repository (owner/name) that builds and deploys each service, for example "
              "{ web = \"acme/web\" }; its workflow may assume only that service's deploy role.",
              validation=(f"length(setsubtract({json.dumps(names)}, keys(var.github_repositories))) == 0 && alltrue("
                          "[for r in values(var.github_repositories) : can(regex(\"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$\", r))])",
                          "github_repositories needs owner/name for every service: " + ", ".join(names) + "."),
              example={s: f"your-org/{s}" for s in names})
    _variable(m, "github_environment", "string",
              "GitHub environment the deploy jobs run in; the deploy roles trust only that environment.",
              default=arch.environment or "production", client=False)
    ecr = Block("resource", ("aws_ecr_repository", "service"))
    ecr.comment("One image repository per service: immutable tags, scanned on push, encrypted")
    ecr.attr("for_each", Expr("local.services"))
    ecr.blank()
    ecr.attr("name", Expr('"${local.name}/${each.key}"'))
    ecr.attr("image_tag_mutability", "IMMUTABLE_WITH_EXCLUSION",
             comment="tags are immutable except the build cache tag, which every build overwrites")
    _skip(ecr, "CKV_AWS_51", "immutable tags except buildcache* (IMMUTABLE_WITH_EXCLUSION, below)")
    ecr.blank()
    ex = ecr.block("image_tag_mutability_exclusion_filter")
    ex.attr("filter", "buildcache*").attr("filter_type", "WILDCARD")
    ecr.blank()
    scan = ecr.block("image_scanning_configuration")
    scan.attr("scan_on_push", True)
    ecr.blank()
    enc = ecr.block("encryption_configuration")
    enc.attr("encryption_type", "KMS")
    m.add("github.tf", ecr)
    if primary:
        oidc = Block("resource", ("aws_iam_openid_connect_provider", "github"))
        oidc.comment("GitHub Actions signs in with OIDC: no long-lived AWS keys in GitHub"
                     + (" (account-wide: the other regions' modules read it)" if multi_region else ""))
        oidc.attr("url", "https://token.actions.githubusercontent.com")
        oidc.attr("client_id_list", ["sts.amazonaws.com"])
    else:
        oidc = Block("data", ("aws_iam_openid_connect_provider", "github"))
        oidc.comment("The GitHub OIDC provider is account-wide: the first region's module creates it (apply it first)")
        oidc.attr("url", "https://token.actions.githubusercontent.com")
    m.add("github.tf", oidc)
    provider_arn = ("aws_iam_openid_connect_provider.github.arn" if primary
                    else "data.aws_iam_openid_connect_provider.github.arn")
    role = Block("resource", ("aws_iam_role", "deploy"))
    role.comment("One deploy role per service, assumable only by its repository's workflow in the GitHub environment")
    role.attr("for_each", Expr("local.services"))
    role.blank()
    role.attr("name", Expr('"${local.name}-${var.region}-deploy-${each.key}"' if multi_region
                           else '"${local.name}-deploy-${each.key}"'))
    role.attr("assume_role_policy", Call("jsonencode", ({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": Expr(provider_arn)},
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                 "token.actions.githubusercontent.com:sub": Expr(
                                     '"repo:${var.github_repositories[each.key]}:environment:${var.github_environment}"')},
            }}]},)))
    m.add("github.tf", role)
    pol = Block("resource", ("aws_iam_role_policy", "deploy"))
    pol.attr("for_each", Expr("local.services"))
    pol.blank()
    pol.attr("name", "deploy")
    pol.attr("role", Expr("aws_iam_role.deploy[each.key].id"))
    pol.attr("policy", Call("jsonencode", ({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
            {"Sid": "PushImage", "Effect": "Allow",
             "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
                        "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage",
                        "ecr:UploadLayerPart"],
             "Resource": Expr("aws_ecr_repository.service[each.key].arn")},
            {"Sid": "TaskDefinitions", "Effect": "Allow",
             "Action": ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"], "Resource": "*"},
            {"Sid": "Deploy", "Effect": "Allow", "Action": ["ecs:DescribeServices", "ecs:UpdateService"],
             "Resource": Expr("module.ecs_service[each.key].id")},
            {"Sid": "PassTaskRoles", "Effect": "Allow", "Action": ["iam:PassRole"],
             "Resource": [Expr("module.ecs_service[each.key].task_exec_iam_role_arn"),
                          Expr("module.ecs_service[each.key].tasks_iam_role_arn")]},
        ]},)))
    m.add("github.tf", pol)


def _outputs(m: RootModule, arch: ProposedArchitecture, region: str, cluster: ProposedCluster | None) -> None:
    def out(name: str, value: Value, description: str) -> None:
        o = Block("output", (name,))
        o.attr("description", description)
        o.attr("value", value)
        m.add("outputs.tf", o)

    if cluster is not None and any(v.region == region for v in arch.vpcs):
        out("vpc_id", Expr("module.vpc.vpc_id"), "The new VPC")
        out("private_subnets", Expr("module.vpc.private_subnets"), "Private subnets (tasks, data stores after the move)")
    for lb in arch.load_balancers:
        if lb.region == region and cluster is not None:
            name = _lb_module_name(arch, lb)
            out(f"{name}_dns_name", Expr(f"module.{name}.dns_name"),
                f"DNS name of {lb.name}: point the host names (Route 53 alias or CNAME) at it, wave by wave")
    if cluster is not None:
        out("cluster_name", Expr("module.ecs_cluster.name"), "The ECS cluster")
        if cluster.services and arch.pipelines is not None:
            out("deploy_role_arns", Expr("{ for k, r in aws_iam_role.deploy : k => r.arn }"),
                "Role each service's workflow assumes")
            out("ecr_repositories", Expr("{ for k, r in aws_ecr_repository.service : k => r.repository_url }"),
                "Image repository of each service")


def _findings_by_resource(findings: list[Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in findings:
        rule = getattr(f, "rule_id", None) or (f.get("rule_id") if isinstance(f, dict) else None)
        ids = getattr(f, "resource_ids", None) or (f.get("resource_ids") if isinstance(f, dict) else None) or []
        for rid in ids:
            out.setdefault(str(rid), []).append(str(rule))
    return out


def changed(d: ProposedDatastore) -> bool:
    """The plan changes this data store (class, engine, capacity mode, storage, nodes or Multi-AZ)."""
    return (d.proposed_class != d.current_class or d.engine != d.current_engine or d.mode != d.current_mode
            or d.storage_type != d.current_storage_type or d.nodes != d.current_nodes
            or d.multi_az != d.current_multi_az)


def _has_work(arch: ProposedArchitecture, region: str) -> bool:
    """The region has services to move or data stores the plan changes (a proposal with neither, e.g. an
    account with no ECS service and one VPC, has nothing to migrate)."""
    return (any(c.region == region and c.services for c in arch.clusters)
            or any(d.region == region and changed(d) for d in arch.datastores))


def root_modules(arch: ProposedArchitecture, inputs: EstateInputs, waves: list[MigrationWave],
                 findings: list[Any] | None = None, *, production: bool = False,
                 monthly: dict[str, float] | None = None) -> list[RootModule]:
    """One :class:`RootModule` per region the proposal covers (none when there is nothing to build);
    ``monthly``: the cost model's proposed $/month per resource id, cited in the comments."""
    by_resource = _findings_by_resource(findings or [])
    out = []
    regions = arch.regions or sorted({v.region for v in arch.vpcs})
    building = [r for r in regions if _has_work(arch, r)]
    for region in building:
        cluster = next((c for c in arch.clusters if c.region == region and c.services), None)
        m = RootModule(region, prices=dict(monthly or {}))
        _versions(m)
        _providers(m, arch)
        _variable(m, "region", "string", "Region of this root module (from the snapshot).", default=region,
                  client=False)
        _variable(m, "tags", "map(string)", "Tags added to every resource (on top of Environment, ManagedBy, Source).",
                  default={}, client=False)
        services = {s.name: s for s in (cluster.services if cluster else [])}
        _locals(m, arch, cluster, inputs, by_resource)
        if cluster is not None:  # a new VPC only carries services: none here, no network to build
            _network(m, arch, region)
            _load_balancers(m, arch, region, services, inputs, production)
        if cluster is not None:
            _cluster(m, cluster)
            _services(m, arch, cluster, inputs)
        _store_sg(m, [d for d in arch.datastores if d.region == region], inputs, cluster)
        _datastores(m, arch, region, inputs, by_resource, production)
        primary = region == next((r for r in building if any(c.region == r and c.services for c in arch.clusters)),
                                 None)
        _github(m, arch, cluster, primary=primary, multi_region=len(building) > 1)
        _outputs(m, arch, region, cluster)
        out.append(m)
    return out


__all__ = ["AWS_PROVIDER", "TERRAFORM_VERSION", "RootModule", "changed", "deploy_role_name", "root_modules", "schema"]
