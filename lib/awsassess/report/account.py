"""One account's client report: executed notebooks -> ``report.html`` + ``report.pdf``."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from awsassess.layout import PROGRESS_NOTEBOOK, AccountFolder, ArtefactError, RunFolder, suite_notebooks_dir
from awsassess.report.export import export_html, report_resources
from awsassess.report.merge import NOTEBOOK_NAME, ReportError, merge_notebooks
from awsassess.report.pdf import html_to_pdf
from awsassess.safe_files import write_text_atomic

log = logging.getLogger(__name__)

META_KEYS = ("client", "prepared_by", "account_id", "environment", "name", "date", "logo")


def standard_notebooks() -> list[str]:
    """Stems of the suite's notebooks (:func:`awsassess.layout.suite_notebooks_dir`, the folder the batch
    executes by default), [] if there is none."""
    nb_dir = suite_notebooks_dir()
    return sorted(p.stem for p in nb_dir.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name)) if nb_dir.is_dir() else []


def _manifest(folder: AccountFolder) -> dict[str, Any]:
    """The snapshot's manifest for the cover (account, regions); {} when absent or damaged."""
    try:
        return folder.read_manifest(missing_ok=True)
    except ArtefactError:
        return {}


def portfolio_href(folder: AccountFolder) -> str:
    """The relative link from the account's report to its run's portfolio, '' when the account folder is not
    part of a run. A run (``run.json``) writes its portfolio after the account reports, so the link is
    given as soon as the run record exists, before the portfolio itself does."""
    run = RunFolder(folder.path.parent)
    if not (run.run_json.is_file() or run.portfolio_html.is_file()):
        return ""
    return Path(os.path.relpath(run.portfolio_html, folder.path)).as_posix()


def _write_text_atomic(path: Path, text: str) -> None:
    write_text_atomic(path, text)


def build_account_report(
    account_dir: str | os.PathLike[str],
    meta: dict[str, Any] | None = None,
    *,
    pdf: bool = True,
    pdf_engine: str | None = None,
    expected: list[str] | None = None,
) -> dict[str, Path]:
    """Write ``<account_dir>/report.html`` and ``report.pdf``; returns ``{"html": path, "pdf": path}``.

    ``meta``: ``client``, ``prepared_by``, ``account_id``, ``environment``, ``name``, ``date`` (ISO
    date, default today), ``logo`` (path to a PNG/SVG, inlined). Missing account fields are taken
    from the snapshot manifest. ``expected``: notebook stems that should be present (default: the
    suite's ``notebooks/`` folder); absent ones are listed as not available. Failed notebooks are
    never published: their sections say "failed". ``pdf_engine``: ``auto`` (default, or
    ``$AWSASSESS_PDF_ENGINE``), ``chromium`` or ``weasyprint``; ``pdf=False`` skips the PDF.
    """
    folder = AccountFolder.of(account_dir)
    meta = dict(meta or {})
    unknown = sorted(set(meta) - set(META_KEYS))
    if unknown:
        raise ReportError(f"report meta: unknown key(s) {unknown}. Fix: use only {', '.join(META_KEYS)}")
    notebooks_dir = folder.notebooks
    if not notebooks_dir.is_dir():
        raise ReportError(f"{notebooks_dir} does not exist. Fix: run the account's notebooks first: "
                          f"{folder.notebooks_fix}, then build the report")
    t0 = time.perf_counter()
    if expected is None:  # the progress section is expected only of an account verified against a baseline
        expected = [s for s in standard_notebooks() if s != PROGRESS_NOTEBOOK or folder.progress_json.is_file()]
    merged = merge_notebooks(notebooks_dir, expected)
    for s in merged.failed:
        log.warning("%s: section %s not published, the notebook failed: %s", folder.name, s.stem, s.reason)
    report = report_resources(meta, merged, _manifest(folder), portfolio_href=portfolio_href(folder))
    html = export_html(merged, notebooks_dir, report)
    html_path = folder.report_html
    _write_text_atomic(html_path, html)
    t1 = time.perf_counter()
    out = {"html": html_path}
    if pdf:
        pdf_path = folder.report_pdf
        engine = html_to_pdf(html_path, pdf_path, engine=pdf_engine)
        out["pdf"] = pdf_path
        log.info("%s: report.html in %.2f s, report.pdf (%s) in %.2f s", folder.name, t1 - t0, engine,
                 time.perf_counter() - t1)
    return out
