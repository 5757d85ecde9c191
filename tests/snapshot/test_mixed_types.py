"""The analysis (rules and cost model) survives missing and odd cells, and treats them as missing.

A real account's snapshot holds missing cells, JSON lists of odd items, objects with unexpected keys, a build
without phases. A crash in the rules or the model costs the account its whole report, so each shape found by
the property tests (``tests/views/test_views_robust.py``, ``test_outside_the_views``) is pinned here with the
smallest snapshot, through the public entry points. The snapshot is typed (``awsassess.tables`` declares a
dtype per column, ``awsassess.snapshot.typed_frame`` enforces it), so the cases split in two:

- **wrong type: refused at the boundary.** A cell that is not of its column's dtype (a bool where a
  duration, a time or a metric value is expected, a number or non-JSON text in a ``json_list`` column, a
  JSON object where a list is declared, ...) never reaches a rule: building the snapshot raises
  ``SnapshotTypeError`` naming the table, the column and the row. ``test_the_snapshot_refuses_*`` pin every
  such shape these tests used to feed the analysis.
- **right type, odd contents: handled downstream.** What the dtype allows (a missing value, NaN, NaT, an
  empty list ``[]``, a JSON list of odd items such as ``[1, null]``, an object with unexpected keys or
  values) still reaches the rules and the model: the tests check they survive it and that the bad row is
  treated as missing (skipped or listed as unpriced, never invented, never $0 for a quantity that is not
  known). Two such shapes went wrong downstream until this rework found them (a dict item in
  ``target_group_arns`` crashed CMP-004; a phase a build does not report counted as 0 s in the phase medians).

The value helpers (``awsassess.values``, ``metrics_stats.dimensions`` and ``to_utc``) are public and take any
value, not only a typed cell: their tests keep every shape.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pandas as pd
import pytest
from awsassess import metrics_stats as ms
from awsassess import values
from awsassess.findings import evaluate
from awsassess.findings.pipelines import pipeline_durations
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.model import CostModel, assess
from awsassess.model.migration import service_vpcs
from awsassess.model.pipeline_time import History
from awsassess.model.reconcile import UNNAMED_SERVICE
from awsassess.snapshot import Snapshot, SnapshotTypeError
from awsassess.tables import FLOAT, LIST, OBJ, TABLES, TIME, dumps
from demo_snapshots import demo_snapshot
from snapshots_factory import COLLECTED_AT, SnapshotBuilder

MODEL = {"allow_missing_prices": True}
ARN = "arn:aws:ecs:us-east-1:123456789012:service/{cluster}/{name}"


def _model(snap: Snapshot) -> CostModel:
    """The whole cost model, exported the way the report does (every frame and figure computed)."""
    model = assess(snap, MODEL)
    model.to_dict()
    return model


def _current(model: CostModel, item: str | None = None, resource_id: str | None = None) -> pd.DataFrame:
    df = model.lines[model.lines["scenario"] == "current"]
    if item is not None:
        df = df[df["item"].str.startswith(item)]
    if resource_id is not None:
        df = df[df["resource_id"] == resource_id]
    return df


def _assert_refused(err: pytest.ExceptionInfo[SnapshotTypeError], table: str, column: str, row: int) -> None:
    """The error names the table, the column (and its dtype), the row, and says what to do."""
    e = err.value
    assert (e.table, e.column, e.row, e.dtype) == (table, column, row, TABLES[table].dtypes[column])
    message = str(e)
    assert f"snapshot table {table} column {column}: expected {e.dtype}" in message
    assert f"in row {row}. Fix: " in message


# ----------------------------------------------------------------------------------- values


@pytest.mark.parametrize(("raw", "expected"), [
    ('["a", "b"]', ["a", "b"]), (["a"], ["a"]), ("FARGATE", ["FARGATE"]), ("12", [12]), (12, [12]),
    ("null", []), ("", []), (None, []), (math.nan, []), ('{"a": 1}', [{"a": 1}]),
])
def test_json_list_reads_every_shape_a_list_cell_arrives_in(raw: Any, expected: list[Any]) -> None:
    assert values.json_list(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ('{"BUILD": 1}', {"BUILD": 1}), ({"a": 1}, {"a": 1}), ("12", {}), (12, {}), ("n/a", {}), ("[1]", {}),
    ("null", {}), (None, {}), (math.nan, {}),
])
def test_json_obj_is_empty_for_anything_but_an_object(raw: Any, expected: dict[str, Any]) -> None:
    assert values.json_obj(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ('["a"]', ["a"]), ("12", 12), ("n/a", None), ("", None), (None, None), (math.nan, None), ([1], [1]),
])
def test_json_value_is_none_when_not_json(raw: Any, expected: Any) -> None:
    assert values.json_value(raw) == expected


# ----------------------------------------------------------------------------------- the boundary

#: a value of each dtype the refusal cases put in the row before the refused one
_GOOD = {FLOAT: 1.0, TIME: COLLECTED_AT, LIST: [], OBJ: {}}

#: (table, column, refused cells): every wrong-typed shape these tests fed the analysis before the snapshot
#: was typed; each now stops where the snapshot is built
_REFUSED = [
    ("metrics", "value", [True, False, "n/a"]),  # a flag is no metric value (it was read as 0 or 1)
    ("metrics", "dimensions", ["12", 12, "n/a", "true", '"api"', "[1, 2]"]),  # not a JSON object
    ("pipeline_executions", "start", [True, False, 12, "n/a"]),  # a flag or a bare number is no time
    ("pipeline_executions", "duration_s", [True, False, "n/a"]),  # a flag would be a 1-second run
    ("builds", "phases", ["n/a", "12", 12, "[1]", "[]"]),  # not a JSON object
    ("ecs_clusters", "default_strategy", ["12", 12, "n/a", '{"capacityProvider": "FARGATE"}']),
    ("ecs_services", "capacity_providers", ["FARGATE", "FARGATE_SPOT", "n/a", "12", 12, '{"a": 1}']),
    ("load_balancers", "azs", ["2", 2, "n/a", True]),
    ("ecs_services", "subnets", ["12", 12, "n/a", '{"a": 1}']),
]


@pytest.mark.parametrize(("table", "column", "bad"), [
    pytest.param(table, column, bad, id=f"{table}.{column}={bad!r}")
    for table, column, cells in _REFUSED for bad in cells
])
def test_the_snapshot_refuses_a_cell_of_the_wrong_type(table: str, column: str, bad: Any) -> None:
    """The second row is refused where the snapshot is built: no rule or model ever sees it."""
    b = SnapshotBuilder()
    b.add(table, **{column: _GOOD[TABLES[table].dtypes[column]]})
    b.add(table, **{column: bad})
    with pytest.raises(SnapshotTypeError) as err:
        b.build()
    _assert_refused(err, table, column, row=1)


# ----------------------------------------------------------------------------------- 1 metrics_stats._parse_dims


@pytest.mark.parametrize("raw", ["12", "null", "true", '"api"', "[1, 2]", "n/a", 12])
def test_dimensions_that_are_not_an_object_are_no_dimensions(raw: Any) -> None:
    assert ms.dimensions(raw) == {}


@pytest.mark.parametrize("dims", [
    None, "null", {}, {"ClusterName": 12}, {"ClusterName": 12, "ServiceName": "api"}, {"Foo": "bar"},
    {"ClusterName": "main"}, {"ClusterName": ["main"], "ServiceName": {"name": "api"}},
], ids=repr)
def test_datapoint_whose_dimensions_name_no_service_is_left_out_of_the_service_series(dims: Any) -> None:
    """Missing dimensions, an empty object, or one of other keys or non-text values match no service
    (the old number-for-dimensions case is refused at the boundary: ``metrics.dimensions`` above)."""
    b = SnapshotBuilder()
    b.fargate_service("api")
    b.ecs_utilisation("api", 10, 20, hours=4)
    b.rows["metrics"][0]["dimensions"] = dumps(dims) if isinstance(dims, dict) else dims
    snap = b.build()
    cpu = ms.series(snap, "AWS/ECS", "CPUUtilization", "Average",
                    dims={"ClusterName": "main", "ServiceName": "api"})
    assert len(cpu) == 3, "the datapoint whose dimensions name no service matches no service"
    stats = ms.stats(snap, "AWS/ECS", "CPUUtilization", by=("ClusterName", "ServiceName"))
    assert stats.loc[("main", "api"), "count"] == 3


# ----------------------------------------------------------------------------------- 2 metrics_stats.to_utc


def test_bool_times_are_missing_times_and_stay_utc() -> None:
    for column in ([False], [True, False], pd.Series([True, False]), pd.Series([False, None], dtype=object)):
        out = ms.to_utc(column)
        assert str(out.dt.tz) == "UTC" and out.isna().all()
    t = COLLECTED_AT - timedelta(days=1)
    out = ms.to_utc(pd.Series([True, t, t.isoformat()], dtype=object))
    assert out.isna().tolist() == [True, False, False] and str(out.dt.tz) == "UTC"


def _executions(start: Any = None, duration: Any = 1200, extra: int = 2) -> Snapshot:
    """Pipeline p: ``extra`` good 10-minute executions and one with the given start and duration."""
    b = SnapshotBuilder()
    b.add("pipelines", name="p", pipeline_type="V1")
    for k in range(extra):
        b.add("pipeline_executions", pipeline="p", execution_id=f"ok{k}", status="Succeeded",
              start=b.at(days=k + 1), duration_s=600)
    b.add("pipeline_executions", pipeline="p", execution_id="odd", status="Succeeded", start=start,
          duration_s=duration)
    return b.build()


@pytest.mark.parametrize("missing", [None, math.nan, pd.NaT, "", " "], ids=repr)
def test_missing_start_keeps_the_run(missing: Any) -> None:
    """A missing start (a bool start is refused: ``pipeline_executions.start`` above) keeps the run: its time
    is unknown, not old."""
    a = FindingsAssumptions()
    snap = _executions(start=missing)
    assert snap.table("pipeline_executions")["start"].isna().tolist() == [False, False, True]
    assert len(pipeline_durations(_executions(start=missing, extra=0), a)) == 1
    durations = pipeline_durations(snap, a)
    pd.testing.assert_frame_equal(durations, pipeline_durations(_executions(start=None), a))
    assert durations["executions"].tolist() == [3]
    evaluate(snap)
    _model(snap)


# ----------------------------------------------------------------------------------- 3 findings.pipelines._durations


@pytest.mark.parametrize("missing", [None, math.nan, "", "nan"], ids=repr)
def test_missing_duration_is_left_out_of_the_durations(missing: Any) -> None:
    """A missing duration (a bool one is refused: ``pipeline_executions.duration_s`` above) is no 0- or
    1-second run."""
    a = FindingsAssumptions()
    start = COLLECTED_AT - timedelta(hours=3)
    alone = pipeline_durations(_executions(start=start, duration=missing, extra=0), a)
    assert alone.empty, "the only execution has no duration: nothing to report, not a 0-second run"
    snap = _executions(start=start, duration=missing)
    durations = pipeline_durations(snap, a)
    pd.testing.assert_frame_equal(durations, pipeline_durations(_executions(start=start, duration=None), a))
    assert durations["executions"].tolist() == [2] and durations["p50_min"].tolist() == [10.0]
    evaluate(snap)
    history = History.of(snap)
    assert sorted(e["duration_s"] for e in history.execs["p"] if e["duration_s"] == e["duration_s"]) == [600, 600]
    _model(snap)


# ----------------------------------------------------------------------------------- 4 pipeline_time.History.of


def _phase_medians(*odd: Any) -> tuple[dict[str, float], Snapshot]:
    b = SnapshotBuilder()
    rows = [{"BUILD": 200, "INSTALL": 30}, {"BUILD": 400, "INSTALL": 50}, *odd]
    for k, phases in enumerate(rows):
        b.add("builds", project="api", build_id=str(k), status="SUCCEEDED", duration_s=300, phases=phases)
    snap = b.build()
    return History.of(snap).phase_medians("api"), snap


def test_builds_without_phases_are_left_out_of_the_phase_medians() -> None:
    """Missing phases, an empty object, phases without a number of seconds (text that is not an object is
    refused: ``builds.phases`` above)."""
    medians, snap = _phase_medians(None, math.nan, "null", {}, {"BUILD": None}, {"BUILD": "n/a"},
                                   {"BUILD": True}, {"BUILD": [1]}, {"BUILD": {"s": 1}})
    assert medians == {"BUILD": 300.0, "INSTALL": 40.0}, \
        "a build without (numeric) phases is skipped, never counted as a 0-second phase"
    _model(snap)
    evaluate(snap)


@pytest.mark.parametrize("odd", [{"BUILD": None, "INSTALL": 40}, {"OTHER": 5}, {"build": 300}], ids=repr)
def test_a_phase_missing_from_a_build_is_left_out_of_that_phase_median(odd: dict[str, Any]) -> None:
    """An object with some phases or unexpected keys: the phases it does not report are unknown, not 0 s."""
    medians, _ = _phase_medians(odd)
    assert medians["BUILD"] == 300.0 and medians["INSTALL"] == 40.0


# ----------------------------------------------------------------------------------- 5 pipeline without a name


@pytest.mark.parametrize("missing", [None, math.nan, ""])
def test_pipeline_without_a_name_is_skipped_by_the_time_model(missing: Any) -> None:
    b = SnapshotBuilder()
    b.add("pipelines", name="deploy", pipeline_type="V1")
    b.add("pipelines", name=missing, pipeline_type="V1")
    for k in range(3):
        b.add("pipeline_executions", pipeline="deploy", execution_id=f"d{k}", status="Succeeded",
              start=b.at(days=k + 1), duration_s=600)
        b.add("pipeline_executions", pipeline=missing, execution_id=f"x{k}", status="Succeeded",
              start=b.at(days=k + 1), duration_s=6000)
    model = _model(b.build())
    assert model.pipeline_time.summary_frame()["pipeline"].tolist() == ["deploy"]
    assert model.pipeline_time.now_min == 10.0, "executions without a pipeline name are nobody's"
    v1 = _current(model, "CodePipeline V1")
    assert v1["resource_id"].tolist() == ["deploy"]
    unnamed = [u for u in model.unpriced if u["item"].startswith("CodePipeline")]
    assert len(unnamed) == 1 and "name" in unnamed[0]["reason"]
    evaluate(b.build())


# ----------------------------------------------------------------------------------- 6 reconcile


@pytest.mark.parametrize("missing", [None, math.nan, ""])
def test_spend_without_a_service_is_kept_in_the_bill_under_its_own_row(missing: Any) -> None:
    b = SnapshotBuilder()
    b.add("spend", month="2026-10", service="AWS Fargate", usd=10.0)
    b.add("spend", month="2026-10", service=missing, usd=1.0)
    model = _model(b.build())
    rec = model.reconciliation.set_index("service")
    october = 730 / (31 * 24)
    assert rec.loc["AWS Fargate", "spend_usd"] == pytest.approx(10 * october)
    assert rec.loc[UNNAMED_SERVICE, "spend_usd"] == pytest.approx(1 * october), "the dollar was billed"
    assert model.summary["bill_monthly_usd"] == pytest.approx(round(11 * october, 2))


# ----------------------------------------------------------------------------------- 7, 8 fargate_services


def _service(b: SnapshotBuilder, name: str, cluster: str, **kw: Any) -> str:
    arn = ARN.format(cluster=cluster, name=name)
    b.add("ecs_services", service_arn=arn, service_name=name, cluster=cluster, launch_type="", cpu=1024,
          memory=2048, desired_count=2, running_count=2, **kw)
    return arn


@pytest.mark.parametrize(("strategy", "fargate"), [
    (None, False), ("null", False), ([], False), ("[1, 2]", False), ([None], False), ('["FARGATE"]', False),
    (["a", ["b"]], False), ([{"x": 1}], False), ([{"capacityProvider": 12}], False),
    ([{"capacityProvider": None}], False), ([{"capacityProvider": ["FARGATE"]}], False),
    ([{"capacityProvider": "FARGATE"}], True),  # an item without its weight still names its provider
    ([{"capacityProvider": "FARGATE", "weight": "n/a"}], True),
], ids=repr)
def test_cluster_strategy_that_is_not_a_list_of_items_gives_no_providers(strategy: Any, fargate: bool) -> None:
    """Items that are not ``{"capacityProvider": name}`` name no provider (a strategy that is no JSON list is
    refused: ``ecs_clusters.default_strategy`` above)."""
    b = SnapshotBuilder()
    b.add("ecs_clusters", cluster_name="main", default_strategy=strategy)
    b.add("ecs_clusters", cluster_name="other", default_strategy=[{"capacityProvider": "FARGATE", "weight": 1}])
    odd = _service(b, "api", "main")
    good = _service(b, "web", "other")
    model = _model(b.build())
    odd_vcpu = _current(model, "Fargate vCPU-hours", odd)
    assert odd_vcpu["quantity"].tolist() == ([2 * 1.0 * 730] if fargate else []), \
        "no known launch type or provider: not priced as Fargate"
    vcpu = _current(model, "Fargate vCPU-hours", good)
    assert vcpu["quantity"].tolist() == [2 * 1.0 * 730]


@pytest.mark.parametrize(("providers", "fargate"), [
    ('["FARGATE"]', True), (["FARGATE_SPOT"], True), (["FARGATE", 1], True), ([1, "FARGATE"], True),
    (["a", 1], False), ([12], False), (None, False), ("null", False), ([], False), ([None], False),
    ([{"capacityProvider": "FARGATE"}], False), ([["FARGATE"]], False), (["a", ["b"]], False),
], ids=repr)
def test_service_providers_are_read_from_their_text_items_only(providers: Any, fargate: bool) -> None:
    """Only the text items of the list name a provider (a bare ``FARGATE`` or a number, no JSON list, is
    refused: ``ecs_services.capacity_providers`` above)."""
    b = SnapshotBuilder()
    arn = _service(b, "api", "main", capacity_providers=providers)
    model = _model(b.build())
    vcpu = _current(model, "Fargate", arn)
    vcpu = vcpu[vcpu["item"].str.endswith("vCPU-hours")]
    assert vcpu["quantity"].tolist() == ([2 * 1.0 * 730] if fargate else [])


# ----------------------------------------------------------------------------------- 9 public_ipv4


LB = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/{name}/1"
IPV4 = "Public IPv4 (internet-facing load balancer"


def _load_balancers(azs: Any) -> tuple[CostModel, str, str]:
    b = SnapshotBuilder()
    odd, good = LB.format(name="odd"), LB.format(name="good")
    b.add("load_balancers", arn=odd, name="odd", scheme="internet-facing", type="application", azs=azs)
    b.add("load_balancers", arn=good, name="good", scheme="internet-facing", type="application",
          azs=["us-east-1a", "us-east-1b"])
    return _model(b.build()), odd, good


@pytest.mark.parametrize("azs", [
    None, math.nan, "null", [], "[1, 2]", [None], [None, None], [""], [{"a": 1}],
], ids=repr)
def test_load_balancer_whose_azs_are_not_a_list_of_names_is_unpriced_not_zero(azs: Any) -> None:
    """Missing azs, an empty list, or one without an AZ name (azs that are no JSON list are refused:
    ``load_balancers.azs`` above)."""
    model, odd, good = _load_balancers(azs)
    assert _current(model, IPV4, good)["quantity"].tolist() == [2 * 730]
    assert _current(model, IPV4, odd).empty, "the AZ count is unknown: no quantity is invented"
    unpriced = [u for u in model.unpriced if u["resource_id"] == odd and u["item"].startswith(IPV4)]
    assert len(unpriced) == 1 and "AZ" in unpriced[0]["reason"]


@pytest.mark.parametrize(("azs", "count"), [
    (["us-east-1a", None], 1), (["us-east-1a", 1], 1), (["us-east-1a", {"a": 1}], 1),
    (["us-east-1a", "b"], 2),
], ids=repr)
def test_load_balancer_azs_count_only_their_names(azs: list[Any], count: int) -> None:
    model, odd, _ = _load_balancers(azs)
    assert _current(model, IPV4, odd)["quantity"].tolist() == [count * 730]
    assert not [u for u in model.unpriced if u["resource_id"] == odd and u["item"].startswith(IPV4)]


@pytest.mark.parametrize("azs", [None, [], "[1, 2]"], ids=repr)
def test_load_balancer_without_azs_but_with_node_addresses_is_priced_from_them(azs: Any) -> None:
    b = SnapshotBuilder()
    arn = LB.format(name="odd")
    b.add("load_balancers", arn=arn, name="odd", scheme="internet-facing", type="application", azs=azs)
    for k in range(2):
        b.add("network_interfaces", eni_id=f"eni-{k}", public_ip=f"3.0.0.{k}", description="ELB app/odd/1")
    model = _model(b.build())
    assert _current(model, "Public IPv4", arn)["quantity"].sum() == 2 * 730
    assert not [u for u in model.unpriced if u["resource_id"] == arn and u["item"].startswith("Public IPv4")]


# ----------------------------------------------------------------------------------- 10 service_vpcs


@pytest.mark.parametrize(("subnets", "vpc"), [
    (None, None), ("null", None), ([], None), ("[12]", None), ([None], None), ([1, None], None),
    ([{"a": 1}], None), (["a", ["b"]], None), ([["subnet-1"]], None), (["subnet-unknown"], None),
    (["subnet-1", 12], "vpc-1"),  # the one subnet id is enough
], ids=repr)
def test_service_whose_subnets_are_not_a_list_of_ids_has_no_vpc(subnets: Any, vpc: str | None) -> None:
    """Only known subnet ids place a service in a VPC (subnets that are no JSON list are refused:
    ``ecs_services.subnets`` above)."""
    b = SnapshotBuilder()
    b.vpc("vpc-1")
    b.subnet("subnet-1", "vpc-1")
    b.fargate_service("web", subnets=["subnet-1"])
    b.fargate_service("api", subnets=subnets)
    snap = b.build()
    assert service_vpcs(snap) == {"web": "vpc-1", **({"api": vpc} if vpc else {})}


def test_rules_and_model_survive_every_odd_json_content_at_once() -> None:
    """The rules and the model over one snapshot holding every right-typed odd cell of the tests above (each
    case on its own service, cluster, load balancer or datapoint; one run, so the file stays fast)."""
    b = SnapshotBuilder()
    b.vpc("vpc-1")
    b.subnet("subnet-1", "vpc-1")
    odd_lists: list[Any] = [None, [], [None], [1, None], [{"a": 1}], ["a", ["b"]], [["x"]], ["x", 1]]
    for k, odd in enumerate(odd_lists):
        b.add("ecs_clusters", cluster_name=f"c{k}", default_strategy=odd, capacity_providers=odd)
        b.add("ecs_clusters", cluster_name=f"s{k}", default_strategy=[{"capacityProvider": odd}])
        b.fargate_service(f"svc{k}", cluster=f"c{k}", launch_type="", capacity_providers=odd, subnets=odd)
        b.ecs_utilisation(f"svc{k}", 10, 20, cluster=f"c{k}", hours=4)
        b.add("load_balancers", arn=LB.format(name=f"lb{k}"), name=f"lb{k}", scheme="internet-facing",
              type="application", azs=odd)
        b.add("target_groups", arn=f"arn:tg/{k}", name=f"tg{k}", load_balancer_arns=odd)
        b.add("deployment_groups", application="app", group=f"dg{k}", ecs_services=odd)
    for k, arns in enumerate([None, [], [None], [1, 2]]):  # dict or list items: the test below
        b.fargate_service(f"tgs{k}", target_group_arns=arns)
    for k, dims in enumerate([None, {}, {"ClusterName": 12}, {"ClusterName": 12, "ServiceName": "svc0"},
                              {"Foo": "bar"}, {"ClusterName": ["c0"], "ServiceName": {"name": "svc0"}}]):
        b.metric("AWS/ECS", "CPUUtilization", "svc0", [50.0 + k])
        b.rows["metrics"][-1]["dimensions"] = dumps(dims) if isinstance(dims, dict) else dims
    for k, phases in enumerate([None, {}, {"BUILD": None}, {"BUILD": True}, {"BUILD": [1]}, {"OTHER": "x"}]):
        b.add("builds", project="api", build_id=str(k), status="SUCCEEDED", duration_s=300, phases=phases)
    b.add("pipelines", name="p", pipeline_type="V1")
    runs = [(None, 600), (b.at(days=1), None), (None, None), (b.at(days=2), 600)]
    for k, (start, duration) in enumerate(runs):
        b.add("pipeline_executions", pipeline="p", execution_id=f"e{k}", status="Succeeded", start=start,
              duration_s=duration)
    b.metric("AWS/RDS", "CPUUtilization", "db-1", [10.0, 20.0])
    b.rows["metrics"][-1]["value"] = None
    snap = b.build()
    evaluate(snap)
    _model(snap)


@pytest.mark.parametrize("arns", [[{"a": 1}], ["a", ["b"]]], ids=repr)
def test_rules_survive_target_group_arns_of_odd_items(arns: list[Any]) -> None:
    b = SnapshotBuilder()
    b.fargate_service("api", target_group_arns=arns)
    evaluate(b.build())


# ----------------------------------------------------------------------------------- every JSON list of the model


_JSON_LISTS = [("ecs_services", "target_group_arns"), ("ecs_services", "subnets"),
               ("ecs_services", "capacity_providers"), ("ecs_clusters", "default_strategy"),
               ("target_groups", "load_balancer_arns"), ("deployment_groups", "ecs_services"),
               ("load_balancers", "azs")]


def _with_every_row(table: str, column: str, cell: Any) -> Snapshot:
    """The staging demo estate with ``cell`` in ``column`` of every row of ``table``."""
    base = demo_snapshot("staging")
    tables = dict(base.tables)
    df = tables[table].copy()
    df[column] = pd.Series([cell] * len(df), index=df.index, dtype=object)
    tables[table] = df
    return Snapshot(manifest=dict(base.manifest), tables=tables)


@pytest.mark.heavy  # 42 runs of the demo estate's model: make test, not the test-fast loop
@pytest.mark.parametrize(("table", "column", "junk"), [
    pytest.param(table, column, junk, id=f"{table}.{column}={junk!r}")
    for table, column in _JSON_LISTS for junk in ("12", 12, "n/a", '{"a": 1}', True)
])
def test_the_snapshot_refuses_junk_that_is_no_json_list(table: str, column: str, junk: Any) -> None:
    """Junk that is no JSON list, in a frame given to ``Snapshot(tables=...)``, is refused at row 0."""
    with pytest.raises(SnapshotTypeError) as err:
        _with_every_row(table, column, junk)
    _assert_refused(err, table, column, row=0)


@pytest.mark.parametrize(("table", "column"), _JSON_LISTS, ids=[f"{t}.{c}" for t, c in _JSON_LISTS])
def test_json_null_and_blank_cells_are_missing_in_the_json_list_columns(table: str, column: str) -> None:
    for cell in ("null", " null ", "", " ", None, math.nan):
        assert _with_every_row(table, column, cell).table(table)[column].isna().all(), repr(cell)


@pytest.mark.heavy  # 42 runs of the demo estate's model: make test, not the test-fast loop
@pytest.mark.parametrize(("table", "column", "junk"), [
    pytest.param(table, column, junk, id=f"{table}.{column}={junk!r}")
    for table, column in _JSON_LISTS for junk in (None, [], [None], [1, 2], [{"a": 1}], ["a", ["b"]])
])
def test_demo_estate_model_survives_junk_in_its_json_list_columns(table: str, column: str, junk: Any) -> None:
    """The model files read these columns (current, pipeline_time, migration, proposed): a missing value or a
    JSON list of odd items in every row."""
    cell = None if junk is None else dumps(junk)
    snap = _with_every_row(table, column, cell)
    kept = snap.table(table)[column]
    assert (kept.isna().all() if cell is None else (kept == cell).all()), "the cell is kept as written"
    _model(snap)


# ----------------------------------------------------------------------------------- metric values


@pytest.mark.parametrize("missing", [None, math.nan, "", "nan"], ids=repr)
def test_missing_metric_values_are_missing_not_zero(missing: Any) -> None:
    """Found by the views' property tests: a bool value column made quantile() raise in every rule and view
    that reads metrics statistics. A bool value is now refused (``metrics.value`` above); a missing one is
    left out of the statistics, never a 0."""
    b = SnapshotBuilder()
    b.metric("AWS/RDS", "CPUUtilization", "db-1", [10.0, 20.0, 30.0])
    b.rows["metrics"][0]["value"] = missing
    st = ms.stats(b.build(), "AWS/RDS", "CPUUtilization")
    assert st.loc["db-1", "count"] == 2 and st.loc["db-1", "min"] == 20.0
    only = SnapshotBuilder()
    only.metric("AWS/RDS", "CPUUtilization", "db-1", [1.0])
    only.rows["metrics"][0]["value"] = missing
    assert len(ms.stats(only.build(), "AWS/RDS", "CPUUtilization")) == 0
    evaluate(b.build())
