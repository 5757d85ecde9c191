"""The collection framework: declared operations, recorded calls, concurrency, snapshot writing.

A *domain collector* is a module with:

``OPERATIONS: list[tuple[str, str]]``
    every ``(boto3 service name, API operation)`` it calls. This is the single source of truth for
    the IAM policy (:mod:`awsassess.iam`); calling anything not declared raises
    :class:`UndeclaredOperationError`, so the policy cannot drift from the code.
``collect(ctx, region) -> dict[table_name, list[row]]`` (optional)
    run once per collected region, concurrently with other collectors and regions.
``collect_global(ctx) -> dict[table_name, list[row]]`` (optional)
    run once with region ``"global"`` (us-east-1 endpoint): CloudFront, Cost Explorer, Organizations.
``PHASE: int = 0`` (optional)
    collectors of phase N can read the tables of phases < N via ``ctx.rows(table, region)``
    (metrics runs in phase 1 because it needs the resources).
``NEEDS: list[str]`` (optional, with ``PHASE`` > 0)
    the tables it reads with ``ctx.rows``: then a region's unit starts as soon as the units that fill
    those tables in that region (and globally) are done, instead of after every earlier-phase unit
    (metrics of one region need not wait for another region's stacks). Reading another table raises.
``TABLES: list[str]`` (optional)
    the tables it fills; written (empty) even when nothing was found.
``WEIGHT: int = 1`` (optional)
    about how many requests a region costs, relative to the others (network and stacks read
    several things per resource): worker processes get the heavy units first and evenly.

Rows are plain dicts keyed by the columns of :mod:`awsassess.tables`; ``account_id`` and ``region``
are filled in by the framework. Lists/dicts go through :func:`awsassess.tables.dumps`.

Example (a complete, working collector)::

    from awsassess.collect.base import tag_map
    from awsassess.tables import dumps

    OPERATIONS = [("ec2", "DescribeVpcs"), ("ec2", "DescribeSubnets")]
    TABLES = ["vpcs", "subnets"]

    def collect(ctx, region):
        vpcs = ctx.paginate("ec2", "DescribeVpcs", region, "Vpcs")
        subnets = ctx.paginate("ec2", "DescribeSubnets", region, "Subnets")
        return {
            "vpcs": [{"vpc_id": v["VpcId"], "cidr": v.get("CidrBlock", ""),
                      "tags": dumps(tag_map(v.get("Tags")))} for v in vpcs],
            "subnets": [{"subnet_id": s["SubnetId"], "vpc_id": s.get("VpcId", "")} for s in subnets],
        }

``ctx`` (a :class:`Context`) offers:

- ``ctx.paginate(service, operation, region, result_key, **kwargs) -> list`` all items of all pages
  (``result_key`` is a JMESPath expression such as ``"Vpcs"``, ``"DistributionList.Items"`` or
  ``"Reservations[].Instances[]"``); uses the botocore paginator when there is one; the result is
  an ``Items`` list whose ``.ok`` is False when a page failed;
- ``ctx.call(service, operation, region, **kwargs) -> Response`` one call, response (a dict)
  without ``ResponseMetadata``; ``.ok`` is False when it failed (then it is empty);
- ``ctx.map(fn, items) -> list`` runs ``fn(item)`` concurrently (per-resource fan-out), in order;
- ``ctx.rows(table, region=None) -> list[dict]`` rows of an earlier phase;
- ``ctx.skip(service, operation, region, reason)`` records a call turned off in params;
- ``ctx.option(name, default)`` a ``params.collect`` option; ``ctx.now`` the run's start (UTC);
  ``ctx.account_id``, ``ctx.params``, ``ctx.regions``.

Every call is recorded in the ``coverage`` table (status ok | skipped | access_denied | opt_in_required |
unsupported | not_implemented | throttled | error, message, calls, items, duration_s). Failures
(``ClientError``, ``ResponseParserError``, other botocore errors) never crash the run: the call
returns ``{}`` / the items read so far. Raw pages are kept (secrets masked) for ``snapshot/raw/``.
Responses reach the collector already masked (:mod:`awsassess.collect.masking`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import jmespath
import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, UnknownEndpointError
from botocore.parsers import ResponseParserError

from awsassess.aws import GLOBAL_REGION, AccountSession, EndpointNotImplemented, session_for
from awsassess.collect.masking import mask_response
from awsassess.guard import ReadOnlyViolation
from awsassess.snapshot import Snapshot
from awsassess.tables import TABLES, columns

log = logging.getLogger("awsassess.collect")

T = TypeVar("T")
R = TypeVar("R")
Rows = dict[str, list[dict[str, Any]]]
# progress(account name, units done, units total, message)
Progress = Callable[[str, int, int, str], None]

# Calls the framework itself makes (identity check and region opt-in status).
CORE_OPERATIONS: list[tuple[str, str]] = [("sts", "GetCallerIdentity"), ("ec2", "DescribeRegions")]

# In-flight request limits per (service, region), on top of the overall concurrency.
# Cost Explorer is billed per request and rate limited: one at a time.
SERVICE_LIMITS: dict[str, int] = {"ce": 1, "organizations": 2, "cloudformation": 8, "codepipeline": 8}

FANOUT_THREADS_PER_REQUEST = 8  # fan-out threads per request allowed in flight (see Run.fanout)

STATUSES = ("ok", "skipped", "access_denied", "opt_in_required", "unsupported", "not_implemented", "throttled", "error")
_SEVERITY = {s: i for i, s in enumerate(STATUSES)}

ACCESS_DENIED_CODES = {
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException",
    "AuthorizationError", "AuthorizationErrorException", "Forbidden", "403", "NotAuthorized",
    "UnauthorizedAccess", "AccessDeniedForDependencyException",
}
OPT_IN_CODES = {"OptInRequired", "SubscriptionRequiredException"}
TOKEN_CODES = {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure"}
THROTTLE_CODES = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
    "TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "SlowDown",
    "ProvisionedThroughputExceededException", "LimitExceededException", "BandwidthLimitExceeded",
    "PriorRequestNotComplete", "EC2ThrottledException", "TransactionInProgressException",
}
UNSUPPORTED_CODES = {
    "UnsupportedOperation", "UnsupportedOperationException", "InvalidAction", "UnknownOperationException",
    "UnknownOperation", "InvalidEndpointException", "OperationNotSupportedException",
}
NOT_IMPLEMENTED_CODES = {"NotImplemented", "NotImplementedException", "501", "500", "404"}


class Response(dict[str, Any]):
    """An API response (a dict) that also says whether the call worked: ``.ok``, ``.status``."""

    status: str = "ok"

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Items(list[Any]):
    """Items read by ``ctx.paginate`` (a list); ``.ok`` is False when a page failed (items are partial)."""

    status: str = "ok"

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _with_status(cls: type[T], status: str, content: Any = None) -> T:
    out = cls(content) if content is not None else cls()
    out.status = status  # type: ignore[attr-defined]
    return out


class UndeclaredOperationError(RuntimeError):
    """A collector called an operation missing from its ``OPERATIONS`` (the IAM policy would drift)."""


class CollectionError(RuntimeError):
    """Collection could not start (credentials, account mismatch, bad params)."""


# --------------------------------------------------------------------------- collectors
@dataclass(frozen=True)
class Collector:
    """One domain collector (usually built from a module by :meth:`from_module`)."""

    name: str
    operations: tuple[tuple[str, str], ...]
    collect: Callable[[Context, str], Rows] | None = None
    collect_global: Callable[[Context], Rows] | None = None
    phase: int = 0
    tables: tuple[str, ...] = ()
    weight: int = 1
    needs: tuple[str, ...] | None = None

    @classmethod
    def from_module(cls, module: ModuleType) -> Collector:
        name = getattr(module, "NAME", module.__name__.rsplit(".", 1)[-1])
        ops = getattr(module, "OPERATIONS", None)
        if ops is None:
            raise TypeError(f"collector module {module.__name__} has no OPERATIONS list")
        collect = getattr(module, "collect", None)
        collect_global = getattr(module, "collect_global", None)
        if collect is None and collect_global is None:
            raise TypeError(f"collector module {module.__name__} defines neither collect() nor collect_global()")
        tables = tuple(getattr(module, "TABLES", ()))
        unknown = [t for t in tables if t not in TABLES]
        if unknown:
            raise TypeError(f"collector {name}: TABLES names unknown tables {unknown}")
        return cls(name=name, operations=tuple((str(s), str(o)) for s, o in ops), collect=collect,
                   collect_global=collect_global, phase=int(getattr(module, "PHASE", 0)), tables=tables,
                   weight=max(1, int(getattr(module, "WEIGHT", 1))),
                   needs=tuple(module.NEEDS) if hasattr(module, "NEEDS") else None)


# --------------------------------------------------------------------------- coverage
@dataclass
class CallRecord:
    service: str
    operation: str
    region: str
    status: str = "ok"
    message: str = ""
    calls: int = 0
    failed: int = 0
    items: int = 0
    duration_s: float = 0.0

    def add(self, status: str, message: str, calls: int, items: int, duration: float) -> None:
        self.calls += calls
        self.items += items
        self.duration_s += duration
        if status != "ok":
            self._failures(1, status, message)

    def merge(self, other: CallRecord) -> None:
        """Add ``other`` (the same call counted elsewhere, e.g. in a worker process) to this record."""
        self.calls += other.calls
        self.items += other.items
        self.duration_s += other.duration_s
        if other.failed:
            self._failures(other.failed, other.status, other.message)

    def _failures(self, count: int, status: str, message: str) -> None:
        """Count failed requests; the record keeps the most severe status (the latest among equals)."""
        self.failed += count
        if _SEVERITY[status] >= _SEVERITY.get(self.status, 0) or self.status == "ok":
            self.status = status
            self.message = message

    def row(self) -> dict[str, Any]:
        msg = self.message
        if self.failed and self.calls > self.failed:
            msg = f"{self.failed} failed of {self.calls} requests; last: {msg}"
        return {"service": self.service, "operation": self.operation, "region": self.region,
                "status": self.status, "message": msg[:1000], "calls": self.calls, "items": self.items,
                "duration_s": round(self.duration_s, 3)}


def classify_error(exc: BaseException, region: str, home_region: str) -> tuple[str, str]:
    """(coverage status, short message) for an exception raised by botocore."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        message = str(err.get("Message", "") or exc)
        if message.lstrip().lower().startswith(("<!doctype", "<html")):
            message = "the endpoint answered with an HTML error page (operation not implemented?)"
        text = f"{code}: {message}"
        if code in ACCESS_DENIED_CODES or "not authorized" in message.lower():
            return "access_denied", text
        if code in OPT_IN_CODES:
            return "opt_in_required", text
        if code in TOKEN_CODES and region not in (home_region, GLOBAL_REGION):
            return "opt_in_required", text + " (is the region enabled for this account?)"
        if code in THROTTLE_CODES or "rate exceeded" in message.lower():
            return "throttled", text
        if code in UNSUPPORTED_CODES:
            return "unsupported", text
        if code in NOT_IMPLEMENTED_CODES or "not implemented" in message.lower():
            return "not_implemented", text
        return "error", text
    if isinstance(exc, ResponseParserError | EndpointNotImplemented):
        return "not_implemented", f"unparseable response (operation not implemented?): {str(exc)[:300]}"
    if isinstance(exc, UnknownEndpointError):
        return "unsupported", f"{type(exc).__name__}: {exc}"
    if isinstance(exc, EndpointConnectionError) and _no_such_host(exc):
        # the service has no endpoint in that region (no DNS name): nothing there to read, a gap
        return "unsupported", f"no endpoint for this service in {region} ({exc})"
    # a connection refused, reset or timed out after start-up is an error: data was there, it was not read
    return "error", f"{type(exc).__name__}: {exc}"


