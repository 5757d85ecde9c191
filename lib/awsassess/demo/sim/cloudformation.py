"""CloudFormation fills: stack history (times, status, per-resource events); resources behind a
false Condition are left out of the stack's resources."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim._common import set_attrs, utc_naive

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("cloudformation", "DescribeStacks"),  # fill_stack_history
    ("cloudformation", "ListStacks"),  # fill_stack_history
    ("cloudformation", "DescribeStackEvents"),  # fill_stack_history
    ("cloudformation", "DescribeStackResources"),  # patch_cloudformation_conditional_resources
    ("cloudformation", "ListStackResources"),  # patch_cloudformation_conditional_resources
    ("cloudformation", "DescribeStackResource"),  # patch_cloudformation_conditional_resources
)


def fill_stack_history(account_id: str, region: str, stack_name: str, *, created: datetime,
                       events: list[dict[str, Any]], status: str | None = None, status_reason: str | None = None,
                       last_updated: datetime | None = None) -> None:
    """Gap: stacks have only stack-level events stamped at seeding time, no StackStatusReason or
    LastUpdatedTime, and stack-resource timestamps are hard-coded to 2010-07-27.

    Fill (A): set creation/update times, status and reason, and replace the events with per-resource
    ones (oldest first). Each event dict: timestamp, logical_id, physical_id, type, status, reason.
    """
    from moto.cloudformation.models import Event, cloudformation_backends

    backend = cloudformation_backends[account_id][region]
    stack = next(s for s in backend.stacks.values() if s.name == stack_name)
    stack.creation_time = utc_naive(created)
    if last_updated is not None:
        set_attrs(stack, last_updated_time=utc_naive(last_updated))
    if status is not None:
        stack.status = status
    if status_reason is not None:
        set_attrs(stack, stack_status_reason=status_reason)
    new_events = []
    for k, e in enumerate(events):
        ev = Event(stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=e["logical_id"],
                   physical_resource_id=e.get("physical_id") or "", resource_type=e["type"],
                   resource_status=e["status"], resource_status_reason=e.get("reason"), resource_properties=None)
        ev.timestamp = utc_naive(e["timestamp"])
        # moto's ids are uuids; AWS's EventId is a string, here a readable and stable one
        set_attrs(ev, event_id=f"{e['logical_id']}-{e['status']}-{int(e['timestamp'].timestamp())}-{k}")
        new_events.append(ev)
    stack.events = new_events


def patch_cloudformation_conditional_resources() -> None:
    """Gap: resources whose ``Condition`` is false are listed by describe/list_stack_resources as
    entries without LogicalResourceId/PhysicalResourceId/ResourceType (AWS omits them).

    Fill (B): ``Stack.stack_resources`` leaves out the resources that were not created.
    """
    from moto.cloudformation.models import Stack

    if getattr(Stack, "_awsassess", False):
        return

    def stack_resources(self: Any) -> list[Any]:
        return [r for r in self.resource_map.values() if r is not None]

    set_attrs(Stack, stack_resources=property(stack_resources))
    set_attrs(Stack, _awsassess=True)


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches
PATCHES: tuple[Callable[[], None], ...] = (
    patch_cloudformation_conditional_resources,
)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
