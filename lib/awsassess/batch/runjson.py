"""``run.json``: what a batch run did, written atomically after every step.

Schema (all times UTC ISO 8601; paths relative to the run folder unless absolute)::

    {
      "run_id": "20261126T101500Z-3f2a",      # new for every invocation, resumed or not
      "resumed_from": "20261126T093000Z-9c1b", # run_id of the run.json a --resume started from, else null
      "started": "...", "ended": "..." | null, # ended stays null while the run is going (or was killed)
      "status": "running" | "ok" | "failed" | "interrupted",
      "exit_code": 0 | 1 | null,
      "awsassess_version": "0.1.0",
      "jobs": 2, "collect_jobs": 2 | null,     # steps in flight: analyze/notebook/report, and collect
      "executor": "local" | "dask", "scheduler": "tcp://..." | null,
      "notebooks_dir": "/abs/path/notebooks",
      "warm_kernels": true,                    # notebooks ran in kept kernels (false: a new kernel each)
      "accounts": [
        {"name": "acme-prod", "account_id": "123456789012", "environment": "production",
         "params": "/abs/params/acme-prod.yaml" | null,
         "status": "pending" | "running" | "ok" | "partial" | "failed",
         "steps": [STEP, ...]}                 # partial: a report, but a step failed or read with errors                 # in plan order: collect, analyze, notebook:NN_*, report
      ],
      "steps": [STEP]                           # run-level steps: the portfolio
    }

    STEP = {
      "step": "collect" | "analyze" | "notebook:01_network" | "report" | "portfolio",
      "kind": "collect" | "analyze" | "notebook" | "report" | "portfolio",
      "status": "pending" | "running" | "ok" | "failed" | "skipped",
      "started": "..." | null, "ended": "..." | null, "duration_s": 12.3 | null,
      "inputs_digest": "sha256:..." | null,     # what --resume compares (see awsassess.batch.plan)
      "reused": false,                          # true: ok in an earlier run with the same inputs, not re-run
      "reason": "collect failed" | null,       # why a step was skipped
      "error": null | {"type": "PapermillExecutionError",
                       "message": "RuntimeError: ... (first lines)",
                       "traceback": ["... last lines of the traceback ..."]},
      "outputs": {"notebook": "acme-prod/notebooks/01_network.ipynb", ...},  # kept on failure too
      "problems": ["ecs:ListServices in eu-west-1 failed: ..."],  # ok but partial (collect: read errors)
      "source": "/abs/notebooks/01_network.ipynb",  # notebooks only: the file executed
      "worker": "host:pid",                    # where it ran
      "log": "logs/worker-1234.log"            # local executor: the worker's stdout/stderr (kernels' too)
    }

Only ``ok`` means done: a step left ``pending`` or ``running`` by a killed run, like a failed one,
is re-run by ``--resume``. Writes go to a temporary file in the same folder that is then renamed over
``run.json`` (``os.replace``), so a reader, or a run killed mid-write, never sees half a file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from awsassess import safe_files
from awsassess.batch.plan import BatchInputError
from awsassess.layout import ArtefactError, RunFolder


class RunJsonError(BatchInputError):
    """A run.json that --resume cannot read."""


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def write_json_atomic(path: Path, data: Any, *, fsync: bool = True) -> None:
    """Write ``data`` as JSON to ``path`` via a temp file + rename (never a partial file)."""
    write_text_atomic(path, json.dumps(data, indent=1, default=str) + "\n", fsync=fsync)


def write_text_atomic(path: Path, text: str, *, fsync: bool = True) -> None:
    """Temp file in the same folder, then ``os.replace``: a reader or a killed writer never sees half.

    ``fsync=False`` still survives the writing process being killed (the kernel has the data); the
    fsync only adds safety against a power loss, at a cost per write, so the batch does it at the end.
    One implementation for every output file: :func:`awsassess.safe_files.write_bytes_atomic`.
    """
    safe_files.write_text_atomic(path, text, fsync=fsync)


def load_run_json(run: RunFolder) -> dict[str, Any] | None:
    """The run.json of ``run`` (:meth:`RunFolder.read_run`), or None when there is none. Raises RunJsonError
    (with the --resume fix) when unreadable."""
    path = run.run_json
    if not path.exists():
        return None
    try:
        data = run.read_run()
    except ArtefactError as exc:
        raise RunJsonError(
            f"{path}: cannot be read for --resume ({exc.reason}). Fix: delete it (everything is re-run) "
            "or run without --resume."
        ) from None
    if not isinstance(data.get("accounts"), list):
        raise RunJsonError(
            f"{path}: not an awsassess run.json (no 'accounts' list). Fix: point --out at the folder of an "
            "earlier `awsassess run`, or run without --resume."
        )
    return data


def previous_steps(previous: dict[str, Any] | None) -> dict[str, dict[str, dict[str, Any]]]:
    """``{account name: {step name: record}}`` of an earlier run.json (run-level steps under '')."""
    if not previous:
        return {}
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for acct in previous.get("accounts", []):
        if isinstance(acct, dict) and "name" in acct:
            found[str(acct["name"])] = {
                str(s["step"]): s for s in acct.get("steps", []) if isinstance(s, dict) and "step" in s
            }
    found[""] = {str(s["step"]): s for s in previous.get("steps", []) if isinstance(s, dict) and "step" in s}
    return found


def account_status(steps: list[dict[str, Any]]) -> str:
    """ok | partial | failed (| running | pending while the run goes on).

    *partial*: the account has a report, but something in it is missing: a step failed (a notebook,
    whose section then says so) or a step read data that went wrong (``problems``: collection errors).
    *failed*: no report (collection or analysis failed, or the report itself).
    """
    statuses = {s.get("status") for s in steps}
    if statuses & {"pending", "running"} and not statuses & {"failed"}:
        return "running" if statuses - {"pending"} else "pending"
    report = next((s for s in steps if s.get("kind") == "report"), None)
    has_report = report is not None and report.get("status") == "ok"
    if statuses & {"failed", "skipped"}:  # skipped only ever follows a failure; keep it visible
        return "partial" if has_report else "failed"
    if any(s.get("problems") for s in steps):
        return "partial"
    return "ok"


def _line(value: Any) -> str:
    return json.dumps(value, default=str)


class RunLog:
    """The in-memory run.json of the current run; ``write()`` saves it atomically.

    The file is laid out one step record per line. Each account's text is kept between writes and
    only re-made when that account changed, so writing after every step stays cheap with many
    accounts (the whole file is still rewritten: the rename is what makes it atomic).
    """

    def __init__(self, out: Path, header: dict[str, Any], accounts: list[dict[str, Any]]) -> None:
        self.path = RunFolder(out).run_json
        self.doc: dict[str, Any] = {**header, "accounts": accounts, "steps": []}
        self._index = {a["name"]: a for a in accounts}
        self._text: dict[str, str] = {}

    def account(self, name: str) -> dict[str, Any]:
        return self._index[name]

    def set_account_steps(self, name: str, steps: list[dict[str, Any]]) -> None:
        acct = self._index[name]
        acct["steps"] = steps
        acct["status"] = account_status(steps)
        self._text.pop(name, None)

    def set_run_steps(self, steps: list[dict[str, Any]]) -> None:
        self.doc["steps"] = steps

    def finish(self, exit_code: int | None, status: str) -> None:
        self.doc["ended"] = utcnow()
        self.doc["exit_code"] = exit_code
        self.doc["status"] = status

    def _account_text(self, acct: dict[str, Any]) -> str:
        text = self._text.get(acct["name"])
        if text is None:
            head = {k: v for k, v in acct.items() if k != "steps"}
            steps = ",\n   ".join(_line(s) for s in acct.get("steps", []))
            text = _line(head)[:-1] + ', "steps": [\n   ' + steps + "]}"
            self._text[acct["name"]] = text
        return text

    def dumps(self) -> str:
        head = [f" {_line(k)}: {_line(v)}" for k, v in self.doc.items() if k not in ("accounts", "steps")]
        accounts = ",\n  ".join(self._account_text(a) for a in self.doc["accounts"])
        steps = ",\n  ".join(_line(s) for s in self.doc.get("steps", []))
        return ("{\n" + ",\n".join(head) + ',\n "accounts": [\n  ' + accounts + '],\n "steps": [\n  '
                + steps + "]\n}\n")

    def write(self, fsync: bool = False) -> None:
        write_text_atomic(self.path, self.dumps(), fsync=fsync)
