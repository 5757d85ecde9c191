"""The analysis (rules and cost model) survives missing, null and wrong-typed cells, and treats them as missing.

A real account's snapshot holds NaN where text is expected, a number where a JSON list is expected, a bool
where a time or a duration is expected, a build without phases. A crash in the rules or the model costs the
account its whole report, so each shape found by the property tests (``tests/test_views_robust.py``,
``test_outside_the_views``) is pinned here with the smallest snapshot, through the public entry points, and
the bad row is checked to be treated as missing: skipped or listed as unpriced, never invented, never $0 for
a quantity that is not known.
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
from awsassess.snapshot import Snapshot
from snapshots_factory import COLLECTED_AT, SnapshotBuilder
from test_model_snapshot import demo_snapshot

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


# ----------------------------------------------------------------------------------- 1 metrics_stats._parse_dims


@pytest.mark.parametrize("raw", ["12", "null", "true", '"api"', "[1, 2]", "n/a", 12])
def test_dimensions_that_are_not_an_object_are_no_dimensions(raw: Any) -> None:
    assert ms.dimensions(raw) == {}


def test_datapoint_with_number_dimensions_is_left_out_of_the_service_series() -> None:
    b = SnapshotBuilder()
    b.fargate_service("api")
    b.ecs_utilisation("api", 10, 20, hours=4)
    b.rows["metrics"][0]["dimensions"] = "12"
    snap = b.build()
    cpu = ms.series(snap, "AWS/ECS", "CPUUtilization", "Average",
                    dims={"ClusterName": "main", "ServiceName": "api"})
    assert len(cpu) == 3, "the datapoint whose dimensions are a number matches no service"
    stats = ms.stats(snap, "AWS/ECS", "CPUUtilization", by=("ClusterName", "ServiceName"))
    assert stats.loc[("main", "api"), "count"] == 3
    evaluate(snap)
    _model(snap)


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


def test_bool_start_is_treated_as_a_missing_start() -> None:
    a = FindingsAssumptions()
    assert len(pipeline_durations(_executions(start=False, extra=0), a)) == 1  # the xfail's snapshot
    as_bool = pipeline_durations(_executions(start=False), a)
    as_missing = pipeline_durations(_executions(start=None), a)
    pd.testing.assert_frame_equal(as_bool, as_missing)
    assert as_bool["executions"].tolist() == [3]  # a missing start keeps the run (its time is unknown, not old)
    evaluate(_executions(start=True))
    _model(_executions(start=False))


# ----------------------------------------------------------------------------------- 3 findings.pipelines._durations


@pytest.mark.parametrize("flag", [True, False])
def test_bool_duration_is_a_missing_duration(flag: bool) -> None:
    a = FindingsAssumptions()
    start = COLLECTED_AT - timedelta(hours=3)
    alone = pipeline_durations(_executions(start=start, duration=flag, extra=0), a)
    assert alone.empty, "the only execution has no duration: nothing to report, not a 1-second run"
    as_bool = pipeline_durations(_executions(start=start, duration=flag), a)
    as_missing = pipeline_durations(_executions(start=start, duration=None), a)
    pd.testing.assert_frame_equal(as_bool, as_missing)
    assert as_bool["executions"].tolist() == [2] and as_bool["p50_min"].tolist() == [10.0]
    evaluate(_executions(start=start, duration=flag))
    history = History.of(_executions(start=start, duration=flag))
    assert sorted(e["duration_s"] for e in history.execs["p"] if e["duration_s"] == e["duration_s"]) == [600, 600]


# ----------------------------------------------------------------------------------- 4 pipeline_time.History.of


def test_builds_without_phases_are_left_out_of_the_phase_medians() -> None:
    b = SnapshotBuilder()
    for build_id, phases in (("1", {"BUILD": 200, "INSTALL": 30}), ("2", {"BUILD": 400, "INSTALL": 50}),
                             ("3", None), ("4", math.nan), ("5", "n/a"), ("6", "12"), ("7", {"BUILD": None}),
                             ("8", {"BUILD": "n/a"})):
        b.add("builds", project="api", build_id=build_id, status="SUCCEEDED", duration_s=300, phases=phases)
    snap = b.build()
    assert History.of(snap).phase_medians("api") == {"BUILD": 300.0, "INSTALL": 40.0}, \
        "a build without (numeric) phases is skipped, never counted as a 0-second phase"
    _model(snap)
    evaluate(snap)


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
    ("12", False), (12, False), ("n/a", False), ("null", False), ("[1, 2]", False), ('["FARGATE"]', False),
    ('{"capacityProvider": "FARGATE"}', True),  # one strategy item stored without its list
])
def test_cluster_strategy_that_is_not_a_list_of_items_gives_no_providers(strategy: Any, fargate: bool) -> None:
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
    ("FARGATE", True), ("FARGATE_SPOT", True), ("n/a", False), ("12", False), (12, False), ("null", False),
])
def test_service_providers_not_json_are_read_as_one_name(providers: Any, fargate: bool) -> None:
    b = SnapshotBuilder()
    arn = _service(b, "api", "main", capacity_providers=providers)
    model = _model(b.build())
    vcpu = _current(model, "Fargate", arn)
    vcpu = vcpu[vcpu["item"].str.endswith("vCPU-hours")]
    assert vcpu["quantity"].tolist() == ([2 * 1.0 * 730] if fargate else [])
    evaluate(b.build())


# ----------------------------------------------------------------------------------- 9 public_ipv4


LB = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/{name}/1"


@pytest.mark.parametrize("azs", ["2", 2, "n/a", None, math.nan, "[1, 2]", "null"])
def test_load_balancer_whose_azs_are_not_a_list_of_names_is_unpriced_not_zero(azs: Any) -> None:
    b = SnapshotBuilder()
    odd, good = LB.format(name="odd"), LB.format(name="good")
    b.add("load_balancers", arn=odd, name="odd", scheme="internet-facing", type="application", azs=azs)
    b.add("load_balancers", arn=good, name="good", scheme="internet-facing", type="application",
          azs=["us-east-1a", "us-east-1b"])
    model = _model(b.build())
    ipv4 = "Public IPv4 (internet-facing load balancer"
    assert _current(model, ipv4, good)["quantity"].tolist() == [2 * 730]
    assert _current(model, ipv4, odd).empty, "the AZ count is unknown: no quantity is invented"
    unpriced = [u for u in model.unpriced if u["resource_id"] == odd and u["item"].startswith(ipv4)]
    assert len(unpriced) == 1 and "AZ" in unpriced[0]["reason"]


def test_load_balancer_without_azs_but_with_node_addresses_is_priced_from_them() -> None:
    b = SnapshotBuilder()
    arn = LB.format(name="odd")
    b.add("load_balancers", arn=arn, name="odd", scheme="internet-facing", type="application", azs="2")
    for k in range(2):
        b.add("network_interfaces", eni_id=f"eni-{k}", public_ip=f"3.0.0.{k}", description="ELB app/odd/1")
    model = _model(b.build())
    assert _current(model, "Public IPv4", arn)["quantity"].sum() == 2 * 730
    assert not [u for u in model.unpriced if u["resource_id"] == arn and u["item"].startswith("Public IPv4")]


# ----------------------------------------------------------------------------------- 10 service_vpcs


@pytest.mark.parametrize("subnets", ["12", 12, "n/a", "null", "[12]", '{"a": 1}'])
def test_service_whose_subnets_are_not_a_list_has_no_vpc(subnets: Any) -> None:
    b = SnapshotBuilder()
    b.vpc("vpc-1")
    b.subnet("subnet-1", "vpc-1")
    b.fargate_service("web", subnets=["subnet-1"])
    b.fargate_service("api", subnets=subnets)
    snap = b.build()
    assert service_vpcs(snap) == {"web": "vpc-1"}
    _model(snap)
    evaluate(snap)


# ----------------------------------------------------------------------------------- every JSON list of the model


def _json_list_cases() -> list[Any]:
    columns = [("ecs_services", "target_group_arns"), ("ecs_services", "subnets"),
               ("ecs_services", "capacity_providers"), ("ecs_clusters", "default_strategy"),
               ("target_groups", "load_balancer_arns"), ("deployment_groups", "ecs_services"),
               ("load_balancers", "azs")]
    cases = []
    for table, column in columns:
        for junk in ("12", 12, "n/a", "null", math.nan):
            cases.append(pytest.param(table, column, junk, id=f"{table}.{column}={junk!r}"))
    return cases


@pytest.mark.parametrize(("table", "column", "junk"), _json_list_cases())
def test_demo_estate_model_survives_junk_in_its_json_list_columns(table: str, column: str, junk: Any) -> None:
    """The model files read these columns (current, pipeline_time, migration, proposed): junk in every row."""
    base = demo_snapshot("staging")
    tables = dict(base.tables)
    df = tables[table].copy()
    df[column] = pd.Series([junk] * len(df), index=df.index, dtype=object)
    tables[table] = df
    _model(Snapshot(manifest=dict(base.manifest), tables=tables))


def test_bool_metric_values_are_missing_not_zero_or_one() -> None:
    """Found by the views' property tests: a bool value column made quantile() raise in every rule and
    view that reads metrics statistics."""
    from awsassess import metrics_stats

    b = SnapshotBuilder()
    b.metric("AWS/RDS", "CPUUtilization", "db-1", [10.0, 20.0, 30.0])
    b.rows["metrics"][0]["value"] = True
    st = metrics_stats.stats(b.build(), "AWS/RDS", "CPUUtilization")
    assert st.loc["db-1", "count"] == 2 and st.loc["db-1", "min"] == 20.0
    only = SnapshotBuilder()
    only.metric("AWS/RDS", "CPUUtilization", "db-1", [1.0])
    only.rows["metrics"][0]["value"] = True
    assert len(metrics_stats.stats(only.build(), "AWS/RDS", "CPUUtilization")) == 0
