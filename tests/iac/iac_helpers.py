"""Shared by the exit-kit tests: generated estates, writing a kit, and reading it back (python-hcl2, PyYAML)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from awsassess.findings import evaluate
from awsassess.iac import IacKit, build_kit, write_kit
from awsassess.iac.check import CheckResult, parse_dir
from awsassess.model import assess
from awsassess.snapshot import Snapshot
from snapshots_factory import SnapshotBuilder

CLIENT_INPUTS = ("certificate_arn", "service_hosts", "container_images", "github_repositories")


# ----------------------------------------------------------------------------------------- reading
def unq(value: Any) -> Any:
    """A python-hcl2 string without its quotes (or a bare expression without its ``${...}``)."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return value


def parse(tf_dir: Path) -> dict[str, dict[str, Any]]:
    parsed, errors = parse_dir(tf_dir)
    assert not errors, errors
    assert parsed, f"no .tf file in {tf_dir}"
    return parsed


def resources(parsed: dict[str, dict[str, Any]], kind: str = "resource") -> dict[tuple[str, str], dict[str, Any]]:
    """(type, name) -> body of every resource (or data source) block."""
    out = {}
    for doc in parsed.values():
        for entry in doc.get(kind, []):
            for rtype, named in entry.items():
                for name, body in named.items():
                    out[(unq(rtype), unq(name))] = body
    return out


