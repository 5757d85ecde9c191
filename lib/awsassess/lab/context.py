"""The notebook context of a JupyterLab session: the chosen account, its delivered assumptions, the
session's what-if on top, and a scratch folder for everything exploring draws."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from awsassess.assumptions import resolve
from awsassess.lab.session import (
    LabChoice,
    LabSessionError,
    accounts_of,
    delivered_assumptions,
    merge,
    read_choice,
    scratch_dir,
)
from awsassess.layout import RunFolder, demo_run_dir
from awsassess.notebook import Context
from awsassess.snapshot import Snapshot


def default_choice() -> LabChoice | None:
    """The demo run's first account, when ``make demo`` has run (what a session opens before any choice)."""
    run = demo_run_dir()
    if not RunFolder(run).run_json.is_file():
        return None
    names = accounts_of(run)
    return LabChoice(run, names[0]) if names else None


def context_for(session: Path, choice: LabChoice, assumptions: dict[str, Any] | None = None) -> Context:
    """The context of ``choice``: its snapshot, the delivered assumptions with the what-if (and a notebook's
    own ``assumptions`` parameter) on top, writing into the session's scratch folder."""
    folder = choice.account_folder
    if not folder.has_snapshot():
        raise LabSessionError(f"{folder.path}: no snapshot in the session's account {choice.account!r} of "
                              f"{choice.run}. Fix: pick another account in 00_summary, or run "
                              f"`awsassess lab RUN_DIR` with a run that was collected")
    delivered_raw = delivered_assumptions(choice.run, choice.account)
    delivered = resolve(delivered_raw)
    effective = resolve(merge(merge(delivered_raw, choice.whatif), assumptions or {}))
    scratch = scratch_dir(session, choice)
    scratch.mkdir(parents=True, exist_ok=True)
    return Context(snapshot=Snapshot.load(folder.snapshot), account_dir=folder.path, assumptions=effective,
                   scratch_dir=scratch, delivered=delivered, lab=choice)


def lab_context(session: Path, assumptions: dict[str, Any] | None = None) -> Context:
    """What ``open_context()`` returns in a kernel of ``awsassess lab``: the session's choice, else the demo."""
    choice = read_choice(session) or default_choice()
    if choice is None:
        raise LabSessionError("No account is chosen in this JupyterLab session and there is no demo run. Fix: "
                              "start JupyterLab with `awsassess lab RUN_DIR` (a folder of `awsassess run`), or "
                              "run `make demo` once")
    return context_for(session, choice, assumptions)
