"""DocumentDB fill: clusters and instances created as aurora-postgresql are relabelled docdb (RDS API)."""

from __future__ import annotations

from collections.abc import Callable

from awsassess.demo.frontdoor import SimHandler

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
# the docdb client is the RDS API: both clients see the relabelled objects
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("docdb", "DescribeDBClusters"),  # relabel_docdb
    ("docdb", "DescribeDBInstances"),  # relabel_docdb
    ("rds", "DescribeDBClusters"),  # relabel_docdb
    ("rds", "DescribeDBInstances"),  # relabel_docdb
)


def relabel_docdb(account_id: str, region: str, cluster_id: str, instance_ids: list[str], engine_version: str) -> None:
    """Gap: ``create_db_cluster(Engine="docdb")`` fails (400 engine not supported), so DocumentDB
    cannot be created.

    Fill (A): the cluster and instances are created as aurora-postgresql; set ``engine = "docdb"``
    (and the DocumentDB engine version / storage type) on moto's DBCluster and DBInstance objects.
    """
    from moto.rds.models import rds_backends

    backend = rds_backends[account_id][region]
    cluster = backend.clusters[cluster_id]
    cluster.engine = "docdb"
    cluster.engine_version = engine_version
    cluster.storage_type = "standard"
    for iid in instance_ids:
        db = backend.databases[iid]
        for attr, value in (("engine", "docdb"), ("engine_version", engine_version), ("storage_type", "aurora")):
            if not isinstance(getattr(type(db), attr, None), property):  # clustered instances read it from the cluster
                setattr(db, attr, value)


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches (none here)
PATCHES: tuple[Callable[[], None], ...] = ()


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
