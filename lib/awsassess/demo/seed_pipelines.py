"""Seed CI/CD per service: CodePipeline V1 (CodeStar source -> CodeBuild -> CodeDeploy ECS blue/green),
the CodeBuild project (large, privileged, no cache, docker build without --cache-from) and the
CodeDeploy application + deployment group (60-minute termination wait), then 30 days of history
whose stage, build-phase and deployment times add up (PipelineTiming in estate.py).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from awsassess.demo.estate import APP, PipelineTiming
from awsassess.demo.seedkit import AccountState, Seeder, copilot_tags, stable_hex, stable_rng, tag_list
from awsassess.demo.sim.codebuild import fill_build_history
from awsassess.demo.sim.codedeploy import fill_codedeploy_ids, fill_deployment_history
from awsassess.demo.sim.codepipeline import fill_pipeline_history, fill_pipeline_times

BUILD_IMAGE = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
BUILDSPEC = """version: 0.2
env:
  variables:
    DOCKER_BUILDKIT: "0"
phases:
  install:
    commands:
      - curl -Lo copilot https://github.com/aws/copilot-cli/releases/download/v1.34.0/copilot-linux && chmod +x copilot
  pre_build:
    commands:
      - aws ecr get-login-password | docker login --username AWS --password-stdin $ECR_REGISTRY
  build:
    commands:
      - docker build -t $ECR_REPOSITORY:$CODEBUILD_RESOLVED_SOURCE_VERSION -f Dockerfile .
  post_build:
    commands:
      - docker push $ECR_REPOSITORY:$CODEBUILD_RESOLVED_SOURCE_VERSION
      - ./copilot svc package -n $SERVICE -e $ENVIRONMENT --output-dir ./infrastructure
      - printf '{"ImageURI":"%s"}' $ECR_REPOSITORY:$CODEBUILD_RESOLVED_SOURCE_VERSION > imageDetail.json
artifacts:
  files:
    - imageDetail.json
    - appspec.yaml
    - taskdef.json
