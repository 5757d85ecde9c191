"""``awsassess lab [DIR]``: JupyterLab on the checkout, with one run and account chosen for the session.

- the root is the checkout (``notebooks/`` and ``outputs/`` both reachable in the file browser), opening
  on ``notebooks/00_summary.ipynb``;
- ``AWSASSESS_LAB`` points the kernels at the session folder (``outputs/lab`` by default): the choice of
  run and account, the what-if, and the scratch folder where exploring writes;
- the project's JupyterLab settings (:data:`SETTINGS`) are installed as ``overrides.json`` of the
  environment: no news pop-up or update check, no autosave (the suite's notebooks are templates: a
  consultant's outputs and edits must not land in ``notebooks/``; results live in the run folder).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from awsassess.lab.mode import LAB_ENV
from awsassess.lab.session import LabChoice, accounts_of, find_runs, read_choice, write_choice
from awsassess.layout import checkout_root, demo_run_dir, lab_session_dir, suite_notebooks_dir

#: JupyterLab settings the project installs (``<prefix>/share/jupyter/lab/settings/overrides.json``)
SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    # every cell rendered (no virtualised off-screen cells): the notebooks are short, and a what-if updates
    # outputs all the way down that must be there when the consultant scrolls
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


class LabError(ValueError):
    """What ``awsassess lab`` cannot start with: names the input and the fix."""


@dataclass(frozen=True)
class LabPlan:
    root: Path
    session: Path
    choice: LabChoice
    runs_root: Path

    def environment(self) -> dict[str, str]:
        return {**os.environ, LAB_ENV: str(self.session)}


def settings_file(prefix: Path | None = None) -> Path:
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def install_settings(prefix: Path | None = None) -> Path:
    """Merge :data:`SETTINGS` into the environment's ``overrides.json`` (other plugins' entries are kept);
    written only when something changes."""
    path = settings_file(prefix)
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(current, dict):
            current = {}
    except (OSError, ValueError):
        current = {}
    merged = dict(current)
    for plugin, values in SETTINGS.items():
        merged[plugin] = {**(current.get(plugin) or {}), **values}
    if merged != current:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    return path


def plan(directory: Path | None = None, account: str | None = None, session: Path | None = None) -> LabPlan:
    """Where JupyterLab starts and what the session opens first (nothing is started here).

    ``directory``: a run folder or a folder holding runs (default: the demo run). ``account``: the account to
    open (default: the session's previous choice when it is in ``directory``, else the first account)."""
    root = checkout_root() or Path.cwd()
    runs_root = (directory or demo_run_dir()).resolve()
    if not runs_root.is_dir():
        fix = "run `make demo` first" if directory is None else "point at the --out folder of `awsassess run`"
        raise LabError(f"{runs_root}: no such folder. Fix: {fix}")
    runs = find_runs(runs_root)
    if not runs:
        raise LabError(f"{runs_root}: no run folder (with run.json) in it or below it. Fix: point at the --out "
                       "folder of `awsassess run` / `awsassess demo`, or run `make demo`")
    session_dir = (session or lab_session_dir()).resolve()
    options = [(run, name) for run in runs for name in accounts_of(run)]
    if not options:
        raise LabError(f"{runs_root}: no account with a snapshot in {', '.join(map(str, runs))}. Fix: run "
                       "`awsassess run PARAMS.yaml --out DIR` (or `awsassess collect`) first")
    if account is not None:
        matches = [o for o in options if o[1] == account]
        if not matches:
            names = ", ".join(sorted({n for _, n in options}))
            raise LabError(f"--account {account!r}: not an account of {runs_root}. Fix: use one of {names}")
        chosen = LabChoice(*matches[0])
    else:
        try:
            previous = read_choice(session_dir)
        except ValueError:
            previous = None
        keep = previous is not None and any(r.resolve() == previous.run.resolve() and n == previous.account
                                            for r, n in options)
        chosen = previous if keep and previous is not None else LabChoice(*options[0])
    return LabPlan(root, session_dir, chosen, runs_root)


def align_twins(notebooks: Path) -> list[Path]:
    """Give each paired ``.py`` at least its ``.ipynb``'s modification time (contents untouched).

    jupytext reads a paired notebook from the newer file; when the ``.ipynb`` is the newer one (a git
    checkout writes files in any order, ``make notebooks`` writes the ``.ipynb`` last) JupyterLab marks the
    notebook modified as soon as it opens (measured with JupyterLab 4 and jupytext 1.19). Returns the
    ``.py`` files touched."""
    touched = []
    for ipynb in sorted(notebooks.glob("*.ipynb")):
        twin = ipynb.with_suffix(".py")
        try:
            nb_time, py_time = ipynb.stat().st_mtime_ns, twin.stat().st_mtime_ns
        except OSError:
            continue
        if nb_time > py_time:
            os.utime(twin, ns=(twin.stat().st_atime_ns, nb_time))
            touched.append(twin)
    return touched


def command(plan_: LabPlan, extra: list[str], *, port: int | None = None, browser: bool = False) -> list[str]:
    """The ``jupyter lab`` command line for a plan (root at the checkout, opening 00_summary)."""
    summary = (suite_notebooks_dir() / "00_summary.ipynb").relative_to(plan_.root).as_posix()
    args = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={plan_.root}",
            f"--LabApp.default_url=/lab/tree/{summary}", "--ServerApp.ip=127.0.0.1",
            # JupyterLab's checkpoints go to the session folder, never into notebooks/ or a delivered run
            f"--FileCheckpoints.root_dir={plan_.session / 'checkpoints'}"]
    if port is not None:
        args.append(f"--ServerApp.port={port}")
    if not browser:
        args.append("--ServerApp.open_browser=False")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--ServerApp.allow_root=True")
    return args + list(extra)


def start(plan_: LabPlan, extra: list[str], *, port: int | None = None, browser: bool = False) -> None:
    """Record the choice, install the settings and replace this process by JupyterLab."""
    write_choice(plan_.session, plan_.choice, root=plan_.runs_root)
    install_settings()
    align_twins(suite_notebooks_dir())
    args = command(plan_, extra, port=port, browser=browser)
    os.execve(args[0], args, plan_.environment())