def _no_such_host(exc: BaseException) -> bool:
    """True when a connection error was a failed DNS look-up (the endpoint's host name does not exist)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return True
        text = str(cause)
        if any(s in text for s in ("Name or service not known", "nodename nor servname", "getaddrinfo failed",
                                   "No address associated with hostname", "Failed to resolve")):
            return True
        inner = getattr(cause, "kwargs", {}).get("error") if hasattr(cause, "kwargs") else None
        cause = inner or cause.__cause__ or cause.__context__
    return False


# --------------------------------------------------------------------------- run state
def _option(params: Any, name: str, default: Any) -> Any:
    opts = getattr(params, "collect", None)
    value = getattr(opts, name, None) if opts is not None else None
    return default if value is None else value


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


# --------------------------------------------------------------------------- context
class Context:
    """What a collector sees: declared calls, pagination, fan-out and earlier tables."""

    def __init__(self, run: Run, collector: Collector, tables: Rows | None = None) -> None:
        self._run = run
        self.collector = collector
        self._tables = tables  # what ctx.rows reads: the rows of the units this one depends on
        self._declared = frozenset(collector.operations) | frozenset(CORE_OPERATIONS)

    # -- facts
    @property
    def params(self) -> Any:
        return self._run.params

    @property
    def account_id(self) -> str:
        return self._run.account_id

    @property
    def regions(self) -> list[str]:
        return list(self._run.regions)

    @property
    def now(self) -> datetime:
        return self._run.now

    def option(self, name: str, default: Any) -> Any:
        """``params.collect.<name>`` or ``default``."""
        return _option(self._run.params, name, default)

    def rows(self, table: str, region: str | None = None) -> list[dict[str, Any]]:
        """Rows of ``table`` collected in an earlier phase (all regions, or only ``region``)."""
        needs = self.collector.needs
        if needs is not None and table not in needs:
            raise UndeclaredOperationError(
                f"collector {self.collector.name!r} read table {table!r}, which is not in its NEEDS list. "
                "Add it there (the collector starts once the tables it needs are collected).")
        rows = (self._tables if self._tables is not None else self._run.tables).get(table, [])
        return [r for r in rows if region is None or r.get("region") == region]

    def status(self, service: str, operation: str, region: str) -> str | None:
        """Coverage status of an operation so far (None if never called)."""
        rec = self._run.coverage.get((service, operation, region))
        return rec.status if rec else None

    def skip(self, service: str, operation: str, region: str, reason: str) -> None:
        """Record that ``operation`` was deliberately not called (coverage status ``skipped``)."""
        self._check(service, operation)
        self._run.record(service, operation, region, "skipped", reason, 0, 0, 0.0)

    # -- calls
    def _check(self, service: str, operation: str) -> None:
        if (service, operation) not in self._declared:
            raise UndeclaredOperationError(
                f"collector {self.collector.name!r} called {service}:{operation}, which is not in its "
                "OPERATIONS list. Add it there (the IAM policy is generated from OPERATIONS)."
            )

    def _client(self, service: str, region: str) -> Any:
        return install_slot_hooks(self._run.session.client(service, region))

    def call(self, service: str, operation: str, region: str, **kwargs: Any) -> Response:
        """One API call; the (masked) response without ResponseMetadata, or ``{}`` on failure.

        The result is a :class:`Response` (a dict): ``.ok`` / ``.status`` tell a failure from an
        empty answer.
        """
        self._check(service, operation)
        client = self._client(service, region)
        method = getattr(client, _snake(client, operation))
        start = time.perf_counter()
        try:
            resp = self._run.request(service, region, lambda: method(**kwargs))
        except (ReadOnlyViolation, UndeclaredOperationError):
            raise
        except (ClientError, ResponseParserError, BotoCoreError) as exc:
            status, message = classify_error(exc, region, self._run.home_region)
            self._run.record(service, operation, region, status, message, 1, 0,
                             time.perf_counter() - start)
            log.info("%s:%s %s -> %s %s", service, operation, region, status, message)
            return _with_status(Response, status)
        resp = dict(resp)
        resp.pop("ResponseMetadata", None)
        resp = mask_response(resp)
        self._run.keep_page(service, operation, region, kwargs, resp)
        self._run.record(service, operation, region, "ok", "", 1, _count_items(resp),
                         time.perf_counter() - start)
        return Response(resp)

    def paginate(self, service: str, operation: str, region: str, result_key: str,
                 **kwargs: Any) -> Items:
        """All items under ``result_key`` (JMESPath) of every page; the items read so far on failure.

        The result is an :class:`Items` (a list); ``.ok`` is False when a request failed.
        """
        self._check(service, operation)
        client = self._client(service, region)
        op_snake = _snake(client, operation)
        expr = jmespath.compile(result_key)
        if not client.can_paginate(op_snake):
            resp = self.call(service, operation, region, **kwargs)
            return _with_status(Items, resp.status, expr.search(resp) or [])
        pages = iter(client.get_paginator(op_snake).paginate(**kwargs))
        items = Items()
        calls = 0
        start = time.perf_counter()
        status, message = "ok", ""
        while True:
            try:
                page = self._run.request(service, region, lambda: next(pages, None))
            except (ReadOnlyViolation, UndeclaredOperationError):
                raise
            except (ClientError, ResponseParserError, BotoCoreError) as exc:
                calls += 1
                status, message = classify_error(exc, region, self._run.home_region)
                log.info("%s:%s %s -> %s %s", service, operation, region, status, message)
                break
            if page is None:
                break
            calls += 1
            page = dict(page)
            page.pop("ResponseMetadata", None)
            page = mask_response(page)
            self._run.keep_page(service, operation, region, kwargs, page)
            items.extend(expr.search(page) or [])
        self._run.record(service, operation, region, status, message, calls, len(items),
                         time.perf_counter() - start)
        items.status = status
        return items

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[fn(x) for x in items]``, run concurrently in the shared fan-out pool (results in order).

        Nested use is safe: a waiting thread runs the items nobody has started yet itself, so the
        pool can never deadlock on its own children.
        """
        seq = list(items)
        if len(seq) <= 1:
            return [fn(x) for x in seq]
        window = self._run.concurrency  # items started ahead of the one awaited: one map never fills the pool
        pool = self._run.fanout
        futures = [pool.submit(fn, x) for x in seq[:window]]
        out: list[R] = []
        for i, x in enumerate(seq):
            fut = futures[i]
            out.append(fn(x) if fut.cancel() else fut.result())
            if i + window < len(seq):
                futures.append(pool.submit(fn, seq[i + window]))
        return out


