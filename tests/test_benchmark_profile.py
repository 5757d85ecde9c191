"""The collect_scale benchmark's in-flight profile (a figure it prints to explain wall time vs the floor)."""

from __future__ import annotations

import importlib.util

import pytest
from paths import REPO

# loaded by path: putting benchmarks/ on sys.path made its diagrams.py shadow the diagrams package for
# every later test (and for the batch workers, which inherit the driver's sys.path)
_spec = importlib.util.spec_from_file_location(
    "collect_scale_benchmark", REPO / "benchmarks" / "collect_scale.py")
assert _spec is not None and _spec.loader is not None
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
in_flight_profile = _module.in_flight_profile


def test_in_flight_profile_counts_requests_at_once_per_step() -> None:
    # two requests overlapping for 0.5 s, then one alone; 100.0 is an arbitrary clock origin
    timeline = [("ec2", "DescribeVpcs", 100.0, 101.0), ("ecs", "ListClusters", 100.5, 102.0),
                ("ecs", "DescribeServices", 102.0, 102.5)]
    profile = in_flight_profile(timeline)
    assert profile["per_step"] == [1.5, 1.0, 0.5]
    assert profile["mean"] == pytest.approx(3.0 / 2.5, abs=0.05)
    assert profile["median_ms"] == 1000.0
    half = in_flight_profile(timeline, step=0.5)
    assert half["per_step"] == [1.0, 2.0, 1.0, 1.0, 1.0, 0.0]


def test_in_flight_profile_of_no_requests() -> None:
    assert in_flight_profile([]) == {"mean": 0.0, "per_step": [], "median_ms": 0.0}
