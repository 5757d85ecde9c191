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
    # parameter edits never committed: the defaults the batch overrides and the lab session replaces
    assert src.split() == ["snapshot_dir", "=", "None", "account_dir", "=", "None", "assumptions", "=", "{}"], \
        "the parameters cell must keep its defaults (choose the account in 00_summary or with `awsassess lab`)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_normalised_for_jupyterlab(path: Path) -> None:
    """Report-hidden cells open collapsed; the kernelspec and language_info are what JupyterLab would write,
    so opening a notebook does not mark it modified (scripts/normalize_notebooks.py, run by make notebooks)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("normalize_notebooks", REPO / "scripts" / "normalize_notebooks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    nb = json.loads(path.read_text())
    expected = module.normalise(json.loads(json.dumps(nb)))
    # the Python version is the committer's kernel's (JupyterLab writes the running one): not this machine's
    expected["metadata"]["language_info"]["version"] = nb["metadata"].get("language_info", {}).get("version")
    assert expected == nb, f"run make notebooks ({path.name} is not normalised)"
    for cell in nb["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "code" and tags & {"remove-input", "remove-cell"}:
            assert cell["metadata"]["jupyter"]["source_hidden"] is True
    assert not any("widgets" in k for k in nb["metadata"]), "widget state is never committed"


def test_git_strips_notebook_outputs() -> None:
    """.gitattributes sends notebooks through nbstripout (make setup configures the filter in the clone)."""
    attributes = (REPO / ".gitattributes").read_text()
    assert "*.ipynb filter=nbstripout" in attributes
