"""The JupyterLab session's one choice (session.json): reading, writing, the runs and accounts it can name,
and the delivered assumptions a what-if goes on top of."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from awsassess.lab.session import (
    SESSION_FILE,
    LabChoice,
    LabSessionError,
    accounts_of,
    delivered_assumptions,
    find_runs,
    merge,
    read_choice,
    read_root,
    scratch_dir,
    write_choice,
)
from lab_testing import params_text


def _run_json(run: Path, *names: str) -> Path:
    run.mkdir(parents=True, exist_ok=True)
    (run / "run.json").write_text(json.dumps({"accounts": [{"name": n} for n in names]}), encoding="utf-8")
    return run


# --------------------------------------------------------------------------- the choice
def test_choice_json_round_trip(tmp_path: Path) -> None:
    choice = LabChoice(tmp_path / "runs" / "demo", "fintech-staging",
                       {"model": {"utilisation_target": 0.7, "instance_families": ["m6g"]}, "shared": {"cpu_target_pct": 60}})
    doc = json.loads(json.dumps(choice.to_json()))
    assert doc == {"run": str(tmp_path / "runs" / "demo"), "account": "fintech-staging", "whatif": choice.whatif}
    write_choice(tmp_path / "session", choice)
    assert read_choice(tmp_path / "session") == choice
    assert choice.account_folder.path == tmp_path / "runs" / "demo" / "fintech-staging"
    assert choice.run_folder.run_json == tmp_path / "runs" / "demo" / "run.json"


def test_with_whatif_copies_deeply() -> None:
    block = {"model": {"utilisation_target": 0.7}}
    base = LabChoice(Path("/r"), "a")
    changed = base.with_whatif(block)
    block["model"]["utilisation_target"] = 0.5
    assert changed.whatif == {"model": {"utilisation_target": 0.7}}
    assert base.whatif == {} and (changed.run, changed.account) == (base.run, base.account)


def test_missing_session_file_is_no_choice(tmp_path: Path) -> None:
    assert read_choice(tmp_path) is None
    assert read_choice(tmp_path / "not-even-a-folder") is None
    assert read_root(tmp_path) is None


@pytest.mark.parametrize(("content", "says"), [
    ("{not json", "not readable as the lab session"),
    ("[1, 2]", "needs the fields run"),
    ('{"run": "/r"}', "needs the fields run"),
    ('{"account": "a"}', "needs the fields run"),
    ('{"run": 3, "account": "a"}', "needs the fields run"),
    ('{"run": "/r", "account": "a", "whatif": [1]}', "whatif must be a mapping"),
    ('{"run": "/r", "account": "a", "whatif": "model.x=1"}', "whatif must be a mapping"),
])
def test_broken_session_file_names_the_file_and_the_fix(tmp_path: Path, content: str, says: str) -> None:
    (tmp_path / SESSION_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(LabSessionError) as err:
        read_choice(tmp_path)
    message = str(err.value)
    assert str(tmp_path / SESSION_FILE) in message and says in message and "Fix:" in message
    assert isinstance(err.value, ValueError)


def test_empty_whatif_is_no_whatif(tmp_path: Path) -> None:
    (tmp_path / SESSION_FILE).write_text('{"run": "/r", "account": "a", "whatif": null}', encoding="utf-8")
    assert read_choice(tmp_path) == LabChoice(Path("/r"), "a", {})


def test_write_choice_records_the_root_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = tmp_path / "lab" / "session"  # made when missing
    first = LabChoice(tmp_path / "run", "fintech-production")
    path = write_choice(session, first, root=tmp_path / "outputs")
    assert path == session / SESSION_FILE
    assert json.loads(path.read_text(encoding="utf-8"))["root"] == str(tmp_path / "outputs")
    assert read_root(session) == tmp_path / "outputs"
    assert read_choice(session) == first
    assert sorted(p.name for p in session.iterdir()) == [SESSION_FILE]  # no temporary file left

    # a write that fails half-way leaves the previous choice whole (a notebook reads the old or the new one)
    def broken_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_choice(session, LabChoice(tmp_path / "other", "fintech-staging", {"model": {"savings_plans": True}}))
    monkeypatch.undo()
    assert read_choice(session) == first and read_root(session) == tmp_path / "outputs"
    assert sorted(p.name for p in session.iterdir()) == [SESSION_FILE]

    # without a root, none is recorded
    write_choice(session, first)
    assert read_root(session) is None


@pytest.mark.parametrize("content", ["{broken", '{"root": ""}', '{"root": 7}', "[]"])
def test_read_root_of_a_file_without_one(tmp_path: Path, content: str) -> None:
    (tmp_path / SESSION_FILE).write_text(content, encoding="utf-8")
    assert read_root(tmp_path) is None


def test_scratch_dir_is_in_the_session(tmp_path: Path) -> None:
    choice = LabChoice(tmp_path / "outputs" / "demo", "fintech-staging")
    assert scratch_dir(tmp_path / "lab", choice) == tmp_path / "lab" / "demo" / "fintech-staging"


# --------------------------------------------------------------------------- runs and accounts
def test_find_runs_nested_sorted_hidden_skipped_and_depth(tmp_path: Path) -> None:
    root = tmp_path / "outputs"
    b = _run_json(root / "b-run")
    a = _run_json(root / "clients" / "acme" / "a-run")  # 3 levels down: found
    _run_json(root / "clients" / "acme" / "deeper" / "too-deep")  # 4 levels down: not found
    _run_json(root / ".hidden" / "run")
    _run_json(root / "b-run" / "nested-inside-a-run")  # a run's own folders are not searched
    (root / "empty" / "folder").mkdir(parents=True)
    (root / "file.txt").write_text("x", encoding="utf-8")
    assert find_runs(root) == sorted([a, b])
    assert find_runs(root, depth=1) == [b]
    assert find_runs(root, depth=4) == sorted([a, b, root / "clients" / "acme" / "deeper" / "too-deep"])
    assert find_runs(b) == [b]  # the root itself a run
    assert find_runs(tmp_path / "missing") == []


def test_accounts_of_lists_only_accounts_with_a_snapshot(tmp_path: Path) -> None:
    run = _run_json(tmp_path / "run", "with-snap", "without-snap", "no-folder")
    (run / "with-snap" / "snapshot").mkdir(parents=True)
    (run / "with-snap" / "snapshot" / "manifest.json").write_text("{}", encoding="utf-8")
    (run / "without-snap" / "snapshot").mkdir(parents=True)  # a collection that never finished
    (run / "not-listed" / "snapshot").mkdir(parents=True)
    (run / "not-listed" / "snapshot" / "manifest.json").write_text("{}", encoding="utf-8")
    assert accounts_of(run) == ["with-snap"]


# --------------------------------------------------------------------------- delivered assumptions
def test_delivered_assumptions_from_the_runs_params_copy(tmp_path: Path) -> None:
    run = _run_json(tmp_path / "run", "fintech-staging")
    (run / "params").mkdir()
    block = {"model": {"utilisation_target": 0.7}, "shared": {"cpu_target_pct": 60}}
    (run / "params" / "fintech-staging.yaml").write_text(params_text("fintech-staging", block), encoding="utf-8")
    got = delivered_assumptions(run, "fintech-staging")
    assert got == block
    got["model"]["utilisation_target"] = 0.1  # a copy
    assert delivered_assumptions(run, "fintech-staging") == block


def test_delivered_assumptions_from_the_params_path_run_json_recorded(tmp_path: Path) -> None:
    params = tmp_path / "elsewhere" / "staging.yaml"
    params.parent.mkdir()
    params.write_text(params_text("fintech-staging", {"model": {"savings_plans": True}}), encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"accounts": [
        {"name": "fintech-production", "params": str(tmp_path / "nope.yaml")},
        {"name": "fintech-staging", "params": str(params)}]}), encoding="utf-8")
    assert delivered_assumptions(run, "fintech-staging") == {"model": {"savings_plans": True}}
    # the run's own copy wins over the recorded path
    (run / "params").mkdir()
    (run / "params" / "fintech-staging.yaml").write_text(
        params_text("fintech-staging", {"model": {"utilisation_target": 0.6}}), encoding="utf-8")
    assert delivered_assumptions(run, "fintech-staging") == {"model": {"utilisation_target": 0.6}}


def test_delivered_assumptions_default_to_none(tmp_path: Path) -> None:
    run = _run_json(tmp_path / "run", "fintech-staging")
    assert delivered_assumptions(run, "fintech-staging") == {}  # no params anywhere
    (run / "run.json").write_text(json.dumps({"accounts": [{"name": "fintech-staging",
                                                             "params": str(tmp_path / "gone.yaml")}]}))
    assert delivered_assumptions(run, "fintech-staging") == {}  # the recorded file is gone
    assert delivered_assumptions(tmp_path / "no-run-json", "fintech-staging") == {}
    (run / "params").mkdir()
    (run / "params" / "fintech-staging.yaml").write_text(params_text("fintech-staging", None), encoding="utf-8")
    assert delivered_assumptions(run, "fintech-staging") == {}  # a params file without the block


def test_make_lab_run_params_are_the_delivered_ones(make_lab_run: Callable[..., Path], tmp_path: Path) -> None:
    block = {"fintech-production": {"model": {"compute_launch": "ec2"}}}
    here = make_lab_run(tmp_path / "runs" / "here", assumptions=block)
    there = make_lab_run(tmp_path / "runs" / "there", assumptions=block, params="recorded")
    for run in (here, there):
        assert accounts_of(run) == ["fintech-production", "fintech-staging"]
        assert delivered_assumptions(run, "fintech-production") == block["fintech-production"]
        assert delivered_assumptions(run, "fintech-staging") == {}
    assert not (there / "params").exists()


# --------------------------------------------------------------------------- merge
def test_merge_is_section_wise_and_copies() -> None:
    base = {"model": {"utilisation_target": 0.8, "savings_plans": True}, "shared": {"cpu_target_pct": 60},
            "findings": {"overprovisioned_max_p95_pct": 40}}
    over = {"model": {"utilisation_target": 0.7, "instance_families": ["m6g"]}, "shared": {"memory_target_pct": 70}}
    got = merge(base, over)
    assert got == {"model": {"utilisation_target": 0.7, "savings_plans": True, "instance_families": ["m6g"]},
                   "shared": {"cpu_target_pct": 60, "memory_target_pct": 70},
                   "findings": {"overprovisioned_max_p95_pct": 40}}
    got["model"]["instance_families"].append("c7g")
    got["shared"]["cpu_target_pct"] = 1
    assert over["model"]["instance_families"] == ["m6g"] and base["shared"]["cpu_target_pct"] == 60
    assert merge({}, over) == over and merge(base, {}) == base
    assert merge({"model": None}, {"model": {"x": 1}}) == {"model": {"x": 1}}
    assert merge({"model": {"x": 1}}, {"model": None}) == {"model": None}
