"""awsassess.batch with the local executor: real worker processes, real papermill kernels.

The step functions are small fixtures (a snapshot written with the real Snapshot class, files standing
in for findings and reports) so a failure can be planted per account; the notebooks are the tiny ones
in tests/fixtures/notebooks (two that record what they were given, one that raises). Every step appends
a line to OUT/calls.log, which is how the tests see what ran and what --resume skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from awsassess.batch import BatchInputError, RunJsonError, StepFunctions, run_batch
from awsassess.batch.runjson import write_json_atomic
from awsassess.params import AccountParams
from awsassess.snapshot import Snapshot, empty_frame
from paths import FIXTURES

FIXTURE_NOTEBOOKS = FIXTURES / "notebooks"
pytestmark = pytest.mark.timeout(240)


# --------------------------------------------------------------------------- fixture steps
# Module-level functions: the pool pickles them by reference (and the Dask test by value).
def _log(out: Path, line: str) -> None:
    with open(Path(out) / "calls.log", "a") as fh:
        fh.write(line + "\n")


def _flag(out: Path, what: str, name: str) -> bool:
    return (Path(out) / f"BREAK-{what}-{name}").exists()


def fx_collect(params: AccountParams, out: Path) -> Snapshot:
    _log(out, f"collect {params.name}")
    (Path(out) / f"pid-collect-{params.name}").write_text(str(os.getpid()))
    deadline = time.time() + 60
    while (Path(out) / f"WAIT-collect-{params.name}").exists() and not (Path(out) / "CRASHED").exists():
        if time.time() > deadline:
            raise TimeoutError("the planted crash did not happen")
        time.sleep(0.05)
    if _flag(out, "collect", params.name):
        raise RuntimeError(f"AccessDenied: cannot assume the audit role in {params.account_id} (planted)")
    snap = Snapshot(manifest={"account_id": params.account_id, "name": params.name,
                              "environment": params.environment, "regions": params.regions},
                    tables={"vpcs": empty_frame("vpcs", [{"account_id": params.account_id, "region": "us-east-1",
                                                          "vpc_id": "vpc-1", "cidr": "10.0.0.0/16", "name": "main"}])})
    snap.save(Path(out) / params.name / "snapshot")
    return snap


def fx_analyze(snapshot_dir: Path, account_dir: Path, assumptions: dict) -> dict[str, Path]:
    account_dir = Path(account_dir)
    _log(account_dir.parent, f"analyze {account_dir.name}")
    if _flag(account_dir.parent, "crash", account_dir.name):
        (account_dir.parent / "CRASHED").touch()
        os._exit(9)  # a worker dying under a step (OOM killer, segfault)
    slow = account_dir.parent / f"SLOW-{account_dir.name}"
    deadline = time.time() + 60
    while slow.exists() and time.time() < deadline:
        time.sleep(0.05)
    snap = Snapshot.load(snapshot_dir)
    path = account_dir / "findings.json"
    path.write_text(json.dumps([{"rule_id": "fixture", "account_id": snap.account_id}]))
    return {"findings": path}


def fx_report(account_dir: Path, meta: dict) -> dict[str, Path]:
    account_dir = Path(account_dir)
    _log(account_dir.parent, f"report {account_dir.name}")
    failed = [path.stem for path in sorted((account_dir / "notebooks").glob("*.ipynb"))  # like the real helper:
              if json.loads(path.read_text())["metadata"].get("papermill", {}).get("exception")]  # says which
    html = account_dir / "report.html"
    html.write_text(f"<h1>{meta['client']} {meta['account_id']}</h1>"
                    + "".join(f"<p>{stem} could not be shown</p>" for stem in failed))
    return {"html": html}


def fx_portfolio(run_dir: Path) -> dict[str, Path]:
    run_dir = Path(run_dir)
    _log(run_dir, "portfolio")
    run = json.loads((run_dir / "run.json").read_text())
    html = run_dir / "portfolio.html"
    html.write_text(" ".join(f"{a['name']}:{a['status']}" for a in run["accounts"]))
    return {"html": html}


STEPS = StepFunctions(collect=fx_collect, analyze=fx_analyze, report=fx_report, portfolio=fx_portfolio)


def account(name: str, account_id: str = "123456789012") -> AccountParams:
    return AccountParams(name=name, account_id=account_id, environment="staging", regions=["us-east-1"],
                         report={"client": "Fixture Ltd"})


def notebooks(tmp_path: Path, *names: str) -> Path:
    d = tmp_path / "notebooks"
    d.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(FIXTURE_NOTEBOOKS / f"{name}.ipynb", d / f"{name}.ipynb")
    return d


def calls(out: Path) -> list[str]:
    path = out / "calls.log"
    return path.read_text().splitlines() if path.exists() else []


def steps_of(run: dict, name: str) -> dict[str, dict]:
    acct = next(a for a in run["accounts"] if a["name"] == name)
    return {s["step"]: s for s in acct["steps"]}


def max_in_flight(run: dict, which) -> int:  # noqa: ANN001
    """Most steps matching ``which`` that ran at the same moment (from their recorded start/end)."""
    edges = sorted((t, d) for a in run["accounts"] for s in a["steps"] if s.get("ended") and which(s)
                   for t, d in ((s["started"], 1), (s["ended"], -1)))
    level = peak = 0
    for _, d in edges:
        level += d
        peak = max(peak, level)
    return peak


def load(out: Path) -> dict:
    return json.loads((out / "run.json").read_text())


# --------------------------------------------------------------------------- tests
def test_failed_account_recorded_others_complete_and_resume_reruns_only_what_changed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    nb_dir = notebooks(tmp_path, "01_ok", "02_ok")
    out.mkdir()
    (out / "BREAK-collect-beta").touch()
    accounts = [account("alpha", "012345678901"), account("beta")]

    result = run_batch(accounts, out, jobs=2, notebooks_dir=nb_dir, steps=STEPS, progress=False)

    assert result.exit_code == 1
    run = load(out)
    assert run == result.run and result.run_json == out / "run.json"
    assert (run["status"], run["exit_code"], run["executor"], run["jobs"]) == ("failed", 1, "local", 2)
    assert result.failed == [("beta", "collect")]
    beta = steps_of(run, "beta")
    assert beta["collect"]["status"] == "failed"
    assert beta["collect"]["error"]["type"] == "RuntimeError"
    assert "AccessDenied" in beta["collect"]["error"]["message"]
    assert any("fx_collect" in line for line in beta["collect"]["error"]["traceback"])
    for later in ("analyze", "notebook:01_ok", "notebook:02_ok", "report"):
        assert beta[later]["status"] == "skipped" and beta[later]["reason"] == "collect failed", beta[later]
    for name, acct_id in (("alpha", "012345678901"),):
        steps = steps_of(run, name)
        assert list(steps) == ["collect", "analyze", "notebook:01_ok", "notebook:02_ok", "report"]
        assert all(s["status"] == "ok" and s["duration_s"] >= 0 and s["ended"] >= s["started"]
                   for s in steps.values()), steps
        # the notebook got absolute paths, its account folder as cwd, and an account id with its leading zero
        seen = json.loads((out / name / "seen-02_ok.json").read_text())
        assert seen == {"snapshot_dir": str((out / name / "snapshot").resolve()),
                        "account_dir": str((out / name).resolve()), "assumptions": {},
                        "cwd": str((out / name).resolve()), "account_id": acct_id, "variant": "ipynb",
                        "env_mark": None}
        executed = json.loads((out / name / "notebooks" / "02_ok.ipynb").read_text())
        assert not executed["metadata"]["papermill"]["exception"]
        assert steps["notebook:01_ok"]["outputs"] == {"notebook": f"{name}/notebooks/01_ok.ipynb"}
        assert (out / steps["notebook:01_ok"]["log"]).is_file()
        assert "Fixture Ltd" in (out / name / "report.html").read_text()
    assert [s["step"] for s in run["steps"]] == ["portfolio"] and run["steps"][0]["status"] == "ok"
    assert (out / "portfolio.html").read_text() == "alpha:ok beta:failed"
    workers = {s["worker"] for a in run["accounts"] for s in a["steps"] if s.get("worker")}
    assert len(workers) <= 4 and all(not w.endswith(f":{os.getpid()}") for w in workers)  # 2 jobs + 2 collect
    assert max_in_flight(run, lambda s: s["kind"] != "collect") <= 2

    # --resume after the cause is fixed: only beta runs (and the portfolio that gathers it)
    (out / "BREAK-collect-beta").unlink()
    before = len(calls(out))
    result2 = run_batch(accounts, out, jobs=2, resume=True, notebooks_dir=nb_dir, steps=STEPS, progress=False)
    assert result2.exit_code == 0
    ran = sorted(calls(out)[before:])
    assert ran == sorted(["collect beta", "analyze beta", "notebook:01_ok beta", "notebook:02_ok beta",
                          "report beta", "portfolio"])
    run2 = load(out)
    assert run2["resumed_from"] == run["run_id"] and run2["run_id"] != run["run_id"]
    for step, rec in steps_of(run2, "alpha").items():
        assert rec["reused"] is True
        assert rec["started"] == steps_of(run, "alpha")[step]["started"]  # the previous record, kept
    assert all(s["status"] == "ok" and not s["reused"] for s in steps_of(run2, "beta").values())

    # nothing changed: nothing runs, the portfolio included
    before = len(calls(out))
    assert run_batch(accounts, out, resume=True, notebooks_dir=nb_dir, steps=STEPS, progress=False).exit_code == 0
    assert calls(out)[before:] == []

    # edit notebook 02 in its paired py:percent file (newer than the .ipynb): only 02 (+ reports) re-run,
    # and what ran is the .py (papermill cannot read it; the batch converts it with jupytext)
    import jupytext

    py = nb_dir / "02_ok.py"
    text = jupytext.writes(jupytext.read(nb_dir / "02_ok.ipynb"), fmt="py:percent")
    py.write_text(text.replace('"variant": "ipynb"', '"variant": "py"'))
    stamp = time.time() + 10
    os.utime(py, (stamp, stamp))
    before = len(calls(out))
    result4 = run_batch(accounts, out, jobs=2, resume=True, notebooks_dir=nb_dir, steps=STEPS, progress=False)
    assert result4.exit_code == 0, [(a["name"], s["step"], s["status"], s.get("reason"),
                                     (s.get("error") or {}).get("message")) for a in load(out)["accounts"]
                                    for s in a["steps"] if s["status"] != "ok"]
    assert sorted(calls(out)[before:]) == sorted(
        [f"notebook:02_ok {n}" for n in ("alpha", "beta")] + [f"report {n}" for n in ("alpha", "beta")]
        + ["portfolio"])
    for name in ("alpha", "beta"):
        steps = steps_of(load(out), name)
        assert steps["notebook:02_ok"]["source"] == str(py.resolve()) and not steps["notebook:02_ok"]["reused"]
        assert steps["notebook:01_ok"]["reused"] and steps["collect"]["reused"] and steps["analyze"]["reused"]
        assert json.loads((out / name / "seen-02_ok.json").read_text())["variant"] == "py"


def test_failed_notebook_is_kept_for_diagnosis_and_the_report_is_published_partial(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    nb_dir = notebooks(tmp_path, "01_ok", "03_raises")
    # set after the fork server started (in an earlier test): workers and kernels must still see it
    monkeypatch.setenv("AWSASSESS_TEST_MARK", "set-late")
    result = run_batch([account("solo")], out, jobs=2, notebooks_dir=nb_dir, steps=STEPS, progress=False)
    assert json.loads((out / "solo" / "seen-01_ok.json").read_text())["env_mark"] == "set-late"

    assert result.exit_code == 1
    steps = steps_of(load(out), "solo")
    failed = steps["notebook:03_raises"]
    assert failed["status"] == "failed"
    assert failed["error"]["type"] == "PapermillExecutionError"
    assert failed["error"]["message"].startswith("RuntimeError: deliberate failure in 03_raises for solo")
    assert any("deliberate failure" in line for line in failed["error"]["traceback"])
    executed = out / failed["outputs"]["notebook"]
    assert executed == out / "solo" / "notebooks" / "03_raises.ipynb"
    assert json.loads(executed.read_text())["metadata"]["papermill"]["exception"] is True
    assert steps["notebook:01_ok"]["status"] == "ok"
    # one failed notebook costs its own section, not the account's report (the section says why)
    assert steps["report"]["status"] == "ok"
    assert "report solo" in calls(out)
    assert "03_raises could not be shown" in (out / "solo" / "report.html").read_text()
    assert load(out)["accounts"][0]["status"] == "partial" and load(out)["status"] == "partial"
    assert load(out)["steps"][0]["status"] == "ok"  # the portfolio shows the account as partial
    assert (out / "portfolio.html").read_text() == "solo:partial"


def test_a_dead_worker_fails_only_its_step(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "BREAK-crash-bad").touch()
    nb_dir = notebooks(tmp_path, "01_ok")
    result = run_batch([account("good"), account("bad")], out, jobs=2, notebooks_dir=nb_dir,
                       steps=STEPS, progress=False)
    assert result.exit_code == 1
    run = load(out)
    assert result.failed == [("bad", "analyze")]
    assert steps_of(run, "bad")["analyze"]["error"]["type"] == "WorkerDied"
    assert steps_of(run, "bad")["report"]["reason"] == "analyze failed"
    assert all(s["status"] == "ok" for s in steps_of(run, "good").values())
    assert calls(out).count("analyze bad") >= 1


def test_a_dead_notebook_worker_leaves_the_collect_worker_running(tmp_path: Path) -> None:
    """The analyze worker of "bad" dies while "late" is being collected; "last" is collected after.
    Only the broken pool is renewed: the one collect worker collects all three."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "BREAK-crash-bad").touch()
    (out / "WAIT-collect-late").touch()  # late's collect returns once bad's analyze worker has died
    result = run_batch([account("bad"), account("late"), account("last")], out, jobs=1, collect_jobs=1,
                       notebooks_dir=notebooks(tmp_path, "01_ok"), steps=STEPS, progress=False)
    assert result.failed == [("bad", "analyze")]
    pids = {name: (out / f"pid-collect-{name}").read_text() for name in ("bad", "late", "last")}
    assert len(set(pids.values())) == 1, pids
    assert all(s["status"] == "ok" for name in ("late", "last") for s in steps_of(load(out), name).values())


