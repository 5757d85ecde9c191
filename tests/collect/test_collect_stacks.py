"""CloudFormation collector: Copilot labels and template sizes on the real Copilot templates
(``tests/fixtures/shared-testdata/copilot``), the AWS CLI DescribeStacks example, then stacks over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import cfn_yaml
import pandas as pd
import pytest
from awsassess.collect import stacks
from awsassess.tables import loads
from botocore_stub import stubbed
from paths import FIXTURES

# copied from ../shared/testdata of the steering repo; provenance in its README.md
SHARED = FIXTURES / "shared-testdata"
COPILOT = SHARED / "copilot"
EXAMPLES = SHARED / "aws-examples" / "responses"
STATS = json.loads((COPILOT / "_meta" / "copilot-stats.json").read_text())["files"]
TEMPLATES = sorted(f for f in STATS if f.endswith(".stack.yml"))
# moto warns about the unsupported ServiceDiscovery::Service the test uses on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS::ServiceDiscovery")
ACCT = "333300000001"  # shared by the collector test modules (disjoint services)
REGION = "us-east-1"


# ------------------------------------------------------------------ real Copilot templates
def test_every_copilot_template_is_covered() -> None:
    assert len(TEMPLATES) == 17


@pytest.mark.parametrize("name", TEMPLATES)
def test_copilot_template_size_and_resource_count(name: str) -> None:
    text = (COPILOT / name).read_text(encoding="utf-8")
    # get_template returns a YAML body as the text it was given: its size is the file's
    assert stacks.template_bytes(text) == STATS[name]["bytes"]
    template = cfn_yaml.load(text, name)  # short-form tags (!Ref, !Sub, ...) accepted
    assert cfn_yaml.resource_count(template) == STATS[name]["resources"]
    assert cfn_yaml.resource_types(template) == STATS[name]["types"]


def test_template_bytes_of_json_bodies() -> None:
    # boto3 returns a JSON template parsed into a dict: it is measured re-serialised compactly
    body = cfn_yaml.load_file(COPILOT / "backend-service-simple.stack.yml")
    compact = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    assert stacks.template_bytes(body) == len(compact.encode())
    assert stacks.template_bytes(json.loads(compact)) == len(compact.encode())
    assert stacks.template_bytes("é") == 2 and stacks.template_bytes(None) is None


def _stack_from_params(params_file: str, stack_name: str, tags: bool = True) -> dict[str, Any]:
    """A DescribeStacks item built from Copilot's own ``svc package`` params file (Tags + Parameters)."""
    data = json.loads((COPILOT / params_file).read_text())
    stack = {"StackName": stack_name, "StackId": f"arn:aws:cloudformation:{REGION}:{ACCT}:stack/{stack_name}/x",
             "StackStatus": "UPDATE_COMPLETE", "CreationTime": "2024-03-25T10:00:00Z",
             "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in data["Parameters"].items()]}
    if tags:
        stack["Tags"] = [{"Key": k, "Value": v} for k, v in data["Tags"].items()]
    return stubbed("cloudformation", "DescribeStacks", {"Stacks": [stack]})["Stacks"][0]


@pytest.mark.parametrize("params_file", sorted(f for f in STATS if f.endswith(".params.json")))
def test_copilot_labels_from_tags_and_from_parameters(params_file: str) -> None:
    tags = json.loads((COPILOT / params_file).read_text())["Tags"]
    want = (tags["copilot-application"], tags["copilot-environment"], tags["copilot-service"])
    name = "-".join(want)
    assert stacks.copilot_labels(_stack_from_params(params_file, name)) == want
    # without tags, Copilot's template parameters (AppName, EnvName, WorkloadName) give the same labels
    assert stacks.copilot_labels(_stack_from_params(params_file, name, tags=False)) == want


def test_copilot_labels_from_names() -> None:
    def row(name: str, app: str = "", env: str = "", svc: str = "") -> dict[str, Any]:
        return {"stack_name": name, "copilot_application": app, "copilot_environment": env, "copilot_service": svc}

    rows = stacks.label_stacks([
        row("my-app-infrastructure-roles"),  # application stack: makes "my-app" known
        row("my-app-prod", "my-app", "prod"),  # a tagged environment: makes "prod" known
        row("my-app-prod-fe"), row("my-app-prod-api-v2"),  # workloads (service names may contain '-')
        row("my-app-test"),  # untagged: an environment? only "prod" is known for my-app -> app only
        row("pipeline-my-app-release"),
        row("StackSet-my-app-infrastructure-1a2b3c4d-5e6f-7a8b-9c0d-112233445566"),
        row("acme-web-prod"),  # no known app prefix: not guessed
    ])
    got = {r["stack_name"]: (r["copilot_application"], r.get("copilot_environment", ""), r.get("copilot_service", ""))
           for r in rows}
    assert got["my-app-infrastructure-roles"] == ("my-app", "", "")
    assert got["my-app-prod-fe"] == ("my-app", "prod", "fe")
    assert got["my-app-prod-api-v2"] == ("my-app", "prod", "api-v2")
    assert got["my-app-test"] == ("my-app", "", "")
    assert got["pipeline-my-app-release"] == ("my-app", "", "")
    assert got["StackSet-my-app-infrastructure-1a2b3c4d-5e6f-7a8b-9c0d-112233445566"] == ("my-app", "", "")
    assert got["acme-web-prod"] == ("", "", "")
    # with no environment known for the app, <app>-<env> and <app>-<env>-<svc> are read by position
    rows = stacks.label_stacks([row("shop-infrastructure-roles"), row("shop-dev"), row("shop-dev-cart")])
    assert [(r.get("copilot_environment", ""), r.get("copilot_service", "")) for r in rows] == [
        ("", ""), ("dev", ""), ("dev", "cart")]


def test_parse_stack_from_the_cli_example() -> None:
    body = json.loads((EXAMPLES / "cloudformation.DescribeStacks.awscli.json").read_text())
    body["Stacks"][0].pop("StackStatusReason")  # null in the doc example; the model wants a string (README)
    stack = stubbed("cloudformation", "DescribeStacks", body)["Stacks"][0]
    row = stacks.parse_stack(stack, 1234, 1)
    assert (row["stack_name"], row["status"], row["status_reason"]) == ("myteststack", "CREATE_COMPLETE", "")
    assert (row["template_bytes"], row["resource_count"], row["parent_id"]) == (1234, 1, "")
    assert row["copilot_application"] == "" and loads(row["tags"]) == {}
    assert row["created"].year == 2013 and row["created"].tzinfo is not None


# ------------------------------------------------------------------ over HTTP (moto)
# Small templates of types moto's CloudFormation supports, plus one it does not (ServiceDiscovery)
ENV_YAML = """AWSTemplateFormatVersion: 2010-09-09
Description: CloudFormation environment template for infrastructure shared among Copilot workloads.
Parameters:
  AppName: {Type: String}
  EnvironmentName: {Type: String}
Resources:
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /copilot/${AppName}-${EnvironmentName}
  Queue:
    Type: AWS::SQS::Queue
"""
SVC_YAML = """Description: CloudFormation template that represents a backend service on Amazon ECS.
Resources:
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /copilot/${AWS::StackName}
  DiscoveryService:
    Type: AWS::ServiceDiscovery::Service
    Properties:
      Name: svc
"""
ROLES_JSON = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}, "Queue": {"Type": "AWS::SQS::Queue"}}},
                        separators=(",", ":"))


