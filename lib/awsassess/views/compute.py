"""Compute views: ECS services with their size and utilisation, failed tasks, a utilisation chart."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from awsassess import fargate
from awsassess.findings._common import ecs_metric_stats, lookup_service
from awsassess.findings.base import json_list, num, text, truthy
from awsassess.findings.compute import _stopped
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot
from awsassess.views import PALETTE, Chart, Note, absent, figure, table

SERVICE_COLUMNS = ["Service", "Cluster", "Launch", "Arch", "Size", "Tasks", "p95 CPU %", "p95 memory %", "Right size",
                   "Auto scaling", "Deploys with", "Circuit breaker"]


def services_frame(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> pd.DataFrame:
    a = assumptions or FindingsAssumptions()
    s = snapshot.table("ecs_services")
    cpu = ecs_metric_stats(snapshot, "CPUUtilization", "Average", a.metrics_lookback_days)
    mem = ecs_metric_stats(snapshot, "MemoryUtilization", "Average", a.metrics_lookback_days)
    scaled = {text(r.resource_id) for r in snapshot.table("autoscaling_targets").itertuples()
              if text(r.service_namespace) == "ecs"}
    rows = []
    for r in s.itertuples():
        c = lookup_service(cpu, text(r.cluster), text(r.service_name)) or {}
        m = lookup_service(mem, text(r.cluster), text(r.service_name)) or {}
        vcpu, mem_mb = num(r.cpu), num(r.memory)
        rec = None
        if vcpu and mem_mb and c.get("p95") is not None and m.get("p95") is not None:
            rec = fargate.smallest_for_p95(int(vcpu), int(mem_mb), float(c["p95"]), float(m["p95"]), a.target_utilization_pct)
        launch = text(r.launch_type) or "/".join(text(p) for p in json_list(r.capacity_providers)) or "?"
        rows.append({
            "Service": text(r.service_name), "Cluster": text(r.cluster), "Launch": launch,
            "Arch": text(r.cpu_architecture) or "X86_64",
            "Size": fargate.label(vcpu, mem_mb) if vcpu and mem_mb else "?",
            "Tasks": int(num(r.desired_count, 0) or 0),
            "p95 CPU %": c.get("p95"), "p95 memory %": m.get("p95"),
            "Right size": fargate.label(*rec) if rec else "–",
            "Auto scaling": f"service/{text(r.cluster)}/{text(r.service_name)}" in scaled,
            "Deploys with": text(r.deployment_controller) or "ECS",
            "Circuit breaker": truthy(r.circuit_breaker),
        })
    return pd.DataFrame(rows, columns=SERVICE_COLUMNS)


def inventory(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """One row per ECS service: launch type, size, tasks, p95 CPU/memory and the right Fargate size."""
    return table(services_frame(snapshot, assumptions), absent(snapshot, "compute", "No ECS services in this snapshot."))


def utilisation_chart(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """p95 CPU and memory per service against the right-sizing target."""
    a = assumptions or FindingsAssumptions()
    df = services_frame(snapshot, a).dropna(subset=["p95 CPU %", "p95 memory %"], how="all")
    if not len(df):
        return Note(absent(snapshot, "metrics", "No ECS utilisation metrics in this snapshot."))
    df = df.sort_values("Service")
    fig = figure(9, 0.45 * len(df) + 1.6)
    ax = fig.add_subplot(1, 1, 1)
    y = list(range(len(df)))
    ax.barh([v + 0.2 for v in y], df["p95 CPU %"].fillna(0), height=0.4, color=PALETTE[0], label="p95 CPU")
    ax.barh([v - 0.2 for v in y], df["p95 memory %"].fillna(0), height=0.4, color=PALETTE[3], label="p95 memory")
    ax.axvline(a.target_utilization_pct, color="#c0392b", linestyle="--", linewidth=1)
    ax.text(a.target_utilization_pct, len(df) - 0.4, f" target {a.target_utilization_pct:.0f}%", color="#c0392b",
            fontsize=8)
    ax.set_yticks(y, df["Service"])
    ax.set_xlim(0, 105)
    ax.invert_yaxis()
    ax.set_xlabel(f"% of the task size (p95 of hourly averages, {a.metrics_lookback_days} days)")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart(fig, "ECS utilisation")


def stopped_tasks(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """Stopped tasks per service and why (over the history lookback)."""
    a = assumptions or FindingsAssumptions()
    t = _stopped(snapshot, a)
    if not len(t):
        return Note("No stopped tasks recorded.")
    # Group on text: a stop without a reason or group arrives as NaN beside the text of the other rows
    # (pandas' missing value), and neither the kind (None for a normal stop, NaN once pandas stores the
    # column as text) nor a NaN key may reach the join or be dropped by groupby: every task is counted.
    service = [text(s) or text(g) for s, g in zip(t["service"], t["group"], strict=True)]
    keys = pd.DataFrame({"service": service, "reason": t["stopped_reason"].map(text).to_numpy()}, index=t.index)
    rows = []
    for (service, reason), g in t.groupby([keys["service"], keys["reason"]], sort=False):
        kinds = Counter(text(k) for k in g["kind"] if text(k))
        rows.append({"Service": service or "–", "Reason": reason[:120] or "–", "Tasks": len(g),
                     "Failure kind": ", ".join(kinds) or "normal stop",
                     "Last stop": g["stopped_at"].max()})
    return table(pd.DataFrame(rows).sort_values(["Tasks"], ascending=False), "No stopped tasks recorded.")
