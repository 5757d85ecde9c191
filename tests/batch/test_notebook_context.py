"""open_context: defaults, the analyze step's cache (used only when it matches), clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from awsassess.assumptions import resolve
from awsassess.notebook import MEMO, compute_analysis, open_context
from awsassess.snapshot import Snapshot, SnapshotError
from demo_snapshots import demo_snapshot


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cached = demo_snapshot("staging")  # saved as a copy: save() records the new schema_version in its manifest
    account_dir = tmp_path_factory.mktemp("acct")
    Snapshot(manifest=dict(cached.manifest), tables=dict(cached.tables)).save(account_dir / "snapshot")
    return account_dir


def test_analysis_follows_the_assumptions(saved: Path) -> None:
    ctx = open_context(saved / "snapshot", saved, {})
    findings, _ = compute_analysis(ctx.snapshot, ctx.assumptions)
    assert len(ctx.findings) == len(findings)
    other = open_context(saved / "snapshot", saved, {"model": {"spare_instances": 2}})
    assert other.model is not ctx.model
    assert other.assumptions == resolve({"model": {"spare_instances": 2}})
    assert open_context(saved / "snapshot", saved, {}).model is ctx.model  # this process computed it once


PLANTED = """
import pathlib, pickle
class Boom:
    def __reduce__(self):
        return (pathlib.Path({marker!r}).write_text, ("code ran",))
pathlib.Path({target!r}).write_bytes(pickle.dumps({{"key": "x", "findings": Boom(), "model": Boom()}}))
"""


def test_a_planted_pickle_in_the_output_folder_never_runs(saved: Path, tmp_path: Path) -> None:
    """A shared folder once ran code: open_context and analyze unpickled <account>/analysis.pkl."""
    import subprocess
    import sys

    from awsassess.analyze import analyze

    marker = tmp_path / "PWNED"
    subprocess.run([sys.executable, "-c", PLANTED.format(marker=str(marker), target=str(saved / "analysis.pkl"))],
                   check=True)
    MEMO._items.clear()
    ctx = open_context(saved / "snapshot", saved, {})
    assert len(ctx.findings) > 0 and ctx.model.summary["current_monthly_usd"] > 0
    analyze(saved / "snapshot", saved)
    assert not marker.exists(), "code from the output folder ran"
    assert not any(p.suffix in (".pkl", ".pickle") and p.name != "analysis.pkl" for p in saved.rglob("*"))


def test_missing_snapshot_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="awsassess collect"):
        open_context(tmp_path / "nowhere", tmp_path, {})
