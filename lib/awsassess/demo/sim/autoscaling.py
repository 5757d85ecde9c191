"""Application Auto Scaling fill: DescribeScalingActivities answers (an empty list)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim._common import set_attrs

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("application-autoscaling", "DescribeScalingActivities"),  # patch_autoscaling_activities
)


def patch_autoscaling_activities() -> None:
    """Gap: ``describe_scaling_activities`` is not implemented (500).

    Fill (B): an empty activity list (the estate's targets have not scaled in the lookback).
    """
    import json

    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    def describe_scaling_activities(self: Any) -> str:
        return json.dumps({"ScalingActivities": []})

    set_attrs(ApplicationAutoScalingResponse, describe_scaling_activities=describe_scaling_activities)


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches
PATCHES: tuple[Callable[[], None], ...] = (
    patch_autoscaling_activities,
)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
