"""ElastiCache fills: replication groups get all their member clusters; a deleted group is gone (not
"deleting" for ever); DescribeServerlessCaches answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim._common import set_attrs

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("elasticache", "DescribeReplicationGroups"),  # fill_replication_group_members, complete_replication_group_deletion
    ("elasticache", "DescribeCacheClusters"),  # fill_replication_group_members, complete_replication_group_deletion
    ("elasticache", "DescribeServerlessCaches"),  # patch_elasticache_serverless
)


def fill_replication_group_members(account_id: str, region: str, rg_id: str, *, nodes: int, node_type: str,
                                   engine_version: str, azs: list[str], subnet_group: str,
                                   security_group_ids: list[str] | None = None, engine: str = "redis") -> None:
    """Gap: ``NumCacheClusters=N`` gives one member cluster, and member clusters are missing from
    describe_cache_clusters (``CacheClusterNotFound``).

    Fill (A): rebuild the replication group's node group with N members (primary + replicas),
    and create the member ``CacheCluster`` objects in moto's backend, with the group's security groups
    (moto's response has no ``SecurityGroups`` of its own: set as the shape's members) and ``engine``
    (``redis``, or ``valkey`` for a group created as Valkey).
    """
    from moto.elasticache.models import elasticache_backends

    backend = elasticache_backends[account_id][region]
    rg = backend.replication_groups[rg_id]
    node_group = rg.node_groups[0]
    domain = node_group["primary_endpoint_address"].split(".", 1)[1]
    rg.member_clusters = []
    node_group["node_group_members"] = []
    rg._set_node_members_clusters_disabled(
        member_clusters=rg.member_clusters, replication_group_id=rg_id, replication_group_domain=domain,
        node_group=node_group, preferred_cache_cluster_azs=azs, num_cache_clusters=nodes,
        replicas_per_node_group=nodes - 1)
    rg.engine_version = engine_version
    for k, member in enumerate(rg.member_clusters):
        if member in backend.cache_clusters:
            continue
        cluster = backend.create_cache_cluster(
            cache_cluster_id=member, replication_group_id=rg_id, az_mode="single-az",
            preferred_availability_zone=azs[k % len(azs)], num_cache_nodes=1, cache_node_type=node_type,
            engine=engine, engine_version=engine_version,
            cache_parameter_group_name="default.redis7" if engine == "redis" else f"default.{engine}{engine_version.split('.')[0]}",
            cache_subnet_group_name=subnet_group, transit_encryption_enabled=True, network_type="ipv4",
            ip_discovery="ipv4", preferred_maintenance_window="sun:05:00-sun:06:00", port=6379,
            auto_minor_version_upgrade=True, snapshot_retention_limit=1, snapshot_window="03:00-04:00",
            # absent, as moto's own request handler passes them (None), though moto annotates them str
            snapshot_name=None, notification_topic_arn=None, auth_token=None,  # type: ignore[arg-type]
            outpost_mode=None, preferred_outpost_arn=None,  # type: ignore[arg-type]
            preferred_availability_zones=[], cache_security_group_names=[], security_group_ids=[], tags=[],
            snapshot_arns=[], preferred_outpost_arns=[], log_delivery_configurations=[],
            cache_node_ids_to_remove=[], cache_node_ids_to_reboot=[])
        cluster.replication_group_id = rg_id
        cluster.security_groups = [{"SecurityGroupId": g, "Status": "active"}  # type: ignore[attr-defined]
                                   for g in security_group_ids or []]


def complete_replication_group_deletion(account_id: str, region: str, rg_id: str) -> None:
    """Gap: delete_replication_group leaves the group ``deleting`` for ever, with its member clusters
    (AWS removes both within minutes), so a group cannot be restored from a snapshot under its own id.

    Fill (A): remove the group and its member ``CacheCluster`` objects from moto's backend, as AWS has
    once the deletion completes.
    """
    from moto.elasticache.models import elasticache_backends

    backend = elasticache_backends[account_id][region]
    rg = backend.replication_groups.pop(rg_id, None)
    members = {c for c in getattr(rg, "member_clusters", []) or []} | {
        cid for cid, c in backend.cache_clusters.items() if getattr(c, "replication_group_id", None) == rg_id}
    for cid in members:
        backend.cache_clusters.pop(cid, None)


def patch_elasticache_serverless() -> None:
    """Gap: ``describe_serverless_caches`` is not implemented (500 HTML, a ResponseParserError).

    Fill (B): an empty list (the estate has no serverless caches).
    """
    from moto.core.responses import ActionResult
    from moto.elasticache.responses import ElastiCacheResponse

    def describe_serverless_caches(self: Any) -> Any:
        return ActionResult({"ServerlessCaches": []})

    set_attrs(ElastiCacheResponse, describe_serverless_caches=describe_serverless_caches)


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches
PATCHES: tuple[Callable[[], None], ...] = (
    patch_elasticache_serverless,
)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
