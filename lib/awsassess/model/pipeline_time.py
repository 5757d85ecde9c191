"""How long a deploy takes now, and how long it would take after the proposed changes, step by step.

Measured, per pipeline (medians over successful executions):

- the execution time (``pipeline_executions.duration_s``) and each stage's time (first action start
  to last action end, ``pipeline_action_executions``); what is left is CodePipeline overhead;
- the build stage split into CodeBuild phases (``builds.phases``) of the pipeline's project;
- the deploy stage split into the blue/green termination wait (``deployment_groups``), the
  deregistration delay of the service's target groups (``target_groups``), and the rest
  (replacement tasks start and pass health checks).

Predicted: each change applied in turn with its stated assumption (:class:`ModelAssumptions`):
drop the Source stage (GitHub push trigger), phase factors for layer caching, termination wait to
the target, long deregistration delays to the target, parallel independent build/test actions. The
steps table is the waterfall the report draws; nothing is asserted, everything comes from the data.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from awsassess.facts.pipelines import phase_medians, phase_seconds
from awsassess.model.assumptions import ModelAssumptions
from awsassess.model.costing import num, text
from awsassess.snapshot import Snapshot
from awsassess.values import is_bool, json_list

OK_STATUSES = {"Succeeded", "SUCCEEDED"}


@dataclass
class Component:
    """One part of a pipeline's time, measured and predicted."""

    stage: str
    component: str
    measured_s: float
    predicted_s: float
    assumption: str = ""
    longest_action_s: float = 0.0  # for a stage of sequential actions: its longest action


@dataclass
class Step:
    """One change in the waterfall: the time before and after it."""

    step: str
    change_s: float
    running_s: float
    assumption: str = ""


@dataclass
class PipelineTime:
    pipeline: str
    service: str
    executions: int
    now_s: float
    predicted_s: float
    components: list[Component] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    build_project: str = ""
    deployment_group: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def now_min(self) -> float:
        return self.now_s / 60

    @property
    def predicted_min(self) -> float:
        return self.predicted_s / 60

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["now_min"] = round(self.now_min, 2)
        out["predicted_min"] = round(self.predicted_min, 2)
        return out


@dataclass
class PipelineTimeModel:
    pipelines: list[PipelineTime] = field(default_factory=list)
    history: History | None = field(default=None, repr=False)

    @property
    def now_min(self) -> float | None:
        vals = [p.now_min for p in self.pipelines]
        return float(pd.Series(vals).median()) if vals else None

    @property
    def predicted_min(self) -> float | None:
        vals = [p.predicted_min for p in self.pipelines]
        return float(pd.Series(vals).median()) if vals else None

    def typical(self) -> PipelineTime | None:
        """The pipeline whose measured time is the median (the one the report walks through)."""
        if not self.pipelines:
            return None
        ordered = sorted(self.pipelines, key=lambda p: (p.now_s, p.pipeline))
        return ordered[(len(ordered) - 1) // 2]

    def steps_frame(self, pipeline: str | None = None) -> pd.DataFrame:
        p = self.typical() if pipeline is None else next(x for x in self.pipelines if x.pipeline == pipeline)
        if p is None:
            return pd.DataFrame(columns=["step", "change_min", "running_min", "assumption"])
        return pd.DataFrame([{"step": s.step, "change_min": round(s.change_s / 60, 2),
                              "running_min": round(s.running_s / 60, 2), "assumption": s.assumption}
                             for s in p.steps])

    def components_frame(self, pipeline: str | None = None) -> pd.DataFrame:
        p = self.typical() if pipeline is None else next(x for x in self.pipelines if x.pipeline == pipeline)
        if p is None:
            return pd.DataFrame(columns=["stage", "component", "measured_min", "predicted_min", "assumption"])
        return pd.DataFrame([{"stage": c.stage, "component": c.component, "measured_min": round(c.measured_s / 60, 2),
                              "predicted_min": round(c.predicted_s / 60, 2), "assumption": c.assumption}
                             for c in p.components])

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"pipeline": p.pipeline, "service": p.service, "executions": p.executions,
                              "now_min": round(p.now_min, 1), "predicted_min": round(p.predicted_min, 1)}
                             for p in self.pipelines])

    def to_dict(self) -> dict[str, Any]:
        typical = self.typical()
        return {"now_min": _r(self.now_min), "predicted_min": _r(self.predicted_min),
                "typical_pipeline": typical.pipeline if typical else None,
                "pipelines": [p.to_dict() for p in self.pipelines]}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


# --------------------------------------------------------------------------- matching helpers
def _mentions(name: str, word: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(word.lower())}(?![a-z0-9])", name.lower()) is not None


