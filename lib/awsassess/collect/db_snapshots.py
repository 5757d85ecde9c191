"""Manual RDS/Aurora/DocumentDB snapshots for the datastores collector (its ``db_snapshots`` table and
operations): whether each is encrypted and whom it is shared with (``all``: public). The attribute calls only
add ``public`` / ``shared_with`` (:data:`awsassess.coverage.COLUMN_ONLY_OPERATIONS`): denied, those cells are
unknown and no rule concludes from them."""

from __future__ import annotations

from typing import Any

from awsassess.collect.pipelines import to_utc
from awsassess.tables import dumps


def bool_or_none(value: Any) -> bool | None:
    """An API's boolean field, or None when the answer did not carry one (unknown, never False)."""
    return value if isinstance(value, bool) else None
def parse_db_snapshot(snap: dict[str, Any], kind: str, restore: list[str] | None) -> dict[str, Any]:
    """A ``db_snapshots`` row from a ``DescribeDBSnapshots`` (``kind`` instance) or ``DescribeDBClusterSnapshots``
    (cluster) item; ``restore``: the values of its ``restore`` attribute (account ids, ``all`` = public), None
    when they could not be read."""
    instance = kind == "instance"
    return {
        "snapshot_id": snap.get("DBSnapshotIdentifier" if instance else "DBClusterSnapshotIdentifier", ""),
        "kind": kind,
        "source_id": snap.get("DBInstanceIdentifier" if instance else "DBClusterIdentifier", ""),
        "engine": snap.get("Engine", ""),
        "encrypted": bool_or_none(snap.get("Encrypted") if instance else snap.get("StorageEncrypted")),
        "snapshot_type": snap.get("SnapshotType", ""),
        "created": to_utc(snap.get("SnapshotCreateTime")),
        "public": None if restore is None else "all" in restore,
        "shared_with": dumps(sorted(v for v in restore or [] if v != "all")),
    }


def _restore_values(result: Any, key: str) -> list[str]:
    attributes = (result or {}).get(key) or []
    for a in attributes:
        if isinstance(a, dict) and a.get("AttributeName") == "restore":
            return [str(v) for v in a.get("AttributeValues") or []]
    return []


def collect_snapshots(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    """Manual RDS/Aurora/DocumentDB snapshots (the ones that can be shared) and whom they are shared with."""
    instance = ctx.paginate("rds", "DescribeDBSnapshots", region, "DBSnapshots", SnapshotType="manual")
    cluster = ctx.paginate("rds", "DescribeDBClusterSnapshots", region, "DBClusterSnapshots", SnapshotType="manual")

    def describe(item: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        kind, snap = item
        if kind == "instance":
            answer = ctx.call("rds", "DescribeDBSnapshotAttributes", region,
                              DBSnapshotIdentifier=snap.get("DBSnapshotIdentifier", ""))
            restore = _restore_values(answer.get("DBSnapshotAttributesResult"), "DBSnapshotAttributes") \
                if answer.ok else None
        else:
            answer = ctx.call("rds", "DescribeDBClusterSnapshotAttributes", region,
                              DBClusterSnapshotIdentifier=snap.get("DBClusterSnapshotIdentifier", ""))
            restore = _restore_values(answer.get("DBClusterSnapshotAttributesResult"),
                                      "DBClusterSnapshotAttributes") if answer.ok else None
        return parse_db_snapshot(snap, kind, restore)

    items = [("instance", s) for s in instance] + [("cluster", s) for s in cluster]
    return {"db_snapshots": list(ctx.map(describe, items)) if items else []}
