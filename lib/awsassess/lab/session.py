"""The JupyterLab session's one choice: which run, which account, and which what-if assumptions.

``awsassess lab DIR`` (and the account picker in 00_summary) write ``<session>/session.json``; every
notebook's ``open_context()`` reads it when papermill passed no ``snapshot_dir`` (so batch runs, which
always pass one, never see it). The session folder is also the scratch folder of exploration: what-if
diagrams and saved scenarios go to ``<session>/<run>/<account>/``, never into the delivered run.

    {"run": "/abs/outputs/demo", "account": "fintech-staging",
     "whatif": {"model": {"utilisation_target": 0.7}}}

The assumptions a notebook uses in the lab are the account's delivered ones (its params file, as the
batch ran it) with the session's what-if overrides on top: with no what-if the notebooks show exactly
the delivered report's figures.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsassess.layout import AccountFolder, RunFolder
from awsassess.safe_files import write_json_atomic

SESSION_FILE = "session.json"


class LabSessionError(ValueError):
    """A session choice that cannot be used: names the field and the fix."""


@dataclass(frozen=True)
class LabChoice:
    """A run folder, one of its accounts, and the what-if overrides (params-style, by section)."""

    run: Path
    account: str
    whatif: dict[str, Any] = field(default_factory=dict)

    @property
    def run_folder(self) -> RunFolder:
        return RunFolder(self.run)

    @property
    def account_folder(self) -> AccountFolder:
        return self.run_folder.account(self.account)

    def with_whatif(self, whatif: dict[str, Any]) -> LabChoice:
        return LabChoice(self.run, self.account, copy.deepcopy(whatif))

    def to_json(self) -> dict[str, Any]:
        return {"run": str(self.run), "account": self.account, "whatif": self.whatif}


def session_file(session: Path) -> Path:
    return session / SESSION_FILE


def read_choice(session: Path) -> LabChoice | None:
    """The session's choice, None when nothing was chosen yet. A file someone broke: LabSessionError."""
    path = session_file(session)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise LabSessionError(f"{path}: not readable as the lab session ({exc}). Fix: pick the account again in "
                              "00_summary or run `awsassess lab RUN_DIR`, which rewrite it") from None
    if not isinstance(data, dict) or not isinstance(data.get("run"), str) or not isinstance(data.get("account"), str):
        raise LabSessionError(f"{path}: needs the fields run (a run folder) and account (its account name). Fix: pick "
                              "the account again in 00_summary or run `awsassess lab RUN_DIR`")
    whatif = data.get("whatif") or {}
    if not isinstance(whatif, dict):
        raise LabSessionError(f"{path}: whatif must be a mapping of assumption sections. Fix: reset the what-if "
                              "controls, or delete the field")
    return LabChoice(Path(data["run"]), data["account"], whatif)


def write_choice(session: Path, choice: LabChoice, *, root: Path | None = None) -> Path:
    """Record the choice (atomically: a notebook opening at the same moment reads the old or the new one),
    with ``root``, the folder the account picker lists runs from."""
    session.mkdir(parents=True, exist_ok=True)
    doc = choice.to_json()
    if root is not None:
        doc["root"] = str(root)
    return write_json_atomic(session_file(session), doc)


def read_root(session: Path) -> Path | None:
    """The folder the account picker lists runs from (``awsassess lab DIR``'s DIR), None when not recorded."""
    try:
        data = json.loads(session_file(session).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    root = data.get("root") if isinstance(data, dict) else None
    return Path(root) if isinstance(root, str) and root else None


def find_runs(root: Path, depth: int = 3) -> list[Path]:
    """Run folders (holding ``run.json``) at ``root`` or below it, at most ``depth`` levels down, sorted by
    path; hidden folders and the session's own scratch folders are skipped."""
    found: list[Path] = []

    def walk(folder: Path, level: int) -> None:
        if RunFolder(folder).run_json.is_file():
            found.append(folder)
            return
        if level >= depth:
            return
        try:
            children = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError:
            return
        for child in children:
            walk(child, level + 1)

    walk(root, 0)
    return found


def accounts_of(run: Path) -> list[str]:
    """The account names run.json lists whose folder has a snapshot (the ones a notebook can open)."""
    folder = RunFolder(run)
    return [a.name for a in folder.account_folders() if a.has_snapshot()]


def delivered_assumptions(run: Path, account: str) -> dict[str, Any]:
    """The assumptions the batch analysed this account with: its params file's ``assumptions`` block (the
    run's copy in ``<run>/params/`` first, else the path run.json recorded); {} when neither is readable
    (the defaults, which is what a params file without the block means)."""
    from awsassess.batch.plan import assumptions_of
    from awsassess.params import load_params_file

    folder = RunFolder(run)
    candidates = [folder.params / f"{account}.yaml"]
    for entry in folder.read_run(missing_ok=True).get("accounts") or []:
        if isinstance(entry, dict) and entry.get("name") == account and isinstance(entry.get("params"), str):
            candidates.append(Path(entry["params"]))
    for path in candidates:
        if path.is_file():
            return copy.deepcopy(assumptions_of(load_params_file(path)))
    return {}


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``, section by section (params-style assumptions dicts)."""
    out = copy.deepcopy(base)
    for section, values in over.items():
        if isinstance(values, dict) and isinstance(out.get(section), dict):
            out[section] = {**out[section], **copy.deepcopy(values)}
        else:
            out[section] = copy.deepcopy(values)
    return out


def scratch_dir(session: Path, choice: LabChoice) -> Path:
    """Where exploring this account writes (what-if diagrams, saved scenarios): inside the session folder,
    never inside the delivered run."""
    return session / choice.run.name / choice.account
