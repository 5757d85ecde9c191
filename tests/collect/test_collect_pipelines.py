"""CI/CD collector: parse functions on AWS's published responses (validated by botocore's Stubber
against the service model), then the collector over HTTP against a moto server.

The moto server here runs in-process so the test can set what moto does not model (execution,
build and deployment times) on its model objects, as the demo estate does; the collector only
sees HTTP. The collector test modules share one account (moto creates its default VPCs once per
account, ~3 s) and seed disjoint services.
"""

from __future__ import annotations

import copy
import glob
import gzip
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore
import pandas as pd
import pytest
from awsassess.collect import pipelines
from awsassess.tables import loads
from botocore_stub import stubbed
from cfn_yaml import load_file
from paths import FIXTURES

# copied from ../shared/testdata of the steering repo; provenance in its README.md
SHARED = FIXTURES / "shared-testdata"
EXAMPLES = SHARED / "aws-examples" / "responses"
COPILOT = SHARED / "copilot"
CICD = SHARED / "cicd"
BOTOCORE_DATA = Path(os.path.dirname(botocore.__file__)) / "data"
ACCT = "333300000001"
REGION = "us-east-1"


def botocore_example(service: str, operation: str) -> dict[str, Any]:
    path = glob.glob(str(BOTOCORE_DATA / service / "*" / "examples-1.json"))[0]
    return json.loads(Path(path).read_text())["examples"][operation][0]["output"]


# ------------------------------------------------------------------ parse functions
def test_parse_pipeline_from_the_cli_example() -> None:
    body = json.loads((EXAMPLES / "codepipeline.GetPipeline.awscli.json").read_text())
    resp = stubbed("codepipeline", "GetPipeline", body, name="MyFirstPipeline")
    row = pipelines.parse_pipeline(resp["pipeline"], resp.get("metadata"))
    assert row["name"] == "MyFirstPipeline" and row["version"] == 1
    assert row["pipeline_type"] == "V1" and row["execution_mode"] == "SUPERSEDED"  # defaults when absent
    assert row["stage_count"] == 2
    stages = loads(row["stages"])
    assert [s["name"] for s in stages] == ["Source", "Beta"]
    assert stages[1]["actions"] == [
        {"name": "CodePipelineDemoFleet", "category": "Deploy", "provider": "CodeDeploy", "run_order": 1}]


def test_parse_build_projects_from_the_cli_example() -> None:
    body = json.loads((EXAMPLES / "codebuild.BatchGetProjects.awscli.json").read_text())
    body.pop("projectsNotFound")  # the doc example's [] breaks the model's min length 1 (README)
    resp = stubbed("codebuild", "BatchGetProjects", body, names=["codebuild-demo-project2", "my-other-demo-project"])
    first, second = (pipelines.parse_build_project(p) for p in resp["projects"])
    # the first has an inline buildspec whose commands are all commented out
    assert first["docker_build"] is False and first["buildspec_layer_cache"] is False
    assert first["privileged_mode"] is True and first["compute_type"] == "BUILD_GENERAL1_SMALL"
    assert first["cache_type"] == "NO_CACHE" and loads(first["cache_modes"]) == []
    assert first["image"] == "aws/codebuild/java:openjdk-8" and first["timeout_min"] == 60
    # the second names a buildspec file in the source: unknown from the API
    assert second["docker_build"] is None and second["buildspec_layer_cache"] is None
    assert second["privileged_mode"] is False and second["env_var_count"] == 0


def test_parse_build_from_the_botocore_example() -> None:
    resp = stubbed("codebuild", "BatchGetBuilds", botocore_example("codebuild", "BatchGetBuilds"),
                   ids=["codebuild-demo-project:9b0ac37f-d19e-4254-9079-f47e9a389eEX"])
    row = pipelines.parse_build(resp["builds"][0])
    assert row["project"] == "codebuild-demo-project" and row["status"] == "SUCCEEDED"
    assert row["duration_s"] == pytest.approx(1479832474.764 - 1479832341.854)
    phases = json.loads(row["phases"])
    assert list(phases)[:3] == ["SUBMITTED", "PROVISIONING", "DOWNLOAD_SOURCE"]  # timeline order kept
    assert phases["PROVISIONING"] == pytest.approx(1479832415.064 - 1479832342.23)
    assert phases["COMPLETED"] == 0
    # the phases add up to the build
    assert sum(phases.values()) == pytest.approx(row["duration_s"], abs=0.01)
    assert row["compute_type"] == "BUILD_GENERAL1_SMALL"
    assert row["start"].tzinfo is not None


