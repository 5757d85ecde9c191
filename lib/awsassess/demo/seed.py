"""Seed an estate into a fresh server: the fintech case (both accounts) or a synthetic scale estate.

Order matters for determinism: moto's id generator is seeded (``/moto-api/seed?a=42``) on the fresh
server, then every create call runs sequentially in a fixed order, so two fresh servers produce
the same ids.
"""

from __future__ import annotations

import json
import random
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from awsassess.demo.estate import (
    ACCOUNTS,
    AUDIT_EXTERNAL_ID,
    AUDIT_ROLE_NAME,
    ORGANIZATION_MANAGEMENT_ACCOUNT,
    AccountSpec,
)
from awsassess.demo.seedkit import AccountState, Seeder

SEED = 42
Phase = Callable[[Seeder, AccountState], None]


def _post(endpoint_url: str, path: str, body: Any = None) -> None:
    data = json.dumps(body).encode() if body is not None else b""
    req = urllib.request.Request(endpoint_url + path, data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()


def prepare_server(endpoint_url: str, seed: int = SEED) -> None:
    """Seed moto's id generator and pin ECS tasks to RUNNING (fresh server only)."""
    random.seed(seed)  # a few moto models (ElastiCache) draw from the global RNG
    _post(endpoint_url, f"/moto-api/seed?a={seed}")
    _post(endpoint_url, "/moto-api/state-manager/set-transition",
          {"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1_000_000_000}})


def seed_audit_role(seeder: Seeder, state: AccountState) -> None:
    """The read-only role the assessment assumes (trust: management account + external id)."""
    iam = seeder.client("iam", state.account_id)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": AUDIT_EXTERNAL_ID}}}]}
    iam.create_role(RoleName=AUDIT_ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust),
                    Description="awsassess read-only assessment role")
    read_only = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
        "ec2:Describe*", "elasticloadbalancing:Describe*", "ecs:Describe*", "ecs:List*", "rds:Describe*",
        "elasticache:Describe*", "dynamodb:Describe*", "dynamodb:List*", "cloudfront:Get*", "cloudfront:List*",
        "cloudformation:Describe*", "cloudformation:List*", "cloudformation:GetTemplate*", "codepipeline:Get*",
        "codepipeline:List*", "codebuild:BatchGet*", "codebuild:List*", "codedeploy:BatchGet*", "codedeploy:Get*",
        "codedeploy:List*", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "ce:GetCostAndUsage",
        "application-autoscaling:Describe*", "pricing:GetProducts", "pricing:DescribeServices"]}]}
    iam.put_role_policy(RoleName=AUDIT_ROLE_NAME, PolicyName="awsassess-read-only",
                        PolicyDocument=json.dumps(read_only))


def fintech_phases() -> list[tuple[str, Phase]]:
    from awsassess.demo import (
        seed_cdn,
        seed_compute,
        seed_data,
        seed_metrics,
        seed_network,
        seed_pipelines,
        seed_stacks,
    )

    return [
        ("iam", seed_audit_role),
        ("vpcs", seed_network.seed_vpcs),
        ("peering", seed_network.seed_peering),
        ("load_balancers", seed_network.seed_load_balancers),
        ("ecs", seed_compute.seed_ecs),
        ("autoscaling", seed_compute.seed_autoscaling),
        ("datastores", seed_data.seed_datastores),
        ("cdn", seed_cdn.seed_distribution),
        ("stacks", seed_stacks.seed_stacks),
        ("pipelines", seed_pipelines.seed_pipelines),
        ("metrics", seed_metrics.seed_metrics),
    ]


def seed_organization(seeder: Seeder, states: list[AccountState]) -> None:
    """The organization: management account 000000000000, the estate's accounts as active members."""
    from awsassess.demo.sim.organizations import fill_organization_account_ids

    org = seeder.client("organizations", ORGANIZATION_MANAGEMENT_ACCOUNT)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    created = []
    for state in states:
        status = org.create_account(AccountName=state.spec.name, Email=f"aws+{state.spec.name}@fintech.example")
        created.append(status["CreateAccountStatus"]["AccountId"])
    fill_organization_account_ids(ORGANIZATION_MANAGEMENT_ACCOUNT,
                                  {s.spec.name: s.account_id for s in states})
    for state in states:
        org.move_account(AccountId=state.account_id, SourceParentId=root, DestinationParentId=ou)


def seed_fintech(endpoint_url: str, accounts: tuple[AccountSpec, ...] = ACCOUNTS) -> dict[str, float]:
    """Seed the fintech estate; returns seconds per phase (summed over accounts) and the total."""
    seeder = Seeder(endpoint_url)
    timings: dict[str, float] = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    states = [AccountState(spec) for spec in accounts]
    for state in states:
        for name, phase in fintech_phases():
            t0 = time.perf_counter()
            phase(seeder, state)
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    for name, fn in global_phases():
        t0 = time.perf_counter()
        fn(seeder, states)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    timings["total_cpu"] = time.process_time() - cpu_start  # server + seeder CPU (load-independent)
    return {k: round(v, 3) for k, v in timings.items()}


def global_phases() -> list[tuple[str, Callable[[Seeder, list[AccountState]], None]]]:
    return [("organization", seed_organization)]


def seed_estate(endpoint_url: str, estate: str) -> dict[str, float]:
    """Seed ``estate`` into a fresh server.

    ``fintech`` (both accounts), ``fintech:staging`` / ``fintech:production`` (one account; staging
    gets the same ids as in ``fintech`` because it is seeded first), ``empty``, ``scale:{json}``,
    ``after:{json}``, or several joined with ``+`` (seeded in that order, e.g. ``fintech:staging+scale:{}``).

    ``after:{"account": "staging"|"production", "model": "/abs/path/to/model.json", "waves": null|N}``: one
    account as it looks after the first N waves (all when null) of the migration plan in a before-run's
    ``<account>/model.json`` (``awsassess demo`` writes one per account): the account is seeded as
    ``fintech:<env>`` seeds it (same ids), then the waves are applied through the APIs
    (:mod:`awsassess.demo.seed_after`). Give it alone on a fresh server (its JSON may not contain ``+``).
    """
    prepare_server(endpoint_url)
    timings: dict[str, float] = {}
    for part in estate.split("+"):
        for key, value in _seed_one(endpoint_url, part.strip()).items():
            timings[key] = round(timings.get(key, 0.0) + value, 3)
    return timings


def _seed_one(endpoint_url: str, estate: str) -> dict[str, float]:
    if estate == "fintech":
        return seed_fintech(endpoint_url)
    if estate.startswith("fintech:"):
        wanted = estate.partition(":")[2].split(",")
        chosen = tuple(a for a in ACCOUNTS if a.environment in wanted or a.name in wanted)
        if not chosen:
            raise ValueError(f"unknown account in {estate!r}: use staging and/or production")
        return seed_fintech(endpoint_url, chosen)
    if estate == "empty":
        return {"total": 0.0}
    if estate.startswith("after:"):
        from awsassess.demo import seed_after

        return seed_after.seed_after(endpoint_url, json.loads(estate.partition(":")[2]))
    if estate.startswith("scale:") or estate == "scale":
        from awsassess.demo import seed_scale

        params = json.loads(estate.partition(":")[2] or "{}")
        return seed_scale.seed_scale(endpoint_url, params)
    raise ValueError(f"unknown estate {estate!r}: use 'fintech', 'fintech:staging', 'empty', 'scale:{{json}}', "
                     "'after:{{json}}' or several joined with '+'")
