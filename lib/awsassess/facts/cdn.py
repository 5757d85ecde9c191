"""CDN facts: CloudFront cache policies by id."""

from __future__ import annotations

from typing import Any

from awsassess.snapshot import Snapshot
from awsassess.values import text


def cache_policies(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Cache policy id -> its row (managed and custom policies)."""
    return {text(r.id): r._asdict() for r in snapshot.table("cache_policies").itertuples()}
