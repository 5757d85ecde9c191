"""Pipeline views: durations with the stage breakdown, build projects, deployment groups."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from awsassess.facts.pipelines import build_stats
from awsassess.findings.base import json_list, num, text, truthy
from awsassess.findings.pipelines import pipeline_durations
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot
from awsassess.views import PALETTE, Chart, Note, absent, figure, table


def inventory_frame(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> pd.DataFrame:
    a = assumptions or FindingsAssumptions()
    p = snapshot.table("pipelines")
    # durations are per (region, pipeline): one name may exist in two regions, so look up by both, and by
    # name alone only where the name is in one region (e.g. a pipeline row without its region)
    durations = {(text(x["region"]), text(x["pipeline"])): x
                 for x in pipeline_durations(snapshot, a).to_dict("records")}
    names = Counter(name for _, name in durations)
    by_name = {name: x for (_, name), x in durations.items() if names[name] == 1}
    rows = []
    for r in p.itertuples():
        name = text(r.name)
        x = durations.get((text(r.region), name)) or by_name.get(name)
        stages = [text(s.get("name")) for s in json_list(r.stages) if isinstance(s, dict)]
        rows.append({"Pipeline": name, "Type": text(r.pipeline_type) or "V1", "Stages": " → ".join(stages),
                     "Runs": int(num(x["executions"], 0)) if x is not None else 0,
                     "p50 min": x["p50_min"] if x is not None else None,
                     "p90 min": x["p90_min"] if x is not None else None,
                     "Slowest stage": (text(x["dominant_stage"]) or "–") if x is not None else "–",
                     "Share %": x["dominant_share_pct"] if x is not None else None})
    return pd.DataFrame(rows)


def inventory(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """One row per pipeline: stages, successful runs, median and p90 duration, the slowest stage."""
    return table(inventory_frame(snapshot, assumptions), absent(snapshot, "pipelines", "No pipelines in this snapshot."))


def stage_chart(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """Median minutes per stage for each pipeline (stacked), so the dominant stage stands out."""
    a = assumptions or FindingsAssumptions()
    d = pipeline_durations(snapshot, a)
    d = d[d["stages"].map(bool)] if len(d) else d
    if not len(d):
        return Note(absent(snapshot, "pipelines", "No pipeline stage timings in this snapshot."))
    stages: list[str] = []
    for s in d["stages"]:
        stages += [k for k in s if k not in stages]
    # bars at numeric positions labelled with text: a pipeline name found in two regions gets two bars
    # (named with their region) instead of two stacks drawn over each other on one categorical label
    d = d.assign(label=d["pipeline"].map(text)).sort_values(["label", "region"], key=lambda c: c.map(text))
    twice = d["label"].duplicated(keep=False)
    labels = [f"{n} ({text(r)})" if t else n for n, r, t in zip(d["label"], d["region"], twice, strict=True)]
    fig = figure(9, 0.45 * len(d) + 1.8)
    ax = fig.add_subplot(1, 1, 1)
    y = list(range(len(d)))
    left = pd.Series(0.0, index=y)
    for i, stage in enumerate(stages):
        vals = pd.Series([num(s.get(stage), 0.0) / 60 for s in d["stages"]], index=y)
        ax.barh(y, vals, left=left, color=PALETTE[i % len(PALETTE)], label=stage)
        left += vals
    ax.set_yticks(y, labels)
    for yi, total in enumerate(left):
        ax.text(total, yi, f" {total:.0f} min", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("median minutes per stage (successful runs)")
    ax.legend(fontsize=8, frameon=False, ncol=min(len(stages), 5), loc="upper center", bbox_to_anchor=(0.5, -0.18))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart(fig, "Pipeline stages")


def build_projects(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """CodeBuild projects: compute type, docker and cache settings, median build and BUILD phase."""
    a = assumptions or FindingsAssumptions()
    stats = build_stats(snapshot, a.history_lookback_days)
    rows = []
    for r in snapshot.table("build_projects").itertuples():
        st = stats.get(text(r.name), {})
        phase = st.get("phases_p50_s", {}).get("BUILD")
        rows.append({"Project": text(r.name), "Compute": text(r.compute_type).replace("BUILD_GENERAL1_", ""),
                     "Docker build": truthy(r.docker_build), "Cache": text(r.cache_type) or "NO_CACHE",
                     "Layer cache": "LOCAL_DOCKER_LAYER_CACHE" in {text(m) for m in json_list(r.cache_modes)}
                     or truthy(r.buildspec_layer_cache),
                     "Builds": st.get("builds", 0),
                     "p50 build min": None if st.get("p50_s") is None else st["p50_s"] / 60,
                     "p50 BUILD phase min": None if phase is None else phase / 60})
    return table(pd.DataFrame(rows), "No CodeBuild projects.")


def deployment_groups(snapshot: Snapshot) -> Any:
    """CodeDeploy deployment groups: type, config and blue/green termination wait."""
    g = snapshot.table("deployment_groups")
    df = pd.DataFrame({"Application": g["application"], "Group": g["group"], "Platform": g["compute_platform"],
                       "Type": g["deployment_type"], "Config": g["deployment_config"],
                       "Termination wait min": g["termination_wait_min"].map(lambda v: num(v))})
    return table(df, "No CodeDeploy deployment groups.")


def workflows(snapshot: Snapshot) -> Any:
    """GitHub Actions workflows found in the repository path (if one was given)."""
    w = snapshot.table("github_workflows")
    df = pd.DataFrame({"Workflow": w["path"], "Name": w["name"], "Docker build": w["docker_build"].map(truthy),
                       "Build cache": w["build_cache"].map(truthy), "Deploys to ECS": w["deploys_to_ecs"].map(truthy)})
    return table(df, "No GitHub workflows (no repository path in the params).")
