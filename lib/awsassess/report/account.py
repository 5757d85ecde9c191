"""One account's client report: executed notebooks -> ``report.html`` + ``report.pdf``."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from awsassess.report.export import export_html, report_resources
from awsassess.report.merge import NOTEBOOK_NAME, ReportError, merge_notebooks
from awsassess.report.pdf import html_to_pdf
from awsassess.safe_files import write_text_atomic

log = logging.getLogger(__name__)

META_KEYS = ("client", "prepared_by", "account_id", "environment", "name", "date", "logo")


def standard_notebooks() -> list[str]:
    """Stems of the suite's notebooks (``notebooks/NN_name.ipynb`` of the checkout), [] if not found."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        nb_dir = parent / "notebooks"
        if nb_dir.is_dir() and (parent / "lib" / "awsassess").is_dir():
            return sorted(p.stem for p in nb_dir.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))
    return []


def _manifest(account_dir: Path) -> dict[str, Any]:
    path = account_dir / "snapshot" / "manifest.json"
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except (OSError, ValueError):
        return {}


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
    account_dir = Path(account_dir)
    meta = dict(meta or {})
    unknown = sorted(set(meta) - set(META_KEYS))
    if unknown:
        raise ReportError(f"report meta: unknown key(s) {unknown}. Fix: use only {', '.join(META_KEYS)}")
    notebooks_dir = account_dir / "notebooks"
    if not notebooks_dir.is_dir():
        raise ReportError(f"{notebooks_dir} does not exist. Fix: run the account's notebooks first "
                          "(`awsassess run` or `awsassess analyze`), then build the report")
    t0 = time.perf_counter()
    merged = merge_notebooks(notebooks_dir, expected if expected is not None else standard_notebooks())
    for s in merged.failed:
        log.warning("%s: section %s not published, the notebook failed: %s", account_dir.name, s.stem, s.reason)
    report = report_resources(meta, merged, _manifest(account_dir))
    html = export_html(merged, notebooks_dir, report)
    html_path = account_dir / "report.html"
    _write_text_atomic(html_path, html)
    t1 = time.perf_counter()
    out = {"html": html_path}
    if pdf:
        pdf_path = account_dir / "report.pdf"
        engine = html_to_pdf(html_path, pdf_path, engine=pdf_engine)
        out["pdf"] = pdf_path
        log.info("%s: report.html in %.2f s, report.pdf (%s) in %.2f s", account_dir.name, t1 - t0, engine,
                 time.perf_counter() - t1)
    return out
