"""Units of collection, one collector in one region (or ``global``): which units wait for which
(:func:`unit_dependencies`), running one (:func:`run_unit`) and joining their rows."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from awsassess.aws import GLOBAL_REGION
from awsassess.collect.context import Context
from awsassess.collect.contract import Collector, Rows, UndeclaredOperationError
from awsassess.collect.run_state import Run
from awsassess.guard import ReadOnlyViolation
from awsassess.tables import TABLES

log = logging.getLogger("awsassess.collect")


@dataclass
class _Unit:
    collector: Collector
    region: str  # a region or "global"


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