def test_nothing_collected_nothing_else_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("x", "y"):
        (out / f"BREAK-collect-{name}").touch()
    result = run_batch([account("x"), account("y")], out, jobs=2, notebooks_dir=notebooks(tmp_path, "01_ok"),
                       steps=STEPS, progress=False)
    assert result.exit_code == 1 and result.failed == [("x", "collect"), ("y", "collect")]
    run = load(out)
    assert run["steps"][0]["status"] == "skipped"
    assert run["steps"][0]["reason"] == "no account was analysed: nothing to gather"
    assert sorted(calls(out)) == ["collect x", "collect y"]


def _runner_script(out: Path, nb_dir: Path) -> str:
    return f"""
import sys
sys.path[:0] = [{str(Path(__file__).resolve().parent)!r}, {str(FIXTURES.parent)!r}]
from test_batch import STEPS, account
from awsassess.batch import run_batch
if __name__ == "__main__":
    run_batch([account("first"), account("second")], {str(out)!r}, jobs=1, notebooks_dir={str(nb_dir)!r},
              steps=STEPS, progress=False)
"""


def test_killed_run_leaves_a_readable_run_json_and_resume_finishes_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    nb_dir = notebooks(tmp_path, "01_ok")
    (out / "SLOW-first").touch()  # first's analyze waits while this file exists
    script = tmp_path / "drive.py"
    script.write_text(_runner_script(out, nb_dir))
    proc = subprocess.Popen([sys.executable, str(script)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    reads = 0
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            if (out / "run.json").exists():
                run = json.loads((out / "run.json").read_text())  # never a half-written file
                reads += 1
                if (steps_of(run, "first")["analyze"]["status"], steps_of(run, "second")["collect"]["status"]) \
                        == ("running", "ok"):
                    break
            assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
            time.sleep(0.02)
        else:
            pytest.fail("first/analyze never started")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver, its fork server and workers: like kill -9 / power loss
        proc.wait()
    killed = load(out)
    assert reads > 3
    assert killed["status"] == "running" and killed["ended"] is None
    assert steps_of(killed, "first")["collect"]["status"] == "ok"
    assert steps_of(killed, "first")["analyze"]["status"] == "running"
    # jobs=1 analyze/notebook/report step at a time; the next account's collect ran meanwhile
    second = steps_of(killed, "second")
    assert second["collect"]["status"] == "ok" and all(s["status"] == "pending" for s in list(second.values())[1:])
    assert not list(out.glob(".run.json.*.tmp"))

    (out / "SLOW-first").unlink()
    before = len(calls(out))
    result = run_batch([account("first"), account("second")], out, jobs=1, notebooks_dir=nb_dir, steps=STEPS,
                       progress=False, resume=True)
    assert result.exit_code == 0
    run = load(out)
    assert run["status"] == "ok" and run["resumed_from"] == killed["run_id"]
    assert sorted(calls(out)[before:]) == sorted(
        ["analyze first", "notebook:01_ok first", "report first", "analyze second",
         "notebook:01_ok second", "report second", "portfolio"])
    assert max_in_flight(run, lambda s: s["kind"] != "collect" and not s["reused"]) == 1
    assert steps_of(run, "first")["collect"]["reused"] and steps_of(run, "second")["collect"]["reused"]
    assert steps_of(run, "first")["collect"]["started"] == steps_of(killed, "first")["collect"]["started"]


def test_ctrl_c_records_the_interrupted_step_and_ends_the_workers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "SLOW-first").touch()
    script = tmp_path / "drive.py"
    script.write_text(_runner_script(out, notebooks(tmp_path, "01_ok")))
    proc = subprocess.Popen([sys.executable, str(script)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            run = json.loads((out / "run.json").read_text()) if (out / "run.json").exists() else None
            if run and steps_of(run, "first")["analyze"]["status"] == "running":
                break
            assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: the whole process group
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0
    run = load(out)
    assert run["status"] == "interrupted" and run["ended"] is not None
    analyze = steps_of(run, "first")["analyze"]
    assert analyze["status"] == "failed" and analyze["error"]["type"] == "KeyboardInterrupt"
    assert "--resume" in analyze["error"]["message"]
    deadline = time.time() + 15  # the fork server and resource tracker leave when they see the driver gone
    while time.time() < deadline:
        alive = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(proc.pid)], capture_output=True,
                               text=True).stdout.strip()
        if not alive:
            break
        time.sleep(0.2)
    assert not alive, f"processes of the interrupted run still alive:\n{alive}"


def test_run_json_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "run.json"
    write_json_atomic(path, {"run_id": "old", "accounts": []})

    def torn(src: str, dst: str) -> None:
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", torn)
    with pytest.raises(OSError, match="disk full"):
        write_json_atomic(path, {"run_id": "new", "accounts": [{"name": "x" * 10_000}]})
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"run_id": "old", "accounts": []}
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no temp file left behind


