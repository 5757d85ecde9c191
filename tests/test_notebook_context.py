"""open_context: defaults, the analyze step's cache (used only when it matches), clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from awsassess.assumptions import resolve
from awsassess.notebook import ANALYSIS_CACHE, compute_analysis, open_context, save_analysis
from awsassess.snapshot import SnapshotError
from test_model_snapshot import demo_snapshot


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    snap = demo_snapshot("staging")
    account_dir = tmp_path_factory.mktemp("acct")
    snap.save(account_dir / "snapshot")
    return account_dir


def test_cache_is_used_when_it_matches_and_ignored_when_stale(saved: Path) -> None:
    ctx = open_context(saved / "snapshot", saved, {})
    findings, model = compute_analysis(ctx.snapshot, ctx.assumptions)
    marker = "cached-by-analyze"
    save_analysis(saved, ctx.snapshot, ctx.assumptions, [marker], model)
    assert (saved / ANALYSIS_CACHE).is_file()
    # same snapshot and assumptions: the notebook shows the analyze step's results
    assert open_context(saved / "snapshot", saved, {}).findings == [marker]
    # other assumptions: recomputed, never the stale cache
    other = open_context(saved / "snapshot", saved, {"model": {"spare_instances": 2}})
    assert marker not in other.findings
    assert len(other.findings) == len(findings)
    assert other.assumptions == resolve({"model": {"spare_instances": 2}})


def test_corrupt_cache_is_recomputed(saved: Path) -> None:
    (saved / ANALYSIS_CACHE).write_bytes(b"not a pickle")
    ctx = open_context(saved / "snapshot", saved, {})
    assert len(ctx.findings) > 0 and ctx.model.summary["current_monthly_usd"] > 0


def test_missing_snapshot_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="awsassess collect"):
        open_context(tmp_path / "nowhere", tmp_path, {})