def test_parse_executions_and_deployments_validated_against_the_model() -> None:
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    resp = stubbed("codepipeline", "ListPipelineExecutions", {"pipelineExecutionSummaries": [{
        "pipelineExecutionId": "e-1", "status": "Succeeded", "startTime": t0,
        "lastUpdateTime": t0 + timedelta(minutes=91), "trigger": {"triggerType": "Webhook"}}]},
        pipelineName="web")
    row = pipelines.parse_pipeline_execution("web", resp["pipelineExecutionSummaries"][0])
    assert (row["duration_s"], row["trigger"], row["status"]) == (91 * 60, "Webhook", "Succeeded")
    resp = stubbed("codepipeline", "ListActionExecutions", {"actionExecutionDetails": [{
        "pipelineExecutionId": "e-1", "actionExecutionId": "a-1", "stageName": "Deploy", "actionName": "Deploy",
        "startTime": t0 + timedelta(minutes=25), "lastUpdateTime": t0 + timedelta(minutes=91),
        "status": "Succeeded",
        "input": {"actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeployToECS",
                                   "version": "1"}}}]}, pipelineName="web")
    row = pipelines.parse_action_execution("web", resp["actionExecutionDetails"][0])
    assert (row["stage"], row["provider"], row["duration_s"]) == ("Deploy", "CodeDeployToECS", 66 * 60)
    resp = stubbed("codedeploy", "BatchGetDeployments", {"deploymentsInfo": [{
        "applicationName": "web", "deploymentGroupName": "web", "deploymentId": "d-1", "status": "Succeeded",
        "createTime": t0, "startTime": t0 + timedelta(seconds=5), "completeTime": t0 + timedelta(minutes=66),
        "creator": "CodePipeline"}]}, deploymentIds=["d-1"])
    row = pipelines.parse_deployment(resp["deploymentsInfo"][0])
    assert row["duration_s"] == 66 * 60 - 5 and row["creator"] == "CodePipeline"
    # moto leaves startTime out: createTime is used
    row = pipelines.parse_deployment({"deploymentId": "d-2", "createTime": t0, "completeTime": t0 + timedelta(minutes=1)})
    assert row["duration_s"] == 60
    assert pipelines.parse_deployment({"deploymentId": "d-3", "createTime": t0})["duration_s"] is None


# ------------------------------------------------------------------ over HTTP (moto)
def _cfn_to_api(props: dict[str, Any]) -> dict[str, Any]:
    """A real template's AWS::CodeBuild::Project properties as create_project arguments."""
    env = props["Environment"]
    source = {"type": props["Source"]["Type"], "location": "unused"}  # moto requires a location
    if isinstance(props["Source"].get("BuildSpec"), str):
        source["buildspec"] = props["Source"]["BuildSpec"]
    variables = [{"name": v["Name"], "value": v["Value"] if isinstance(v["Value"], str) else "resolved",
                  "type": v.get("Type", "PLAINTEXT")} for v in env.get("EnvironmentVariables") or []]
    cache = props.get("Cache") or {"Type": "NO_CACHE"}
    return {
        "source": source,
        "artifacts": {"type": "CODEPIPELINE", "location": "unused"},
        "environment": {"type": env["Type"], "image": env["Image"], "computeType": env["ComputeType"],
                        "privilegedMode": bool(env.get("PrivilegedMode", False)), "environmentVariables": variables},
        "cache": {"type": cache["Type"], **({"modes": cache["Modes"]} if cache.get("Modes") else {})},
    }


