"""What-if: control values <-> params-style assumptions blocks, the badge, saved scenarios, and the notebook
one-liner outside JupyterLab (no model is computed here: see test_lab_whatif_live.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from awsassess.assumptions import Assumptions, resolve
from awsassess.lab import whatif
from awsassess.lab.live import Live
from awsassess.lab.mode import LAB_ENV
from awsassess.lab.session import LabChoice, merge
from awsassess.lab.whatif import CONTROLS, badge, badge_html, changes, save_scenario, scenario, values_of
from awsassess.notebook import Context
from demo_snapshots import demo_snapshot
from IPython.display import HTML

EVIL = "<script>alert(1)</script>"


def _ctx(tmp_path: Path, delivered: dict[str, Any] | None, whatif_block: dict[str, Any] | None = None, *,
         account: str = "fintech-staging", run: Path | None = None) -> Context:
    """A lab context as :func:`awsassess.lab.context.context_for` builds it (delivered + what-if on top)."""
    raw = delivered or {}
    lab = None if delivered is None else LabChoice(run or tmp_path / "runs" / "demo", account, whatif_block or {})
    return Context(snapshot=demo_snapshot("staging"), account_dir=tmp_path / "account",
                   assumptions=resolve(merge(raw, whatif_block or {})),
                   scratch_dir=None if delivered is None else tmp_path / "scratch",
                   delivered=None if delivered is None else resolve(raw), lab=lab)


# --------------------------------------------------------------------------- values and blocks
def test_controls_name_real_assumptions() -> None:
    defaults = Assumptions()
    keys = [c.key for c in CONTROLS]
    assert len(set(keys)) == len(keys)
    for c in CONTROLS:
        assert hasattr(getattr(defaults, c.section), c.name), c.key
        if c.kind == "float":  # the default sits inside the slider
            assert c.low <= whatif.value_of(defaults, c.key) <= c.high, c.key
    assert "model.compute_launch" in keys and "model.savings_plan_coverage_pct" in keys


def test_values_of_lists_as_sorted_tuples() -> None:
    a = resolve({"model": {"instance_families": ["m7g", "c6i", "m6g"], "utilisation_target": 0.7},
                 "shared": {"cpu_target_pct": 60}})
    values = values_of(a)
    assert set(values) == {c.key for c in CONTROLS}
    assert values["model.instance_families"] == ("c6i", "m6g", "m7g")
    assert values["model.utilisation_target"] == 0.7 and values["shared.cpu_target_pct"] == 60
    assert values["model.nat_per_az"] is None and values["model.compute_launch"] == "cheapest"
    hash(tuple(values.values()))  # comparable and hashable


def test_scenario_lists_only_what_differs() -> None:
    delivered = resolve({"model": {"utilisation_target": 0.8, "instance_families": ["m6g", "c7g"]}})
    values = values_of(delivered)
    assert scenario(values, delivered) == {}
    # the same families in another order, as a list or a tuple: no change
    assert scenario({**values, "model.instance_families": ("m6g", "c7g")}, delivered) == {}
    assert scenario({**values, "model.instance_families": ["c7g", "m6g"]}, delivered) == {}
    changed = {**values, "model.utilisation_target": 0.7, "shared.cpu_target_pct": 55.0,
               "model.instance_families": ("r7g", "m6g"), "model.nat_per_az": False,
               "model.compute_launch": "ec2"}
    assert scenario(changed, delivered) == {
        "model": {"utilisation_target": 0.7, "instance_families": ["m6g", "r7g"], "nat_per_az": False,
                  "compute_launch": "ec2"},
        "shared": {"cpu_target_pct": 55.0}}
    assert scenario({"model.savings_plans": True}, delivered) == {"model": {"savings_plans": True}}  # a subset


def test_scenario_refuses_an_unknown_key() -> None:
    with pytest.raises(KeyError) as err:
        scenario({"model.utilisation": 0.7}, Assumptions())
    assert "model.utilisation" in str(err.value) and "Fix" in str(err.value)
    assert "model.utilisation_target" in str(err.value)  # the keys it could be


def test_scenario_and_values_round_trip_through_resolve() -> None:
    delivered_raw = {"model": {"utilisation_target": 0.8}, "shared": {"memory_target_pct": 85}}
    delivered = resolve(delivered_raw)
    wanted = {**values_of(delivered), "model.savings_plans": True, "model.savings_plan_coverage_pct": 50.0,
              "model.instance_families": ("c7g", "m6g"), "model.utilisation_target": 0.7}
    effective = resolve(merge(delivered_raw, scenario(wanted, delivered)))
    assert values_of(effective) == wanted
    assert effective.shared.memory_target_pct == 85  # the delivered value not shown as a change is kept


def test_changes_lists_delivered_and_now(tmp_path: Path) -> None:
    assert changes(_ctx(tmp_path, {"model": {"utilisation_target": 0.8}})) == []
    ctx = _ctx(tmp_path, {"model": {"utilisation_target": 0.8}},
               {"model": {"utilisation_target": 0.7, "instance_families": ["m6g"]}})
    assert changes(ctx) == [("model.utilisation_target", 0.8, 0.7),
                            ("model.instance_families", values_of(Assumptions())["model.instance_families"],
                             ("m6g",))]
    assert changes(_ctx(tmp_path, None)) == []  # outside JupyterLab nothing is "changed"


# --------------------------------------------------------------------------- the badge
def test_badge_as_delivered(tmp_path: Path) -> None:
    html = badge_html(_ctx(tmp_path, {"model": {"utilisation_target": 0.8}}))
    assert "fintech-staging (demo): as delivered" in html
    assert "WHAT-IF" not in html
    assert "mathjax_ignore" in html and "tex2jax_ignore" in html


def test_badge_what_if_lists_each_change(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {}, {"model": {"compute_launch": "ec2", "instance_families": ["m6g", "c7g"],
                                        "nat_per_az": False}, "shared": {"cpu_target_pct": 60}})
    html = badge_html(ctx)
    assert "WHAT-IF" in html and "as delivered" not in html
    assert "model.compute_launch cheapest \u2192 ec2" in html
    assert "shared.cpu_target_pct 70.0 \u2192 60" in html
    assert "model.instance_families c6i, c7g, m6g, m6i, m7g, m7i, r6g, r7g \u2192 c7g, m6g" in html
    assert "model.nat_per_az unset \u2192 False" in html
    assert "mathjax_ignore" in html


def test_badge_escapes_the_account_and_the_run(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {}, {"model": {"savings_plans": True}}, account=EVIL, run=tmp_path / "<b>run&co")
    html = badge_html(ctx)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;run&amp;co" in html
    # outside JupyterLab the snapshot's name is shown
    assert "fintech-staging: as delivered" in badge_html(_ctx(tmp_path, None))


def test_badge_shows_nothing_outside_jupyterlab(tmp_path: Path) -> None:
    assert badge(_ctx(tmp_path, None)) is None
    shown = badge(_ctx(tmp_path, {}, {"model": {"savings_plans": True}}))
    assert isinstance(shown, HTML) and "WHAT-IF" in shown.data and "00_summary" in shown.data


# --------------------------------------------------------------------------- saved scenarios
def test_save_scenario_writes_a_params_block_into_the_scratch_folder(tmp_path: Path) -> None:
    delivered_raw = {"model": {"utilisation_target": 0.8}}
    block = {"model": {"savings_plans": True, "savings_plan_coverage_pct": 50.0, "instance_families": ["c7g", "m6g"],
                       "compute_launch": "ec2"},
             "shared": {"cpu_target_pct": 60}}
    ctx = _ctx(tmp_path, delivered_raw, block)  # as the explorer records it (lists sorted)
    when = dt.datetime(2026, 12, 7, 10, 11, 12, tzinfo=dt.UTC)
    path = save_scenario(ctx, when)
    assert path == tmp_path / "scratch" / "scenario-20261207T101112Z.yaml"
    assert not (tmp_path / "account").exists()  # never into the delivered account folder
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# What-if scenario for fintech-staging")
    doc = yaml.safe_load(text)
    assert set(doc) == {"assumptions"}
    assert doc["assumptions"] == block
    # pasted into the params file, it gives the what-if's assumptions
    assert resolve(merge(delivered_raw, doc["assumptions"])) == ctx.assumptions
    assert values_of(resolve(merge(delivered_raw, doc["assumptions"]))) == values_of(ctx.assumptions)


def test_save_scenario_without_changes_is_an_empty_block(tmp_path: Path) -> None:
    path = save_scenario(_ctx(tmp_path, {"model": {"utilisation_target": 0.8}}))
    assert path.parent == tmp_path / "scratch" and path.name.startswith("scenario-")
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {"assumptions": {}}


def test_save_scenario_refuses_outside_a_lab_context(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="awsassess lab"):
        save_scenario(_ctx(tmp_path, None))
    assert not (tmp_path / "account").exists()


# --------------------------------------------------------------------------- the one-liner outside JupyterLab
def test_explorer_outside_jupyterlab_renders_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LAB_ENV, raising=False)
    ctx = _ctx(tmp_path, {}, {"model": {"savings_plans": True}})  # even a lab context: no session, no widget
    live = whatif.explorer(ctx)
    assert isinstance(live, Live) and live.explorer is None and live.context is ctx
    calls = []

    def render(c: Context) -> str:
        calls.append(c)
        return f"<p>{c.snapshot.name}</p>"

    shown = live.show(render)
    assert isinstance(shown, HTML) and shown.data == "<p>fintech-staging</p>"
    assert calls == [ctx]
    marker = object()
    assert live.show(lambda c: marker) is marker  # not a string: returned as it is
    live._ipython_display_()  # displays nothing (no explorer)
    assert not (tmp_path / "session.json").exists()


def test_explorer_in_a_session_without_a_lab_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LAB_ENV, str(tmp_path / "lab"))
    live = whatif.explorer(_ctx(tmp_path, None))  # a batch-style context (explicit snapshot_dir) inside JupyterLab
    assert live.explorer is None
    assert not (tmp_path / "lab").exists()