def match_service(name: str, services: Iterable[str]) -> str:
    """The longest ECS service name that appears as a whole word in ``name`` ('' if none)."""
    hits = [s for s in services if s and _mentions(name, s)]
    return max(hits, key=len) if hits else ""


def _best(candidates: Iterable[str], pipeline: str, service: str) -> str:
    tokens = set(re.split(r"[^a-z0-9]+", pipeline.lower()))
    scored = [(len(tokens & set(re.split(r"[^a-z0-9]+", c.lower()))), -len(c), c) for c in candidates
              if not service or _mentions(c, service)]
    return max(scored)[2] if scored else ""


# --------------------------------------------------------------------------- measurement
def _epoch(values: pd.Series) -> list[float]:
    ts = pd.to_datetime(values, utc=True, errors="coerce", format="mixed")
    return [float("nan") if pd.isna(t) else t.timestamp() for t in ts]


def _seconds(value: Any) -> float:
    """A duration cell in seconds; NaN when unknown: missing, not a number, or a bool (a flag is no duration,
    and ``float(True)`` would be a 1-second run)."""
    return float("nan") if is_bool(value) else num(value, float("nan"))


def _ok(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ok = [r for r in rows if str(r.get("status")) in OK_STATUSES]
    return ok or rows


@dataclass
class History:
    """The pipeline, build and deployment tables of a snapshot, prepared once (plain Python rows)."""

    execs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    actions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    phases: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    groups: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    target_groups: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, snapshot: Snapshot) -> History:
        h = cls()
        for r in snapshot.table("pipeline_executions").to_dict("records"):
            h.execs.setdefault(text(r["pipeline"]), []).append(
                {"execution_id": text(r["execution_id"]), "status": text(r["status"]),
                 "duration_s": _seconds(r["duration_s"])})
        acts = snapshot.table("pipeline_action_executions")
        if len(acts):
            starts, ends = _epoch(acts["start"]), _epoch(acts["end"])
            for r, s0, s1 in zip(acts.to_dict("records"), starts, ends, strict=True):
                h.actions.setdefault(text(r["pipeline"]), []).append({
                    "execution_id": text(r["execution_id"]), "stage": text(r["stage"]), "action": text(r["action"]),
                    "category": text(r["category"]), "provider": text(r["provider"]), "start": s0, "end": s1,
                    "seconds": _seconds(r["duration_s"])})
        for r in _ok(snapshot.table("builds").to_dict("records")):
            phases = phase_seconds(r.get("phases"))
            if phases:
                h.phases.setdefault(text(r["project"]), []).append(phases)
        h.groups = snapshot.table("deployment_groups").to_dict("records")
        h.services = [{"name": text(s["service_name"]), "cluster": text(s["cluster"]),
                       "tgs": [a for a in json_list(s["target_group_arns"]) if isinstance(a, str)]}
                      for s in snapshot.table("ecs_services").to_dict("records")]
        h.target_groups = [{"arn": text(t["arn"]), "name": text(t["name"]),
                            "delay": _seconds(t["deregistration_delay_s"])}
                           for t in snapshot.table("target_groups").to_dict("records")]
        return h

    def deregistration_delay(self, service: str, cluster: str = "") -> float | None:
        """The longest deregistration delay of the service's target groups (by ARN, else by name)."""
        arns = {a for s in self.services if s["name"] == service and (not cluster or s["cluster"] == cluster)
                for a in s["tgs"]}
        delays = [t["delay"] for t in self.target_groups if t["arn"] in arns and t["delay"] == t["delay"]]
        if not delays and service:
            delays = [t["delay"] for t in self.target_groups
                      if _mentions(t["name"], service) and t["delay"] == t["delay"]]
        return max(delays) if delays else None

    def phase_medians(self, project: str) -> dict[str, float]:
        """Median seconds per phase of the project's successful builds (one engine with the rules:
        :func:`awsassess.facts.pipelines.phase_medians`)."""
        return phase_medians(self.phases.get(project, []))


