"""Every notebook view renders whatever a real account's snapshot can hold.

Snapshots are typed (:mod:`awsassess.tables` declares a dtype per column, :mod:`awsassess.snapshot`
enforces it): a cell of the wrong type (a flag for a time, text in a count, a number where JSON is
declared, a list where an object is) is refused where the snapshot is built or read, with a
``SnapshotTypeError`` naming its table and column, so it never reaches a view. What does reach the views
is typed but still far from tidy: missing values in any column (``None``, NaN and blank text become NaN,
``pd.NA`` or NaT), numbers and times written as text (converted), zero and negative quantities, text that
is empty or odd (``"n/a"``, digits), JSON of the declared container that is empty or holds odd contents
(``[null]``, ``{"a": null}``, text where a number is documented), empty tables, tables never collected,
and, in a snapshot of an older schema version, columns added back all missing. A view that raises loses
the account its report (``20_compute`` crashed in ``compute.stopped_tasks`` on NaN stop reasons beside
text ones), so every public view is driven here with generated snapshots (hypothesis):

- ``junk_snapshot``: tables of the declared schema with a few rows whose cells are plausible values of
  the column's dtype (ids from one small pool so the tables join, timestamps within the lookback, JSON of
  the documented shape, enum words from the column docs, two regions) mixed with the odd values above
  (``JUNK``, per dtype); some tables left out; half the snapshots of schema version 1 with a few columns
  dropped (added back, all missing);
- ``damaged_demo``: the demo estate (every view has rows to show) with cells or whole columns of a few
  tables overwritten the ways their dtype allows (``TYPED_DAMAGES``), tables emptied and columns dropped
  (in a snapshot of schema version 1);
- ``damaged_model``: the estate's cost model with the gaps the model leaves (NaN prices, no resource).

Each view must return a Note, a table, a chart or HTML that renders (``to_html``, PNG, Markdown).
Crashes the properties found in code the views call but do not own (metrics_stats, findings, model)
are kept as regression tests at the end, each with its smallest snapshot; those whose input is now
of the wrong type assert that the snapshot refuses it.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
import pkgutil
from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

import awsassess.views as views_package
import numpy as np
import pandas as pd
import pytest
from awsassess import metrics_stats as ms
from awsassess.findings import evaluate
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.model import CostModel, assess
from awsassess.snapshot import SCHEMA_VERSION, Snapshot, SnapshotTypeError, empty_frame
from awsassess.tables import BOOL, COMMON, FLOAT, INT, LIST, OBJ, STR, TABLES, TIME, dumps
from awsassess.views import (
    Chart,
    Note,
    cdn,
    compute,
    costs,
    datastores,
    findings_table,
    network,
    pipelines,
    stacks,
)
from demo_snapshots import demo_snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.io.formats.style import Styler
from snapshots_factory import COLLECTED_AT, SnapshotBuilder

# long property searches over every view: part of make test, not of the test-fast edit loop
pytestmark = pytest.mark.heavy

SNAPSHOT_VIEWS: list[ModuleType] = [network, compute, pipelines, datastores, cdn, stacks]
#: views and the domains of the tables they read (network counts ECS services per VPC)
VIEW_DOMAINS = {"network": ("network", "compute"), "compute": ("compute",), "pipelines": ("pipelines",),
                "datastores": ("datastores",), "cdn": ("cdn",), "stacks": ("stacks",)}
FINDING_DOMAINS = ("network", "compute", "pipelines", "datastores", "cdn", "stacks", "security")
MODEL = {"allow_missing_prices": True}
# Deterministic in make test (the same examples every run: CI never fails on a draw it never saw
# before); AWSASSESS_HYPOTHESIS_EXPLORE=1 draws new examples to look for more (how the bool metric
# values and the ten model crashes were found).
FAST = settings(max_examples=10, deadline=None, derandomize=not os.environ.get("AWSASSESS_HYPOTHESIS_EXPLORE"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ----------------------------------------------------------------------------------- rendering


def short_name(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[1]


def public_views(module: ModuleType) -> list[Callable[..., Any]]:
    """The module's own public functions: every one is a view a notebook may call."""
    return [fn for name, fn in inspect.getmembers(module, inspect.isfunction)
            if not name.startswith("_") and fn.__module__ == module.__name__]


def render(out: Any) -> str | bytes:
    """What the notebook and the report do with a view's result (HTML, PNG or Markdown)."""
    if isinstance(out, Note):
        return out._repr_markdown_()
    if isinstance(out, Chart):
        png = out.png(dpi=20)
        assert png.startswith(b"\x89PNG")
        return png
    if isinstance(out, Styler | pd.DataFrame):
        html = out.to_html()
        assert "<table" in html
        return html
    if hasattr(out, "_repr_html_"):
        return out._repr_html_()
    raise AssertionError(f"a view returned {type(out).__name__}, which neither notebook nor report can show")


