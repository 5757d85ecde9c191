"""The state of one account's pipeline: which step is ready, and whether it runs, is reused or skipped.

Shared by both executors: the local runner drives every account's :class:`AccountRun` from one loop
(steps of all accounts interleave on the worker pool); a Dask task drives one account's from start
to end. Only this module decides what runs; the executors only decide where.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from awsassess.batch import plan
from awsassess.batch.plan import StepSpec
from awsassess.batch.runjson import account_status, utcnow
from awsassess.batch.steps import StepFunctions, StepOutcome, StepTask, describe_error
from awsassess.layout import AccountFolder, RunFolder

DONE = ("ok", "failed", "skipped")
Listener = Callable[["AccountRun", dict[str, Any]], None]


def pending_record(spec: StepSpec) -> dict[str, Any]:
    rec: dict[str, Any] = {"step": spec.name, "kind": spec.kind, "status": "pending", "started": None,
                           "ended": None, "duration_s": None, "inputs_digest": None, "reused": False,
                           "reason": None, "error": None, "outputs": {}}
    if spec.notebook is not None:
        rec["source"] = str(spec.notebook.path)
    return rec


def _seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def outputs_exist(record: dict[str, Any], out: Path) -> bool:
    for rel in (record.get("outputs") or {}).values():
        p = Path(rel)
        if not (p if p.is_absolute() else out / p).exists():
            return False
    return True


class AccountRun:
    """One account's steps, their records and digests."""

    def __init__(self, params: Any, out: Path, specs: list[StepSpec], *, functions: StepFunctions,
                 run_id: str, previous: dict[str, dict[str, Any]] | None = None, resume: bool = False,
                 notebook_timeout_s: float | None = None, listener: Listener | None = None) -> None:
        self.params = params
        self.name: str = params.name
        self.out = Path(out)
        self.folder: AccountFolder = RunFolder(self.out).account(self.name)  # the name was validated with the params
        self.specs = list(specs)
        self.functions = functions
        self.run_id = run_id
        self.previous = previous or {}
        self.resume = resume
        self.notebook_timeout_s = notebook_timeout_s
        self.listener = listener
        self.records: dict[str, dict[str, Any]] = {s.name: pending_record(s) for s in self.specs}
        self.phase: dict[str, str] = {s.name: "pending" for s in self.specs}  # pending | running | done
        self.digests: dict[str, str] = {}
        self.executed: set[str] = set()
        self._remaining = len(self.specs)  # steps not done

    # ------------------------------------------------------------------ queries
    @property
    def account_dir(self) -> Path:
        return self.folder.path

    def ready(self) -> list[StepSpec]:
        return [s for s in self.specs
                if self.phase[s.name] == "pending" and all(self.phase[d] == "done" for d in s.deps)]

    def done(self) -> bool:
        return self._remaining == 0

    def steps(self) -> list[dict[str, Any]]:
        return [self.records[s.name] for s in self.specs]

    def status(self) -> str:
        return account_status(self.steps())

    def header(self) -> dict[str, Any]:
        source = getattr(self.params, "source", None)
        return {"name": self.name, "account_id": str(getattr(self.params, "account_id", "")),
                "environment": str(getattr(self.params, "environment", "")),
                "params": str(Path(source).resolve()) if source else None}

    def to_json(self) -> dict[str, Any]:
        return {**self.header(), "status": self.status(), "steps": self.steps()}

    # ------------------------------------------------------------------ transitions
    def prepare(self, spec: StepSpec) -> StepTask | None:
        """A task to run for ``spec``, or None when the step was settled here (skipped/reused)."""
        reason = self._blocked(spec)
        if reason is not None:
            self._settle(spec, {**pending_record(spec), "status": "skipped", "reason": reason})
            return None
        try:
            digest = self._digest(spec)
        except Exception as exc:  # noqa: BLE001 - e.g. the snapshot vanished: the step fails, the run goes on
            now = utcnow()
            self._settle(spec, {**pending_record(spec), "status": "failed", "started": now, "ended": now,
                                "duration_s": 0.0, "error": describe_error(exc)})
            return None
        self.digests[spec.name] = digest
        prev = self.previous.get(spec.name)
        if self.resume and self._reusable(spec, prev, digest):
            self._settle(spec, {**prev, "reused": True})  # type: ignore[dict-item]
            return None
        return StepTask(step=spec.name, kind=spec.kind, out=self.out, account=self.name, params=self.params,
                        functions=self.functions, notebook=spec.notebook,
                        notebook_timeout_s=self.notebook_timeout_s)

    def start(self, spec: StepSpec) -> None:
        rec = {**pending_record(spec), "status": "running", "started": utcnow(),
               "inputs_digest": self.digests.get(spec.name)}
        if spec.kind == "notebook":
            notebook = self.folder.notebook(spec.notebook.name)  # type: ignore[union-attr]
            rec["outputs"] = {"notebook": notebook.relative_to(self.out).as_posix()}  # relative to the run folder
        self.records[spec.name] = rec
        self._set_phase(spec.name, "running")
        self._changed(rec)

    def finish(self, spec: StepSpec, outcome: StepOutcome) -> None:
        rec = dict(self.records[spec.name])
        outputs = {**rec.get("outputs", {}), **outcome.outputs}
        rec.update(status=outcome.status, started=outcome.started, ended=outcome.ended,
                   duration_s=outcome.duration_s, error=outcome.error, outputs=outputs, worker=outcome.worker,
                   inputs_digest=self.digests.get(spec.name))
        if outcome.log:
            rec["log"] = outcome.log
        rec.pop("problems", None)
        if outcome.problems:  # done, but some of what it read went wrong: the account is partial
            rec["problems"] = outcome.problems
        self.executed.add(spec.name)
        self._settle(spec, rec)

    def fail(self, spec: StepSpec, error: dict[str, Any]) -> None:
        """The step could not finish (its worker died, the run was interrupted)."""
        rec = dict(self.records[spec.name])
        now = utcnow()
        rec.update(status="failed", ended=now, error=error, inputs_digest=self.digests.get(spec.name))
        rec["started"] = rec.get("started") or now
        rec["duration_s"] = round(_seconds(rec["started"], now), 3)
        self.executed.add(spec.name)
        self._settle(spec, rec)

    def absorb(self, records: list[dict[str, Any]]) -> None:
        """Take step records made elsewhere (by a Dask task running this account)."""
        for rec in records:
            name = rec.get("step")
            if name not in self.records:
                continue
            self.records[name] = rec
            status = rec.get("status")
            self._set_phase(name, "done" if status in DONE else ("running" if status == "running" else "pending"))
            if rec.get("inputs_digest"):
                self.digests[name] = rec["inputs_digest"]
            if status in ("ok", "failed") and not rec.get("reused"):
                self.executed.add(name)
            self._changed(rec)

    def fail_unfinished(self, error: dict[str, Any]) -> None:
        """The account's task died: a running step fails with ``error``, pending ones are skipped."""
        first = (error.get("message") or "").splitlines()[:1]
        for spec in self.specs:
            if self.phase[spec.name] == "running":
                self.fail(spec, error)
            elif self.phase[spec.name] == "pending":
                self._settle(spec, {**pending_record(spec), "status": "skipped",
                                    "reason": f"the account's task failed: {error.get('type')}: "
                                              f"{first[0] if first else ''}"})

    def requeue(self, spec: StepSpec) -> None:
        """Back to pending (its worker died beside another step's: it will run again, alone)."""
        self.records[spec.name] = pending_record(spec)
        self._set_phase(spec.name, "pending")
        self._changed(self.records[spec.name])

    # ------------------------------------------------------------------ internals
    def _set_phase(self, name: str, phase: str) -> None:
        self._remaining += (self.phase[name] == "done") - (phase == "done")
        self.phase[name] = phase

    def _settle(self, spec: StepSpec, rec: dict[str, Any]) -> None:
        self.records[spec.name] = rec
        self._set_phase(spec.name, "done")
        self._changed(rec)

    def _changed(self, rec: dict[str, Any]) -> None:
        if self.listener is not None:
            self.listener(self, rec)

    def _blocked(self, spec: StepSpec) -> str | None:
        bad = [d for d in spec.deps if self.records[d]["status"] != "ok"]
        if spec.kind == "report":
            # a failed notebook costs its own section only: the report says there it could not be shown
            bad = [d for d in bad if not (d.startswith("notebook:") and self.records[d]["status"] == "failed")]
        if not bad:
            return None
        first = self.records[bad[0]]
        if first["status"] == "skipped" and first.get("reason"):
            return str(first["reason"])
        return f"{bad[0]} {first['status']}"

    def _digest(self, spec: StepSpec) -> str:
        if spec.kind == "collect":
            return plan.collect_digest(self.params)
        if spec.kind == "analyze":
            return plan.analyze_digest(self.digests["collect"], self.folder.snapshot, self.params,
                                       self.functions.baseline)
        if spec.kind == "notebook":
            assert spec.notebook is not None
            return plan.notebook_digest(self.digests["analyze"], spec.notebook)
        if spec.kind == "report":
            return plan.report_digest([self.digests[d] for d in spec.deps], self.params)
        raise ValueError(f"unknown step kind {spec.kind!r}")

    def _reusable(self, spec: StepSpec, prev: dict[str, Any] | None, digest: str) -> bool:
        if not prev or prev.get("status") != "ok" or prev.get("inputs_digest") != digest:
            return False
        if prev.get("problems"):  # read with errors last time (a 5xx, a timeout): read again
            return False
        if any(d in self.executed for d in spec.deps):
            return False
        if spec.kind == "collect" and not self.folder.has_snapshot():
            return False
        return outputs_exist(prev, self.out)

