"""One executed notebook -> one standalone HTML page, exactly as its section of the report looks.

``awsassess export NOTEBOOK [--out FILE]`` (see :func:`export_notebook`): for the notebook a consultant
just ran in JupyterLab, or one of a run's ``<account>/notebooks/NN_name.ipynb``. Same cleaning as the
report (:func:`awsassess.report.merge.merge_one`: no code, ``parameters`` / ``remove-cell`` cells and
stderr removed), same template and stylesheet, same sanitiser, images inlined, no ``<script>`` and
nothing loaded from the network (:func:`awsassess.report.export.check_self_contained`). A notebook with
an error output, or never run, is refused with the fix; the account's ``report.html`` and the run's
``portfolio.html`` are never overwritten.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from awsassess.layout import NOTEBOOKS, AccountFolder, ArtefactError, RunFolder
from awsassess.report.export import export_html, report_resources
from awsassess.report.merge import ReportError, merge_one
from awsassess.safe_files import write_text_atomic


def account_of(notebook: Path) -> AccountFolder | None:
    """The account folder of ``<account>/notebooks/NAME.ipynb``, None for a notebook anywhere else."""
    parent = notebook.resolve().parent
    return AccountFolder(parent.parent) if parent.name == NOTEBOOKS else None


def _meta(account: AccountFolder | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(report meta, snapshot manifest) of the account the notebook belongs to; empty outside an account."""
    if account is None:
        return {}, {}
    from awsassess.report_meta import account_meta

    entry = None
    run = RunFolder(account.path.parent)
    if run.run_json.is_file():
        try:
            listed = run.read_run().get("accounts") or []
        except ArtefactError:
            listed = []
        entry = next((a for a in listed if isinstance(a, dict) and a.get("name") == account.name), None)
    meta = {k: v for k, v in account_meta(account, entry).items() if v}
    meta.pop("logo", None)  # the page shows no logo: a moved logo file must not stop the export
    try:
        manifest = account.read_manifest(missing_ok=True)
    except ArtefactError:
        manifest = {}
    return meta, manifest


def _protected(account: AccountFolder | None) -> list[Path]:
    """Files an export must never replace: the account's report and its run's portfolio."""
    if account is None:
        return []
    return [account.report_html, account.report_pdf, RunFolder(account.path.parent).portfolio_html,
            RunFolder(account.path.parent).portfolio_pdf]


def default_output(notebook: Path) -> Path:
    """``NAME.html`` next to ``NAME.ipynb``."""
    return notebook.with_suffix(".html")


def export_notebook(notebook: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write ``notebook`` (an executed ``.ipynb``) as a standalone HTML page; returns its path.

    ``out``: the HTML file (default ``NAME.html`` next to the notebook; a folder: ``NAME.html`` in it).
    Raises :class:`~awsassess.report.merge.ReportError` naming the fix when the notebook is missing, is
    not a notebook, holds an error output or never ran, or when ``out`` would replace a notebook, the
    account's ``report.html`` or the run's portfolio.
    """
    nb_path = Path(notebook)
    if not nb_path.is_file():
        what = "is a folder" if nb_path.is_dir() else "does not exist"
        raise ReportError(f"{nb_path} {what}. Fix: give an executed notebook file, e.g. "
                          "DIR/<account>/notebooks/80_migration_and_costs.ipynb")
    if nb_path.suffix.lower() != ".ipynb":
        raise ReportError(f"{nb_path} is not a notebook (.ipynb). Fix: give the executed .ipynb file "
                          "(`awsassess report DIR` rebuilds a whole report)")
    target = Path(out) if out is not None else default_output(nb_path)
    if target.is_dir():
        target = target / default_output(nb_path).name
    if target.suffix.lower() == ".ipynb":
        raise ReportError(f"--out {target}: would overwrite a notebook. Fix: give an .html file")
    if not target.parent.is_dir():
        raise ReportError(f"--out {target}: the folder {target.parent} does not exist. Fix: create it or give "
                          "another path")
    account = account_of(nb_path)
    resolved = target.resolve()
    for kept in _protected(account):
        if resolved == kept.resolve():
            raise ReportError(f"--out {target}: refusing to overwrite the account's {kept.name} (built from all "
                              "notebooks by `awsassess report`). Fix: give another file name, e.g. "
                              f"{default_output(nb_path).name}")
    merged = merge_one(nb_path, root=account.path if account is not None else nb_path.resolve().parent)
    meta, manifest = _meta(account)
    section = merged.sections[0]
    rep = report_resources(meta, merged, manifest)
    rep.update(
        mode="notebook",
        title=section.title,
        subtitle=f"One part of the assessment, exported from {nb_path.name}"
        + (f" ({account.name})" if account is not None else ""),
    )
    html = export_html(merged, nb_path.resolve().parent, rep)
    write_text_atomic(target, html)
    return target
