"""Run folders for the JupyterLab tests, built in tmp_path from the hand-built demo snapshots (no outputs/).

- ``lab_snapshots`` (session): account name -> a saved copy of the hand-built snapshot
  (``fintech-production``, ``fintech-staging``); the session-cached ``demo_snapshot()`` objects are never
  saved themselves (``Snapshot.save`` updates the saved object's manifest and path).
- ``make_lab_run`` (function): ``make_lab_run(run_dir, assumptions={name: block}, params="run",
  snapshot=(names...))`` writes a run folder as ``awsassess demo`` leaves it: run.json listing the accounts,
  ``<account>/snapshot`` for the accounts in ``snapshot`` (default all), and a params file per account with
  its ``assumptions:`` block in ``<run>/params/`` (``params="run"``), elsewhere with its path recorded in
  run.json (``params="recorded"``), or none (``params=None``).
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from awsassess.snapshot import Snapshot
from demo_snapshots import demo_snapshot
from lab_testing import ACCOUNTS, params_text


@pytest.fixture(scope="session")
def lab_snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("lab-snapshots")
    saved = {}
    for name, (env, _) in ACCOUNTS.items():
        cached = demo_snapshot(env)
        twin = Snapshot(manifest=copy.deepcopy(cached.manifest), tables={t: cached.table(t) for t in cached.tables})
        saved[name] = twin.save(root / name / "snapshot")
    return saved


@pytest.fixture
def make_lab_run(lab_snapshots: dict[str, Path], tmp_path: Path) -> Callable[..., Path]:
    def make(run: Path, *, assumptions: dict[str, dict[str, Any]] | None = None, params: str | None = "run",
             snapshot: Iterable[str] | None = None, names: Iterable[str] = tuple(ACCOUNTS)) -> Path:
        names = list(names)
        with_snapshot = set(names if snapshot is None else snapshot)
        run.mkdir(parents=True, exist_ok=True)
        entries = []
        for name in names:
            entry: dict[str, Any] = {"name": name, "status": "ok"}
            if name in with_snapshot:
                shutil.copytree(lab_snapshots[name], run / name / "snapshot")
            else:
                (run / name).mkdir(exist_ok=True)
            if params is not None:
                text = params_text(name, (assumptions or {}).get(name))
                where = run / "params" if params == "run" else tmp_path / "params-elsewhere" / run.name
                where.mkdir(parents=True, exist_ok=True)
                (where / f"{name}.yaml").write_text(text, encoding="utf-8")
                if params == "recorded":
                    entry["params"] = str(where / f"{name}.yaml")
            entries.append(entry)
        (run / "run.json").write_text(json.dumps({"run_id": run.name, "status": "ok", "accounts": entries}),
                                      encoding="utf-8")
        return run

    return make

