"""``open_context()`` in a kernel of ``awsassess lab``: the session's account, its delivered assumptions and
the what-if on top, a scratch folder in the session; a batch's explicit parameters (snapshot_dir) ignore the session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from awsassess.assumptions import resolve
from awsassess.lab.context import context_for, lab_context
from awsassess.lab.mode import LAB_ENV, interactive, session_dir
from awsassess.lab.session import LabChoice, LabSessionError, write_choice
from awsassess.notebook import open_context
from lab_testing import tree_digest

DELIVERED = {"fintech-staging": {"model": {"utilisation_target": 0.8}, "shared": {"cpu_target_pct": 60}}}


@pytest.fixture
def lab_run(make_lab_run: Callable[..., Path], tmp_path: Path) -> Path:
    return make_lab_run(tmp_path / "runs" / "demo", assumptions=DELIVERED)


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "lab"
    monkeypatch.setenv(LAB_ENV, str(folder))
    return folder


def test_mode_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(LAB_ENV, raising=False)
    assert session_dir() is None and not interactive()
    monkeypatch.setenv(LAB_ENV, "  ")
    assert session_dir() is None and not interactive()
    monkeypatch.setenv(LAB_ENV, str(tmp_path))
    assert session_dir() == tmp_path and interactive()


def test_open_context_opens_the_sessions_account(lab_run: Path, session: Path) -> None:
    before = tree_digest(lab_run)
    write_choice(session, LabChoice(lab_run, "fintech-staging"))
    ctx = open_context()
    assert ctx.snapshot.name == "fintech-staging" and ctx.snapshot.environment == "staging"
    assert ctx.account_dir == lab_run / "fintech-staging"
    assert ctx.scratch_dir == session / "demo" / "fintech-staging" and ctx.scratch_dir.is_dir()
    assert ctx.write_dir == ctx.scratch_dir
    assert ctx.lab == LabChoice(lab_run, "fintech-staging")
    assert ctx.delivered == resolve(DELIVERED["fintech-staging"]) == ctx.assumptions
    assert ctx.assumptions.model.utilisation_target == 0.8 and ctx.assumptions.model.cpu_target_pct == 60
    assert ctx.is_whatif is False
    assert tree_digest(lab_run) == before  # opening writes nothing into the delivered run


def test_open_context_carries_the_sessions_whatif(lab_run: Path, session: Path) -> None:
    write_choice(session, LabChoice(lab_run, "fintech-staging", {"model": {"savings_plans": True,
                                                                            "utilisation_target": 0.7}}))
    ctx = open_context()
    assert ctx.is_whatif is True
    assert ctx.delivered == resolve(DELIVERED["fintech-staging"])
    a = ctx.assumptions
    assert a.model.savings_plans is True and a.model.utilisation_target == 0.7
    assert a.shared.cpu_target_pct == 60  # the delivered block under the what-if
    # a notebook's own assumptions parameter goes on top of both
    mine = open_context(assumptions={"model": {"utilisation_target": 0.6}})
    assert mine.assumptions.model.utilisation_target == 0.6 and mine.assumptions.model.savings_plans is True


def test_open_context_of_an_account_without_whatif_is_the_delivered_one(lab_run: Path, session: Path) -> None:
    write_choice(session, LabChoice(lab_run, "fintech-production"))
    ctx = open_context()
    assert ctx.snapshot.name == "fintech-production"
    assert ctx.delivered == resolve({}) == ctx.assumptions and not ctx.is_whatif


def test_explicit_snapshot_dir_ignores_the_session(lab_run: Path, session: Path) -> None:
    write_choice(session, LabChoice(lab_run, "fintech-staging", {"model": {"savings_plans": True}}))
    snap = lab_run / "fintech-production" / "snapshot"
    ctx = open_context(snap, assumptions={"model": {"utilisation_target": 0.7}})
    assert ctx.snapshot.name == "fintech-production"
    assert ctx.account_dir == lab_run / "fintech-production"
    assert ctx.lab is None and ctx.delivered is None and ctx.scratch_dir is None
    assert ctx.write_dir == ctx.account_dir and not ctx.is_whatif
    assert ctx.assumptions == resolve({"model": {"utilisation_target": 0.7}})  # no what-if, no delivered block
    also = open_context(str(snap), str(lab_run / "fintech-production"))
    assert also.lab is None and also.assumptions == resolve({})
    assert not (session / "demo").exists()


def test_session_on_an_account_without_snapshot(make_lab_run: Callable[..., Path], tmp_path: Path,
                                                session: Path) -> None:
    run = make_lab_run(tmp_path / "runs" / "half", snapshot=["fintech-production"])
    write_choice(session, LabChoice(run, "fintech-staging"))
    with pytest.raises(LabSessionError) as err:
        open_context()
    message = str(err.value)
    assert "no snapshot" in message and "'fintech-staging'" in message and "Fix:" in message
    assert "00_summary" in message


def test_session_with_a_broken_file(session: Path) -> None:
    session.mkdir()
    (session / "session.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(LabSessionError, match="Fix:"):
        open_context()


def test_no_choice_and_no_demo_run(tmp_path: Path, session: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import awsassess.lab.context as lab_context_module

    monkeypatch.setattr(lab_context_module, "demo_run_dir", lambda: tmp_path / "no-demo")
    with pytest.raises(LabSessionError) as err:
        lab_context(session)
    assert "No account is chosen" in str(err.value) and "awsassess lab RUN_DIR" in str(err.value)


def test_no_choice_opens_the_demo_runs_first_account(make_lab_run: Callable[..., Path], tmp_path: Path,
                                                     session: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import awsassess.lab.context as lab_context_module

    demo = make_lab_run(tmp_path / "outputs" / "demo")
    monkeypatch.setattr(lab_context_module, "demo_run_dir", lambda: demo)
    ctx = open_context()
    assert ctx.lab == LabChoice(demo, "fintech-production") and ctx.scratch_dir == session / "demo" / "fintech-production"


def test_context_for_an_explicit_choice(lab_run: Path, tmp_path: Path) -> None:
    ctx = context_for(tmp_path / "elsewhere", LabChoice(lab_run, "fintech-staging", {"model": {"compute_launch": "ec2"}}))
    assert ctx.scratch_dir == tmp_path / "elsewhere" / "demo" / "fintech-staging"
    assert ctx.assumptions.model.compute_launch == "ec2" and ctx.is_whatif
