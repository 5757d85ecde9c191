"""Compute views: ECS services with their size and utilisation, failed tasks, a utilisation chart."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from awsassess import fargate
from awsassess.facts import facts_for
from awsassess.facts.tasks import recent_stopped_tasks
from awsassess.findings.base import json_list, num, text, truthy
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot
from awsassess.views import PALETTE, Chart, Note, absent, figure, table

SERVICE_COLUMNS = ["Service", "Cluster", "Launch", "Arch", "Size", "Tasks", "p95 CPU %", "p95 memory %", "Right size",
                   "Auto scaling", "Deploys with", "Circuit breaker"]


def services_frame(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> pd.DataFrame:
    """One row per ECS service; p95 and the right size are the shared facts the rules and the model use."""
    a = assumptions or FindingsAssumptions()
    sizes = facts_for(snapshot, a).sizes
    s = snapshot.table("ecs_services")
    scaled = {text(r.resource_id) for r in snapshot.table("autoscaling_targets").itertuples()
              if text(r.service_namespace) == "ecs"}
    rows = []
    for r in s.itertuples():
        size = sizes.get((text(r.cluster), text(r.service_name)))
        u = size.utilisation if size else None
        vcpu, mem_mb = num(r.cpu), num(r.memory)
        rec = None
        if size and size.fargate and u and (u.cpu_p95 is not None or u.memory_p95 is not None):
            rec = (size.right.fargate_cpu, size.right.fargate_memory)
        launch = text(r.launch_type) or "/".join(text(p) for p in json_list(r.capacity_providers)) or "?"
        rows.append({
            "Service": text(r.service_name), "Cluster": text(r.cluster), "Launch": launch,
            "Arch": text(r.cpu_architecture) or "X86_64",
            "Size": fargate.label(vcpu, mem_mb) if vcpu and mem_mb else "?",
            "Tasks": int(num(r.desired_count, 0) or 0),
            "p95 CPU %": u.cpu_p95 if u else None, "p95 memory %": u.memory_p95 if u else None,
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
    for target, label, colour in ((a.cpu_target_pct, "CPU", PALETTE[0]), (a.memory_target_pct, "memory", PALETTE[3])):
        ax.axvline(target, color=colour, linestyle="--", linewidth=1)
        ax.text(target, len(df) - 0.4, f" {label} target {target:.0f}%", color=colour, fontsize=8)
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
    t = recent_stopped_tasks(snapshot, a.history_lookback_days)
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
        # the reason in full (it names the container, target group or image that failed): the cell wraps,
        # an ARN at the escaper's break opportunities, rather than cutting the reason mid-ARN
        rows.append({"Service": service or "–", "Reason": reason or "–", "Tasks": len(g),
                     "Failure kind": ", ".join(kinds) or "normal stop",
                     "Last stop": g["stopped_at"].max()})
    return table(pd.DataFrame(rows).sort_values(["Tasks"], ascending=False), "No stopped tasks recorded.")