def test_bad_input_is_refused_before_anything_starts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    nb_dir = notebooks(tmp_path, "01_ok")
    with pytest.raises(BatchInputError, match="used twice"):
        run_batch([account("same"), account("same")], out, notebooks_dir=nb_dir, steps=STEPS, progress=False)
    with pytest.raises(BatchInputError, match="no notebooks named NN_"):
        run_batch([account("a")], out, notebooks_dir=tmp_path, steps=STEPS, progress=False)
    with pytest.raises(BatchInputError, match="executor"):
        run_batch([account("a")], out, executor="spark", notebooks_dir=nb_dir, progress=False)  # type: ignore[arg-type]
    assert not out.exists()
    out.mkdir()
    (out / "run.json").write_text('{"run_id": "x", "accou')
    with pytest.raises(RunJsonError, match="run.json: cannot be read for --resume"):
        run_batch([account("a")], out, resume=True, notebooks_dir=nb_dir, steps=STEPS, progress=False)
    assert calls(out) == []


def test_default_steps_are_the_real_modules() -> None:
    from awsassess.batch import steps

    default = StepFunctions()
    assert (default.collect, default.analyze, default.report, default.portfolio) == (
        steps.real_collect, steps.real_analyze, steps.real_report, steps.real_portfolio)
    from awsassess.report_meta import meta_from_params

    acct = account("meta")
    assert default.meta(acct) == meta_from_params(acct)