NOW = datetime.now(UTC).replace(microsecond=0)
LOOKBACK = 30
EXECUTIONS_IN = 12  # per pipeline, inside the lookback
EXECUTIONS_OUT = 3  # older than the lookback


@pytest.fixture(scope="module")
def seeded(moto_url: str, moto_session: Any) -> dict[str, Any]:
    from moto.codebuild.models import codebuild_backends
    from moto.codedeploy.models import codedeploy_backends
    from moto.codepipeline.models import codepipeline_backends
    from moto.core.utils import iso_8601_datetime_with_milliseconds as iso

    s = moto_session(ACCT)
    iam = s.client("iam", endpoint_url=moto_url)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"Service": "codepipeline.amazonaws.com"}}]}
    role = iam.create_role(RoleName="ci", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    # CodeBuild projects exactly as two real templates define them
    cb = s.client("codebuild", endpoint_url=moto_url)
    projects = {}
    copilot = load_file(COPILOT / "pipeline-github.stack.yml")["Resources"]
    projects["copilot-build"] = copilot["BuildProject"]["Properties"]
    refarch = load_file(CICD / "codepipeline-cfn-ecs-refarch-continuous-deployment.yml")["Resources"]
    projects["refarch-build"] = next(r["Properties"] for r in refarch.values() if r["Type"] == "AWS::CodeBuild::Project")
    for name, props in projects.items():
        cb.create_project(name=name, serviceRole=role, **_cfn_to_api(props))
    # a project with a plaintext secret (the value must never reach the snapshot)
    leaky = _cfn_to_api(projects["refarch-build"])
    leaky["environment"]["environmentVariables"] += [
        {"name": "DB_PASSWORD", "value": "s3cr3t-Value-That-Must-Not-Leak", "type": "PLAINTEXT"},
        {"name": "API_TOKEN", "value": "/prod/api-token", "type": "PARAMETER_STORE"}]
    cb.create_project(name="leaky-build", serviceRole=role, **leaky)

    # builds: 3 recent, 1 older than the lookback; phases rewritten to a known timeline. moto's
    # batch_get_builds re-randomises phases and endTime on every read: serve the stored builds as is.
    backend = codebuild_backends[ACCT][REGION]
    backend.batch_get_builds = lambda ids: [  # type: ignore[method-assign]
        b for history in backend.build_metadata_history.values() for b in history if b["id"] in ids]
    timeline = {"SUBMITTED": 2, "QUEUED": 20, "PROVISIONING": 90, "BUILD": 1000, "POST_BUILD": 200, "COMPLETED": 0}
    for age_days in [1, 2, 3, LOOKBACK + 5]:
        build = cb.start_build(projectName="refarch-build")["build"]
        meta = next(m for m in backend.build_metadata_history["refarch-build"] if m["id"] == build["id"])
        start = NOW - timedelta(days=age_days)
        t = start
        phases = []
        for phase, secs in timeline.items():
            phases.append({"phaseType": phase, "phaseStatus": "SUCCEEDED", "startTime": iso(t),
                           "endTime": iso(t + timedelta(seconds=secs)), "durationInSeconds": secs})
            t += timedelta(seconds=secs)
        meta.update(startTime=iso(start), endTime=iso(t), phases=phases, buildStatus="SUCCEEDED")

    # pipelines: a V2 QUEUED one and a V1 one; executions oldest first (moto lists newest first by insertion)
    cp = s.client("codepipeline", endpoint_url=moto_url)
    stages = [
        {"name": "Source", "actions": [{"name": "Src", "actionTypeId": {"category": "Source", "owner": "AWS",
         "provider": "S3", "version": "1"}, "configuration": {"S3Bucket": "bucket", "S3ObjectKey": "k"},
         "outputArtifacts": [{"name": "src"}]}]},
        {"name": "Build", "actions": [{"name": "Build", "actionTypeId": {"category": "Build", "owner": "AWS",
         "provider": "CodeBuild", "version": "1"}, "configuration": {"ProjectName": "refarch-build"},
         "inputArtifacts": [{"name": "src"}], "outputArtifacts": [{"name": "img"}]}]},
        {"name": "Deploy", "actions": [{"name": "Deploy", "actionTypeId": {"category": "Deploy", "owner": "AWS",
         "provider": "CodeDeployToECS", "version": "1"}, "configuration": {}, "inputArtifacts": [{"name": "img"}],
         "runOrder": 1}]},
    ]
    cp.create_pipeline(pipeline={"name": "web", "roleArn": role, "pipelineType": "V2", "executionMode": "QUEUED",
                                 "artifactStore": {"type": "S3", "location": "bucket"}, "stages": stages})
    cp.create_pipeline(pipeline={"name": "api", "roleArn": role, "artifactStore": {"type": "S3", "location": "bucket"},
                                 "stages": stages})
    cp_backend = codepipeline_backends[ACCT][REGION]
    ages = [LOOKBACK + 10 - i for i in range(EXECUTIONS_OUT)] + \
        [LOOKBACK - 1 - i * (LOOKBACK - 2) / EXECUTIONS_IN for i in range(EXECUTIONS_IN)]
    for name in ("web", "api"):
        for j, age in enumerate(ages):
            eid = cp.start_pipeline_execution(name=name)["pipelineExecutionId"]
            ex = cp_backend.pipelines[name].executions[eid]
            ex.start_time = (NOW - timedelta(days=age)).replace(tzinfo=None)
            ex.last_update_time = ex.start_time + timedelta(minutes=85 + j)

    # CodeDeploy: ECS blue/green with a 60-minute termination wait; deployments with real times
    cd = s.client("codedeploy", endpoint_url=moto_url)
    cd.create_application(applicationName="web", computePlatform="ECS")
    cd.create_deployment_group(
        applicationName="web", deploymentGroupName="web-bg", serviceRoleArn=role,
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 60},
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}},
        ecsServices=[{"serviceName": "web", "clusterName": "fintech"}])
    cd.create_application(applicationName="legacy", computePlatform="Server")
    cd.create_deployment_group(applicationName="legacy", deploymentGroupName="in-place", serviceRoleArn=role)
    cd_backend = codedeploy_backends[ACCT][REGION]
    for age in (2, 5, LOOKBACK + 3):
        did = cd.create_deployment(applicationName="web", deploymentGroupName="web-bg")["deploymentId"]
        dep = cd_backend.deployments[did]
        dep.create_time = (NOW - timedelta(days=age)).replace(tzinfo=None)
        dep.start_time = dep.create_time + timedelta(seconds=10)
        dep.complete_time = dep.start_time + timedelta(minutes=72)
        dep.status = "Succeeded"
    return {"projects": projects}