def render_snapshot_views(module: ModuleType, snapshot: Snapshot) -> None:
    a = FindingsAssumptions()
    for fn in public_views(module):
        out = fn(snapshot, a) if "assumptions" in inspect.signature(fn).parameters else fn(snapshot)
        render(out)


def render_model_views(model: Any) -> None:
    """Every cost view, with its optional arguments left out and given (a scenario, a pipeline)."""
    pipeline = next(iter(model.pipeline_time.summary_frame().get("pipeline", [])), None)
    for fn in public_views(costs):
        render(fn(model))
        params = inspect.signature(fn).parameters
        if "pipeline" in params and pipeline is not None:
            render(fn(model, pipeline))
        if "scenario" in params:
            render(fn(model, "current", "compute", 5))


def test_every_view_module_is_driven_here() -> None:
    """A new view module must join SNAPSHOT_VIEWS (or be costs): every public function is then driven."""
    # iac's views read a notebook Context (the live kit): tests/views/test_views_iac.py drives them;
    # progress's read progress.json: tests/verify/test_views_progress.py drives them; pillars' read findings:
    # tests/views/test_views_pillars.py
    assert {m.name for m in pkgutil.iter_modules(views_package.__path__)} == {*VIEW_DOMAINS, "costs", "iac",
                                                                              "progress", "pillars"}
    assert [short_name(m) for m in SNAPSHOT_VIEWS] == list(VIEW_DOMAINS)
    assert all(public_views(m) for m in [*SNAPSHOT_VIEWS, costs])


# ----------------------------------------------------------------------------------- generated cells

IDS = ["a", "b"]
#: what a cell may hold instead of a plausible value, per declared dtype: missing everywhere (None, NaN,
#: and blank text, which is missing in all but text columns); odd text and numbers as text in text
#: columns; zero, negative and numeric text in quantities; empty JSON and JSON of the declared container
#: holding nulls. A cell of the wrong type (text in a count, a number for a time, a list where an object
#: is declared) never reaches a view: the snapshot refuses it when written or read
#: (tests/snapshot/test_snapshot_types.py, and the refused cases at the end of this file), so the views get typed
#: frames.
JUNK: dict[str, list[Any]] = {
    STR: [None, math.nan, "", "n/a", "12", "0", 12, 0],
    INT: [None, math.nan, "", "12", "0", 12, 0, -1],
    FLOAT: [None, math.nan, "", "12", "0", "-1.5", 12, 0, -1, 3.5],
    BOOL: [None, math.nan, "", True, False, "true", "no", 0],
    TIME: [None, math.nan, "", pd.NaT],
    LIST: [None, math.nan, "", "null", "[]", [], "[null]", [None, "a"]],
    OBJ: [None, math.nan, "", "null", "{}", {}, '{"a": null}', {"a": None}],
}
REASONS = ["Scaling activity initiated by (deployment ecs-svc/123)", "Essential container in task exited",
           "Task failed ELB health checks in (target-group arn)", "OutOfMemoryError: Container killed",
           "CannotPullContainerError: pull image manifest", "Task stopped by user", "RESOURCE:MEMORY"]