@pytest.fixture(scope="module")
def snapshot(moto_url: str, moto_session: Any, moto_collect: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from moto.cloudformation.models import Event, cloudformation_backends

    cf = moto_session(ACCT).client("cloudformation", endpoint_url=moto_url)
    tags = lambda **kv: [{"Key": f"copilot-{k}", "Value": v} for k, v in kv.items()]  # noqa: E731
    cf.create_stack(StackName="my-app-infrastructure-roles", TemplateBody=ROLES_JSON)  # untagged
    cf.create_stack(StackName="my-app-test", TemplateBody=ENV_YAML,
                    Parameters=[{"ParameterKey": "AppName", "ParameterValue": "my-app"},
                                {"ParameterKey": "EnvironmentName", "ParameterValue": "test"}],
                    Tags=tags(application="my-app", environment="test"))
    cf.create_stack(StackName="my-app-test-dogworker", TemplateBody=SVC_YAML,
                    Tags=tags(application="my-app", environment="test", service="dogworker"))
    failing = cf.create_stack(StackName="my-app-test-api", TemplateBody=SVC_YAML)["StackId"]  # untagged
    cf.create_stack(StackName="unrelated", TemplateBody=ROLES_JSON)
    gone = cf.create_stack(StackName="my-app-old", TemplateBody=ROLES_JSON)["StackId"]
    cf.delete_stack(StackName=gone)
    # per-resource events moto does not record: a failed update of the api service (as the estate adds them)
    stack = cloudformation_backends[ACCT][REGION].get_stack(failing)
    start = stack.events[-1].timestamp
    for i, (logical, rtype, status, reason) in enumerate([
        ("my-app-test-api", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated"),
        ("LogGroup", "AWS::Logs::LogGroup", "UPDATE_FAILED",
         "Resource handler returned message: \"Exceeded the maximum number of log groups\""),
        ("my-app-test-api", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", None),
    ]):
        event = Event(failing, "my-app-test-api", logical, logical, rtype, status, reason, None)
        event.timestamp = start + timedelta(minutes=5 * (i + 1))
        stack.events.append(event)
    return moto_collect(ACCT, stacks, tmp_path_factory.mktemp("out"))


def test_stacks_labels_and_deleted_excluded(snapshot: Any) -> None:
    s = snapshot.table("stacks").set_index("stack_name")
    assert sorted(s.index) == ["my-app-infrastructure-roles", "my-app-test", "my-app-test-api",
                               "my-app-test-dogworker", "unrelated"]
    labels = {n: (r["copilot_application"], r["copilot_environment"], r["copilot_service"]) for n, r in s.iterrows()}
    assert labels == {
        "my-app-infrastructure-roles": ("my-app", "", ""),  # from its name
        "my-app-test": ("my-app", "test", ""),  # tags
        "my-app-test-dogworker": ("my-app", "test", "dogworker"),  # tags
        "my-app-test-api": ("my-app", "test", "api"),  # name, with "test" known from the tagged env stack
        "unrelated": ("", "", ""),
    }
    assert loads(s.loc["my-app-test-dogworker", "tags"])["copilot-service"] == "dogworker"
    assert s.loc["my-app-test", "stack_id"].startswith("arn:aws:cloudformation:")


def test_template_sizes_and_resource_counts(snapshot: Any) -> None:
    s = snapshot.table("stacks").set_index("stack_name")
    assert s.loc["my-app-test", "template_bytes"] == len(ENV_YAML.encode())  # YAML: the text as stored
    assert s.loc["my-app-infrastructure-roles", "template_bytes"] == len(ROLES_JSON)  # JSON: compact
    assert s.loc["my-app-test", "resource_count"] == 2
    # moto lists the unsupported ServiceDiscovery::Service as an entry without LogicalResourceId
    assert s.loc["my-app-test-dogworker", "resource_count"] == 2
    res = snapshot.table("stack_resources")
    dog = res[res["stack_name"] == "my-app-test-dogworker"]
    assert len(dog) == 2 and "LogGroup" in set(dog["logical_id"])
    assert s["resource_count"].sum() == len(res)


def test_events_keep_the_failing_resource_and_reason(snapshot: Any) -> None:
    ev = snapshot.table("stack_events")
    api = ev[ev["stack_name"] == "my-app-test-api"]
    failed = stacks.failed_events(api.to_dict("records"))
    assert [(e["logical_id"], e["resource_type"]) for e in failed] == [("LogGroup", "AWS::Logs::LogGroup")]
    assert "maximum number of log groups" in failed[0]["reason"]
    assert api["timestamp"].is_monotonic_decreasing  # newest first, as AWS returns them
    assert pd.api.types.is_datetime64_any_dtype(ev["timestamp"])


def test_event_limit_per_stack(moto_collect: Any, snapshot: Any, tmp_path: Path) -> None:
    def collect(ctx: Any, region: str) -> Any:  # the stacks collector with the option set to 2
        option = ctx.option
        ctx.option = lambda name, default: 2 if name == "stack_events_per_stack" else option(name, default)
        return stacks.collect(ctx, region)

    limited = ModuleType("limited_stacks")
    limited.NAME, limited.OPERATIONS, limited.TABLES, limited.collect = "stacks", stacks.OPERATIONS, stacks.TABLES, collect
    snap = moto_collect(ACCT, limited, tmp_path)
    counts = snap.table("stack_events").groupby("stack_name").size()
    assert counts.max() == 2 and len(counts) == 5


# ------------------------------------------------------------------ the simulated estate
@pytest.mark.parametrize("acct_name", ["fintech-staging", "fintech-production"])
def test_estate_stacks(collect_demo: Any, acct_name: str) -> None:
    from awsassess.demo.estate import ACCOUNTS, APP, expected_counts

    acct = next(a for a in ACCOUNTS if a.name == acct_name)
    snap = collect_demo(acct, stacks)
    s = snap.table("stacks")
    assert len(s) == expected_counts(acct)["stacks"]
    assert set(s["copilot_application"]) == {APP}
    workloads = s[s["copilot_service"] != ""]
    assert sorted(workloads["copilot_service"]) == sorted(svc.name for svc in acct.services)
    assert set(workloads["copilot_environment"]) == {acct.environment}
    assert (s["template_bytes"] > 0).all() and (s["resource_count"] > 0).all()
    assert s["resource_count"].sum() == len(snap.table("stack_resources"))
    ev = snap.table("stack_events")
    assert ev.groupby("stack_name").size().max() <= stacks.STACK_EVENTS_PER_STACK
    cov = snap.table("coverage")
    assert set(cov["status"]) == {"ok"}, cov[cov["status"] != "ok"].to_dict("records")


def test_estate_denied_template_is_recorded(fresh_faults: Any, collect_demo: Any, tmp_path: Path) -> None:
    from awsassess.demo.estate import STAGING, expected_counts

    fresh_faults.set_faults([{"service": "cloudformation", "operation": "GetTemplate", "code": "AccessDenied",
                              "status": 403}])
    snap = collect_demo.fresh(STAGING, stacks, out=tmp_path)
    s = snap.table("stacks")
    assert len(s) == expected_counts(STAGING)["stacks"]
    assert s["template_bytes"].isna().all() and (s["resource_count"] > 0).all()
    cov = snap.table("coverage").set_index("operation")
    assert cov.loc["GetTemplate", "status"] == "access_denied"