"""
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                  "Principal": {"Service": "PLACEHOLDER"}}]}


def _role(iam: Any, name: str, service: str) -> str:
    trust = json.loads(json.dumps(TRUST).replace("PLACEHOLDER", service))
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _uuid(*parts: object) -> str:
    h = stable_hex(*parts, n=32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _deployment_id(*parts: object) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    n = int(stable_hex(*parts, n=16), 16)
    return "d-" + "".join(alphabet[(n >> (5 * i)) % 36] for i in range(9))


def seed_pipelines(seeder: Seeder, state: AccountState) -> None:
    acct, env, region = state.spec, state.env, state.spec.region
    iam = seeder.client("iam", state.account_id)
    pipeline_role = _role(iam, f"{APP}-{env}-pipeline-role", "codepipeline.amazonaws.com")
    build_role = _role(iam, f"{APP}-{env}-build-role", "codebuild.amazonaws.com")
    deploy_role = _role(iam, f"{APP}-{env}-codedeploy-role", "codedeploy.amazonaws.com")
    bucket = f"{APP}-{env}-pipeline-artifacts-{stable_hex(state.account_id, n=6)}"
    seeder.client("s3", state.account_id).create_bucket(Bucket=bucket)
    cb = seeder.client("codebuild", state.account_id)
    cd = seeder.client("codedeploy", state.account_id)
    cp = seeder.client("codepipeline", state.account_id)
    connection = (f"arn:aws:codestar-connections:{region}:{state.account_id}:connection/"
                  f"{_uuid(state.account_id, 'github')}")
    for svc in acct.services:
        name = f"{APP}-{env}-{svc.name}"
        tags = copilot_tags(env, svc.name)
        env_vars = [{"name": "ECR_REPOSITORY", "value": f"{state.account_id}.dkr.ecr.{region}.amazonaws.com/{APP}/{svc.name}",
                     "type": "PLAINTEXT"},
                    {"name": "ECR_REGISTRY", "value": f"{state.account_id}.dkr.ecr.{region}.amazonaws.com",
                     "type": "PLAINTEXT"},
                    {"name": "SERVICE", "value": svc.name, "type": "PLAINTEXT"},
                    {"name": "ENVIRONMENT", "value": env, "type": "PLAINTEXT"}]
        if env == "production" and svc.name == "web":  # the plaintext secret the build rule must find
            env_vars += [{"name": "DOCKERHUB_USERNAME", "value": "fintechci", "type": "PLAINTEXT"},
                         {"name": "DOCKERHUB_PASSWORD", "value": f"dckr_pat_{stable_hex('dockerhub', n=20)}",
                          "type": "PLAINTEXT"}]
        cb.create_project(
            name=name, description=f"Build {svc.name} for {env}", serviceRole=build_role, timeoutInMinutes=60,
            source={"type": "CODEPIPELINE", "location": f"{APP}/{svc.name}", "buildspec": BUILDSPEC},
            artifacts={"type": "CODEPIPELINE", "location": bucket},
            environment={"type": "LINUX_CONTAINER", "image": BUILD_IMAGE, "computeType": "BUILD_GENERAL1_LARGE",
                         "privilegedMode": True, "environmentVariables": env_vars,
                         "imagePullCredentialsType": "CODEBUILD"},
            cache={"type": "NO_CACHE"}, tags=tag_list(tags, "key", "value"))
        cd.create_application(applicationName=name, computePlatform="ECS", tags=tag_list(tags))
        lb = state.lbs[svc.name]
        cd.create_deployment_group(
            applicationName=name, deploymentGroupName=name, serviceRoleArn=deploy_role,
            deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
            deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            blueGreenDeploymentConfiguration={
                "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE",
                                                              "terminationWaitTimeInMinutes": acct.timing.termination_wait_min},
                "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}},
            autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
            loadBalancerInfo={"targetGroupPairInfoList": [{
                "targetGroups": [{"name": lb.tg_name}, {"name": f"{lb.tg_name[:29]}-b"}],
                "prodTrafficRoute": {"listenerArns": [lb.listener_arn]}}]},
            ecsServices=[{"serviceName": svc.name, "clusterName": state.cluster_name}], tags=tag_list(tags))
        fill_codedeploy_ids(state.account_id, region, name, name, _uuid(name, "app"), _uuid(name, "dg"))
        cp.create_pipeline(pipeline={
            "name": name, "roleArn": pipeline_role, "pipelineType": "V1", "version": 1,
            "artifactStore": {"type": "S3", "location": bucket},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "SourceCodeFor-" + svc.name, "runOrder": 1, "outputArtifacts": [{"name": "SCCheckoutArtifact"}],
                    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeStarSourceConnection",
                                     "version": "1"},
                    "configuration": {"ConnectionArn": connection, "FullRepositoryId": f"{APP}/{svc.name}",
                                      "BranchName": "main" if env == "production" else "develop",
                                      "OutputArtifactFormat": "CODE_ZIP"}}]},
                {"name": "Build", "actions": [{
                    "name": "Build", "runOrder": 1, "inputArtifacts": [{"name": "SCCheckoutArtifact"}],
                    "outputArtifacts": [{"name": "BuildOutput"}],
                    "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                    "configuration": {"ProjectName": name}}]},
                {"name": "Deploy", "actions": [{
                    "name": "DeployTo-" + env, "runOrder": 1, "inputArtifacts": [{"name": "BuildOutput"}],
                    "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeployToECS",
                                     "version": "1"},
                    "configuration": {"ApplicationName": name, "DeploymentGroupName": name,
                                      "TaskDefinitionTemplateArtifact": "BuildOutput",
                                      "AppSpecTemplateArtifact": "BuildOutput",
                                      "Image1ArtifactName": "BuildOutput", "Image1ContainerName": "IMAGE1_NAME"}}]},
            ]}, tags=tag_list(tags, "key", "value"))
        _seed_history(seeder, state, svc.name, name, connection)


def _seed_history(seeder: Seeder, state: AccountState, svc: str, name: str, connection: str) -> None:
    acct, region = state.spec, state.spec.region
    timing: PipelineTiming = acct.timing
    n = acct.pipeline_executions
    # inside a 30-day lookback with a day to spare: a collection made hours after seeding still sees all
    window = timedelta(days=29)
    spacing = window / n
    executions, builds, deployments = [], [], []
    rng = stable_rng(state.account_id, svc, "pipeline")
    created = seeder.days_ago(200)
    fill_pipeline_times(state.account_id, region, name, created, created + timedelta(days=3))
    for k in range(n):
        start = seeder.now - window + spacing * k + timedelta(minutes=rng.randint(0, int(spacing.total_seconds() // 120)))
        start = start.replace(microsecond=0)
        commit = stable_hex(state.account_id, svc, "commit", k, n=40)
        source_s = timing.source_s + rng.randint(-10, 10)
        phases = dict(timing.build_phases)
        phases["BUILD"] = int(timing.build_phases["BUILD"] * rng.uniform(0.5, 0.98))
        phases["PROVISIONING"] = timing.build_phases["PROVISIONING"] + rng.randint(-15, 15)
        install = int(timing.deploy_install_s * rng.uniform(0.8, 1.07))
        deploy_s = install + timing.deploy_shift_s + timing.termination_wait_min * 60
        src_start, src_end = start, start + timedelta(seconds=source_s)
        build_start = src_end
        build_id = f"{name}:{_uuid(name, 'build', k)}"
        phase_list, t = [], build_start
        for phase, secs in phases.items():
            end = t + timedelta(seconds=secs)
            entry: dict[str, Any] = {"phaseType": phase, "phaseStatus": "SUCCEEDED", "startTime": _iso(t),
                                     "durationInSeconds": secs}
            if phase != "COMPLETED":
                entry["endTime"] = _iso(end)
            else:
                entry.pop("phaseStatus")
                entry.pop("durationInSeconds")
            phase_list.append(entry)
            t = end
        build_end = t
        deploy_start, deploy_end = build_end, build_end + timedelta(seconds=deploy_s)
        state.extra.setdefault("deploy_starts", {}).setdefault(svc, []).append(deploy_start)
        dep_id = _deployment_id(name, k)
        ex_id = _uuid(name, "execution", k)
        builds.append(_build_record(state, name, build_id, k, build_start, build_end, phase_list, commit))
        deployments.append({"id": dep_id, "create": deploy_start, "start": deploy_start, "end": deploy_end,
                            "status": "Succeeded", "description": f"Deployment from CodePipeline {name}",
                            "revision": {"revisionType": "AppSpecContent", "appSpecContent": {
                                "sha256": stable_hex(dep_id, n=64)}}})
        actions = [
            _action(name, k, "Source", "SourceCodeFor-" + svc, "Source", "CodeStarSourceConnection", src_start,
                    src_end, commit, f"https://github.com/{APP}/{svc}/commit/{commit}", f"Merge pull request #{100 + k}"),
            _action(name, k, "Build", "Build", "Build", "CodeBuild", build_start, build_end, build_id,
                    f"https://console.aws.amazon.com/codebuild/home?region={region}#/builds/{build_id}/view/new", ""),
            _action(name, k, "Deploy", "DeployTo-" + state.env, "Deploy", "CodeDeployToECS", deploy_start, deploy_end,
                    dep_id, f"https://console.aws.amazon.com/codedeploy/home?region={region}#/deployments/{dep_id}",
                    "Deployment Succeeded"),
        ]
        executions.append({
            "id": ex_id, "start": start, "end": deploy_end, "status": "Succeeded", "actions": actions,
            "trigger": {"triggerType": "Webhook", "triggerDetail": connection},
            "revisions": [{"actionName": "SourceCodeFor-" + svc, "revisionId": commit,
                           "revisionSummary": json.dumps({"ProviderType": "GitHub",
                                                          "CommitMessage": f"Merge pull request #{100 + k}"}),
                           "revisionUrl": f"https://github.com/{APP}/{svc}/commit/{commit}"}],
        })
    fill_pipeline_history(state.account_id, region, name, executions)
    fill_build_history(state.account_id, region, name, builds)
    fill_deployment_history(state.account_id, region, name, name, deployments)


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _action(pipeline: str, k: int, stage: str, action: str, category: str, provider: str, start: datetime,
            end: datetime, external_id: str, url: str, summary: str) -> dict[str, Any]:
    return {"action_execution_id": _uuid(pipeline, stage, k), "stage": stage, "action": action,
            "category": category, "owner": "AWS", "provider": provider, "version": "1", "start": start, "end": end,
            "status": "Succeeded", "external_id": external_id, "external_url": url, "summary": summary}


def _build_record(state: AccountState, project: str, build_id: str, k: int, start: datetime, end: datetime,
                  phases: list[dict[str, Any]], commit: str) -> dict[str, Any]:
    region = state.spec.region
    return {
        "id": build_id, "arn": f"arn:aws:codebuild:{region}:{state.account_id}:build/{build_id}",
        "buildNumber": k + 1, "startTime": _iso(start), "endTime": _iso(end), "currentPhase": "COMPLETED",
        "buildStatus": "SUCCEEDED", "sourceVersion": commit, "resolvedSourceVersion": commit,
        "projectName": project, "phases": phases,
        "source": {"type": "CODEPIPELINE", "buildspec": BUILDSPEC, "insecureSsl": False},
        "artifacts": {"location": ""}, "cache": {"type": "NO_CACHE"},
        "environment": {"type": "LINUX_CONTAINER", "image": BUILD_IMAGE, "computeType": "BUILD_GENERAL1_LARGE",
                        "privilegedMode": True, "imagePullCredentialsType": "CODEBUILD"},
        "logs": {"groupName": f"/aws/codebuild/{project}", "streamName": build_id.split(":")[1]},
        "timeoutInMinutes": 60, "queuedTimeoutInMinutes": 480, "buildComplete": True,
        "initiator": f"codepipeline/{project}",
    }
