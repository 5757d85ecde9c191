"""What a collector sees (:class:`Context`): declared calls, pagination, fan-out and earlier tables."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

import jmespath
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from awsassess.collect.call_records import classify_error
from awsassess.collect.contract import (
    CORE_OPERATIONS,
    Collector,
    Items,
    Response,
    Rows,
    UndeclaredOperationError,
    _option,
    _with_status,
)
from awsassess.collect.masking import mask_response
from awsassess.collect.run_state import Run, install_slot_hooks
from awsassess.guard import ReadOnlyViolation

log = logging.getLogger("awsassess.collect")

T = TypeVar("T")
R = TypeVar("R")


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
