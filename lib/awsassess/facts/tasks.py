"""Stopped ECS tasks and why they stopped (read by the failure rules and the compute views)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.snapshot import Snapshot
from awsassess.values import json_obj, num, text

FAILURE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("health_check", re.compile(r"health ?check", re.I)),
    ("out_of_memory", re.compile(r"OutOfMemory|OOM|exit code 137|memory", re.I)),
    ("image_pull", re.compile(r"CannotPull|pull image|ECR|manifest", re.I)),
    ("resource_init", re.compile(r"ResourceInitializationError|secrets|ssm", re.I)),
    ("essential_container_exited", re.compile(r"Essential container in task exited", re.I)),
]
NORMAL_STOPS = re.compile(r"Scaling activity initiated by|deployment|Service .* updated|user initiated|"
                           r"Task stopped by user", re.I)


def failure_kind(row: Any) -> str | None:
    reason = text(row.stopped_reason)
    codes = {k: v for k, v in json_obj(row.container_exit_codes).items() if v is not None}
    for kind, pattern in FAILURE_PATTERNS:
        if pattern.search(reason) or any(pattern.search(text(v)) for v in json_obj(row.container_reasons).values()):
            return kind
    if text(row.stop_code) == "TaskFailedToStart":
        return "failed_to_start"
    if any(int(num(c, 0) or 0) != 0 for c in codes.values()):
        return "non_zero_exit"
    if text(row.health_status).upper() == "UNHEALTHY":
        return "health_check"
    if NORMAL_STOPS.search(reason):
        return None
    return None


def recent_stopped_tasks(snapshot: Snapshot, history_lookback_days: int) -> pd.DataFrame:
    """The stopped_tasks table inside the history window, with ``service`` (from the task group) and
    ``kind`` (:func:`failure_kind`: None for a normal stop)."""
    t = snapshot.table("stopped_tasks")
    if not len(t):
        return t.assign(service="", kind=None)
    t = t.copy()
    t["started_at"] = ms.to_utc(t["started_at"])
    t["stopped_at"] = ms.to_utc(t["stopped_at"])
    end = ms.as_of(snapshot)
    when = t["stopped_at"].fillna(t["started_at"].astype(t["stopped_at"].dtype))  # one unit (pandas 4 refuses two)
    t = t[when.isna() | (when > end - timedelta(days=history_lookback_days))]
    t["service"] = t["group"].map(lambda g: text(g).split(":", 1)[1] if text(g).startswith("service:") else "")
    t["kind"] = [failure_kind(r) for r in t.itertuples()]
    return t
