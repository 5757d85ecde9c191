"""Whether a notebook is being explored in JupyterLab or executed for a deliverable: the one switch
every view reads before it shows an interactive table or a widget.

``awsassess lab`` starts JupyterLab with ``AWSASSESS_LAB`` set to the session folder (the scratch folder
of what-if results and the session's choice of run and account); the kernels it starts inherit it. A
batch (``awsassess run`` / ``demo``), a report build and every test run without it, so they get the
static tables and charts that survive HTML and PDF export. The batch runner removes the variable from
its workers, so a run started from a JupyterLab terminal still builds static deliverables.
"""

from __future__ import annotations

import os
from pathlib import Path

LAB_ENV = "AWSASSESS_LAB"


def session_dir() -> Path | None:
    """The lab session folder ``awsassess lab`` set, None outside one."""
    value = os.environ.get(LAB_ENV, "").strip()
    return Path(value) if value else None


def interactive() -> bool:
    """True in a kernel of ``awsassess lab`` (interactive tables, widgets), False in batches, reports and tests."""
    return session_dir() is not None
