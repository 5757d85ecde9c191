"""EC2 instance shapes for packing ECS tasks: vCPU, memory, architecture and awsvpc task limits.

``data/instance_specs.csv``: vCPU and memory from Karpenter's instance-type reference (S2); maximum
ENIs and trunk branch interfaces from aws/amazon-vpc-resource-controller-k8s ``limits.go``. An awsvpc
task needs one ENI: without ENI trunking an instance runs ``max_enis - 1`` such tasks (the primary ENI
is the instance's own), with trunking ``trunk_tasks``. Burstable (T) types have no trunking.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class InstanceSpec:
    instance_type: str
    family: str
    vcpu: int
    memory_gib: float
    arch: str  # x86_64 | arm64
    burstable: bool
    max_enis: int
    trunk_tasks: int
    source: str

    def awsvpc_tasks(self, trunking: bool) -> int:
        """How many awsvpc tasks fit by ENIs alone."""
        if trunking and self.trunk_tasks > 0:
            return self.trunk_tasks
        return max(self.max_enis - 1, 0)


@lru_cache(maxsize=1)
def instance_specs() -> dict[str, InstanceSpec]:
    text = resources.files("awsassess.pricing").joinpath("data", "instance_specs.csv").read_text(encoding="utf-8")
    out = {}
    for row in csv.DictReader(text.splitlines()):
        out[row["instance_type"]] = InstanceSpec(
            row["instance_type"], row["family"], int(row["vcpu"]), float(row["memory_gib"]), row["arch"],
            row["burstable"].strip().lower() == "true", int(row["max_enis"]), int(row["trunk_tasks"]), row["source"])
    return out
