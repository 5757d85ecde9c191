"""awsassess.batch on a real Dask cluster: LocalCluster(processes=True, n_workers=2), real kernels."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")

import test_batch as tb  # noqa: E402  (the fixture steps and notebooks of the local tests)
from awsassess.batch import run_batch  # noqa: E402

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def cluster():  # noqa: ANN201
    cloudpickle.register_pickle_by_value(tb)  # the workers need not import the test module
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield cluster
    cluster.close()
    cloudpickle.unregister_pickle_by_value(tb)


def test_accounts_run_as_dask_tasks_failures_recorded_and_resume_reruns_only_the_failed(
        tmp_path: Path, cluster) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    out.mkdir()
    (out / "BREAK-collect-down").touch()
    nb_dir = tb.notebooks(tmp_path, "01_ok")
    accounts = [tb.account("up", "012345678901"), tb.account("down")]

    result = run_batch(accounts, out, executor="dask", scheduler=cluster.scheduler_address, jobs=2,
                       notebooks_dir=nb_dir, steps=tb.STEPS, progress=False)

    assert result.exit_code == 1
    run = tb.load(out)
    assert (run["executor"], run["scheduler"]) == ("dask", cluster.scheduler_address)
    assert result.failed == [("down", "collect")]
    down = tb.steps_of(run, "down")
    assert down["collect"]["error"]["type"] == "RuntimeError" and "AccessDenied" in down["collect"]["error"]["message"]
    assert all(down[s]["status"] == "skipped" and down[s]["reason"] == "collect failed"
               for s in ("analyze", "notebook:01_ok", "report"))
    up = tb.steps_of(run, "up")
    assert all(s["status"] == "ok" for s in up.values()), up
    seen = json.loads((out / "up" / "seen-01_ok.json").read_text())
    assert seen["account_id"] == "012345678901" and seen["cwd"] == str((out / "up").resolve())
    # ran on the cluster's worker processes, one account pipeline per task
    workers = {w.pid for w in cluster.workers.values() if hasattr(w, "pid")} or None
    ran_on = {int(s["worker"].rsplit(":", 1)[1]) for s in up.values()}
    assert len(ran_on) == 1 and os.getpid() not in ran_on
    if workers:
        assert ran_on <= workers
    assert run["steps"][0]["status"] == "ok" and (out / "portfolio.html").read_text() == "up:ok down:failed"

    (out / "BREAK-collect-down").unlink()
    before = len(tb.calls(out))
    result2 = run_batch(accounts, out, executor="dask", scheduler=cluster.scheduler_address, jobs=2, resume=True,
                        notebooks_dir=nb_dir, steps=tb.STEPS, progress=False)
    assert result2.exit_code == 0
    assert sorted(tb.calls(out)[before:]) == sorted(
        ["collect down", "analyze down", "notebook:01_ok down", "report down", "portfolio"])
    run2 = tb.load(out)
    assert all(s["reused"] and s["started"] == up[name]["started"] for name, s in tb.steps_of(run2, "up").items())
    assert all(s["status"] == "ok" and not s["reused"] for s in tb.steps_of(run2, "down").values())