def _snake(client: Any, operation: str) -> str:
    mapping = client.meta.method_to_api_mapping
    cache = getattr(client.meta, "_awsassess_api_to_method", None)
    if cache is None:
        cache = {v: k for k, v in mapping.items()}
        client.meta._awsassess_api_to_method = cache
    try:
        return cache[operation]
    except KeyError:
        raise ValueError(f"{client.meta.service_model.service_name} has no operation {operation!r}") from None


def _count_items(resp: dict[str, Any]) -> int:
    lists = [v for v in resp.values() if isinstance(v, list)]
    return max((len(v) for v in lists), default=0)


# --------------------------------------------------------------------------- helpers for collectors
def tag_map(tags: Any) -> dict[str, str]:
    """AWS tags in any of their shapes (``[{Key, Value}]``, ``[{key, value}]``, a dict) as a dict."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    out: dict[str, str] = {}
    for t in tags:
        if isinstance(t, dict):
            k = t.get("Key", t.get("key"))
            if k is not None:
                out[str(k)] = str(t.get("Value", t.get("value", "")))
    return out


def name_tag(tags: Any) -> str:
    """The ``Name`` tag or ``''``."""
    return tag_map(tags).get("Name", "")


def chunks(seq: Sequence[T], size: int) -> list[list[T]]:
    """``seq`` in lists of at most ``size`` (API batch limits: ECS DescribeServices 10, ...)."""
    return [list(seq[i:i + size]) for i in range(0, len(seq), size)]


# --------------------------------------------------------------------------- tables
def _json_cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, list | dict | tuple) else value


def _date_cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else value


def build_frame(name: str, rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows -> DataFrame with exactly the documented columns (validated), Parquet-safe types.

    Datetimes become tz-aware UTC (naive ones are taken as UTC), lists/dicts JSON strings, and a
    column mixing incompatible types (e.g. int and str) becomes strings.
    """
    cols = columns(name)
    extra = sorted({k for r in rows for k in r} - set(cols))
    if extra:
        raise ValueError(f"table {name}: undocumented columns {extra}; add them to awsassess.tables first")
    df = pd.DataFrame(list(rows), columns=cols)
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(df[col].dtype):
            df[col] = pd.to_datetime(df[col], utc=True)
            continue
        if df[col].dtype != object:
            continue
        kinds = {type(v) for v in df[col].array if v is not None and not (isinstance(v, float) and v != v)}
        if not kinds:
            continue
        if any(issubclass(k, list | dict | tuple) for k in kinds):
            df[col] = df[col].map(_json_cell)
            kinds = {type(v) for v in df[col].array if v is not None}
        if any(issubclass(k, datetime) for k in kinds) and all(issubclass(k, datetime) for k in kinds):
            df[col] = pd.to_datetime(df[col], utc=True)
            continue
        if any(issubclass(k, date) for k in kinds):
            df[col] = df[col].map(_date_cell)
            kinds = {type(v) for v in df[col].array if v is not None}
        if len(kinds) > 1 and not kinds <= {int, float} and not kinds <= {bool}:
            df[col] = df[col].map(lambda v: None if v is None else str(v))
    return df


