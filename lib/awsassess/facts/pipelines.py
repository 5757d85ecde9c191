"""Pipeline facts: recent history rows, durations and CodeBuild statistics per project."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.snapshot import Snapshot
from awsassess.values import is_bool, json_obj, num, text

OK = {"Succeeded", "SUCCEEDED"}


def recent(df: pd.DataFrame, column: str, snapshot: Snapshot, days: int) -> pd.DataFrame:
    """Rows whose ``column`` time is inside the last ``days`` (or unknown)."""
    if not len(df):
        return df
    df = df.copy()
    df[column] = ms.to_utc(df[column])
    end = ms.as_of(snapshot)
    return df[df[column].isna() | (df[column] > end - timedelta(days=days))]


def durations(df: pd.DataFrame) -> pd.Series:
    """Seconds per row (float, NaN when unknown): ``duration_s``, else end - start.

    A bool duration is a wrong-typed cell, not a 1-second (or 0-second) run: it counts as missing. Left as
    bools, pandas keeps a bool column and its quantiles crash."""
    raw = df["duration_s"]
    d = pd.to_numeric(raw.where(~raw.map(is_bool).astype(bool), None), errors="coerce").astype(float)
    if d.isna().any() and "start" in df and "end" in df:
        calc = (ms.to_utc(df["end"]) - ms.to_utc(df["start"])).dt.total_seconds()
        d = d.fillna(pd.Series(calc.values, index=df.index))
    return d


def phase_seconds(raw: Any) -> dict[str, float]:
    """A build's ``phases`` cell as PHASE -> seconds. A cell that is not a JSON object (missing, NaN, a number,
    junk text) and a phase without a number of seconds are left out: an unknown phase time is not 0 s, and a
    bool is a flag, not a 1-second phase."""
    out = {}
    for k, v in json_obj(raw).items():
        seconds = None if is_bool(v) else num(v)
        if seconds is not None:
            out[str(k).upper()] = seconds
    return out


def phase_medians(builds: list[dict[str, float]]) -> dict[str, float]:
    """Median seconds of each phase over the builds that timed it, in the order the phases first appear.
    The rules (PIP-003, the build views) and the pipeline-time model both read it."""
    order = list(dict.fromkeys(k for b in builds for k in b))
    return {k: float(statistics.median([b[k] for b in builds if k in b])) for k in order}


def build_stats(snapshot: Snapshot, history_lookback_days: int) -> dict[str, dict[str, Any]]:
    """Per CodeBuild project: successful builds, median duration and median seconds per phase."""
    b = recent(snapshot.table("builds"), "start", snapshot, history_lookback_days)
    if not len(b):
        return {}
    b = b[b["status"].map(text).isin(OK | {""})]
    b = b.assign(d=durations(b))
    out = {}
    for project, g in b.groupby("project"):
        phases = [p for p in (phase_seconds(x) for x in g["phases"]) if p]
        out[text(project)] = {
            "builds": int(len(g)), "p50_s": float(g["d"].median()) if g["d"].notna().any() else None,
            "phases_p50_s": phase_medians(phases),
        }
    return out