# --------------------------------------------------------------------------- scheduling order
class _Ready:
    def __init__(self, name: str, *kinds: str) -> None:
        from awsassess.batch.plan import StepSpec

        self.name = name
        self._ready = [StepSpec(f"{k}:{i}" if k == "notebook" else k, k) for i, k in enumerate(kinds)]

    def ready(self):  # noqa: ANN201 - the one AccountRun method pick_step uses
        return self._ready


def _pick(accounts: list[_Ready], window: int = 2, cpu_free: bool = True, io_free: bool = True) -> tuple[str, str] | None:
    from awsassess.batch.runner import pick_step

    got = pick_step(iter(accounts), window, cpu_free=cpu_free, io_free=io_free)
    return None if got is None else (got[0].name, got[1].kind)


def test_scheduler_runs_the_windows_notebooks_before_its_reports() -> None:
    staging, production, third = _Ready("staging", "report"), _Ready("production", "notebook"), _Ready("c", "analyze")
    # the demo's case: staging's report waits until production's notebooks are started
    assert _pick([staging, production, third]) == ("production", "notebook")
    # beyond the window, earlier accounts first and reports are not held back
    assert _pick([staging, production, third], window=1) == ("staging", "report")
    assert _pick([_Ready("a"), _Ready("b", "report"), _Ready("c", "notebook")], window=2) == ("b", "report")


