"""The collector contract: what a domain collector module declares and what the framework gives it.

The framework, one job per module; each imports only the ones above it (type hints aside), and
``tests/collect/test_collect_layout.py`` checks that there is no import cycle:

- :mod:`~awsassess.collect.contract` (this module): :class:`Collector`, :class:`Response`,
  :class:`Items`, the errors, ``Rows``;
- :mod:`~awsassess.collect.call_records`: coverage statuses, :func:`classify_error`, :class:`CallRecord`;
- :mod:`~awsassess.collect.rows`: helpers for collectors' rows (:func:`tag_map`, :func:`chunks`) and
  :func:`build_frame`;
- :mod:`~awsassess.collect.run_state`: :class:`Run` (one account's records, raw pages, tables, pools)
  and the in-flight limits (slot hooks, :class:`RequestLimits`);
- :mod:`~awsassess.collect.context`: :class:`Context`, what a collector calls;
- :mod:`~awsassess.collect.units`: (collector, region) units, their dependencies, running one;
- :mod:`~awsassess.collect.workers`: units spread over worker processes;
- :mod:`~awsassess.collect.schedule`: :func:`run_collectors` (threads, or the worker processes);
- :mod:`~awsassess.collect.account`: :func:`collect_account`, one account into a snapshot.

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

    from awsassess.collect.rows import tag_map
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

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from awsassess.tables import TABLES

if TYPE_CHECKING:
    from awsassess.collect.context import Context

Rows = dict[str, list[dict[str, Any]]]
# progress(account name, units done, units total, message)
Progress = Callable[[str, int, int, str], None]

# Calls the framework itself makes (identity check and region opt-in status).
CORE_OPERATIONS: list[tuple[str, str]] = [("sts", "GetCallerIdentity"), ("ec2", "DescribeRegions")]


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


_Answer = TypeVar("_Answer", Response, Items)


def _with_status(cls: type[_Answer], status: str, content: Any = None) -> _Answer:
    out = cls(content) if content is not None else cls()
    out.status = status
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


def _option(params: Any, name: str, default: Any) -> Any:
    """``params.collect.<name>``, or ``default`` when it is not set."""
    opts = getattr(params, "collect", None)
    value = getattr(opts, name, None) if opts is not None else None
    return default if value is None else value
