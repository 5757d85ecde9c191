"""analyze writes the exit kit beside the findings and the model: checked by default, unchecked (and saying
so) with AWSASSESS_IAC_CHECKS=off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from awsassess.analyze import analyze
from awsassess.iac import CHECKS_ENV
from awsassess.snapshot import Snapshot
from demo_snapshots import demo_snapshot

pytestmark = pytest.mark.heavy  # diagrams (Graphviz) and, once, every checker


@pytest.mark.parametrize("setting", ["on", "off"])
def test_analyze_writes_the_kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv(CHECKS_ENV, setting)
    cached = demo_snapshot("staging")  # session-cached: saved through a copy, so the cache is left as it is
    Snapshot(manifest=dict(cached.manifest), tables=dict(cached.tables)).save(tmp_path / "acct" / "snapshot")
    written = analyze(tmp_path / "acct" / "snapshot", tmp_path / "acct", {})
    assert written["iac"] == tmp_path / "acct" / "iac" / "README.md"
    checks = json.loads((tmp_path / "acct" / "iac" / "checks.json").read_text())
    readme = written["iac"].read_text()
    assert (tmp_path / "acct" / "iac" / "terraform" / "datastores.tf").is_file()
    if setting == "on":
        assert checks and all(c["status"] in ("ok", "not installed") for c in checks), checks
        assert "| terraform: references | ok |" in readme
    else:
        assert checks == [] and "Not run when this kit was written" in readme
