"""Stack views: CloudFormation stacks, the Copilot application map, a limits chart."""

from __future__ import annotations

from typing import Any

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.findings.base import num, text
from awsassess.findings.stacks import copilot_map
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot
from awsassess.views import PALETTE, Chart, Note, figure, table


def _kib(value: Any) -> float | None:
    size = num(value)
    return None if size is None else size / 1024


def inventory(snapshot: Snapshot) -> Any:
    """One row per stack: status, Copilot labels, template size and resource count."""
    s = snapshot.table("stacks")
    s = s[s["status"].map(text) != "DELETE_COMPLETE"]
    # text columns as text: a missing name (NaN) or a number among the names must neither show as "nan"
    # nor break the sort by stack name
    df = pd.DataFrame({"Stack": s["stack_name"].map(text), "Status": s["status"].map(text),
                       "Application": s["copilot_application"].map(text),
                       "Environment": s["copilot_environment"].map(text),
                       "Service": s["copilot_service"].map(text),
                       "Template KB": s["template_bytes"].map(_kib),
                       "Resources": s["resource_count"].map(num)})
    return table(df.sort_values("Stack") if len(df) else df, "No CloudFormation stacks.")


def copilot_matrix(snapshot: Snapshot) -> Any:
    """Copilot services (rows) by environment (columns), per application."""
    rows = []
    for app, m in copilot_map(snapshot).items():
        for svc, envs in m["services"].items():
            rows.append({"Application": app, "Service": svc, **{e: ("✓" if e in envs else "") for e in m["environments"]}})
    if not rows:
        return Note("No Copilot-managed stacks.")
    return table(pd.DataFrame(rows).fillna(""))


def limits_chart(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """Each stack's template size and resource count as a share of the CloudFormation limits."""
    a = assumptions or FindingsAssumptions()
    s = snapshot.table("stacks")
    s = s[s["status"].map(text) != "DELETE_COMPLETE"]
    if not len(s):
        return Note("No CloudFormation stacks.")
    df = pd.DataFrame({"stack": s["stack_name"].map(text),
                       "template": s["template_bytes"].map(lambda v: 100 * (num(v, 0) or 0) / a.cfn_inline_template_bytes),
                       "resources": s["resource_count"].map(lambda v: 100 * (num(v, 0) or 0) / a.cfn_max_resources)})
    df = df.sort_values("template", ascending=False).head(25)
    fig = figure(9, 0.35 * len(df) + 1.6)
    ax = fig.add_subplot(1, 1, 1)
    y = list(range(len(df)))
    ax.barh([v + 0.2 for v in y], df["template"], height=0.4, color=PALETTE[0],
            label=f"template, % of {a.cfn_inline_template_bytes:,} bytes (inline limit)")
    ax.barh([v - 0.2 for v in y], df["resources"], height=0.4, color=PALETTE[3],
            label=f"resources, % of {a.cfn_max_resources}")
    ax.axvline(a.cfn_near_limit_pct, color="#c0392b", linestyle="--", linewidth=1)
    ax.set_yticks(y, df["stack"], fontsize=8)
    ax.set_xlabel("% of the CloudFormation limit (dashed: reported from here)")
    ax.invert_yaxis()
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart(fig, "CloudFormation limits")


def failed(snapshot: Snapshot) -> Any:
    """Recent failed stack events (the first failure explains a rollback)."""
    e = snapshot.table("stack_events")
    e = e[e["status"].map(text).str.endswith("_FAILED")]
    # times parsed (ISO text, naive or aware datetimes, missing) so the sort compares like with like
    df = pd.DataFrame({"Stack": e["stack_name"].map(text), "Time": ms.to_utc(e["timestamp"]),
                       "Resource": e["logical_id"].map(text), "Type": e["resource_type"].map(text),
                       "Status": e["status"].map(text), "Reason": e["reason"].map(text)})  # in full: the cell wraps
    return table(df.sort_values("Time") if len(df) else df, "No failed stack events.")