def test_scheduler_collects_earliest_first_and_respects_free_slots() -> None:
    a, b = _Ready("a", "notebook"), _Ready("b", "collect")
    assert _pick([a, b]) == ("b", "collect")  # a free collect slot is used at once
    assert _pick([a, b], io_free=False) == ("a", "notebook")
    assert _pick([a, b], cpu_free=False) == ("b", "collect")
    assert _pick([a, b], cpu_free=False, io_free=False) is None
    assert _pick([_Ready("x", "collect"), _Ready("y", "collect")]) == ("x", "collect")


def test_scheduler_analyses_before_running_notebooks_within_the_window() -> None:
    staging, production = _Ready("staging", "notebook"), _Ready("production", "analyze")
    assert _pick([staging, production]) == ("production", "analyze")
    assert _pick([staging, production], window=1) == ("staging", "notebook")


def _kernel_pids(out: Path, name: str) -> set[int]:
    """The kernel process each executed notebook of ``name`` ran in (from its injected os.getpid())."""
    import nbformat

    pids = set()
    for path in sorted((out / name / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        pids.add(_pid_output(nb))
    return pids


def _pid_output(nb) -> int:  # noqa: ANN001
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) if out.get("output_type") == "stream" else ""
            if text.startswith("KERNEL_PID="):
                return int(text.split("=", 1)[1])
    return 0


def test_workers_keep_one_kernel_unless_fresh_kernels(tmp_path: Path) -> None:
    import nbformat

    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for i in range(3):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell("snapshot_dir = None\naccount_dir = None\nassumptions = {}")
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params, nbformat.v4.new_code_cell("import os; print(f'KERNEL_PID={os.getpid()}')")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, nb_dir / f"0{i}_probe.ipynb")
    for warm in (True, False):
        out = tmp_path / f"out-{warm}"
        result = run_batch([account("alpha", "012345678901")], out, jobs=1, notebooks_dir=nb_dir, steps=STEPS,
                           progress=False, warm_kernels=warm)
        assert result.exit_code == 0
        assert load(out)["warm_kernels"] is warm
        pids = _kernel_pids(out, "alpha")
        assert 0 not in pids
        assert len(pids) == (1 if warm else 3), (warm, pids)


def test_cli_run_offers_fresh_kernels() -> None:
    out = subprocess.run([sys.executable, "-m", "awsassess.cli", "run", "--help"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert "--fresh-kernels" in out.stdout