# --------------------------------------------------------------------------- orchestration
@dataclass
class _Unit:
    collector: Collector
    region: str  # a region or "global"


def resolve_regions(run: Run) -> list[str]:
    """The params' regions that are enabled; the others are recorded as opt_in_required."""
    ctx = Context(run, Collector("core", tuple(CORE_OPERATIONS), collect=lambda c, r: {}))
    resp = ctx.call("ec2", "DescribeRegions", run.home_region, AllRegions=True)
    known = {r.get("RegionName"): r.get("OptInStatus", "opt-in-not-required") for r in resp.get("Regions", [])}
    enabled = []
    for region in run.regions:
        status = known.get(region)
        if resp and status == "not-opted-in":
            run.record("ec2", "DescribeRegions", region, "opt_in_required",
                       f"region {region} is not enabled for this account (opt-in region); skipped",
                       0, 0, 0.0)
        elif resp and status is None:
            run.record("ec2", "DescribeRegions", region, "unsupported",
                       f"region {region} is unknown to EC2 DescribeRegions; skipped", 0, 0, 0.0)
        else:
            enabled.append(region)
    return enabled


def params_digest(params: Any) -> str:
    if hasattr(params, "model_dump"):
        data = params.model_dump(mode="json")
    elif hasattr(params, "__dict__"):
        data = json.loads(json.dumps(params.__dict__, default=lambda o: getattr(o, "__dict__", str(o))))
    else:
        data = str(params)
    return "sha256:" + hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def run_collectors(run: Run, collectors: Sequence[Collector], regions: Sequence[str], *,
                   progress: Progress | None = None, strict: bool = False,
                   account: str = "", processes: int = 1, workers: Any = None) -> Rows:
    """Run ``collectors`` across ``regions``, each unit once the units it depends on are done
    (:func:`unit_dependencies`); rows per table, in unit order (also in ``run.tables``).

    ``processes`` > 1 spreads the units over worker processes (:mod:`awsassess.collect.workers`),
    ``workers`` if already started (the caller closes them), else started and closed here; the
    collectors must then be registered ones (workers load them by name).
    """
    units_all = [
        _Unit(c, r)
        for c in collectors
        for r in ([*regions] if c.collect else []) + ([GLOBAL_REGION] if c.collect_global else [])
    ]
    deps = unit_dependencies(units_all)
    if processes > 1 and len(units_all) > 1:
        from awsassess.collect.workers import run_in_processes, start_workers

        own = workers is None
        workers = workers or start_workers(run, list(collectors), processes, strict=strict)
        try:
            return run_in_processes(run, workers, units_all, deps, progress=progress, account=account)
        finally:
            if own:
                workers.close()
    total = len(units_all)
    if progress:
        progress(account, 0, total, "starting")
    outs: dict[int, Rows] = {}
    pending = list(range(total))
    with ThreadPoolExecutor(max_workers=run.concurrency, thread_name_prefix="awsassess-unit") as pool:
        running: dict[Future[Rows], int] = {}
        while pending or running:
            for uid in [u for u in pending if deps[u] <= outs.keys()]:
                pending.remove(uid)
                inputs = join_rows(outs[d] for d in sorted(deps[uid]))
                running[pool.submit(run_unit, run, units_all[uid], strict=strict, inputs=inputs)] = uid
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                uid = running.pop(fut)
                outs[uid] = fut.result()
                if progress:
                    progress(account, len(outs), total, f"{units_all[uid].collector.name} {units_all[uid].region}")
    merge_tables(run, [outs[i] for i in range(total)])
    return run.tables


