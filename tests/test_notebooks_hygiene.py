"""Notebooks are stored without outputs, paired with py:percent files, and start with a parameters cell."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import pytest
from paths import REPO

NB_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))


def test_every_domain_notebook_exists() -> None:
    names = {p.stem for p in NOTEBOOKS}
    for want in ("00_summary", "10_networking", "20_compute", "30_pipelines", "40_data_stores", "50_cloudfront",
                 "60_stacks", "70_architecture", "80_migration_and_costs", "90_appendix"):
        assert want in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs_and_paired(path: Path) -> None:
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "strip outputs (nbstripout)"
    assert nb["metadata"].get("jupytext", {}).get("formats") == "ipynb,py:percent"
    twin = path.with_suffix(".py")
    assert twin.is_file(), f"{twin.name} missing: jupytext --set-formats ipynb,py:percent {path.name}"
    from_py = jupytext.read(twin)
    assert [c.source.strip() for c in from_py.cells] == [c["source"].strip() if isinstance(c["source"], str)
                                                          else "".join(c["source"]).strip() for c in nb["cells"]], \
        "ipynb and py twin differ: run make notebooks"
    first = code[0]
    assert "parameters" in first["metadata"].get("tags", [])
    src = "".join(first["source"]) if isinstance(first["source"], list) else first["source"]
    for name in ("snapshot_dir", "account_dir", "assumptions"):
        assert name in src