def stage_medians(rows: list[dict[str, Any]],
                  execution_ids: set[str]) -> tuple[list[tuple[str, float]], dict[str, list[dict[str, Any]]]]:
    """[(stage, median seconds)] in time order, and per-stage action medians (for parallelism)."""
    spans: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        if r["execution_id"] not in execution_ids or r["start"] != r["start"] or r["end"] != r["end"]:
            continue
        key = (r["execution_id"], r["stage"])
        lo, hi = spans.get(key, [r["start"], r["end"]])
        spans[key] = [min(lo, r["start"]), max(hi, r["end"])]
    if not spans:
        return [], {}
    first: dict[str, float] = {}
    for (eid, _), (lo, _) in spans.items():
        first[eid] = min(first.get(eid, lo), lo)
    seconds: dict[str, list[float]] = {}
    offsets: dict[str, list[float]] = {}
    for (eid, stage), (lo, hi) in spans.items():
        seconds.setdefault(stage, []).append(hi - lo)
        offsets.setdefault(stage, []).append(lo - first[eid])
    order = sorted(seconds, key=lambda st: statistics.median(offsets[st]))
    by_action: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        if r["execution_id"] in execution_ids:
            by_action.setdefault((r["stage"], r["action"]), []).append(r)
    detail: dict[str, list[dict[str, Any]]] = {}
    for (stage, action), rs in by_action.items():
        secs = [x["seconds"] for x in rs if x["seconds"] == x["seconds"]]
        detail.setdefault(stage, []).append({"action": action, "category": rs[0]["category"],
                                             "provider": rs[0]["provider"],
                                             "seconds": float(statistics.median(secs)) if secs else 0.0})
    return [(st, float(statistics.median(seconds[st]))) for st in order], detail


def measure_pipeline(history: History, name: str, a: ModelAssumptions) -> PipelineTime | None:
    execs = _ok(history.execs.get(name, []))
    durations = [e["duration_s"] for e in execs if e["duration_s"] == e["duration_s"]]
    if not durations:
        return None
    now_s = float(statistics.median(durations))
    service = match_service(name, [s["name"] for s in history.services])
    pt = PipelineTime(name, service, len(durations), now_s, now_s)
    stages, detail = stage_medians(history.actions.get(name, []), {e["execution_id"] for e in execs})
    if not stages:
        pt.components.append(Component("Pipeline", "whole execution (no action history)", now_s, now_s))
        pt.notes.append("no action executions: only the total is known, no change is predicted")
        return pt
    pt.build_project = _best(list(history.phases), name, service)
    group_row = None
    cands = {f"{text(g['application'])}/{text(g['group'])}": g for g in history.groups}
    for key, g in cands.items():  # by the ECS service the group deploys
        for target in json_list(g["ecs_services"]):
            if service and str(target).rsplit("/", 1)[-1] == service:
                group_row, pt.deployment_group = g, key
    if group_row is None and cands:
        best = _best(list(cands), name, service)
        if best:
            group_row, pt.deployment_group = cands[best], best

    stage_total = 0.0
    for stage, seconds in stages:
        stage_total += seconds
        cats = {d["category"] for d in detail.get(stage, [])}
        provs = {d["provider"] for d in detail.get(stage, [])}
        if "Source" in cats:
            pt.components.append(Component(stage, "source (CodePipeline source action)", seconds, seconds))
        elif "Build" in cats and pt.build_project:
            phases = history.phase_medians(pt.build_project)
            total = sum(phases.values())
            for phase, sec in phases.items():
                if sec > 0:
                    pt.components.append(Component(stage, f"CodeBuild {phase}", sec, sec))
            if seconds - total > 0.5:
                pt.components.append(Component(stage, "action overhead (stage minus build phases)",
                                               seconds - total, seconds - total))
            _parallel_component(pt, stage, detail.get(stage, []), seconds, total)
        elif "Deploy" in cats or any("CodeDeploy" in p or p == "ECS" for p in provs):
            _deploy_components(pt, history, stage, seconds, group_row, service)
        else:
            pt.components.append(Component(stage, "stage", seconds, seconds))
            _parallel_component(pt, stage, detail.get(stage, []), seconds, seconds)
    overhead = now_s - stage_total
    if abs(overhead) > 0.5:
        pt.components.append(Component("Pipeline", "transitions and queueing (execution minus stages)",
                                       overhead, overhead))
    return pt


def _parallel_component(pt: PipelineTime, stage: str, actions: list[dict[str, Any]], stage_s: float,
                        accounted_s: float) -> None:
    """Record how much of a multi-action stage could run in parallel (as a negative component later)."""
    if len(actions) < 2:
        return
    longest = max(d["seconds"] for d in actions)
    pt.notes.append(f"{stage}: {len(actions)} actions, longest {longest:.0f} s of {stage_s:.0f} s")
    pt.components.append(Component(stage, "sequential actions (parallel candidates)", 0.0, 0.0,
                                   longest_action_s=float(longest)))