#: values by column (or ``table.column``) where the column doc does not say enough
PLAUSIBLE: dict[str, list[Any]] = {
    "region": ["ap-southeast-2", "us-west-2", "global"],
    "group": ["service:a", "service:b", "family:a", "service:"],
    "stopped_reason": REASONS, "reason": REASONS, "status_reason": REASONS,
    "stop_code": ["ServiceSchedulerInitiated", "EssentialContainerExited", "TaskFailedToStart"],
    "status": ["available", "active", "ACTIVE"],
    "pipeline_executions.status": ["Succeeded", "Succeeded", "Failed"],
    "pipeline_action_executions.status": ["Succeeded", "Failed"], "builds.status": ["SUCCEEDED", "FAILED"],
    "stacks.status": ["UPDATE_COMPLETE", "CREATE_COMPLETE", "DELETE_COMPLETE", "UPDATE_ROLLBACK_FAILED"],
    "stack_events.status": ["CREATE_FAILED", "UPDATE_FAILED", "UPDATE_COMPLETE"],
    "state": ["available", "pending", "deleted", "running", "active"],
    "engine": ["postgres", "aurora-postgresql", "mysql", "docdb", "redis", "valkey", "memcached"],
    "engine_version": ["13.4", "8.0.28", "5.0.0", "7.1"],
    "instance_class": ["db.m5.large", "db.t3.medium", "db.r6g.xlarge"],
    "node_type": ["cache.t3.medium", "cache.m6g.large"],
    "compute_type": ["BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_SMALL"],
    "instance_type": ["m5.large", "t3.medium"],
    "cidr": ["10.0.0.0/16", "10.1.0.0/24"],
    "az": ["ap-southeast-2a", "us-west-2b"],
    "cpu": [256, 1024, "1024", 4096], "memory": [512, 2048, "2048", 8192],
    "desired_count": [0, 1, 2, "2", 6], "running_count": [0, 1, 2, "2", 6],
    "service_namespace": ["ecs", "dynamodb"],
    "cache_policy": ["4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "658327ea-f89d-4fab-a63d-7e88639e58f6", "a"],
    "price_class": ["PriceClass_All", "PriceClass_100"],
    "month": ["2026-10", "2026-11"],
    "service": ["Amazon Elastic Compute Cloud - Compute", "AWS Fargate", "a"],
    "path": [".github/workflows/deploy.yml"], "path_pattern": ["*", "/api/*"],
}
#: JSON cells of the documented shape, and of shapes a collector might leave (null names, text values),
#: each of the container its columns declare (test_generated_cells_are_typed checks)
JSON_SHAPES: dict[str, list[Any]] = {
    "stages": [[{"name": "Source", "actions": [{"name": "s", "category": "Source"}]},
                {"name": "Build", "actions": [{"name": "b", "category": "Build", "provider": "CodeBuild"}]}],
               ["Build"], [{"name": None}]],
    "phases": [{"BUILD": 300, "INSTALL": 30}, {"BUILD": None}, {"BUILD": "n/a"}],
    "container_exit_codes": [{"app": 137}, {"app": 0}, {"app": None}, {"app": "1"}],
    "container_reasons": [{"app": "OutOfMemoryError"}, {"app": None}],
    "policies": [[{"name": "cpu", "type": "TargetTrackingScaling", "target_value": 60,
                   "metric": "ECSServiceAverageCPUUtilization"}], [{"target_value": "n/a"}]],
    "dimensions": [{"ClusterName": "a", "ServiceName": "a"}, {}],
    "instance_ids": [["a", "b"]], "subnets": [["a", "b"]], "subnet_ids": [["a"]], "azs": [["us-west-2b"]],
    "target_group_arns": [["a"]], "load_balancer_arns": [["a"]], "capacity_providers": [["FARGATE"], ["a"]],
    "ecs_services": [["a/a"]],
}


def _enum_words(doc: str) -> list[str]:
    """``"FARGATE | EC2 | EXTERNAL"`` in a column doc -> its words (the values a collector writes)."""
    if " | " not in doc:
        return []
    words = [w.strip(" '.") for w in doc.split("(")[0].split("|") if "..." not in w]
    return [w for w in words if w and " " not in w]


def plausible(table: str, column: str) -> st.SearchStrategy[Any]:
    """A value a collector could write into ``table.column``, of its declared dtype (ids from one pool so
    tables join); as the collectors write them: a number or its text, a time or its ISO text, a list or
    dict or its JSON text."""
    doc = {**COMMON, **TABLES[table].columns}[column]
    dtype = TABLES[table].dtypes[column]
    if column == "account_id":
        return st.sampled_from(["123456789012", 123456789012])
    if dtype == TIME:  # within the lookback; aware, naive (UTC) or ISO 8601 text
        ago = st.floats(0, 40 * 24, allow_nan=False).map(lambda h: COLLECTED_AT - timedelta(hours=h))
        return st.one_of(ago, ago.map(lambda t: t.isoformat()), ago.map(lambda t: t.replace(tzinfo=None)))
    if dtype in (LIST, OBJ):  # the declared container: the documented shape if known, else a plain one
        shapes = JSON_SHAPES.get(column) or ([["a", "b"], ["a"]] if dtype == LIST else [{"a": "b"}, {"Name": "a"}])
        return st.sampled_from([*shapes, *map(dumps, shapes)])
    if pool := PLAUSIBLE.get(f"{table}.{column}", PLAUSIBLE.get(column)):
        return st.sampled_from(pool)
    if dtype == BOOL:
        return st.sampled_from([True, False, "true", "false", 1])
    if words := _enum_words(doc):
        return st.sampled_from(words)
    if dtype == STR:
        return st.sampled_from(IDS)
    # small quantities: the cost model packs every task of a service, and 5000 tasks take it a minute
    if dtype == INT:
        return st.one_of(st.integers(0, 64), st.integers(0, 64).map(str))
    return st.one_of(st.integers(0, 64), st.floats(0, 1e4, allow_nan=False))


def cell(table: str, column: str) -> st.SearchStrategy[Any]:
    """Two cells in three plausible (so rows join and the views reach their charts), one broken."""
    p = plausible(table, column)
    return st.one_of(p, p, st.sampled_from(JUNK[TABLES[table].dtypes[column]]))


def test_generated_cells_are_typed() -> None:
    """Every fixed value the generators write is of its column's declared dtype, so the snapshot takes it
    (a wrong one would stop every property at the boundary, before any view runs)."""
    for name, t in TABLES.items():
        for column, dtype in t.dtypes.items():
            pool = [*PLAUSIBLE.get(f"{name}.{column}", PLAUSIBLE.get(column, [])), *JSON_SHAPES.get(column, []),
                    *JUNK[dtype]]
            empty_frame(name, [{column: v} for v in pool])  # else SnapshotTypeError names table, column, value


@st.composite
def table_frame(draw: st.DrawFn, name: str, max_rows: int = 5, *, drop: bool = False) -> pd.DataFrame:
    """Rows of ``name`` (its declared columns, typed); with ``drop``, up to two columns dropped (columns
    a snapshot of an older schema did not have yet: the snapshot adds them back, all missing)."""
    cols = TABLES[name].all_columns
    row = st.fixed_dictionaries({c: cell(name, c) for c in cols})
    df = empty_frame(name, [draw(row) for _ in range(draw(st.integers(0, max_rows)))])
    return df.drop(columns=draw(st.lists(st.sampled_from(cols), max_size=2, unique=True))) if drop else df


#: the CloudWatch series the views read, per domain: (namespace, metric, statistic, dimension names)
METRICS: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {
    "network": [("AWS/NATGateway", m, "Sum", ("NatGatewayId",)) for m in
                ("BytesOutToDestination", "BytesOutToSource", "BytesInFromSource", "BytesInFromDestination")]
    + [("AWS/ApplicationELB", "RequestCount", "Sum", ("LoadBalancer",))],
    "compute": [(ns, m, "Average", ("ClusterName", "ServiceName")) for m in ("CPUUtilization", "MemoryUtilization")
                for ns in ("AWS/ECS", "ECS/ContainerInsights")] + [("AWS/ECS", "CPUUtilization", "Average", ())],
    "datastores": [(ns, m, stat, ("DBInstanceIdentifier",)) for ns in ("AWS/RDS", "AWS/DocDB")
                   for m, stat in (("CPUUtilization", "Average"), ("DatabaseConnections", "Maximum"))]
    + [("AWS/ElastiCache", m, stat, ("CacheClusterId",)) for m, stat in
       (("EngineCPUUtilization", "Average"), ("CPUUtilization", "Average"), ("CurrConnections", "Maximum"))]
    + [("AWS/DynamoDB", m, "Sum", ("TableName",))
       for m in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits")],
    "cdn": [("AWS/CloudFront", "CacheHitRate", "Average", ("DistributionId", "Region")),
            ("AWS/CloudFront", "Requests", "Sum", ("DistributionId", "Region"))],
}
VALUES = st.one_of(st.floats(0, 100, allow_nan=False), st.floats(0, 1e9, allow_nan=False), st.sampled_from(JUNK[FLOAT]))


@st.composite
def metric_rows(draw: st.DrawFn, domains: tuple[str, ...]) -> pd.DataFrame:
    """A few hourly series of the metrics the views read, for resources of the id pool; a series may
    repeat (two collections), a datapoint may lack its dimensions or resource id."""
    kinds = [k for d in domains for k in METRICS.get(d, [])]
    rows = []
    for ns, metric, stat, dim_keys in draw(st.lists(st.sampled_from(kinds), max_size=6)) if kinds else []:
        rid = draw(st.sampled_from(IDS))
        dims = dumps({k: ("Global" if k == "Region" else draw(st.sampled_from(IDS))) for k in dim_keys})
        values = draw(st.lists(VALUES, min_size=1, max_size=30))
        for i, v in enumerate(values):
            rows.append({"account_id": "123456789012", "region": "us-west-2", "namespace": ns, "metric": metric,
                         "dimensions": draw(st.sampled_from([dims, dims, dims, None, "{}"])),
                         "resource_id": draw(st.sampled_from([rid, rid, rid, None])), "stat": stat,
                         "period_s": draw(st.sampled_from([3600, 3600, "3600", None])),
                         "timestamp": COLLECTED_AT - timedelta(hours=len(values) - i), "value": v})
    return empty_frame("metrics", rows)


@st.composite
def junk_snapshot(draw: st.DrawFn, domains: tuple[str, ...]) -> Snapshot:
    """A snapshot of the tables of ``domains`` (and their metrics) with generated, partly odd rows; about
    one table in five left out (never collected). Half are of schema version 1 (before typed tables),
    with a few columns missing from their tables (the snapshot adds them back, all missing): a snapshot
    of the current version must have every declared column."""
    version = draw(st.sampled_from([SCHEMA_VERSION, 1]))
    base = SnapshotBuilder(environment=draw(st.sampled_from(["production", "staging"])),
                           regions=["ap-southeast-2", "us-west-2"]).build()
    tables = {name: draw(table_frame(name, drop=version < SCHEMA_VERSION)) for name, t in TABLES.items()
              if t.domain in domains and draw(st.integers(0, 4))}
    tables["metrics"] = draw(metric_rows(domains))
    return Snapshot(manifest={**base.manifest, "schema_version": version}, tables=tables)


# ----------------------------------------------------------------------------------- damaged demo

DAMAGES = ("null", "nan", "number", "numeric text", "junk text", "drop column", "empty table", "all null")
#: the dtypes each typed damage fits (the others the snapshot refuses); every other damage fits all
FITS = {"number": (STR, INT, FLOAT), "junk text": (STR,)}
#: damages a column of each dtype can carry and stay of its type
TYPED_DAMAGES = {dtype: tuple(d for d in DAMAGES if dtype in FITS.get(d, (dtype,)))
                 for dtype in (STR, INT, FLOAT, BOOL, TIME, LIST, OBJ)}
_ESTATES: dict[str, Snapshot] = {}


def estate(name: str) -> Snapshot:
    """The demo estate plus what it lacks so every view has rows: stopped tasks (deployment stops
    beside failures), cache behaviours and hit rates, Copilot stacks with failed events, a workflow."""
    if name in _ESTATES:
        return _ESTATES[name]
    demo = demo_snapshot(name)
    b = SnapshotBuilder(demo.account_id, demo.environment, collected_at=ms.as_of(demo).to_pydatetime())
    services = demo.table("ecs_services")
    for i, (cluster, service) in enumerate(zip(services["cluster"], services["service_name"], strict=True)):
        for k, reason in enumerate(REASONS):
            b.add("stopped_tasks", task_arn=f"t-{i}-{k}", cluster=cluster, group=f"service:{service}",
                  stopped_at=b.at(hours=i + k), started_at=b.at(days=1), stopped_reason=reason,
                  stop_code="EssentialContainerExited" if k % 2 else "ServiceSchedulerInitiated",
                  container_exit_codes={"app": 137 if k % 2 else 0},
                  health_status="UNHEALTHY" if k == 2 else "HEALTHY")
    for dist in demo.table("distributions")["distribution_id"]:
        b.add("cache_behaviors", distribution_id=dist, path_pattern="*", target_origin_id="web", ttl_default=0,
              cache_policy="4135ea2d-6df8-44a3-9df3-4b5a84be39ad", compress=True)
        b.add("cache_behaviors", distribution_id=dist, path_pattern="/api/*", target_origin_id="api",
              forward_cookies="all", forward_query_strings="all", compress=False)
        dims = {"DistributionId": dist, "Region": "Global"}
        b.metric("AWS/CloudFront", "CacheHitRate", dist, lambda h: 30 + h % 50, dims=dims, hours=14 * 24)
    for env in ("test", "prod"):
        b.add("stacks", stack_name=f"app-{env}", status="UPDATE_COMPLETE", copilot_application="app",
              copilot_environment=env, template_bytes=48000, resource_count=120)
        for svc in services["service_name"]:
            b.add("stacks", stack_name=f"app-{env}-{svc}", status="UPDATE_ROLLBACK_COMPLETE",
                  copilot_application="app", copilot_environment=env, copilot_service=svc,
                  template_bytes=20000, resource_count=30)
            b.add("stack_events", stack_name=f"app-{env}-{svc}", timestamp=b.at(days=2), logical_id="Service",
                  resource_type="AWS::ECS::Service", status="UPDATE_FAILED", reason="Circuit breaker triggered")
    b.add("github_workflows", path=".github/workflows/deploy.yml", name="deploy", docker_build=True,
          build_cache=False, deploys_to_ecs=True, triggers=["push"], jobs=2)
    tables = dict(demo.tables.items())
    for n, df in b.build().tables.items():
        tables[n] = pd.concat([tables[n], df], ignore_index=True) if n in tables else df
    _ESTATES[name] = Snapshot(manifest=dict(demo.manifest), tables=tables)
    return _ESTATES[name]


def _damaged(df: pd.DataFrame, column: str, damage: str, hit: np.ndarray) -> pd.DataFrame:
    if damage == "empty table":
        return df.iloc[0:0]
    if damage == "drop column":
        return df.drop(columns=[column])
    values = df[column].astype(object)
    if damage == "numeric text":
        values[hit] = values[hit].map(lambda v: "" if pd.isna(v) else str(v))
    elif damage == "all null":
        values[:] = None
    else:
        values[hit] = {"null": None, "nan": math.nan, "number": 12, "junk text": "n/a"}[damage]
    df[column] = values
    return df


@st.composite
def damaged_demo(draw: st.DrawFn, domains: tuple[str, ...]) -> Snapshot:
    """The estate with one to four of its tables (of ``domains`` or the metrics) damaged the ways real
    snapshots are; one with a column dropped is of schema version 1 (only there may a column be missing:
    the snapshot adds it back, all missing)."""
    base = estate(draw(st.sampled_from(["production", "staging"])))
    tables, manifest = dict(base.tables.items()), dict(base.manifest)
    names = sorted(n for n in tables if TABLES[n].domain in (*domains, "metrics"))
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(names))
        column = draw(st.sampled_from([c for c in tables[name].columns if c not in COMMON]))
        damage = draw(st.sampled_from(TYPED_DAMAGES[TABLES[name].dtypes[column]]))
        hit = np.random.default_rng(draw(st.integers(0, 2**16))).random(len(tables[name]))
        tables[name] = _damaged(tables[name].copy(), column, damage, hit < draw(st.sampled_from([0.1, 0.5, 1.0])))
        if damage == "drop column":
            manifest["schema_version"] = 1
    return Snapshot(manifest=manifest, tables=tables)


# ----------------------------------------------------------------------------------- the bug report


def mixed_stopped_tasks() -> Snapshot:
    """Deployment stops beside failed ones, one row without a reason or code (NaN), one whose group is
    missing and whose reason is a number, as the ECS-on-EC2-beside-Fargate production account had them."""
    b = SnapshotBuilder()
    b.fargate_service("api", cluster="main")
    for i in range(3):
        b.add("stopped_tasks", task_arn=f"t{i}", cluster="main", group="service:api", stopped_at=b.at(days=1),
              stop_code="ServiceSchedulerInitiated", stopped_reason="Scaling activity initiated by (deployment 1)")
    b.add("stopped_tasks", task_arn="t3", cluster="main", group="service:api", stopped_at=b.at(hours=5),
          stop_code="EssentialContainerExited", stopped_reason="Essential container in task exited",
          container_exit_codes={"app": 137})
    b.add("stopped_tasks", task_arn="t4", cluster="main", group="service:api", stopped_at=b.at(hours=4),
          stop_code=None, stopped_reason=math.nan)
    b.add("stopped_tasks", task_arn="t5", cluster="main", group=math.nan, stopped_at=b.at(hours=3),
          stop_code="TaskFailedToStart", stopped_reason=42)
    return b.build()


def test_stopped_tasks_with_normal_failed_and_missing_reasons() -> None:
    out = compute.stopped_tasks(mixed_stopped_tasks())
    html = render(out)
    df = out.data
    assert df["Tasks"].sum() == 6, "every stopped task is counted, the ones without a reason or group too"
    kind = dict(zip(df["Reason"], df["Failure kind"], strict=True))
    assert kind["Scaling activity initiated by (deployment 1)"] == "normal stop"
    assert kind["Essential container in task exited"] == "essential_container_exited"
    assert kind["42"] == "failed_to_start"
    assert kind["–"] == "normal stop"  # the stop without a reason
    assert "api" in html


def test_pipeline_of_one_name_in_two_regions() -> None:
    """Two regions (ap-southeast-2, us-west-2) each with a pipeline "deploy": one row and one bar each."""
    b = SnapshotBuilder(regions=["ap-southeast-2", "us-west-2"])
    stages = [{"name": "Build", "actions": [{"name": "b", "category": "Build"}]}]
    for region, minutes in (("ap-southeast-2", 10), ("us-west-2", 30)):
        b.add("pipelines", region=region, name="deploy", stages=stages)
        for k in range(3):
            t, run = b.at(days=k + 1), f"{region}-{k}"
            b.add("pipeline_executions", region=region, pipeline="deploy", execution_id=run,
                  status="Succeeded", start=t, duration_s=60 * minutes)
            b.add("pipeline_action_executions", region=region, pipeline="deploy", execution_id=run,
                  stage="Build", action="b", start=t, end=t + timedelta(minutes=minutes))
    snap = b.build()
    inv = pipelines.inventory_frame(snap)
    assert sorted(zip(inv["Runs"], inv["p50 min"], strict=True)) == [(3, 10.0), (3, 30.0)]
    render(pipelines.inventory(snap))
    chart = pipelines.stage_chart(snap)
    labels = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert labels == ["deploy (ap-southeast-2)", "deploy (us-west-2)"]
    render(chart)


def test_stacks_with_missing_and_numeric_names_and_mixed_times() -> None:
    b = SnapshotBuilder()
    for name in ("app-prod", math.nan, 12):
        b.add("stacks", stack_name=name, status="UPDATE_COMPLETE", template_bytes="2048", resource_count=None)
    for when in (b.at(days=1), b.at(days=2).isoformat(), None):
        b.add("stack_events", stack_name="app-prod", timestamp=when, status="UPDATE_FAILED", reason=None)
    snap = b.build()
    inv = stacks.inventory(snap).data
    assert list(inv["Stack"]) == ["", "12", "app-prod"] and list(inv["Template KB"]) == [2.0, 2.0, 2.0]
    failed = stacks.failed(snap).data
    assert len(failed) == 3 and failed["Time"].notna().sum() == 2
    for out in (stacks.inventory(snap), stacks.failed(snap), stacks.limits_chart(snap)):
        render(out)


def test_hit_rate_chart_with_a_series_stored_twice() -> None:
    b = SnapshotBuilder()
    dims = {"DistributionId": "E1", "Region": "Global"}
    for _ in range(2):  # two collections of the same distribution in one metrics table
        b.metric("AWS/CloudFront", "CacheHitRate", "E1", [40.0] * 48, dims=dims)
        b.metric("AWS/CloudFront", "Requests", "E1", [100.0] * 48, stat="Sum", dims=dims)
    render(cdn.hit_rate_chart(b.build()))


# ----------------------------------------------------------------------------------- properties: snapshot views


@pytest.mark.parametrize("module", SNAPSHOT_VIEWS, ids=short_name)
@FAST
@given(data=st.data())
def test_snapshot_views_render_generated_snapshots(module: ModuleType, data: st.DataObject) -> None:
    render_snapshot_views(module, data.draw(junk_snapshot(VIEW_DOMAINS[short_name(module)])))


@pytest.mark.parametrize("module", SNAPSHOT_VIEWS, ids=short_name)
@settings(FAST, max_examples=6)
@given(data=st.data())
def test_snapshot_views_render_damaged_demo(module: ModuleType, data: st.DataObject) -> None:
    render_snapshot_views(module, data.draw(damaged_demo(VIEW_DOMAINS[short_name(module)])))


SAVINGS = st.one_of(st.none(), st.just(math.nan), st.floats(0, 1e6, allow_nan=False),
                    st.sampled_from(["12", "n/a"]))


@settings(FAST, max_examples=8)
@given(snap=junk_snapshot((*VIEW_DOMAINS, "spend")), data=st.data())
def test_findings_tables_render(snap: Snapshot, data: st.DataObject) -> None:
    """The findings of a generated snapshot, with savings missing, NaN or text (findings.json read back)."""
    found = evaluate(snap)
    for f in found:
        f.monthly_savings_usd = data.draw(SAVINGS)
    for findings in (found, [f.to_dict() for f in found]):
        for domain in (*FINDING_DOMAINS, None):
            render(findings_table(findings, domain))


# ----------------------------------------------------------------------------------- properties: cost views

_MODELS: dict[str, Any] = {}


def estate_model(name: str) -> CostModel:
    if name not in _MODELS:
        _MODELS[name] = assess(estate(name), MODEL)
    return _MODELS[name]


@settings(FAST, max_examples=8)
@given(snap=junk_snapshot((*VIEW_DOMAINS, "spend")))
def test_cost_views_render_the_model_of_generated_snapshots(snap: Snapshot) -> None:
    render_model_views(assess(snap, MODEL))


@settings(FAST, max_examples=4)
@given(snap=damaged_demo((*VIEW_DOMAINS, "spend")))
def test_cost_views_render_the_model_of_damaged_snapshots(snap: Snapshot) -> None:
    render_model_views(assess(snap, MODEL))


@st.composite
def damaged_model(draw: st.DrawFn) -> CostModel:
    """The estate's cost model with its frames partly missing the way the model leaves them: unpriced
    lines (NaN prices), lines without a resource, empty reconciliation or sensitivity, unpriced items."""
    model = estate_model(draw(st.sampled_from(["production", "staging"])))
    frames: dict[str, pd.DataFrame] = {}
    for attr in ("lines", "reconciliation", "sensitivity"):
        df = getattr(model, attr).copy()
        damage = draw(st.sampled_from(["none", "empty", "missing", "missing"]))
        if damage == "empty":
            df = df.iloc[0:0]
        elif damage == "missing" and len(df.columns):
            column = draw(st.sampled_from(list(df.columns)))
            hit = np.random.default_rng(draw(st.integers(0, 2**16))).random(len(df)) < 0.5
            if pd.api.types.is_float_dtype(df[column]):
                df.loc[hit, column] = math.nan
            elif not pd.api.types.is_numeric_dtype(df[column]):
                df[column] = df[column].astype(object).where(~hit, None)
        frames[attr] = df
    item = st.fixed_dictionaries({k: st.one_of(st.none(), st.sampled_from(IDS)) for k in
                                  ("scenario", "domain", "item", "resource_id", "region", "reason")})
    return dataclasses.replace(model, **frames, unpriced=draw(st.lists(item, max_size=3)))


@settings(FAST, max_examples=10)
@given(model=damaged_model())
def test_cost_views_render_damaged_models(model: CostModel) -> None:
    render_model_views(model)


# ----------------------------------------------------------------------------------- outside the views


def _build(**rows: list[dict[str, Any]]) -> Snapshot:
    b = SnapshotBuilder()
    for name, table_rows in rows.items():
        for row in table_rows:
            b.add(name, **row)
    return b.build()


def crash(call: Callable[[], Any], error: type[Exception], where: str) -> Any:
    """A crash the properties found outside the views (``error`` was raised there), fixed since: a
    regression test now (tests/snapshot/test_mixed_types.py has the fix's own tests)."""
    return pytest.param(call, id=where)


def refused(build: Callable[[], Any], table: str, column: str, where: str) -> Any:
    """A crash the properties found outside the views on a cell of the wrong type, which can no longer
    reach them: building the snapshot refuses the cell (a SnapshotTypeError naming its table and column)."""
    return pytest.param(build, table, column, id=where)


_DAY_AGO = COLLECTED_AT - timedelta(days=1)
#: crashes the properties above found in code the views call (metrics_stats, findings, model), each
#: with its smallest snapshot; all fixed, kept as regression tests
OUTSIDE_CRASHES = [
    crash(lambda: assess(_build(builds=[
        {"project": "api", "build_id": "1", "status": "SUCCEEDED", "duration_s": 300, "phases": {"BUILD": 200}},
        {"project": "api", "build_id": "2", "status": "SUCCEEDED", "duration_s": 300}]), MODEL),
          AttributeError, "model.pipeline_time.History.of: a build without phases (NaN)"),
    crash(lambda: assess(_build(pipelines=[{"name": "deploy"}, {"name": None}]), MODEL),
          TypeError, "model.pipeline_time: a pipeline without a name (astype(str) keeps NaN)"),
    crash(lambda: assess(_build(spend=[{"month": "2026-10", "service": "AWS Fargate", "usd": 10.0},
                                       {"month": "2026-10", "service": None, "usd": 1.0}]), MODEL),
          AttributeError, "model.reconcile: a spend row without a service"),
]
#: crashes found on cells of the wrong type (before typed snapshots), each with its smallest snapshot:
#: the snapshot now refuses the cell where it is built, so no view, rule or model sees it
REFUSED_AT_THE_BOUNDARY = [
    refused(lambda: _build(metrics=[{"namespace": "AWS/ECS", "metric": "CPUUtilization", "dimensions": "12",
                                     "resource_id": "api", "stat": "Average", "timestamp": _DAY_AGO, "value": 10}]),
            "metrics", "dimensions", "metrics_stats._parse_dims: dimensions holding a JSON number"),
    refused(lambda: _build(pipeline_executions=[{"pipeline": "p", "execution_id": "e", "status": "Succeeded",
                                                 "start": False, "duration_s": 60}]),
            "pipeline_executions", "start",
            "metrics_stats.to_utc: a bool column gives naive times (findings.pipelines._recent)"),
    refused(lambda: _build(pipeline_executions=[{"pipeline": "p", "execution_id": "e", "status": "Succeeded",
                                                 "start": _DAY_AGO, "duration_s": True}]),
            "pipeline_executions", "duration_s", "findings.pipelines._durations: a bool duration"),
    refused(lambda: _build(ecs_clusters=[{"cluster_name": "main", "default_strategy": "12"}]),
            "ecs_clusters", "default_strategy", "model.current.fargate_services: default_strategy not a list"),
    refused(lambda: _build(ecs_services=[{"service_name": "api", "cluster": "main", "capacity_providers": "FARGATE"}]),
            "ecs_services", "capacity_providers",
            "model.current.fargate_services: capacity_providers not JSON (tables.loads)"),
    refused(lambda: _build(load_balancers=[{"arn": "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1",
                                            "scheme": "internet-facing", "type": "application", "azs": "2"}]),
            "load_balancers", "azs", "model.current.public_ipv4: azs a number"),
    refused(lambda: _build(ecs_services=[{"service_name": "api", "cluster": "main", "subnets": "12"}]),
            "ecs_services", "subnets", "model.migration.service_vpcs: subnets a number"),
]


@pytest.mark.parametrize("call", OUTSIDE_CRASHES)
def test_outside_the_views(call: Callable[[], Any]) -> None:
    out = call()
    if isinstance(out, CostModel):
        render_model_views(out)
    else:
        render(out)


@pytest.mark.parametrize(("build", "table", "column"), REFUSED_AT_THE_BOUNDARY)
def test_outside_the_views_refused_by_type(build: Callable[[], Any], table: str, column: str) -> None:
    with pytest.raises(SnapshotTypeError, match=f"snapshot table {table} column {column}: expected") as refusal:
        build()
    assert (refusal.value.table, refusal.value.column, refusal.value.row) == (table, column, 0)
