"""Shared state of one account's collection: :class:`Run` (coverage records, raw pages, tables,
the fan-out pool) and the in-flight request limits it enforces (slot hooks, :class:`RequestLimits`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from awsassess.aws import AccountSession
from awsassess.collect.call_records import CallRecord
from awsassess.collect.contract import Rows
from awsassess.collect.masking import mask_response

T = TypeVar("T")

# In-flight request limits per (service, region), on top of the overall concurrency.
# Cost Explorer is billed per request and rate limited: one at a time.
SERVICE_LIMITS: dict[str, int] = {"ce": 1, "organizations": 2, "cloudformation": 8, "codepipeline": 8}

FANOUT_THREADS_PER_REQUEST = 8  # fan-out threads per request allowed in flight (see Run.fanout)


# The in-flight slot of the API call running on this thread (set by Run.request).
_slot = threading.local()


def hold_slot(**_: Any) -> None:
    """botocore ``before-send`` hook: wait for an in-flight slot (per-service, then overall).

    A request holds its slot from the moment it is signed and sent until its response is in, not
    while botocore builds the request or parses the answer: that CPU work would otherwise count as
    time "in flight", and with 16 requests at 50 ms it is a tenth of the round trip. A retry takes a
    slot again for its own send.
    """
    sems = getattr(_slot, "sems", None)
    if sems and not _slot.held:
        for sem in sems:
            sem.acquire()
        _slot.held = True


def release_slot(**_: Any) -> None:
    """botocore ``before-parse`` hook (and the end of every call): give the slot back if held."""
    if getattr(_slot, "held", False):
        for sem in reversed(_slot.sems):
            sem.release()
        _slot.held = False


def install_slot_hooks(client: Any) -> Any:
    """Make ``client``'s requests take in-flight slots (once per client)."""
    if not getattr(client.meta, "_awsassess_slots", False):
        # first among the handlers of every operation: before any handler that answers in AWS's place
        client.meta.events.register_first("before-send.*.*", hold_slot)
        client.meta.events.register_first("before-parse.*.*", release_slot)
        client.meta._awsassess_slots = True
    return client


@dataclass
class RequestLimits:
    """In-flight request limits shared by every thread (and worker process) of one account's run:
    ``overall`` for all requests, ``per_service[(service, region)]`` for the services with a lower
    limit (:data:`SERVICE_LIMITS`). Semaphores from :mod:`multiprocessing` work across processes."""

    overall: Any
    per_service: dict[tuple[str, str], Any]


class Run:
    """Shared state of one account's collection (thread-safe)."""

    def __init__(self, params: Any, session: AccountSession, *, concurrency: int, keep_raw: bool = True,
                 now: datetime | None = None, service_limits: dict[str, int] | None = None,
                 limits: RequestLimits | None = None) -> None:
        self.params = params
        self.session = session
        self.concurrency = max(1, int(concurrency))
        self.keep_raw = keep_raw
        self.now = now or datetime.now(UTC)
        self.account_id = str(getattr(params, "account_id", ""))
        self.regions: list[str] = list(getattr(params, "regions", []) or [])
        self.home_region = session.home_region
        self._limits = {**SERVICE_LIMITS, **(service_limits or {})}
        self._lock = threading.Lock()
        self._global_sem: Any = limits.overall if limits else threading.BoundedSemaphore(self.concurrency)
        self._service_sems: dict[tuple[str, str], Any] = dict(limits.per_service) if limits else {}
        self.coverage: dict[tuple[str, str, str], CallRecord] = {}
        self.raw: dict[str, list[Any]] = {}
        self.tables: Rows = {}
        # Fan-out threads mostly wait (for AWS, or for a per-service limit such as CloudFormation's 8):
        # many of them, and each map() keeps at most `concurrency` items going, so one service's
        # waiting items cannot hold every thread while other services' items queue behind them.
        self.fanout = ThreadPoolExecutor(max_workers=self.concurrency * FANOUT_THREADS_PER_REQUEST,
                                         thread_name_prefix="awsassess-fan")

    # -- limits
    def limit_of(self, service: str) -> int:
        """At most this many requests to ``service`` in flight per region."""
        return min(self.concurrency, self._limits.get(service, self.concurrency))

    def _service_sem(self, service: str, region: str) -> Any:
        key = (service, region)
        sem = self._service_sems.get(key)
        if sem is None:
            with self._lock:
                sem = self._service_sems.setdefault(key, threading.Semaphore(self.limit_of(service)))
        return sem

    def request(self, service: str, region: str, fn: Callable[[], T]) -> T:
        """Run one API call (``fn``) whose HTTP requests count against the per-service and overall
        in-flight limits while they are on the wire (see :func:`hold_slot`)."""
        _slot.sems = (self._service_sem(service, region), self._global_sem)
        _slot.held = False
        try:
            return fn()
        finally:
            release_slot()
            _slot.sems = None

    # -- records
    def record(self, service: str, operation: str, region: str, status: str, message: str,
               calls: int, items: int, duration: float) -> None:
        key = (service, operation, region)
        with self._lock:
            rec = self.coverage.get(key)
            if rec is None:
                rec = self.coverage[key] = CallRecord(service, operation, region)
            rec.add(status, message, calls, items, duration)

    def keep_page(self, service: str, operation: str, region: str, params: dict[str, Any], page: Any) -> None:
        if not self.keep_raw:
            return
        key = f"{service}/{operation}.{region}"
        entry = {"params": mask_response(dict(params)), "page": page}
        with self._lock:
            self.raw.setdefault(key, []).append(entry)

    def coverage_rows(self) -> list[dict[str, Any]]:
        return [rec.row() for _, rec in sorted(self.coverage.items())]

    def close(self) -> None:
        self.fanout.shutdown(wait=True)
