"""Which NAT gateways are live: one definition (awsassess.facts.network), read alike by the rules, the cost
model, the diagrams, the views and verify. A gateway being deleted, deleted or failed counts nowhere; one whose
state could not be read counts (absent data never hides a cost)."""

from __future__ import annotations

import pandas as pd
import pytest
from awsassess.architecture.build_current import current_graph
from awsassess.facts.network import live_nat_gateways, nat_is_live
from awsassess.findings import evaluate
from awsassess.model import assess
from awsassess.views.network import inventory_frame
from snapshots_factory import SnapshotBuilder


@pytest.mark.parametrize(("state", "live"), [("available", True), ("pending", True), ("", True), (None, True),
                                             ("AVAILABLE", True), ("deleting", False), ("deleted", False),
                                             ("failed", False), ("Deleted", False)])
def test_nat_is_live(state: object, live: bool) -> None:
    assert nat_is_live(state) is live


def test_live_nat_gateways_of_an_empty_table() -> None:
    empty = pd.DataFrame({"nat_gateway_id": [], "state": []})
    assert live_nat_gateways(empty).empty


def estate() -> SnapshotBuilder:
    """Three VPCs, each with a NAT gateway in two AZs; in vpc-0 the second one is being deleted, in vpc-1 it
    failed: 4 live gateways of 6."""
    b = SnapshotBuilder(environment="staging")
    for i in range(3):
        b.vpc(f"vpc-{i}")
        for az in ("us-east-1a", "us-east-1b"):
            state = {("vpc-0", "b"): "deleting", ("vpc-1", "b"): "failed"}.get((f"vpc-{i}", az[-1]), "available")
            b.add("nat_gateways", nat_gateway_id=f"nat-{i}-{az[-1]}", vpc_id=f"vpc-{i}", subnet_id=f"s-{i}",
                  az=az, state=state, public_ip=f"3.0.{i}.{ord(az[-1])}")
    return b


def test_every_room_counts_the_same_live_nat_gateways() -> None:
    snap = estate().build()
    live = set(live_nat_gateways(snap.table("nat_gateways"))["nat_gateway_id"])
    assert live == {"nat-0-a", "nat-1-a", "nat-2-a", "nat-2-b"}
    # the rule
    (net003,) = [f for f in evaluate(snap) if f.rule_id == "NET-003"]
    assert set(net003.resource_ids) == live and net003.evidence["nat_gateways"] == 4
    # the cost model: NAT hours billed for the live ones only
    lines = assess(snap).lines
    hours = lines[(lines["scenario"] == "current") & lines["item"].str.contains("NAT gateway hours", case=False)]
    assert set(hours["resource_id"]) == live
    # the view and the diagram
    inv = inventory_frame(snap)
    assert int(inv["NAT gateways"].sum()) == 4
    graph = current_graph(snap)
    nodes = graph.nodes.values() if isinstance(graph.nodes, dict) else graph.nodes
    assert {n.attrs.get("resource_id") for n in nodes if n.kind == "nat"} == live
