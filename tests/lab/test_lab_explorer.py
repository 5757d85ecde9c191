"""The explorer widget (ipywidgets, built in-process without a kernel): its controls record the what-if for the
session, the badge follows, listeners are called, the account picker switches and resets; the delivered run
is never written. Nothing here computes the model (see test_lab_whatif_live.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from awsassess.assumptions import resolve
from awsassess.lab.context import context_for
from awsassess.lab.live import Live
from awsassess.lab.mode import LAB_ENV
from awsassess.lab.session import LabChoice, read_choice, read_root, write_choice
from awsassess.lab.whatif import Explorer, explorer, values_of
from awsassess.notebook import Context
from lab_testing import tree_digest

DELIVERED = {"fintech-production": {"model": {"utilisation_target": 0.8}},
             "fintech-staging": {"shared": {"cpu_target_pct": 60}, "model": {"allow_graviton": False}}}


@pytest.fixture
def lab_run(make_lab_run: Callable[..., Path], tmp_path: Path) -> Path:
    return make_lab_run(tmp_path / "runs" / "demo", assumptions=DELIVERED)


def _explorer(session: Path, run: Path, account: str = "fintech-production", **kw: Any) -> Explorer:
    choice = LabChoice(run, account)
    write_choice(session, choice, root=run.parent)
    return Explorer(session, context_for(session, choice), show_results=False, **kw)


def _session_whatif(session: Path) -> dict[str, Any]:
    return json.loads((session / "session.json").read_text(encoding="utf-8"))["whatif"]


def test_controls_show_the_delivered_values(lab_run: Path, tmp_path: Path) -> None:
    ex = _explorer(tmp_path / "lab", lab_run)
    assert ex.values() == values_of(resolve(DELIVERED["fintech-production"]))
    assert ex.controls["model.utilisation_target"].value == 0.8
    assert "as delivered" in ex.badge.value and "WHAT-IF" not in ex.badge.value
    assert "awsassess-explorer" in ex.widget._dom_classes
    assert [v for _, v in ex.picker.options] == [(str(lab_run), "fintech-production"), (str(lab_run), "fintech-staging")]
    assert ex.picker.value == (str(lab_run), "fintech-production")


def test_a_control_change_records_the_whatif(lab_run: Path, tmp_path: Path) -> None:
    session = tmp_path / "lab"
    before = tree_digest(lab_run)
    ex = _explorer(session, lab_run)
    seen: list[Context] = []
    ex.subscribe(seen.append)
    assert seen == [ex.ctx]  # called at once

    ex.controls["model.savings_plans"].value = True
    assert _session_whatif(session) == {"model": {"savings_plans": True}}
    assert read_root(session) == lab_run.parent  # the picker's root is kept
    assert ex.ctx.assumptions.model.savings_plans is True
    assert ex.ctx.assumptions.model.utilisation_target == 0.8  # delivered, under the what-if
    assert ex.ctx.is_whatif and ex.ctx.delivered == resolve(DELIVERED["fintech-production"])
    assert "WHAT-IF" in ex.badge.value and "model.savings_plans False \u2192 True" in ex.badge.value
    assert len(seen) == 2 and seen[-1] is ex.ctx

    ex.controls["model.utilisation_target"].value = 0.7
    assert _session_whatif(session) == {"model": {"savings_plans": True, "utilisation_target": 0.7}}
    assert ex.ctx.assumptions.model.utilisation_target == 0.7 and len(seen) == 3
    assert ex.ctx.scratch_dir == session / "demo" / "fintech-production"
    assert tree_digest(lab_run) == before  # the delivered run is never written


def test_apply_takes_every_value_and_reset_goes_back(lab_run: Path, tmp_path: Path) -> None:
    session = tmp_path / "lab"
    ex = _explorer(session, lab_run)
    values = {**ex.values(), "model.compute_launch": "ec2", "model.instance_families": ("m6g", "c7g"),
              "model.nat_per_az": False, "shared.memory_target_pct": 75.0}
    ex.apply(values)
    assert _session_whatif(session) == {"model": {"compute_launch": "ec2", "instance_families": ["c7g", "m6g"],
                                                  "nat_per_az": False},
                                        "shared": {"memory_target_pct": 75.0}}
    a = ex.ctx.assumptions
    assert (a.model.compute_launch, a.model.nat_per_az, a.shared.memory_target_pct) == ("ec2", False, 75.0)
    assert a.model.memory_target_pct == 75.0  # one shared concept, one value
    assert read_choice(session) == ex.ctx.lab
    ex.reset()
    assert _session_whatif(session) == {}
    assert ex.values() == values_of(resolve(DELIVERED["fintech-production"]))
    assert not ex.ctx.is_whatif and "as delivered" in ex.badge.value


def test_choose_switches_account_and_resets_the_whatif(lab_run: Path, tmp_path: Path) -> None:
    session = tmp_path / "lab"
    ex = _explorer(session, lab_run)
    seen: list[str] = []
    ex.subscribe(lambda c: seen.append(c.lab.account))
    ex.controls["model.savings_plans"].value = True
    ex.choose(lab_run, "fintech-staging")
    assert read_choice(session) == LabChoice(lab_run, "fintech-staging")  # the what-if is reset
    assert read_root(session) == lab_run.parent
    assert ex.ctx.snapshot.name == "fintech-staging" and not ex.ctx.is_whatif
    assert ex.ctx.delivered == resolve(DELIVERED["fintech-staging"])
    assert ex.controls["shared.cpu_target_pct"].value == 60 and ex.controls["model.allow_graviton"].value is False
    assert ex.controls["model.savings_plans"].value is False
    assert ex.values() == values_of(resolve(DELIVERED["fintech-staging"]))
    assert seen == ["fintech-production", "fintech-production", "fintech-staging"]
    assert "fintech-staging (demo): as delivered" in ex.badge.value
    # setting the controls to the new delivered values recorded no what-if on the way
    assert _session_whatif(session) == {}


def test_the_picker_chooses(lab_run: Path, tmp_path: Path) -> None:
    session = tmp_path / "lab"
    ex = _explorer(session, lab_run)
    ex.picker.value = (str(lab_run), "fintech-staging")
    assert ex.ctx.lab.account == "fintech-staging" and read_choice(session).account == "fintech-staging"


def test_picker_lists_runs_beside_the_current_one_and_under_the_root(make_lab_run: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    first = make_lab_run(tmp_path / "runs" / "a-run", names=["fintech-production"])
    make_lab_run(tmp_path / "runs" / "b-run", names=["fintech-staging"])
    other_root = make_lab_run(tmp_path / "archive" / "old" / "c-run", names=["fintech-staging"])
    session = tmp_path / "lab"
    write_choice(session, LabChoice(first, "fintech-production"), root=tmp_path / "archive")
    ex = Explorer(session, context_for(session, LabChoice(first, "fintech-production")), show_results=False)
    labels = [label for label, _ in ex.picker.options]
    assert labels == ["c-run / fintech-staging", "a-run / fintech-production", "b-run / fintech-staging"]
    assert (str(other_root), "fintech-staging") in [v for _, v in ex.picker.options]


def test_explorer_in_a_session_builds_the_widget(lab_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ipywidgets

    session = tmp_path / "lab"
    monkeypatch.setenv(LAB_ENV, str(session))
    ctx = context_for(session, LabChoice(lab_run, "fintech-staging"))
    live = explorer(ctx, show_results=False)
    assert isinstance(live, Live) and isinstance(live.explorer, Explorer)
    assert read_choice(session) == ctx.lab  # the first explorer records the session's choice
    area = live.show(lambda c: f"<b>{c.lab.account}</b>")
    assert isinstance(area, ipywidgets.Output)
    assert live.explorer.listeners  # the area re-draws on every change
    live.explorer.controls["model.savings_plans"].value = True
    assert live.context is live.explorer.ctx and live.context.assumptions.model.savings_plans is True


def test_save_button_writes_into_the_scratch_folder(lab_run: Path, tmp_path: Path) -> None:
    ex = _explorer(tmp_path / "lab", lab_run)
    ex.set_control("model.compute_launch", "ec2")
    path = ex.save()
    assert path is not None and path.parent == tmp_path / "lab" / "demo" / "fintech-production"
    assert "compute_launch: ec2" in path.read_text(encoding="utf-8")
    assert "Scenario saved to" in ex.status.value


def test_a_failing_callback_is_shown_in_the_explorer(lab_run: Path, tmp_path: Path) -> None:
    session = tmp_path / "lab"
    ex = _explorer(session, lab_run)
    (lab_run / "fintech-staging" / "snapshot" / "manifest.json").unlink()  # the account can no longer be opened
    ex.picker.value = (str(lab_run), "fintech-staging")  # no exception out of the widget callback
    assert "Opening fintech-staging failed" in ex.status.value and "LabSessionError" in ex.status.value
    assert ex.ctx.lab.account == "fintech-production"  # still showing the account that opens


def test_a_failed_choice_leaves_the_session_as_it_was(lab_run: Path, tmp_path: Path) -> None:
    session = tmp_path / "lab"
    ex = _explorer(session, lab_run)
    (lab_run / "fintech-staging" / "snapshot" / "manifest.json").unlink()
    ex.picker.value = (str(lab_run), "fintech-staging")
    assert read_choice(session) == ex.ctx.lab == LabChoice(lab_run, "fintech-production")


# --------------------------------------------------------------------------- delivered values the widgets cannot show
def test_a_delivered_value_outside_a_slider_is_not_changed(make_lab_run: Callable[..., Path], tmp_path: Path) -> None:
    run = make_lab_run(tmp_path / "runs" / "demo", assumptions={"fintech-production": {"shared": {"cpu_target_pct": 95}}})
    session = tmp_path / "lab"
    ex = _explorer(session, run)
    ex.controls["model.savings_plans"].value = True
    assert _session_whatif(session) == {"model": {"savings_plans": True}}
    assert ex.ctx.assumptions.shared.cpu_target_pct == 95


def test_a_delivered_family_unknown_to_the_catalog(make_lab_run: Callable[..., Path], tmp_path: Path) -> None:
    run = make_lab_run(tmp_path / "runs" / "demo",
                       assumptions={"fintech-production": {"model": {"instance_families": ["m6g", "c5"]}}})
    ex = _explorer(tmp_path / "lab", run)
    assert ex.values()["model.instance_families"] == ("c5", "m6g")


def test_the_nat_control_shows_the_default_option(lab_run: Path, tmp_path: Path) -> None:
    ex = _explorer(tmp_path / "lab", lab_run)
    nat = ex.controls["model.nat_per_az"]
    ex.set_control("model.nat_per_az", True)
    assert nat.label == "One per AZ" and ex.ctx.assumptions.model.nat_per_az is True
    nat.index = 0  # the consultant picks "As the environment" again (the browser sends the index)
    assert ex.ctx.assumptions.model.nat_per_az is None and not ex.ctx.is_whatif
    assert nat.label == "As the environment (per AZ in production)" and nat.index == 0
