"""The valid Fargate task sizes (CPU units x MiB) and the smallest one that fits a need.

Source: Amazon ECS Developer Guide, "Task CPU and memory" (Linux tasks). 8 and 16 vCPU need
platform version 1.4.0 or later.
"""

from __future__ import annotations

import math

# (cpu units, [memory MiB...])
FARGATE_SIZES: tuple[tuple[int, int], ...] = tuple(
    [(256, m) for m in (512, 1024, 2048)]
    + [(512, m) for m in range(1024, 4096 + 1, 1024)]
    + [(1024, m) for m in range(2048, 8192 + 1, 1024)]
    + [(2048, m) for m in range(4096, 16384 + 1, 1024)]
    + [(4096, m) for m in range(8192, 30720 + 1, 1024)]
    + [(8192, m) for m in range(16384, 61440 + 1, 4096)]
    + [(16384, m) for m in range(32768, 122880 + 1, 8192)]
)

# Relative weight of one vCPU-hour vs one GB-hour on Fargate (us-east-1 x86 list prices
# $0.04048 / $0.004445). Used only to ORDER sizes ("smallest" = cheapest); pricing is the model's job.
_VCPU_WEIGHT = 0.04048
_GB_WEIGHT = 0.004445


def size_weight(cpu: float, memory: float) -> float:
    return cpu / 1024 * _VCPU_WEIGHT + memory / 1024 * _GB_WEIGHT


def is_valid(cpu: int, memory: int) -> bool:
    return (int(cpu), int(memory)) in set(FARGATE_SIZES)


def smallest_fitting(cpu_needed: float, memory_needed: float) -> tuple[int, int] | None:
    """The cheapest valid size with at least ``cpu_needed`` units and ``memory_needed`` MiB (None if none)."""
    fits = [(c, m) for c, m in FARGATE_SIZES if c >= cpu_needed and m >= memory_needed]
    return min(fits, key=lambda s: (size_weight(*s), s)) if fits else None


def right_size(cpu: int, memory: int, cpu_p95_pct: float, mem_p95_pct: float,
               target_pct: float) -> tuple[int, int] | None:
    """Smallest valid size that keeps the observed p95 CPU and memory under ``target_pct``."""
    need_cpu = math.ceil(cpu * cpu_p95_pct / target_pct)
    need_mem = math.ceil(memory * mem_p95_pct / target_pct)
    return smallest_fitting(need_cpu, need_mem)


def label(cpu: float, memory: float) -> str:
    return f"{cpu / 1024:g} vCPU / {memory / 1024:g} GB"
