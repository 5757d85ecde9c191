"""A synthetic large estate for collector pagination tests and benchmarks.

``estate="scale:{json}"`` with per-region counts (defaults in :data:`DEFAULTS`)::

    {"regions": ["us-east-1"], "vpcs": 25, "subnets": 250, "ecs_services": 120, "load_balancers": 12,
     "databases": 25, "stacks": 60}

Everything lives in account :data:`SCALE_ACCOUNT` (role ``AssessmentReadOnly`` like the fintech
accounts). VPCs, subnets and ECS services are created in moto's backends directly (the API path
serves ~100-200 calls/s); load balancers, databases and stacks go through the APIs.
"""

from __future__ import annotations

import time
from typing import Any

from awsassess.demo.seedkit import Seeder, tag_list
from awsassess.demo.sim.ec2 import bulk_create_network
from awsassess.demo.sim.ecs import bulk_create_ecs

SCALE_ACCOUNT = "333333333333"
DEFAULTS: dict[str, Any] = {"regions": ["us-east-1"], "vpcs": 25, "subnets": 250, "ecs_services": 120,
                            "load_balancers": 12, "databases": 25, "stacks": 60}
_STACK_TEMPLATE = ('{"AWSTemplateFormatVersion": "2010-09-09", "Description": "scale estate stack %s", '
                   '"Resources": {"Parameter": {"Type": "AWS::SSM::Parameter", "Properties": '
                   '{"Name": "/scale/%s", "Type": "String", "Value": "%s"}}}}')


def parse_params(params: dict[str, Any]) -> dict[str, Any]:
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"scale estate: unknown parameter(s) {sorted(unknown)}; allowed: {sorted(DEFAULTS)}")
    merged = {**DEFAULTS, **params}
    for key, value in merged.items():
        if key == "regions":
            if not isinstance(value, list) or not value:
                raise ValueError("scale estate: 'regions' must be a non-empty list, e.g. [\"us-east-1\"]")
        elif not isinstance(value, int) or value < 0:
            raise ValueError(f"scale estate: {key!r} must be a non-negative integer, got {value!r}")
    if merged["subnets"] and not merged["vpcs"]:
        raise ValueError("scale estate: 'subnets' needs at least one VPC ('vpcs' >= 1)")
    return merged


def seed_scale(endpoint_url: str, params: dict[str, Any]) -> dict[str, float]:
    from awsassess.demo.seed import seed_audit_role
    from awsassess.demo.seedkit import AccountState

    p = parse_params(params)
    seeder = Seeder(endpoint_url)
    timings: dict[str, float] = {}
    start, cpu = time.perf_counter(), time.process_time()

    def phase(name: str, fn: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        result = fn(*args)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
        return result

    from awsassess.demo.estate import PRODUCTION

    pseudo = AccountState(PRODUCTION)
    pseudo.spec = type(PRODUCTION)(**{**PRODUCTION.__dict__, "account_id": SCALE_ACCOUNT, "name": "scale"})
    phase("iam", seed_audit_role, seeder, pseudo)
    for region in p["regions"]:
        ec2 = seeder.client("ec2", SCALE_ACCOUNT, region)
        azs = [z["ZoneName"] for z in phase("network", ec2.describe_availability_zones)["AvailabilityZones"]][:3]
        network = phase("network", bulk_create_network, SCALE_ACCOUNT, region, p["vpcs"], p["subnets"],
                        azs, "scale") if p["vpcs"] else []
        phase("ecs", bulk_create_ecs, SCALE_ACCOUNT, region, p["ecs_services"], 40, "scale",
              seeder.days_ago(30))
        phase("load_balancers", _load_balancers, seeder, region, network, p["load_balancers"])
        phase("databases", _databases, seeder, region, p["databases"])
        phase("stacks", _stacks, seeder, region, p["stacks"])
    timings["total"] = time.perf_counter() - start
    timings["total_cpu"] = time.process_time() - cpu
    return {k: round(v, 3) for k, v in timings.items()}


def _load_balancers(seeder: Seeder, region: str, network: list[tuple[str, list[str]]], count: int) -> None:
    elb = seeder.client("elbv2", SCALE_ACCOUNT, region)
    usable = [(vpc, subnets) for vpc, subnets in network if len(subnets) >= 2]
    for i in range(count if usable else 0):
        vpc, subnets = usable[i % len(usable)]
        lb = elb.create_load_balancer(Name=f"scale-lb-{i:03d}", Subnets=subnets[:2], Scheme="internal",
                                      Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
        tg = elb.create_target_group(Name=f"scale-tg-{i:03d}", Protocol="HTTP", Port=80, VpcId=vpc,
                                     TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])


def _databases(seeder: Seeder, region: str, count: int) -> None:
    rds = seeder.client("rds", SCALE_ACCOUNT, region)
    for i in range(count):
        rds.create_db_instance(DBInstanceIdentifier=f"scale-db-{i:03d}", DBInstanceClass="db.t3.medium",
                               Engine="postgres", AllocatedStorage=20, MasterUsername="scale",
                               MasterUserPassword="scale-password-1")


def _stacks(seeder: Seeder, region: str, count: int) -> None:
    cfn = seeder.client("cloudformation", SCALE_ACCOUNT, region)
    for i in range(count):
        svc = f"svc-{i:03d}"
        cfn.create_stack(StackName=f"scale-{svc}", TemplateBody=_STACK_TEMPLATE % (svc, svc, svc), Tags=tag_list(
            {"copilot-application": "scale", "copilot-environment": "test", "copilot-service": svc}))