def _deploy_components(pt: PipelineTime, history: History, stage: str, seconds: float,
                       group_row: dict[str, Any] | None, service: str) -> None:
    wait_s = 0.0
    if group_row is not None and text(group_row["deployment_type"]).upper() == "BLUE_GREEN":
        wait_s = num(group_row["termination_wait_min"]) * 60
    cluster = ""
    if group_row is not None:
        targets = json_list(group_row["ecs_services"])
        if targets and "/" in str(targets[0]):
            cluster = str(targets[0]).split("/", 1)[0]
    dereg = history.deregistration_delay(service, cluster) or 0.0
    wait_s = min(wait_s, seconds)
    dereg = min(dereg, max(seconds - wait_s, 0.0))
    rest = max(seconds - wait_s - dereg, 0.0)
    pt.components.append(Component(stage, "replacement tasks start and pass health checks", rest, rest))
    if dereg:
        pt.components.append(Component(stage, "deregistration delay (old targets drain)", dereg, dereg))
    if wait_s:
        pt.components.append(Component(stage, "blue/green termination wait", wait_s, wait_s))


# --------------------------------------------------------------------------- prediction
def predict(pt: PipelineTime, a: ModelAssumptions) -> PipelineTime:
    """Apply each change to the measured components, recording the waterfall steps."""
    running = pt.now_s
    steps = [Step(f"Measured now (median of {pt.executions} executions)", 0.0, running)]

    def change(label: str, delta: float, assumption: str) -> None:
        nonlocal running
        if abs(delta) < 1e-9:
            return
        running += delta
        steps.append(Step(label, delta, running, assumption))

    for comp in pt.components:
        if comp.component.startswith("source") and a.drop_source_stage:
            comp.predicted_s = 0.0
            comp.assumption = "GitHub Actions runs on the push; checkout happens in the build job"
            change("Source stage removed", -comp.measured_s, comp.assumption)
    for comp in pt.components:
        if comp.component.startswith("CodeBuild "):
            phase = comp.component.split(" ", 1)[1]
            factor = a.build_phase_factors.get(phase.upper())
            if factor is not None and factor != 1.0:
                comp.predicted_s = comp.measured_s * factor
                comp.assumption = f"build_phase_factors[{phase}] = {factor:g}"
                change(f"{phase} phase cached (x{factor:g})", comp.predicted_s - comp.measured_s,
                       comp.assumption)
    for comp in pt.components:
        if comp.component == "blue/green termination wait":
            comp.predicted_s = min(comp.measured_s, a.termination_wait_target_min * 60)
            comp.assumption = f"termination_wait_target_min = {a.termination_wait_target_min:g}"
            change(f"Termination wait {comp.measured_s / 60:g} -> {comp.predicted_s / 60:g} min",
                   comp.predicted_s - comp.measured_s, comp.assumption)
    for comp in pt.components:
        if comp.component.startswith("deregistration delay") and comp.measured_s > a.long_deregistration_delay_s:
            comp.predicted_s = min(comp.measured_s, a.deregistration_delay_target_s)
            comp.assumption = (f"deregistration_delay_target_s = {a.deregistration_delay_target_s:g} "
                               f"(delays above {a.long_deregistration_delay_s:g} s)")
            change(f"Deregistration delay {comp.measured_s:g} -> {comp.predicted_s:g} s",
                   comp.predicted_s - comp.measured_s, comp.assumption)
    if a.parallel_stages:
        for comp in pt.components:
            if comp.component.startswith("sequential actions"):
                longest = comp.longest_action_s
                parts = [c for c in pt.components if c.stage == comp.stage and c is not comp]
                measured = sum(c.measured_s for c in parts)
                predicted = sum(c.predicted_s for c in parts)
                # the longest action shrinks by the same ratio as the stage (caching applies to it too)
                longest_after = longest * (predicted / measured) if measured else longest
                saving = max(predicted - longest_after, 0.0)
                comp.predicted_s = -saving
                comp.assumption = "parallel_stages: independent actions run as parallel jobs"
                change(f"{comp.stage}: actions in parallel", -saving, comp.assumption)
    pt.predicted_s = max(running, 0.0)
    steps.append(Step("Predicted", 0.0, pt.predicted_s))
    pt.steps = steps
    return pt


def pipeline_time(snapshot: Snapshot, a: ModelAssumptions, history: History | None = None) -> PipelineTimeModel:
    history = history or History.of(snapshot)
    model = PipelineTimeModel(history=history)
    # a pipeline without a name is skipped: no execution can be matched to it (text(), not astype(str),
    # which keeps NaN and makes the names unsortable)
    names = {text(n) for n in snapshot.table("pipelines")["name"]}
    for name in sorted(n for n in names if n):
        pt = measure_pipeline(history, name, a)
        if pt is not None:
            model.pipelines.append(predict(pt, a))
    return model