class PortfolioRun:
    """The run-level step: the portfolio across accounts, once every account is done."""

    SPEC = StepSpec("portfolio", "portfolio")

    def __init__(self, out: Path, functions: StepFunctions, previous: dict[str, Any] | None, resume: bool) -> None:
        self.out = Path(out)
        self.functions = functions
        self.previous = previous
        self.resume = resume
        self.record = pending_record(self.SPEC)
        self.phase = "pending"
        self.digest: str | None = None

    def prepare(self, accounts: list[AccountRun]) -> StepTask | None:
        # the portfolio shows partial accounts too (findings without a report): it needs one analysed account
        if not any(a.records["analyze"]["status"] == "ok" for a in accounts):
            self.record = {**pending_record(self.SPEC), "status": "skipped",
                           "reason": "no account was analysed: nothing to gather"}
            self.phase = "done"
            return None
        self.digest = plan.portfolio_digest([(a.name, a.digests.get("report"), a.status()) for a in accounts])
        prev = self.previous
        if (self.resume and prev and prev.get("status") == "ok" and prev.get("inputs_digest") == self.digest
                and not any(a.executed for a in accounts) and outputs_exist(prev, self.out)):
            self.record = {**prev, "reused": True}
            self.phase = "done"
            return None
        return StepTask(step="portfolio", kind="portfolio", out=self.out, functions=self.functions)

    def start(self) -> None:
        self.record = {**pending_record(self.SPEC), "status": "running", "started": utcnow(),
                       "inputs_digest": self.digest}
        self.phase = "running"

    def finish(self, outcome: StepOutcome) -> None:
        self.record = {**self.record, "status": outcome.status, "started": outcome.started, "ended": outcome.ended,
                       "duration_s": outcome.duration_s, "error": outcome.error, "outputs": outcome.outputs,
                       "worker": outcome.worker, "inputs_digest": self.digest}
        if outcome.log:
            self.record["log"] = outcome.log
        self.phase = "done"

    def fail(self, error: dict[str, Any]) -> None:
        now = utcnow()
        started = self.record.get("started") or now
        self.record = {**self.record, "status": "failed", "started": started, "ended": now,
                       "duration_s": round(_seconds(started, now), 3), "error": error}
        self.phase = "done"
