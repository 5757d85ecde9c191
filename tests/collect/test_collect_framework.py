"""The collection framework: declared calls, coverage, masking, pagination, phases, concurrency, snapshot.

No server: clients are real boto3 clients whose responses come from botocore's Stubber (validated
against the service model) or from a ``before-send`` hook that answers like the service would.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pandas as pd
import pytest
from awsassess import collect as collect_pkg
from awsassess.aws import AccountMismatchError, AccountSession, client_config
from awsassess.collect.account import collect_account
from awsassess.collect.call_records import STATUSES
from awsassess.collect.context import Context
from awsassess.collect.contract import Collector, UndeclaredOperationError
from awsassess.collect.masking import looks_high_entropy, mask_page, mask_value, secret_env_names
from awsassess.collect.rows import build_frame
from awsassess.collect.run_state import Run
from awsassess.collect.schedule import run_collectors
from awsassess.collect.units import _Unit, unit_dependencies
from awsassess.params import AccountParams
from awsassess.snapshot import Snapshot
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

ACCOUNT = "222222222222"


def _params(**collect: Any) -> AccountParams:
    return AccountParams(name="unit-test", account_id=ACCOUNT, environment="test",
                         regions=["us-east-1", "eu-west-1"], collect=collect or {})


def _session(concurrency: int = 4) -> AccountSession:
    return AccountSession(session=boto3.Session(aws_access_key_id="t", aws_secret_access_key="t",
                                                region_name="us-east-1"),
                          config=client_config(concurrency), endpoint_url="http://127.0.0.1:9",
                          home_region="us-east-1")


def _run(params: AccountParams | None = None, concurrency: int = 4) -> Run:
    return Run(params or _params(), _session(concurrency), concurrency=concurrency)


def _ctx(run: Run, *ops: tuple[str, str]) -> Context:
    return Context(run, Collector("test", tuple(ops), collect=lambda c, r: {}))


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def _answer(client: Any, fn: Any) -> None:
    """Answer every request of ``client`` with ``fn(request) -> (status, body bytes)``; nothing is sent."""
    def before_send(request: Any, **_: Any) -> AWSResponse:
        status, body = fn(request)
        return AWSResponse(request.url, status, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))
    client.meta.events.register("before-send.*.*", before_send)


# --------------------------------------------------------------------------- calls and coverage
def test_call_masks_secrets_and_records_coverage() -> None:
    run = _run()
    ctx = _ctx(run, ("ecs", "DescribeTaskDefinition"))
    client = run.session.client("ecs", "us-east-1")
    td = {"taskDefinition": {"family": "f", "taskDefinitionArn": "arn:td", "containerDefinitions": [{
        "name": "app", "image": "img", "environment": [
            {"name": "DB_PASSWORD", "value": "hunter2-but-longer"},
            {"name": "STRIPE", "value": "sk_live_abcdefghijklmnop1234"},
            {"name": "LOG_LEVEL", "value": "info"}]}]}}
    with Stubber(client) as stub:
        stub.add_response("describe_task_definition", td, {"taskDefinition": "arn:td"})
        resp = ctx.call("ecs", "DescribeTaskDefinition", "us-east-1", taskDefinition="arn:td")
    env = resp["taskDefinition"]["containerDefinitions"][0]["environment"]
    assert resp.ok
    assert env[0]["value"] == "****nger" and env[1]["value"] == "****1234" and env[2]["value"] == "info"
    raw = json.dumps(run.raw["ecs/DescribeTaskDefinition.us-east-1"], default=str)
    assert "hunter2" not in raw and "sk_live_" not in raw
    assert secret_env_names(env) == ["DB_PASSWORD", "STRIPE"]
    (row,) = run.coverage_rows()
    assert (row["service"], row["operation"], row["region"], row["status"], row["calls"]) == (
        "ecs", "DescribeTaskDefinition", "us-east-1", "ok", 1)


def test_undeclared_operation_raises_before_any_request() -> None:
    run = _run()
    ctx = _ctx(run, ("ecs", "ListClusters"))
    with pytest.raises(UndeclaredOperationError, match="ecs:ListServices.*OPERATIONS"):
        ctx.call("ecs", "ListServices", "us-east-1")
    with pytest.raises(UndeclaredOperationError):
        ctx.paginate("ecs", "ListServices", "us-east-1", "serviceArns")
    assert run.coverage_rows() == []


@pytest.mark.parametrize(("code", "status"), [
    ("AccessDeniedException", "access_denied"),
    ("UnauthorizedOperation", "access_denied"),
    ("ThrottlingException", "throttled"),
    ("OptInRequired", "opt_in_required"),
    ("UnsupportedOperation", "unsupported"),
    ("500", "not_implemented"),
    ("ClusterNotFoundException", "error"),
])
def test_client_errors_are_classified_and_never_raise(code: str, status: str) -> None:
    run = _run()
    ctx = _ctx(run, ("ecs", "ListClusters"))
    client = run.session.client("ecs", "us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("list_clusters", service_error_code=code, service_message="nope")
        items = ctx.paginate("ecs", "ListClusters", "us-east-1", "clusterArns")
    assert list(items) == [] and not items.ok and items.status == status
    (row,) = run.coverage_rows()
    assert row["status"] == status and code in row["message"]


def test_unparseable_response_is_not_implemented_not_a_crash() -> None:
    run = _run()
    ctx = _ctx(run, ("ec2", "DescribeVpcs"))
    client = run.session.client("ec2", "us-east-1")
    _answer(client, lambda req: (200, b"<!doctype html><html><title>500 Internal Server Error</title>"))
    resp = ctx.call("ec2", "DescribeVpcs", "us-east-1")
    assert resp == {} and not resp.ok
    (row,) = run.coverage_rows()
    assert row["status"] == "not_implemented"


def test_paginate_reads_every_page_and_keeps_raw_pages() -> None:
    run = _run()
    ctx = _ctx(run, ("ecs", "ListServices"))
    client = run.session.client("ecs", "us-east-1")
    with Stubber(client) as stub:
        stub.add_response("list_services", {"serviceArns": ["a", "b"], "nextToken": "t1"}, {"cluster": "c"})
        stub.add_response("list_services", {"serviceArns": ["c"]}, {"cluster": "c", "nextToken": "t1"})
        items = ctx.paginate("ecs", "ListServices", "us-east-1", "serviceArns", cluster="c")
    assert list(items) == ["a", "b", "c"] and items.ok
    assert len(run.raw["ecs/ListServices.us-east-1"]) == 2
    (row,) = run.coverage_rows()
    assert (row["calls"], row["items"], row["status"]) == (2, 3, "ok")


def test_paginate_failure_midway_returns_items_so_far() -> None:
    run = _run()
    ctx = _ctx(run, ("ecs", "ListServices"))
    client = run.session.client("ecs", "us-east-1")
    with Stubber(client) as stub:
        stub.add_response("list_services", {"serviceArns": ["a"], "nextToken": "t1"}, {"cluster": "c"})
        stub.add_client_error("list_services", service_error_code="AccessDeniedException")
        items = ctx.paginate("ecs", "ListServices", "us-east-1", "serviceArns", cluster="c")
    assert list(items) == ["a"] and items.status == "access_denied"
    (row,) = run.coverage_rows()
    assert row["calls"] == 2 and row["status"] == "access_denied"


def test_jmespath_result_keys() -> None:
    run = _run()
    ctx = _ctx(run, ("ecs", "DescribeClusters"))
    client = run.session.client("ecs", "us-east-1")
    with Stubber(client) as stub:
        stub.add_response("describe_clusters", {"clusters": [{"clusterName": "x", "tags": []},
                                                             {"clusterName": "y"}]})
        names = ctx.paginate("ecs", "DescribeClusters", "us-east-1", "clusters[].clusterName")
    assert list(names) == ["x", "y"]


# --------------------------------------------------------------------------- concurrency
def test_map_is_parallel_bounded_ordered_and_nested_safe() -> None:
    run = _run(concurrency=3)
    ctx = _ctx(run, ("ecs", "ListClusters"))
    client = run.session.client("ecs", "us-east-1")
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def slow(req: Any) -> tuple[int, bytes]:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return 200, json.dumps({"clusterArns": ["arn"]}).encode()

    _answer(client, slow)

    def outer(i: int) -> list[int]:
        return ctx.map(lambda j: (ctx.call("ecs", "ListClusters", "us-east-1"), i * 10 + j)[1], range(4))

    out = ctx.map(outer, range(6))
    assert out == [[i * 10 + j for j in range(4)] for i in range(6)]
    # parallel (3 calls were in flight together, so not serial), but never more than the concurrency;
    # no wall-clock bound: speed is measured in benchmarks/, not asserted (it flaked on a loaded machine)
    assert state["max"] == 3, state
    run.close()


def test_one_map_waiting_on_a_limit_leaves_threads_for_another_map() -> None:
    """A map whose items wait (e.g. for CloudFormation's in-flight limit) starts at most `concurrency`
    of them, so another map's items still run in parallel on pool threads instead of queueing behind."""
    run = _run(concurrency=2)
    ctx = _ctx(run)
    release = threading.Event()
    waiting: list[Any] = []
    waiter = threading.Thread(target=lambda: waiting.append(ctx.map(lambda i: (release.wait(30), i)[1], range(100))))
    waiter.start()
    together = threading.Barrier(2, timeout=10)  # two items of the second map must run at the same time

    def both_at_once(i: int) -> int:
        together.wait()
        return i * 2

    try:
        assert ctx.map(both_at_once, range(6)) == [0, 2, 4, 6, 8, 10]
    finally:
        release.set()
        waiter.join(timeout=30)
    assert waiting == [list(range(100))]
    run.close()


def test_nested_map_with_concurrency_one_does_not_deadlock() -> None:
    run = _run(concurrency=1)
    ctx = _ctx(run)
    result: list[Any] = []
    t = threading.Thread(target=lambda: result.append(
        ctx.map(lambda i: ctx.map(lambda j: ctx.map(lambda k: i + j + k, range(3)), range(3)), range(3))))
    t.start()
    t.join(timeout=20)
    assert not t.is_alive(), "nested ctx.map deadlocked"
    assert result[0][2][2] == [4, 5, 6]
    run.close()


# --------------------------------------------------------------------------- orchestration
def _stub_identity_and_regions(session: AccountSession, account: str = ACCOUNT,
                               not_opted_in: tuple[str, ...] = ()) -> list[Stubber]:
    sts = Stubber(session.client("sts", "us-east-1"))
    sts.add_response("get_caller_identity", {"Account": account, "Arn": f"arn:aws:sts::{account}:assumed-role/R/s",
                                             "UserId": "AID"})
    ec2 = Stubber(session.client("ec2", "us-east-1"))
    regions = [{"RegionName": r, "OptInStatus": "opt-in-not-required"} for r in ("us-east-1", "eu-west-1")]
    regions += [{"RegionName": r, "OptInStatus": "not-opted-in"} for r in not_opted_in]
    ec2.add_response("describe_regions", {"Regions": regions}, {"AllRegions": True})
    sts.activate()
    ec2.activate()
    return [sts, ec2]


def test_collect_account_phases_global_regions_and_snapshot(tmp_path: Path) -> None:
    seen: dict[str, Any] = {"regions": [], "phase1": []}
    lock = threading.Lock()

    def inventory(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
        with lock:
            seen["regions"].append(region)
        return {"vpcs": [{"vpc_id": f"vpc-{region}", "cidr": "10.0.0.0/16", "name": "", "is_default": False,
                          "state": "available", "tags": "{}"}]}

    def spend(ctx: Context) -> dict[str, list[dict[str, Any]]]:
        return {"spend": [{"month": "2026-10", "service": "Amazon ECS", "usd": 12.5}]}

    def metrics(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
        vpcs = ctx.rows("vpcs", region)
        with lock:
            seen["phase1"].append((region, [v["vpc_id"] for v in vpcs]))
        return {"metrics": [{"namespace": "X", "metric": "m", "dimensions": "{}", "resource_id": v["vpc_id"],
                             "stat": "Sum", "period_s": 3600, "timestamp": datetime(2026, 11, 1, tzinfo=UTC),
                             "value": 1.0} for v in vpcs]}

    collectors = [
        Collector("inv", (), collect=inventory, tables=("vpcs", "subnets")),
        Collector("money", (), collect_global=spend, tables=("spend",)),
        Collector("met", (), collect=metrics, phase=1, tables=("metrics",)),
    ]
    params = AccountParams(name="unit-test", account_id=ACCOUNT, environment="test",
                           regions=["us-east-1", "eu-west-1", "af-south-1"])
    session = _session()
    _stub_identity_and_regions(session, not_opted_in=("af-south-1",))
    progress: list[tuple[str, int, int, str]] = []
    collect_account(params, tmp_path, progress=lambda *a: progress.append(a), collectors=collectors,
                           session=session, strict=True)

    assert sorted(seen["regions"]) == ["eu-west-1", "us-east-1"]  # af-south-1 not enabled: skipped
    assert sorted(seen["phase1"]) == [("eu-west-1", ["vpc-eu-west-1"]), ("us-east-1", ["vpc-us-east-1"])]
    assert progress[-1][1:3] == (5, 5) and progress[0][0] == "unit-test"

    loaded = Snapshot.load(tmp_path / "unit-test" / "snapshot")
    m = loaded.manifest
    assert (m["name"], m["account_id"], m["environment"]) == ("unit-test", ACCOUNT, "test")
    assert m["regions"] == ["us-east-1", "eu-west-1", "af-south-1"]
    assert m["regions_collected"] == ["us-east-1", "eu-west-1"]
    assert m["params_digest"].startswith("sha256:") and m["collected_at"]
    assert m["coverage"]["by_status"].get("opt_in_required") == 1
    assert any("af-south-1" in p for p in m["coverage"]["problems"])
    vpcs = loaded.table("vpcs")
    assert set(vpcs["account_id"]) == {ACCOUNT} and sorted(vpcs["region"]) == ["eu-west-1", "us-east-1"]
    assert list(loaded.table("subnets").columns) == list(vpcs.columns[:2]) + list(loaded.table("subnets").columns[2:])
    assert "subnets" in loaded.tables and len(loaded.tables["subnets"]) == 0
    spend_df = loaded.table("spend")
    assert list(spend_df["region"]) == ["global"] and list(spend_df["usd"]) == [12.5]
    met = loaded.table("metrics")
    assert len(met) == 2 and str(met["timestamp"].dt.tz) == "UTC"
    cov = loaded.table("coverage")
    row = cov[(cov["operation"] == "DescribeRegions") & (cov["region"] == "af-south-1")].iloc[0]
    assert row["status"] == "opt_in_required" and "not enabled" in row["message"]


def test_a_unit_with_needs_waits_only_for_the_tables_it_reads() -> None:
    """metrics-like collectors (NEEDS) start when their region's inputs are in, not after every unit."""
    started = threading.Event()
    seen: dict[str, list[str]] = {}

    def network(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
        return {"vpcs": [{"vpc_id": f"vpc-{region}"}]}

    def stacks(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
        assert started.wait(20), "the metrics unit waited for stacks, which it does not need"
        return {"stacks": [{"stack_name": f"s-{region}"}]}

    def metrics(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
        seen[region] = [r["vpc_id"] for r in ctx.rows("vpcs", region)]
        with pytest.raises(UndeclaredOperationError, match="NEEDS"):
            ctx.rows("stacks")
        started.set()
        return {}

    collectors = [Collector("network", (), collect=network, tables=("vpcs",)),
                  Collector("stacks", (), collect=stacks, tables=("stacks",)),
                  Collector("metrics", (), collect=metrics, phase=1, needs=("vpcs",))]
    run = _run(concurrency=4)
    tables = run_collectors(run, collectors, ["us-east-1"], strict=True)
    assert seen == {"us-east-1": ["vpc-us-east-1"]}
    assert [r["stack_name"] for r in tables["stacks"]] == ["s-us-east-1"]
    run.close()


def test_unit_dependencies() -> None:
    def noop(ctx: Context, region: str) -> dict[str, Any]:
        return {}

    net = Collector("network", (), collect=noop, tables=("vpcs",))
    stk = Collector("stacks", (), collect=noop, tables=("stacks",))
    cdn = Collector("cdn", (), collect_global=noop, tables=("distributions",))
    met = Collector("metrics", (), collect=noop, collect_global=noop, phase=1, needs=("vpcs", "distributions"))
    old = Collector("old", (), collect=noop, phase=1)  # no NEEDS: every earlier-phase unit
    units = [_Unit(net, "r1"), _Unit(net, "r2"), _Unit(stk, "r1"), _Unit(cdn, "global"),
             _Unit(met, "r1"), _Unit(met, "global"), _Unit(old, "r1")]
    deps = unit_dependencies(units)
    assert deps[:4] == [set(), set(), set(), set()]
    assert deps[4] == {0, 3}  # its region's vpcs and the global distributions, not r2, not stacks
    assert deps[5] == {0, 1, 3}  # a global unit reads every region's rows
    assert deps[6] == {0, 1, 2, 3}
    assert collect_pkg.load_collectors(["metrics"])[0].needs  # the real metrics collector declares them


def test_collector_bug_is_recorded_and_other_tables_complete(tmp_path: Path) -> None:
    def good(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
        return {"internet_gateways": [{"igw_id": f"igw-{region}", "vpc_id": ""}]}

    def bad(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
        raise KeyError("VpcId")

    collectors = [Collector("good", (), collect=good), Collector("bad", (), collect=bad)]
    session = _session()
    _stub_identity_and_regions(session)
    snap = collect_account(_params(), tmp_path, collectors=collectors, session=session)
    assert len(snap.table("internet_gateways")) == 2
    cov = snap.table("coverage")
    bad_rows = cov[cov["operation"] == "collect:bad"]
    assert len(bad_rows) == 2 and set(bad_rows["status"]) == {"error"}
    assert "KeyError" in bad_rows.iloc[0]["message"]

    session = _session()
    _stub_identity_and_regions(session)
    with pytest.raises(KeyError):
        collect_account(_params(), tmp_path / "strict", collectors=collectors, session=session, strict=True)
    assert not (tmp_path / "strict" / "unit-test" / "snapshot").exists()


def test_account_mismatch_is_a_clear_error(tmp_path: Path) -> None:
    session = _session()
    _stub_identity_and_regions(session, account="999999999999")
    with pytest.raises(AccountMismatchError, match="account_id is 222222222222 but the credentials reach "
                                                   "account 999999999999"):
        collect_account(_params(), tmp_path, collectors=[], session=session)
    assert not (tmp_path / "unit-test").exists()


def test_snapshot_is_replaced_atomically_and_raw_pages_are_masked(tmp_path: Path) -> None:
    def coll(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
        client = ctx._client("ecs", region)
        with Stubber(client) as stub:
            stub.add_response("list_clusters", {"clusterArns": ["arn:aws:ecs:x:1:cluster/AKIAABCDEFGHIJKLMNOP"]})
            arns = ctx.paginate("ecs", "ListClusters", region, "clusterArns")
        return {"ecs_clusters": [{"cluster_arn": a, "cluster_name": "c"} for a in arns]}

    for _ in range(2):
        session = _session()
        _stub_identity_and_regions(session)
        params = AccountParams(name="unit-test", account_id=ACCOUNT, regions=["us-east-1"])
        collect_account(params, tmp_path, collectors=[Collector("c", (("ecs", "ListClusters"),), collect=coll)],
                        session=session, strict=True)
    snap_dir = tmp_path / "unit-test" / "snapshot"
    assert sorted(p.name for p in (tmp_path / "unit-test").iterdir()) == ["snapshot"]  # no temp/old dirs left
    raw = gzip.open(snap_dir / "raw" / "ecs" / "ListClusters.us-east-1.json.gz", "rt").read()
    assert "AKIA" not in raw and "****" in raw
    assert "AKIA" not in Snapshot.load(snap_dir).table("ecs_clusters")["cluster_arn"].iloc[0]


# --------------------------------------------------------------------------- tables and registry
def test_build_frame_validates_columns_and_normalises_types() -> None:
    with pytest.raises(ValueError, match="undocumented columns \\['bogus'\\]"):
        build_frame("vpcs", [{"vpc_id": "v"}, {"vpc_id": "w", "bogus": 1}])
    df = build_frame("target_groups", [{"arn": "a", "port": 80}, {"arn": "b", "port": "traffic-port"},
                                       {"arn": "c", "port": None}])
    assert list(df["port"][:2]) == ["80", "traffic-port"] and pd.isna(df["port"][2])
    df = build_frame("ecs_services", [{"service_arn": "s", "created_at": datetime(2026, 1, 1),
                                       "subnets": ["b", "a"]}])
    assert df["created_at"].iloc[0] == pd.Timestamp("2026-01-01", tz="UTC")
    assert df["subnets"].iloc[0] == '["b", "a"]'


def test_registry_tolerates_missing_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect_pkg, "COLLECTOR_MODULES", ("network", "not_written_yet"))
    assert [c.name for c in collect_pkg.load_collectors()] == ["network"]
    with pytest.raises(ModuleNotFoundError):
        collect_pkg.load_collectors(["not_written_yet"])


def test_registered_collectors_are_well_formed() -> None:
    collectors = collect_pkg.load_collectors(strict=True)
    names = [c.name for c in collectors]
    assert {"network", "compute", "metrics", "spend"} <= set(names)
    for c in collectors:
        assert c.operations, c.name
        assert c.collect or c.collect_global
    assert next(c for c in collectors if c.name == "metrics").phase > max(
        c.phase for c in collectors if c.name != "metrics")


# --------------------------------------------------------------------------- masking
def test_masking_rules() -> None:
    assert mask_value("abcdefghijklmnop") == "****mnop" and mask_value("short") == "****"
    page = {
        "NextToken": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9abcdef",
        "SecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:x",
        "MasterUserPassword": "correct-horse-battery",
        "Description": "key AKIAIOSFODNN7EXAMPLE leaked",
        "environmentVariables": [
            {"name": "API_TOKEN", "value": "abc", "type": "PLAINTEXT"},
            {"name": "DB_PASSWORD", "value": "/prod/db/password", "type": "PARAMETER_STORE"},
            {"name": "RANDOM_BLOB", "value": "q8Zr3xT1Lm9VbN2kP7yW4hJ6dF0sA5cE", "type": "PLAINTEXT"},
            {"name": "IMAGE_TAG", "value": "v1.2.3", "type": "PLAINTEXT"},
            {"name": "SECRET_ARN", "value": "arn:aws:secretsmanager:x", "type": "PLAINTEXT"},
        ],
        "Variables": {"GITHUB_PAT": "ghp_" + "a1B2" * 9, "REGION": "us-east-1"},
    }
    out = mask_page(page)
    assert out["NextToken"] == page["NextToken"]
    assert out["SecretArn"] == page["SecretArn"]
    assert out["MasterUserPassword"] == "****tery"
    assert "AKIA" not in out["Description"]
    env = {e["name"]: e["value"] for e in out["environmentVariables"]}
    assert env == {"API_TOKEN": "****", "DB_PASSWORD": "/prod/db/password", "RANDOM_BLOB": "****A5cE",
                   "IMAGE_TAG": "v1.2.3", "SECRET_ARN": "arn:aws:secretsmanager:x"}
    assert out["Variables"]["GITHUB_PAT"].startswith("****") and out["Variables"]["REGION"] == "us-east-1"
    assert secret_env_names(page["environmentVariables"]) == ["API_TOKEN", "RANDOM_BLOB"]
    assert secret_env_names(out["environmentVariables"]) == ["API_TOKEN", "RANDOM_BLOB"]
    assert not looks_high_entropy("sha256:" + "0" * 64) and not looks_high_entropy("/var/lib/app/config.yaml")
    # random-looking values count only in environment variables, not in other name/value pairs
    blob = "app/scale-lb-001/db652e033ffd9c9c"
    assert looks_high_entropy(blob)
    dims = {"Dimensions": [{"Name": "LoadBalancer", "Value": blob}, {"Name": "Token", "Value": "t-123"}]}
    assert mask_page(dims)["Dimensions"] == [{"Name": "LoadBalancer", "Value": blob}, {"Name": "Token", "Value": "****"}]
    env = {"containerDefinitions": [{"environment": [{"name": "LB", "value": blob}]}]}
    assert mask_page(env)["containerDefinitions"][0]["environment"][0]["value"] == "****9c9c"


def test_statuses_cover_the_documented_vocabulary() -> None:
    from awsassess.tables import TABLES

    doc = TABLES["coverage"].columns["status"]
    for status in STATUSES:
        assert status in doc


def test_fast_path_agrees_with_the_full_walk() -> None:
    from awsassess.collect.masking import mask_response, needs_masking

    dimensions = {"MetricDataQueries": [{"Id": f"q{i}", "MetricStat": {"Metric": {
        "Namespace": "AWS/ApplicationELB", "MetricName": "RequestCount",
        "Dimensions": [{"Name": "LoadBalancer", "Value": f"app/scale-lb-{i:03}/db652e033ffd9c9c"}]}}}
        for i in range(50)]}
    clean = [
        {"Subnets": [{"SubnetId": f"subnet-{i:017x}", "Tags": [{"Key": "Name", "Value": f"s{i}"}],
                      "AvailableIpAddressCount": 250} for i in range(50)]},
        dimensions,  # name/value pairs that are not secrets: no walk of the whole page
        {"clusters": [{"settings": [{"name": "containerInsights", "value": "enabled"}]}]},
        {"environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "Q\"UOTED", "value": "a\\b"}]},
    ]
    for page in clean:
        assert not needs_masking(page), page
        assert mask_response(page) is page and mask_page(page) == page
    dirty = [
        {"taskDefinition": {"containerDefinitions": [{"environment": [{"name": "DB_PASSWORD", "value": "hunter22"}]}]}},
        {"environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "API_TOKEN", "value": "t-1"}]},
        {"environment": [{"name": "SENTRY", "value": "sk_live_0123456789abcdef"}]},
        {"environment": [{"name": "NONCE", "value": "q8Zr4LmX2vTn9KpW7sYc3HdB"}]},  # high entropy
        {"environment": [{"name": "A\"PASSWORD", "value": "x\\y-long-enough"}]},  # escaped in JSON
        {"Environment": {"Variables": {"A": "b", "STRIPE_SECRET": "s3cr3t-value"}}},
        {"Description": "ASIAABCDEFGHIJKLMNOP"},
        {"DBInstances": [{"MasterUserPassword": "pw-123456789"}]},
        {"x": "-----BEGIN RSA PRIVATE KEY-----\nabc"},
    ]
    for page in dirty:
        assert needs_masking(page), page
        assert mask_response(page) == mask_page(page) != page


def test_rich_progress_callback_draws_one_bar_per_account() -> None:
    import io

    from rich.console import Console

    buf = io.StringIO()
    with collect_pkg.rich_progress(console=Console(file=buf, force_terminal=False, width=100)) as cb:
        cb("acme-prod", 0, 4, "starting")
        cb("acme-prod", 4, 4, "network us-east-1")
        cb("acme-staging", 1, 2, "compute eu-west-1")
    out = buf.getvalue()
    assert "acme-prod" in out and "acme-staging" in out and "4/4" in out


def test_snapshot_tables_are_read_when_first_used_and_a_damaged_one_is_named(tmp_path: Path) -> None:
    from awsassess.snapshot import LazyTables, Snapshot, SnapshotError, empty_frame

    vpcs = empty_frame("vpcs", [{"account_id": "111122223333", "region": "us-east-1", "vpc_id": "vpc-1",
                                 "cidr": "10.0.0.0/16", "name": "main"}])
    Snapshot(manifest={"account_id": "111122223333"}, tables={"vpcs": vpcs, "subnets": empty_frame("subnets")}
             ).save(tmp_path / "snapshot")
    loaded = Snapshot.load(tmp_path / "snapshot")
    assert isinstance(loaded.tables, LazyTables)
    assert sorted(loaded.tables) == ["subnets", "vpcs"] and len(loaded.tables) == 2
    assert "LazyTables(['subnets', 'vpcs'], loaded=[])" == repr(loaded.tables)
    assert loaded.table("vpcs")["vpc_id"].tolist() == ["vpc-1"]
    assert "loaded=['vpcs']" in repr(loaded.tables)
    (tmp_path / "snapshot" / "tables" / "subnets.parquet").write_bytes(b"not parquet")
    with pytest.raises(SnapshotError, match=r"subnets\.parquet: cannot read table 'subnets'.*Re-collect"):
        loaded.table("subnets")
    loaded.tables["subnets"] = empty_frame("subnets")  # assigning replaces the file's table
    assert len(loaded.table("subnets")) == 0
    del loaded.tables["vpcs"]
    assert "vpcs" not in loaded.tables and len(loaded.table("vpcs")) == 0


@pytest.mark.timeout(30)
def test_masking_pre_check_is_linear_on_strings_that_are_not_pairs() -> None:
    """A ``name`` not followed by a ``value`` (a template, a container definition) must not make the
    pair pattern backtrack: with a nested quantifier, 40 characters already took minutes."""
    from awsassess.collect.masking import needs_masking

    page = {"containerDefinitions": [{"name": "a" * 60, "image": "b" * 60} for _ in range(200)],
            "TemplateBody": {"name": "c\\" * 500 + "d" * 5000, "other": 1}}
    assert not needs_masking(page)
