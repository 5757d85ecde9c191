"""The hand-built demo snapshot (tests/demo_snapshots.py) has the simulated estate's counts."""

from __future__ import annotations

import pytest
from awsassess.demo.estate import PRODUCTION, STAGING, expected_counts
from demo_snapshots import demo_snapshot


@pytest.mark.parametrize("name", ["production", "staging"])
def test_hand_built_snapshot_matches_the_estate_counts(name: str) -> None:
    spec = PRODUCTION if name == "production" else STAGING
    snap = demo_snapshot(name)
    expected = expected_counts(spec)
    for table in ("vpcs", "subnets", "nat_gateways", "vpc_peerings", "load_balancers", "target_groups",
                  "ecs_services", "db_clusters", "replication_groups", "dynamodb_tables", "distributions",
                  "pipelines", "build_projects", "deployment_groups", "pipeline_executions"):
        assert len(snap.table(table)) == expected[table], table
    assert len(snap.table("db_instances")) == expected["db_instances"]
