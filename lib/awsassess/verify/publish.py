"""Show a verified account's progress where the reader looks: notebook 95_progress executed into the
account's notebooks and its report rebuilt (``awsassess verify`` after writing progress.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from awsassess.layout import PROGRESS_NOTEBOOK, AccountFolder, suite_notebooks_dir


def execute_progress_notebook(folder: AccountFolder, assumptions: dict[str, Any] | None = None) -> Path:
    """Run the suite's 95_progress notebook for ``folder`` into ``folder/notebooks/95_progress.ipynb``."""
    from awsassess.batch.kernels import execute_notebook
    from awsassess.batch.steps import skip_iri_checker

    skip_iri_checker()
    source = suite_notebooks_dir() / f"{PROGRESS_NOTEBOOK}.ipynb"
    output = folder.notebook(PROGRESS_NOTEBOOK)
    output.parent.mkdir(parents=True, exist_ok=True)
    execute_notebook(None, str(source), output, cwd=folder.path, kernel_name="python3", progress_bar=False,
                     log_output=False, parameters={"snapshot_dir": str(folder.snapshot.resolve()),
                                                   "account_dir": str(folder.path.resolve()),
                                                   "assumptions": assumptions or {}})
    return output


def republish(folder: AccountFolder, run_entry: dict[str, Any] | None = None) -> dict[str, Path]:
    """Execute the progress notebook and rebuild the account's report (HTML and PDF) with it."""
    from awsassess.report import build_account_report
    from awsassess.report_meta import account_meta

    execute_progress_notebook(folder)
    return build_account_report(folder.path, account_meta(folder, run_entry))
