"""Pipeline-time model: measured from the stage and phase history, predicted with stated assumptions."""

from __future__ import annotations

import pandas as pd
import pytest
from awsassess.model.assumptions import ModelAssumptions
from awsassess.model.pipeline_time import pipeline_time
from awsassess.snapshot import Snapshot
from demo_snapshots import demo_model, demo_snapshot


def test_demo_deploy_goes_from_about_an_hour_and_a_half_to_about_17_minutes() -> None:
    ptm = demo_model("production").pipeline_time
    assert len(ptm.pipelines) == 7
    # measured: source 45 s + CodeBuild 1,570 s + deploy (420 s tasks + 300 s drain + 60 min wait)
    assert ptm.now_min == pytest.approx((45 + 1570 + 420 + 300 + 3600) / 60, rel=0.03)
    assert 15 <= ptm.predicted_min <= 20


def test_the_breakdown_names_every_component_and_adds_up() -> None:
    pt = demo_model("production").pipeline_time.typical()
    assert pt is not None
    comps = {c.component: c for c in pt.components}
    assert comps["blue/green termination wait"].measured_s == pytest.approx(3600)
    assert comps["blue/green termination wait"].predicted_s == 0
    assert comps["deregistration delay (old targets drain)"].measured_s == pytest.approx(300)
    assert comps["deregistration delay (old targets drain)"].predicted_s == 30
    assert comps["CodeBuild BUILD"].predicted_s == pytest.approx(comps["CodeBuild BUILD"].measured_s * 0.3)
    assert sum(c.measured_s for c in pt.components) == pytest.approx(pt.now_s, abs=1)
    assert sum(c.predicted_s for c in pt.components) == pytest.approx(pt.predicted_s, abs=1)
    # the waterfall: each step's running total is the previous one plus its change
    for before, step in zip(pt.steps, pt.steps[1:], strict=False):
        if step.step != "Predicted":
            assert step.running_s == pytest.approx(before.running_s + step.change_s)
    assert pt.steps[-1].running_s == pytest.approx(pt.predicted_s)
    assert all(s.assumption for s in pt.steps[1:-1])


def test_every_assumption_is_overridable() -> None:
    snap = demo_snapshot("staging")
    base = pipeline_time(snap, ModelAssumptions()).predicted_min
    slower = pipeline_time(snap, ModelAssumptions(termination_wait_target_min=5)).predicted_min
    assert slower == pytest.approx(base + 5, abs=0.01)
    no_cache = ModelAssumptions(build_phase_factors={}, drop_source_stage=False)
    assert pipeline_time(snap, no_cache).predicted_min > base + 10
    keep_drain = pipeline_time(snap, ModelAssumptions(long_deregistration_delay_s=600)).predicted_min
    assert keep_drain == pytest.approx(base + 270 / 60, abs=0.01)


def test_parallel_actions_count_only_the_longest() -> None:
    snap = demo_snapshot("staging")
    acts = snap.table("pipeline_action_executions").copy()
    one = acts["pipeline"].iloc[0]
    build = acts[(acts["pipeline"] == one) & (acts["stage"] == "Build")].copy()
    # a unit-test action of 200 s that ran after the build in the same stage
    tests = build.copy()
    tests["action"], tests["category"], tests["provider"] = "UnitTests", "Test", "CodeBuild"
    tests["start"] = build["end"]
    tests["end"] = build["end"] + pd.Timedelta(seconds=200)
    tests["duration_s"] = 200.0
    execs = snap.table("pipeline_executions").copy()
    execs.loc[execs["pipeline"] == one, "duration_s"] += 200
    tables = {**snap.tables, "pipeline_action_executions": pd.concat([acts, tests], ignore_index=True),
              "pipeline_executions": execs}
    ptm = pipeline_time(Snapshot(manifest=snap.manifest, tables=tables), ModelAssumptions())
    pt = next(p for p in ptm.pipelines if p.pipeline == one)
    other = next(p for p in ptm.pipelines if p.pipeline != one)
    assert pt.now_s == pytest.approx(other.now_s + 200, abs=60)
    step = [s for s in pt.steps if "in parallel" in s.step]
    assert step and step[0].change_s < 0
    sequential = pipeline_time(Snapshot(manifest=snap.manifest, tables=tables),
                               ModelAssumptions(parallel_stages=False))
    assert next(p for p in sequential.pipelines if p.pipeline == one).predicted_s > pt.predicted_s


def test_without_action_history_nothing_is_predicted() -> None:
    snap = demo_snapshot("staging")
    tables = {**snap.tables, "pipeline_action_executions": snap.table("pipeline_action_executions").iloc[0:0]}
    ptm = pipeline_time(Snapshot(manifest=snap.manifest, tables=tables), ModelAssumptions())
    assert ptm.pipelines and all(p.predicted_s == p.now_s for p in ptm.pipelines)