@pytest.fixture(scope="module")
def snapshot(moto_collect: Any, seeded: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    repo = tmp_path_factory.mktemp("repo")
    (repo / ".github" / "workflows").mkdir(parents=True)
    for name in ("gha-dimagi-open-chat-studio-deploy-ecs.yml", "gha-actions-starter-deploy-to-ecs.yml"):
        (repo / ".github" / "workflows" / name).write_bytes((CICD / name).read_bytes())
    return moto_collect(ACCT, pipelines, tmp_path_factory.mktemp("out"), github_repo=repo,
                        collect={"lookback_days": LOOKBACK})


def test_pipelines_and_executions_over_http(snapshot: Any) -> None:
    p = snapshot.table("pipelines").set_index("name")
    assert sorted(p.index) == ["api", "web"]
    assert (p.loc["web", "pipeline_type"], p.loc["web", "execution_mode"]) == ("V2", "QUEUED")
    assert (p.loc["api", "pipeline_type"], p.loc["api", "execution_mode"]) == ("V1", "SUPERSEDED")
    assert p.loc["web", "stage_count"] == 3
    assert loads(p.loc["web", "stages"])[2]["actions"][0]["provider"] == "CodeDeployToECS"
    ex = snapshot.table("pipeline_executions")
    # every execution inside the lookback, none outside, none lost to moto's page-size truncation
    assert ex.groupby("pipeline").size().to_dict() == {"api": EXECUTIONS_IN, "web": EXECUTIONS_IN}
    cutoff = NOW - timedelta(days=LOOKBACK)
    assert (ex["start"] >= cutoff).all()
    assert ex["duration_s"].between(85 * 60, 100 * 60).all()
    assert set(ex["account_id"]) == {ACCT} and set(ex["region"]) == {REGION}


def test_build_projects_from_real_templates(snapshot: Any, seeded: dict[str, Any]) -> None:
    bp = snapshot.table("build_projects").set_index("name")
    copilot = bp.loc["copilot-build"]
    assert copilot["cache_type"] == "LOCAL" and loads(copilot["cache_modes"]) == ["LOCAL_DOCKER_LAYER_CACHE"]
    assert copilot["privileged_mode"] and copilot["compute_type"] == "BUILD_GENERAL1_SMALL"
    assert copilot["image"] == "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
    assert pd.isna(copilot["docker_build"])  # its buildspec is a file in the repository
    refarch = bp.loc["refarch-build"]
    assert refarch["cache_type"] == "NO_CACHE" and refarch["docker_build"] and not refarch["buildspec_layer_cache"]
    assert refarch["image"] == "aws/codebuild/docker:17.09.0" and refarch["env_var_count"] == 2
    leaky = bp.loc["leaky-build"]
    assert loads(leaky["plaintext_secret_names"]) == ["DB_PASSWORD"]  # PARAMETER_STORE refs are fine
    assert leaky["env_var_count"] == 3


def test_secret_values_never_reach_the_snapshot(snapshot: Any) -> None:
    root = Path(snapshot.path)
    blobs = [gzip.decompress(p.read_bytes()) for p in root.rglob("*.json.gz")]
    blobs += [p.read_bytes() for p in root.rglob("*.parquet")]
    assert any(b"DB_PASSWORD" in b for b in blobs)
    assert not any(b"s3cr3t-Value-That-Must-Not-Leak" in b for b in blobs)


def test_builds_and_phases(snapshot: Any) -> None:
    b = snapshot.table("builds")
    assert len(b) == 3  # the fourth is older than the lookback
    assert set(b["project"]) == {"refarch-build"}
    assert set(b["status"]) == {"SUCCEEDED"}  # moto completes every build when it is read
    for _, row in b.iterrows():
        phases = loads(row["phases"])
        assert phases == {"SUBMITTED": 2, "QUEUED": 20, "PROVISIONING": 90, "BUILD": 1000, "POST_BUILD": 200,
                          "COMPLETED": 0}
        assert row["duration_s"] == sum(phases.values())


def test_deployment_groups_and_deployments(snapshot: Any) -> None:
    g = snapshot.table("deployment_groups").set_index("group")
    bg = g.loc["web-bg"]
    assert (bg["deployment_type"], bg["termination_wait_min"], bg["ready_action"]) == ("BLUE_GREEN", 60, "CONTINUE_DEPLOYMENT")
    assert loads(bg["ecs_services"]) == ["fintech/web"] and bg["compute_platform"] == "ECS"
    assert g.loc["in-place", "deployment_type"] == "IN_PLACE"
    assert pd.isna(g.loc["in-place", "termination_wait_min"]) or g.loc["in-place", "termination_wait_min"] != 60
    d = snapshot.table("deployments")
    assert len(d) == 2 and set(d["group"]) == {"web-bg"}
    assert (d["duration_s"] == 72 * 60).all() and set(d["status"]) == {"Succeeded"}


def test_github_workflows_table(snapshot: Any) -> None:
    gw = snapshot.table("github_workflows").set_index("path")
    assert len(gw) == 2
    dimagi = gw.loc[".github/workflows/gha-dimagi-open-chat-studio-deploy-ecs.yml"]
    assert dimagi["build_cache"] and loads(dimagi["cache_kinds"]) == ["gha"] and dimagi["deploys_to_ecs"]
    assert set(gw["region"]) == {"global"} and set(gw["account_id"]) == {ACCT}


def test_coverage_records_every_declared_call(snapshot: Any) -> None:
    cov = snapshot.table("coverage")
    ok = cov[cov["status"] == "ok"]
    called = set(zip(cov["service"], cov["operation"], strict=True))
    declared = set(pipelines.OPERATIONS)
    # raw moto lacks ListActionExecutions; everything else answers
    assert declared - {("codepipeline", "ListActionExecutions")} <= set(zip(ok["service"], ok["operation"], strict=True))
    assert ("codepipeline", "ListActionExecutions") in called
    na = cov[(cov["operation"] == "ListActionExecutions")]
    assert set(na["status"]) == {"not_implemented"}


def test_missing_github_repo_is_recorded_not_fatal(moto_collect: Any, seeded: dict[str, Any], tmp_path: Path) -> None:
    snap = moto_collect(ACCT, pipelines, tmp_path / "out", strict=False, github_repo=tmp_path / "nope")
    cov = snap.table("coverage")
    problem = cov[cov["operation"] == "collect:pipelines"]
    assert len(problem) == 1 and "github_repo" in problem["message"].iloc[0]
    assert problem["region"].iloc[0] == "global"
    assert len(snap.table("pipelines")) == 2  # the regional part still ran


def test_parse_functions_do_not_mutate_input() -> None:
    body = json.loads((EXAMPLES / "codebuild.BatchGetProjects.awscli.json").read_text())
    before = copy.deepcopy(body)
    for p in body["projects"]:
        pipelines.parse_build_project(p)
    assert body == before


# ------------------------------------------------------------------ the simulated estate
@pytest.fixture(scope="module")
def estate_snapshots(collect_demo: Any) -> dict[str, Any]:
    from awsassess.demo.estate import ACCOUNTS

    return {acct.name: collect_demo(acct, pipelines) for acct in ACCOUNTS}


@pytest.mark.parametrize("acct_name", ["fintech-staging", "fintech-production"])
def test_estate_counts_and_story(estate_snapshots: dict[str, Any], acct_name: str) -> None:
    from awsassess.demo.estate import ACCOUNTS, expected_counts

    acct = next(a for a in ACCOUNTS if a.name == acct_name)
    want = expected_counts(acct)
    snap = estate_snapshots[acct_name]
    assert len(snap.table("pipelines")) == want["pipelines"]
    assert len(snap.table("build_projects")) == want["build_projects"]
    assert len(snap.table("deployment_groups")) == want["deployment_groups"]
    ex = snap.table("pipeline_executions")
    assert len(ex) == want["pipeline_executions"]
    assert (ex.groupby("pipeline").size() == acct.pipeline_executions).all()
    # the story: ~1.5 h per deploy, docker build without layer cache, a 60-minute blue/green wait
    assert 75 * 60 <= ex["duration_s"].median() <= 105 * 60
    bp = snap.table("build_projects")
    assert bp["docker_build"].all() and not bp["buildspec_layer_cache"].any() and set(bp["cache_type"]) == {"NO_CACHE"}
    dg = snap.table("deployment_groups")
    assert set(dg["termination_wait_min"]) == {acct.timing.termination_wait_min}
    assert set(dg["deployment_type"]) == {"BLUE_GREEN"}
    builds = snap.table("builds")
    assert len(builds) == want["pipeline_executions"]
    phases = builds["phases"].map(loads)
    assert all(abs(sum(p.values()) - d) < 1 for p, d in zip(phases, builds["duration_s"], strict=True))
    deployments = snap.table("deployments")
    assert len(deployments) == want["pipeline_executions"]  # one CodeDeploy deployment per execution
    assert (deployments["duration_s"] >= acct.timing.termination_wait_min * 60).all()
    actions = snap.table("pipeline_action_executions")
    assert set(actions["execution_id"]) == set(ex["execution_id"])  # every execution has its stages
    assert set(actions["stage"]) == {"Source", "Build", "Deploy"}
    deploy = actions[actions["provider"] == "CodeDeployToECS"]["duration_s"]
    assert deploy.min() >= acct.timing.termination_wait_min * 60  # the wait dominates the deploy stage
    cov = snap.table("coverage")
    assert set(cov["status"]) == {"ok"}, cov[cov["status"] != "ok"].to_dict("records")
