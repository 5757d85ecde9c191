"""``awsassess lab``: the plan (which run and account the session opens), the command line, the JupyterLab
settings it installs and the paired notebooks' times. Nothing is started here."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from awsassess.lab import server
from awsassess.lab.mode import LAB_ENV
from awsassess.lab.server import SETTINGS, LabError, LabPlan, align_twins, command, install_settings, plan
from awsassess.lab.session import LabChoice, read_choice, write_choice
from awsassess.layout import checkout_root, suite_notebooks_dir


# --------------------------------------------------------------------------- the plan
def test_plan_on_a_run_folder(make_lab_run: Callable[..., Path], tmp_path: Path) -> None:
    run = make_lab_run(tmp_path / "runs" / "demo")
    session = tmp_path / "lab"
    got = plan(run, session=session)
    assert got.runs_root == run.resolve() and got.session == session.resolve()
    assert got.choice == LabChoice(run.resolve(), "fintech-production")  # the first account run.json lists
    assert got.root == (checkout_root() or Path.cwd())
    assert got.environment()[LAB_ENV] == str(session.resolve())
    assert not session.exists()  # planning writes nothing
    assert plan(run, "fintech-staging", session=session).choice.account == "fintech-staging"


def test_plan_on_a_folder_of_runs(make_lab_run: Callable[..., Path], tmp_path: Path) -> None:
    make_lab_run(tmp_path / "outputs" / "b-run", names=["fintech-production"])
    make_lab_run(tmp_path / "outputs" / "client" / "a-run", names=["fintech-staging"])
    got = plan(tmp_path / "outputs", session=tmp_path / "lab")
    assert got.choice == LabChoice((tmp_path / "outputs" / "b-run").resolve(), "fintech-production")
    assert got.runs_root == (tmp_path / "outputs").resolve()
    staging = plan(tmp_path / "outputs", "fintech-staging", session=tmp_path / "lab")
    assert staging.choice == LabChoice((tmp_path / "outputs" / "client" / "a-run").resolve(), "fintech-staging")


def test_plan_with_an_unknown_account_lists_the_accounts(make_lab_run: Callable[..., Path], tmp_path: Path) -> None:
    run = make_lab_run(tmp_path / "runs" / "demo")
    with pytest.raises(LabError) as err:
        plan(run, "fintech-prod", session=tmp_path / "lab")
    message = str(err.value)
    assert "--account 'fintech-prod'" in message and "Fix:" in message
    assert "fintech-production, fintech-staging" in message


def test_plan_on_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(LabError) as err:
        plan(tmp_path / "nope", session=tmp_path / "lab")
    assert "no such folder" in str(err.value) and str(tmp_path / "nope") in str(err.value)
    assert "--out folder of `awsassess run`" in str(err.value)


def test_plan_on_a_folder_without_runs(tmp_path: Path) -> None:
    (tmp_path / "outputs" / "something").mkdir(parents=True)
    with pytest.raises(LabError, match="no run folder") as err:
        plan(tmp_path / "outputs", session=tmp_path / "lab")
    assert "Fix:" in str(err.value)


def test_plan_on_runs_without_a_snapshot(make_lab_run: Callable[..., Path], tmp_path: Path) -> None:
    run = make_lab_run(tmp_path / "runs" / "demo", snapshot=())
    with pytest.raises(LabError, match="no account with a snapshot") as err:
        plan(run, session=tmp_path / "lab")
    assert "Fix:" in str(err.value)


def test_plan_keeps_the_previous_choice_when_still_valid(make_lab_run: Callable[..., Path], tmp_path: Path) -> None:
    run = make_lab_run(tmp_path / "runs" / "demo")
    session = tmp_path / "lab"
    previous = LabChoice(run, "fintech-staging", {"model": {"savings_plans": True}})
    write_choice(session, previous)
    assert plan(run, session=session).choice == previous
    assert plan(run, "fintech-production", session=session).choice.account == "fintech-production"  # asked for
    # a choice in another run, of an account no longer there, or a broken file: the first account
    other = make_lab_run(tmp_path / "runs" / "other")
    write_choice(session, LabChoice(other, "fintech-staging"))
    assert plan(run, session=session).choice == LabChoice(run.resolve(), "fintech-production")
    write_choice(session, LabChoice(run, "gone-account"))
    assert plan(run, session=session).choice == LabChoice(run.resolve(), "fintech-production")
    (session / "session.json").write_text("{broken", encoding="utf-8")
    assert plan(run, session=session).choice == LabChoice(run.resolve(), "fintech-production")


# --------------------------------------------------------------------------- the command line
def _plan(tmp_path: Path) -> LabPlan:
    root = checkout_root() or Path.cwd()  # what plan() uses: the suite's notebooks are below it
    return LabPlan(root, tmp_path / "lab", LabChoice(tmp_path / "run", "a"), tmp_path / "run")


def test_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    args = command(_plan(tmp_path), ["--ServerApp.token=x"])
    assert args[:3] == [sys.executable, "-m", "jupyterlab"]
    root = checkout_root() or Path.cwd()
    assert f"--ServerApp.root_dir={root}" in args
    assert "--LabApp.default_url=/lab/tree/notebooks/00_summary.ipynb" in args
    assert (suite_notebooks_dir() / "00_summary.ipynb").is_file()
    assert "--ServerApp.ip=127.0.0.1" in args
    assert "--ServerApp.open_browser=False" in args
    assert not any(a.startswith("--ServerApp.port") or "allow_root" in a for a in args)
    assert args[-1] == "--ServerApp.token=x"  # the user's arguments last: they win
    with_port = command(_plan(tmp_path), [], port=8899, browser=True)
    assert "--ServerApp.port=8899" in with_port and "--ServerApp.open_browser=False" not in with_port


def test_command_allows_root_only_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    assert "--ServerApp.allow_root=True" in command(_plan(tmp_path), [])
    monkeypatch.setattr(os, "geteuid", lambda: 501, raising=False)
    assert "--ServerApp.allow_root=True" not in command(_plan(tmp_path), [])


# --------------------------------------------------------------------------- settings
def test_install_settings_writes_the_overrides(tmp_path: Path) -> None:
    path = install_settings(prefix=tmp_path)
    assert path == tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert doc["@jupyterlab/apputils-extension:notification"]["checkForUpdates"] is False
    assert doc["@jupyterlab/docmanager-extension:plugin"]["autosave"] is False
    assert doc == SETTINGS


def test_install_settings_merges_with_existing_entries(tmp_path: Path) -> None:
    path = server.settings_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        "@jupyterlab/docmanager-extension:plugin": {"autosave": True, "autosaveInterval": 60},
    }), encoding="utf-8")
    install_settings(prefix=tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert doc["@jupyterlab/docmanager-extension:plugin"] == {"autosave": False, "autosaveInterval": 60}
    assert doc["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_install_settings_replaces_a_broken_file(tmp_path: Path, content: str) -> None:
    path = server.settings_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    install_settings(prefix=tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == SETTINGS


def test_install_settings_is_idempotent(tmp_path: Path) -> None:
    path = install_settings(prefix=tmp_path)
    old = 1_000_000_000_000_000_000
    os.utime(path, ns=(old, old))
    before = path.read_bytes()
    assert install_settings(prefix=tmp_path) == path
    assert path.stat().st_mtime_ns == old and path.read_bytes() == before  # not written again
    # a changed entry is put back (and only then written)
    doc = json.loads(before)
    doc["@jupyterlab/docmanager-extension:plugin"]["autosave"] = True
    path.write_text(json.dumps(doc), encoding="utf-8")
    os.utime(path, ns=(old, old))
    install_settings(prefix=tmp_path)
    assert path.stat().st_mtime_ns != old
    assert json.loads(path.read_text(encoding="utf-8"))["@jupyterlab/docmanager-extension:plugin"]["autosave"] is False


# --------------------------------------------------------------------------- paired notebooks
def test_align_twins(tmp_path: Path) -> None:
    def pair(stem: str, nb_ns: int, py_ns: int | None) -> tuple[Path, Path]:
        nb, py = tmp_path / f"{stem}.ipynb", tmp_path / f"{stem}.py"
        nb.write_text(f'{{"stem": "{stem}"}}', encoding="utf-8")
        os.utime(nb, ns=(nb_ns, nb_ns))
        if py_ns is not None:
            py.write_text(f"# {stem}\n", encoding="utf-8")
            os.utime(py, ns=(py_ns, py_ns))
        return nb, py

    t = 1_700_000_000_000_000_000
    newer_nb, its_py = pair("00_summary", t + 5_000_000_000, t)
    older_nb, newer_py = pair("10_networking", t, t + 7_000_000_000)
    same_nb, same_py = pair("20_compute", t, t)
    lone_nb, _ = pair("30_lonely", t + 9_000_000_000, None)
    stray_py = tmp_path / "helper.py"
    stray_py.write_text("x = 1\n", encoding="utf-8")
    os.utime(stray_py, ns=(t, t))

    assert align_twins(tmp_path) == [its_py]
    assert its_py.stat().st_mtime_ns == newer_nb.stat().st_mtime_ns == t + 5_000_000_000
    assert its_py.read_text(encoding="utf-8") == "# 00_summary\n"  # contents untouched
    assert newer_nb.stat().st_mtime_ns == t + 5_000_000_000  # the notebook itself untouched
    assert newer_py.stat().st_mtime_ns == t + 7_000_000_000 and older_nb.stat().st_mtime_ns == t
    assert same_py.stat().st_mtime_ns == same_nb.stat().st_mtime_ns == t
    assert stray_py.stat().st_mtime_ns == t and not (tmp_path / "30_lonely.py").exists()
    assert lone_nb.is_file()
    assert align_twins(tmp_path) == []  # nothing left to align
    assert align_twins(tmp_path / "missing") == []


def test_start_records_the_choice_then_replaces_the_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         make_lab_run: Callable[..., Path]) -> None:
    run = make_lab_run(tmp_path / "runs" / "demo")
    got = plan(run, "fintech-staging", session=tmp_path / "lab")
    calls: list[tuple[str, list[str], dict[str, str]]] = []
    installed: list[Path | None] = []
    aligned: list[Path] = []
    monkeypatch.setattr(server, "install_settings", lambda prefix=None: installed.append(prefix))
    monkeypatch.setattr(server, "align_twins", lambda folder: aligned.append(folder) or [])
    monkeypatch.setattr(os, "execve", lambda exe, args, env: calls.append((exe, args, env)))
    server.start(got, ["--ServerApp.token=t"], port=9999)
    assert read_choice(tmp_path / "lab") == got.choice
    assert json.loads((tmp_path / "lab" / "session.json").read_text())["root"] == str(run.resolve())
    assert installed == [None] and aligned == [suite_notebooks_dir()]
    (exe, args, env), = calls
    assert exe == sys.executable and args == command(got, ["--ServerApp.token=t"], port=9999)
    assert env[LAB_ENV] == str((tmp_path / "lab").resolve())
