"""The client-ready report: executed notebooks -> one HTML report (self-contained) -> PDF; a portfolio.

- :func:`build_account_report` (``account_dir, meta``) writes ``report.html`` and ``report.pdf``;
- :func:`build_portfolio` (``run_dir``) writes ``portfolio.html`` and ``portfolio.pdf``;
- :func:`export_notebook` (``notebook, out=None``) writes one executed notebook as a standalone HTML page
  (``awsassess export``);
- :mod:`awsassess.report.summary`: executive-summary and appendix data read from an account folder.

Imports are lazy: notebooks import ``awsassess.report.summary`` in their kernel and must not pay
for nbconvert/WeasyPrint (seconds of import time) they never use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awsassess.report.account import build_account_report
    from awsassess.report.merge import ReportError
    from awsassess.report.notebook_export import export_notebook
    from awsassess.report.pdf import PdfError, html_to_pdf
    from awsassess.report.portfolio import build_portfolio

__all__ = ["build_account_report", "build_portfolio", "export_notebook", "html_to_pdf", "ReportError", "PdfError"]

_WHERE = {
    "build_account_report": "awsassess.report.account",
    "build_portfolio": "awsassess.report.portfolio",
    "export_notebook": "awsassess.report.notebook_export",
    "html_to_pdf": "awsassess.report.pdf",
    "PdfError": "awsassess.report.pdf",
    "ReportError": "awsassess.report.merge",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'awsassess.report' has no attribute {name!r}")