def modules(parsed: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {unq(name): body for doc in parsed.values() for entry in doc.get("module", [])
            for name, body in entry.items()}


def imports(parsed: dict[str, dict[str, Any]]) -> dict[str, str]:
    """import id -> the address it is imported to."""
    return {unq(b["id"]): unq(b["to"]) for doc in parsed.values() for b in doc.get("import", [])}


def variables(parsed: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {unq(name): body for doc in parsed.values() for v in doc.get("variable", []) for name, body in v.items()}


def local_services(parsed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (block,) = [b for doc in parsed.values() for b in doc.get("locals", []) if "services" in b]
    services: dict[str, Any] = block["services"]
    return services


def assert_checks_pass(checks: list[dict[str, Any]], *, root_modules: int, workflows: bool = True,
                       except_checkov: bool = False) -> None:
    """Every check ran and passed: 5 per root module (parse, schema, references, fmt, checkov) and 3 for the
    workflows; checkov may be "not installed" (optional tool), or anything when ``except_checkov``."""
    assert len(checks) == 5 * root_modules + (3 if workflows else 0), [c["check"] for c in checks]
    for c in checks:
        if c["check"].endswith(": checkov"):
            assert except_checkov or c["status"] in ("ok", "not installed"), c
        else:
            assert c["status"] == "ok", c


def skipped_checkov(tf_dir: Path) -> CheckResult:
    """Stands in for check_checkov where a test is about something else (checkov takes ~3 s per module)."""
    return CheckResult("checkov", "not installed", detail="not run by this test")


# ----------------------------------------------------------------------------------------- a kit
@dataclass
class Kit:
    snap: Snapshot
    model: Any
    kit: IacKit
    iac: Path

    @property
    def tf(self) -> Path:
        return self.iac / "terraform"

    @cached_property
    def parsed(self) -> dict[str, dict[str, Any]]:
        return parse(self.tf)

    def parsed_in(self, region: str) -> dict[str, dict[str, Any]]:
        return parse(self.tf / region)

    @property
    def readme(self) -> str:
        return (self.iac / "README.md").read_text()


def make_kit(snap: Snapshot, iac: Path, *, run_checks: bool = True, model: Any = None, checkov: bool = True) -> Kit:
    """The snapshot's model, kit and findings, written to ``iac`` and checked; ``checkov=False`` replaces the
    checkov check (~3 s per root module) by a "not installed" result, for tests about something else."""
    model = model if model is not None else assess(snap, {})
    production = model.assumptions.is_production(snap.environment)
    kit = build_kit(model.proposed, snap, model.migration, evaluate(snap), production=production)
    with pytest.MonkeyPatch.context() as mp:
        if not checkov:
            mp.setattr("awsassess.iac.check.check_checkov", skipped_checkov)
        write_kit(kit, iac, run_checks=run_checks, arch=model.proposed, waves=model.migration)
    return Kit(snap, model, kit, iac)


# ----------------------------------------------------------------------------------------- estates
def add_services(b: SnapshotBuilder, names: list[str], *, vpc: str, subnets: list[str], cpu: int = 1024,
                 memory: int = 2048, util: float = 10, hours: int = 48, lb_scheme: str = "internet-facing",
                 launch: str = "FARGATE", **service: Any) -> None:
    """Services behind one load balancer of ``vpc``, each with a target group and a task definition (the
    kit reads the container name, port and health check from them), and ``hours`` of utilisation."""
    lb = f"arn:aws:elasticloadbalancing:{b.region}:{b.account_id}:loadbalancer/app/{vpc}-lb/{zlib.crc32(vpc.encode()):012d}"
    b.add("load_balancers", arn=lb, name=f"{vpc}-lb", type="application", scheme=lb_scheme, vpc_id=vpc,
          state="active", azs=[f"{b.region}a", f"{b.region}b"])
    for i, name in enumerate(names):
        tg = f"arn:aws:elasticloadbalancing:{b.region}:{b.account_id}:targetgroup/{name}-tg/{i:016x}"
        b.add("target_groups", arn=tg, name=f"{name}-tg", vpc_id=vpc, protocol="HTTP", port=8080 + i % 3,
              target_type="ip", load_balancer_arns=[lb], health_check_path=f"/{name}/health",
              deregistration_delay_s=300)
        td = f"arn:aws:ecs:{b.region}:{b.account_id}:task-definition/{name}:7"
        b.add("task_definitions", task_definition_arn=td, family=name, revision=7, cpu=cpu, memory=memory,
              network_mode="awsvpc", containers=[{"name": f"{name}-app", "image": f"example/{name}:1",
                                                  "essential": True, "portMappings": [{"containerPort": 8080}]}])
        b.fargate_service(name, cpu=cpu, memory=memory, desired=2, task_definition=td, target_group_arns=[tg],
                          subnets=subnets, launch_type=launch, **service)
        b.ecs_utilisation(name, util, util, hours=hours)


def add_network(b: SnapshotBuilder, vpc: str, suffix: str) -> list[str]:
    """A VPC with a public and a private subnet in two AZs and a security group; returns the private subnets."""
    b.vpc(vpc, name=f"app-{suffix}", cidr=f"10.{len(b.rows['vpcs'])}.0.0/16")
    private = []
    for az in ("a", "b"):
        for public in (True, False):
            sid = f"subnet-{suffix}{az}{'p' if public else 'q'}"
            b.subnet(sid, vpc, az=f"{b.region}{az}", public=public)
            if not public:
                private.append(sid)
    b.add("security_groups", group_id=f"sg-{suffix}0001", vpc_id=vpc, name=f"app-{suffix}")
    return private


def add_pipeline(b: SnapshotBuilder, name: str) -> None:
    b.add("pipelines", name=f"{name}-pipeline", version=1, pipeline_type="V2", execution_mode="QUEUED",
          stage_count=3, stages=[])


def old_ids(snap: Snapshot) -> list[str]:
    """IDs of the resources the kit replaces (VPCs, subnets, security groups, load balancers, target groups,
    services, NAT gateways)."""
    ids: list[str] = []
    for table, column in (("vpcs", "vpc_id"), ("subnets", "subnet_id"), ("security_groups", "group_id"),
                          ("load_balancers", "arn"), ("target_groups", "arn"), ("ecs_services", "service_arn"),
                          ("nat_gateways", "nat_gateway_id")):
        df = snap.table(table)
        ids += [str(x) for x in df[column]] if len(df) else []
    return [i for i in ids if i]