def unit_dependencies(units: Sequence[_Unit]) -> list[set[int]]:
    """For each unit, the units that must be done before it starts.

    A collector without ``NEEDS`` waits for every unit of an earlier phase. One with ``NEEDS`` waits for
    the earlier-phase units that fill a needed table in its own region or globally (a global unit: in
    any region).
    """
    deps: list[set[int]] = []
    for unit in units:
        c = unit.collector
        earlier = [i for i, v in enumerate(units) if v.collector.phase < c.phase]
        if c.needs is not None:
            earlier = [i for i in earlier
                       if set(units[i].collector.tables) & set(c.needs)
                       and (unit.region == GLOBAL_REGION or units[i].region in (unit.region, GLOBAL_REGION))]
        deps.append(set(earlier))
    return deps


def run_unit(run: Run, unit: _Unit, *, strict: bool = False, inputs: Rows | None = None) -> Rows:
    """One collector in one region (or ``global``): its rows, with ``account_id`` and ``region`` set.

    ``inputs``: the rows of the units it depends on (what ``ctx.rows`` reads; default ``run.tables``).

    A collector bug is recorded in coverage (``awsassess collect:<name>``) and yields no rows, unless
    ``strict``; read-only and undeclared-operation violations always propagate.
    """
    ctx = Context(run, unit.collector, inputs)
    try:
        if unit.region == GLOBAL_REGION:
            assert unit.collector.collect_global is not None
            out = unit.collector.collect_global(ctx) or {}
        else:
            assert unit.collector.collect is not None
            out = unit.collector.collect(ctx, unit.region) or {}
    except (ReadOnlyViolation, UndeclaredOperationError):
        raise
    except Exception as exc:  # a collector bug must not lose the other tables
        if strict:
            raise
        log.error("collector %s failed in %s:\n%s", unit.collector.name, unit.region, traceback.format_exc())
        run.record("awsassess", f"collect:{unit.collector.name}", unit.region, "error",
                   f"{type(exc).__name__}: {exc}", 0, 0, 0.0)
        out = {}
    for rows in out.values():
        for row in rows:
            row.setdefault("account_id", run.account_id)
            row.setdefault("region", unit.region)
    return out


