"""Output folders may be prepared by someone else: no write follows a planted link, no CSV cell is a formula."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest
from awsassess.safe_files import UnsafePathError, csv_safe, write_csv_atomic, write_text_atomic


def test_a_link_planted_at_the_destination_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "costs.csv").symlink_to(victim)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        write_text_atomic(out / "costs.csv", "attacker")
    assert victim.read_text() == "precious"


def test_a_linked_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "diagrams").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UnsafePathError):
        write_text_atomic(out / "diagrams" / "current.svg", "<svg/>")
    assert not list(elsewhere.iterdir())


def test_the_old_fixed_temporary_names_are_never_opened(tmp_path: Path) -> None:
    """analyze wrote `costs.csv.tmp` with open(): a link planted there redirected the write."""
    victim = tmp_path / "victim.pth"
    out = tmp_path / "out"
    out.mkdir()
    for name in ("costs.csv.tmp", "costs.tmp", ".costs.csv.tmp"):
        (out / name).symlink_to(victim)
    write_csv_atomic(out / "costs.csv", pd.DataFrame({"a": [1]}))
    assert not victim.exists()
    assert (out / "costs.csv").read_text().splitlines() == ["a", "1"]
    assert oct(os.stat(out / "costs.csv").st_mode & 0o777) != "0o600"  # a normal file, not mkstemp's 0600


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd|x",
                                  "\tTAB", "\rCR"])
def test_formula_cells_are_neutralised(cell: str, tmp_path: Path) -> None:
    assert csv_safe(cell) == "'" + cell
    path = write_csv_atomic(tmp_path / "x.csv", pd.DataFrame({"name": [cell], "usd": [-12.5]}))
    with path.open(newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["name"].startswith("'") and row["usd"] == "-12.5"


@pytest.mark.parametrize("value", ["-12.5", "+3", "1e-3", "plain", "", 42, -1.5, None])
def test_numbers_and_plain_text_stay_as_they_are(value: object) -> None:
    assert csv_safe(value) == value
