"""`awsassess demo --after`: the simulated estate migrated by the demo run's plan, assessed and verified against
it, as a user runs it (subprocesses: moto servers, collection over HTTP, kernels, reports). The honest figures:
a full migration costs what the plan said (within 3 %), every finding the plan promised to fix is resolved
and none regresses; with --waves 2 exactly the first two waves read as done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from awsassess.demo.estate import ACCOUNTS

pytestmark = pytest.mark.slow


def _after(before: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.Popen([sys.executable, "-m", "awsassess.cli", "demo", "--after", "--out", str(before),
                             "--after-out", str(out), "--jobs", "1", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _finished(proc: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = proc.communicate(timeout=900)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture(scope="module")
def migrated(demo_cli_run: tuple[Path, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    before, proc = demo_cli_run
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    root = tmp_path_factory.mktemp("after")
    # the two migrations are independent (each its own estate servers and run folder): side by side
    running = {"full": _after(before, root / "full"), "two": _after(before, root / "two", "--waves", "2")}
    return {"before": before, **{k: (root / k, _finished(p)) for k, p in running.items()}}


def _progress(out: Path, name: str) -> dict[str, Any]:
    return json.loads((out / name / "progress.json").read_text())


def test_full_migration_costs_what_the_plan_said_and_resolves_what_it_promised(migrated: dict[str, Any]) -> None:
    out, proc = migrated["full"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "progress against the plan" in proc.stdout
    for spec in ACCOUNTS:
        p = _progress(out, spec.name)
        assert [w["status"] for w in p["waves"]] == ["done"] * len(p["waves"]), p["waves"]
        m = p["money"]
        assert abs(m["now_usd"] - m["planned_usd"]) <= 0.03 * m["planned_usd"], m["now_vs_plan"]
        # the remainder is explained line by line: the per-row differences add up to it
        assert sum(r["difference_usd"] for r in m["now_vs_plan"]) == pytest.approx(m["now_usd"] - m["planned_usd"],
                                                                                   abs=0.5)
        assert p["summary"]["planned_still_open"] == 0, [f for f in p["findings"] if f.get("planned")
                                                         and f["status"] != "resolved"]
        assert p["summary"]["findings"]["regressed"] == 0
        assert m["bill"] is not None and m["bill"]["now_usd"] < m["bill"]["before_usd"]
        assert p["delivery"]["pipeline_now_min"] is None  # CodePipeline retired
        html = (out / spec.name / "report.html").read_text()
        assert html.index("Progress against the plan") < html.index("Networking")
        assert "7 of 7 migration waves done" in html
    portfolio = (out / "portfolio.html").read_text()
    assert "Progress against the plan" in portfolio and "7 of 7 waves done" in portfolio


def test_two_waves_read_as_exactly_the_first_two_done(migrated: dict[str, Any]) -> None:
    out, proc = migrated["two"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for spec in ACCOUNTS:
        p = _progress(out, spec.name)
        statuses = [w["status"] for w in p["waves"]]
        assert statuses[:2] == ["done", "done"] and set(statuses[2:]) == {"not started"}, p["waves"]
        assert "2 of 7 migration waves done" in (out / spec.name / "report.html").read_text()