def merge_tables(run: Run, results: Iterable[Rows]) -> None:
    """Set ``run.tables`` to the units' rows (in the order given)."""
    tables = join_rows(results)
    with run._lock:
        run.tables = tables


def join_rows(results: Iterable[Rows]) -> Rows:
    """Units' rows table by table, in the order given."""
    tables: Rows = {}
    for out in results:
        for table, rows in out.items():
            if table not in TABLES:
                raise ValueError(f"collector produced unknown table {table!r}")
            tables.setdefault(table, []).extend(rows)
    return tables


def collection_processes(params: Any, concurrency: int, *, registered: bool = True) -> int:
    """How many processes collect this account: ``collect.processes`` (``auto`` by default, see
    :func:`awsassess.collect.workers.auto_processes`); 1 for collectors or a session given in code
    (worker processes rebuild both from the registry and the params) and inside a daemonic process
    (which may not start processes)."""
    import multiprocessing

    from awsassess.collect.workers import resolve_processes

    wanted = resolve_processes(_option(params, "processes", "auto"), concurrency)
    if wanted > 1 and (not registered or multiprocessing.current_process().daemon):
        return 1
    return wanted


def collect_account(params: Any, out_dir: str | Path, progress: Progress | None = None,
                    *, collectors: Sequence[Collector] | None = None, session: AccountSession | None = None,
                    strict: bool = False, keep_raw: bool = True,
                    service_limits: dict[str, int] | None = None) -> Snapshot:
    """Collect one account into ``out_dir/<name>/snapshot`` (atomically) and return the Snapshot.

    ``collectors`` defaults to every registered collector (:func:`awsassess.collect.load_collectors`).
    ``strict=True`` re-raises collector bugs instead of recording them in coverage (tests use it).
    Raises :class:`awsassess.aws.AccountMismatchError` when the credentials reach another account.
    """
    from awsassess.collect import load_collectors

    name = str(getattr(params, "name", "") or "")
    if not name:
        raise CollectionError("params.name is empty; set name: in the params file (e.g. acme-prod)")
    started = time.perf_counter()
    given_session = session is not None
    session = session or session_for(params)
    concurrency = int(_option(params, "concurrency", 16))
    processes = collection_processes(params, concurrency, registered=collectors is None and not given_session)
    run = Run(params, session, concurrency=concurrency, keep_raw=keep_raw, service_limits=service_limits)
    collectors = list(collectors) if collectors is not None else load_collectors()
    workers = None
    try:
        if processes > 1:  # they start while this process checks the identity and the regions
            from awsassess.collect.workers import start_workers

            workers = start_workers(run, collectors, processes, strict=strict)
        session.check_account(str(getattr(params, "account_id", "")))
        ident = session.caller_identity()
        run.record("sts", "GetCallerIdentity", session.home_region, "ok", "", 1, 1, 0.0)
        regions = resolve_regions(run)
        run_collectors(run, collectors, regions, progress=progress, strict=strict, account=name,
                       processes=processes, workers=workers)
    finally:
        if workers is not None:
            workers.close()
        run.close()

    frames: dict[str, pd.DataFrame] = {}
    wanted = {t for c in collectors for t in c.tables} | set(run.tables)
    for table in sorted(wanted):
        frames[table] = build_frame(table, run.tables.get(table, []))
    coverage_rows = run.coverage_rows()
    for row in coverage_rows:
        row["account_id"] = run.account_id
    frames["coverage"] = build_frame("coverage", coverage_rows)

    from awsassess.coverage import problems_of_rows

    found = problems_of_rows(coverage_rows)
    by_status: dict[str, int] = {}
    for row in coverage_rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    manifest = {
        "name": name,
        "account_id": run.account_id,
        "environment": str(getattr(params, "environment", "") or ""),
        "regions": list(run.regions),
        "regions_collected": list(regions),
        "collected_at": run.now.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 2),
        "concurrency": concurrency,
        "processes": processes,
        "caller_arn": ident.get("Arn", ""),
        "collectors": [c.name for c in collectors],
        "params_digest": params_digest(params),
        "coverage": {
            "requests": sum(r["calls"] for r in coverage_rows),
            "operations": len(coverage_rows),
            "by_status": by_status,
            "problems": [f"{r['service']}:{r['operation']} {r['region']}: {r['status']}"
                         for r in coverage_rows if r["status"] != "ok"],
            # what went wrong (the account is partial) vs what the account chose (awsassess.coverage)
            "errors": [p.sentence() for p in found if p.kind == "error"],
            "gaps": [p.sentence() for p in found if p.kind == "gap"],
        },
    }
    snap = Snapshot(manifest=manifest, tables=frames)
    snap.save(Path(out_dir) / name / "snapshot", raw_pages=run.raw if keep_raw else None)
    return snap
