"""GitHub Actions workflow and CodeBuild buildspec analysis against real public CI definitions
(``tests/fixtures/shared-testdata/cicd``, provenance in its README)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from awsassess.collect.github import analyse_buildspec, analyse_commands, parse_workflow, scan_repository
from paths import FIXTURES

CICD = FIXTURES / "shared-testdata" / "cicd"

# The README's "Docker layer caching?" column, as (docker_build, build_cache, cache kinds, deploys to ECS).
# growthbook (current) caches implicitly through Depot's remote builders: the README lists
# `depot/build-push-action` among the caching signals an analyser should detect.
WORKFLOW_MATRIX = {
    "gha-actions-starter-deploy-to-ecs.yml": (True, False, [], True),
    "gha-dimagi-open-chat-studio-deploy-ecs.yml": (True, True, ["gha"], True),
    "gha-growthbook-deploy-ecs.yml": (True, True, ["depot"], True),
    "gha-growthbook-deploy-ecs-2022.yml": (True, True, ["docker-layer-caching"], True),
    "gha-cds-snc-sre-bot-build-and-deploy.yml": (True, False, [], True),
}


def test_matrix_covers_every_workflow_fixture() -> None:
    assert sorted(p.name for p in CICD.glob("gha-*.yml")) == sorted(WORKFLOW_MATRIX)


@pytest.mark.parametrize("name", sorted(WORKFLOW_MATRIX))
def test_workflow_caching_matrix(name: str) -> None:
    row = parse_workflow((CICD / name).read_text(), name)
    docker_build, build_cache, kinds, deploys = WORKFLOW_MATRIX[name]
    assert row["docker_build"] is docker_build
    assert row["build_cache"] is build_cache
    assert json.loads(row["cache_kinds"]) == kinds
    assert row["deploys_to_ecs"] is deploys


def test_workflow_details_starter() -> None:
    row = parse_workflow((CICD / "gha-actions-starter-deploy-to-ecs.yml").read_text(), "deploy.yml")
    assert row["name"] == "Deploy to Amazon ECS"
    assert json.loads(row["triggers"]) == ["push"]  # YAML 1.1 reads `on:` as True: handled
    assert row["jobs"] == 1
    uses = json.loads(row["uses"])
    assert "aws-actions/amazon-ecs-deploy-task-definition" in uses
    assert all("@" not in u for u in uses)


def test_workflow_details_dimagi_and_growthbook() -> None:
    dimagi = parse_workflow((CICD / "gha-dimagi-open-chat-studio-deploy-ecs.yml").read_text(), "d.yml")
    assert json.loads(dimagi["triggers"]) == ["workflow_dispatch", "workflow_run"]
    assert "docker/setup-buildx-action" in json.loads(dimagi["uses"])
    growthbook = parse_workflow((CICD / "gha-growthbook-deploy-ecs.yml").read_text(), "g.yml")
    assert growthbook["jobs"] == 3
    # setup-node without `cache:` is not a cache; the 2022 version deploys with `aws ecs update-service`
    assert "dependencies" not in json.loads(growthbook["cache_kinds"])
    old = parse_workflow((CICD / "gha-growthbook-deploy-ecs-2022.yml").read_text(), "g.yml")
    assert "aws-actions/amazon-ecs-deploy-task-definition" not in json.loads(old["uses"])
    assert old["deploys_to_ecs"] is True


def test_scan_repository_reads_workflows_from_a_checkout(tmp_path: Path) -> None:
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    for name in WORKFLOW_MATRIX:
        shutil.copy(CICD / name, wf / name)
    shutil.copy(CICD / "gha-cds-snc-sre-bot-build-and-deploy.yml", wf / "sre.yaml")  # .yaml too
    (wf / "broken.yml").write_text("jobs: [unclosed\n")
    (wf / "not-a-workflow.yml").write_text("just: a mapping\n")
    rows, problems = scan_repository(tmp_path)
    assert len(rows) == 6
    assert {r["path"] for r in rows} >= {".github/workflows/sre.yaml",
                                          ".github/workflows/gha-dimagi-open-chat-studio-deploy-ecs.yml"}
    assert sorted(p.path for p in problems) == [".github/workflows/broken.yml",
                                                ".github/workflows/not-a-workflow.yml"]
    assert "not valid YAML" in next(p.message for p in problems if p.path.endswith("broken.yml"))


def test_scan_repository_errors_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="github_repo"):
        scan_repository(tmp_path / "missing")
    assert scan_repository(tmp_path) == ([], [])  # a repo without workflows is fine


# ------------------------------------------------------------------------------ buildspecs
BUILDSPEC_MATRIX = {
    # file: (docker_build, layer cache in the buildspec)
    "buildspec-copilot-pipeline.gotmpl.yml": (True, False),  # `copilot svc package --upload-assets` builds
    "buildspec-copilot-env-pipeline.gotmpl.yml": (False, False),  # `copilot env package`: no image
    "buildspec-ecs-blueprints-rolling-imagedefinitions.yml": (True, False),
    "buildspec-ecs-bluegreen-container.yml": (True, False),
    "buildspec-ecs-fullstack-terraform-codedeploy.yml": (True, False),
}


def test_buildspec_matrix_covers_every_fixture() -> None:
    assert sorted(p.name for p in CICD.glob("buildspec-*.yml")) == sorted(BUILDSPEC_MATRIX)


@pytest.mark.parametrize("name", sorted(BUILDSPEC_MATRIX))
def test_buildspec_matrix(name: str) -> None:
    info = analyse_buildspec((CICD / name).read_text())
    assert info is not None
    assert (info.docker_build, info.layer_cache) == BUILDSPEC_MATRIX[name]
    assert info.deploys_to_ecs is False  # these hand over to CodePipeline/CodeDeploy


def test_buildspec_inline_in_a_real_codebuild_template() -> None:
    from cfn_yaml import load_file

    tpl = load_file(CICD / "codepipeline-cfn-ecs-refarch-continuous-deployment.yml")
    project = next(r for r in tpl["Resources"].values() if r["Type"] == "AWS::CodeBuild::Project")
    info = analyse_buildspec(project["Properties"]["Source"]["BuildSpec"])
    assert info is not None and info.parsed
    assert info.docker_build and not info.layer_cache


def test_buildspec_file_reference_and_go_template_fallback() -> None:
    assert analyse_buildspec("buildspec.yml") is None  # a path in the source: unknown
    assert analyse_buildspec("copilot/pipelines/phonetool-pipeline/buildspec.yml") is None
    assert analyse_buildspec("") is None and analyse_buildspec(None) is None
    # A Go template whose `{{ }}` breaks YAML is scanned as text
    text = (CICD / "buildspec-ecs-blueprints-rolling-imagedefinitions.yml").read_text()
    templated = "{{- if .Cache }}\n" + text + "{{- end }}\n"
    info = analyse_buildspec(templated)
    assert info is not None and not info.parsed and info.docker_build


def test_command_scanner_cache_flags_and_comments() -> None:
    # adding cache flags to the real blueprint command turns the cache on; comments are ignored
    scan = analyse_commands([
        "# docker build --cache-from type=gha .",
        "docker buildx build --cache-from type=registry,ref=$REPO:cache \\\n  --cache-to type=registry,mode=max -t x .",
        "docker build --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from $REPO_URL:latest -t $REPO_URL .",
    ])
    assert scan.docker_build
    assert scan.cache_kinds == {"registry", "inline"}
    assert not analyse_commands("# docker build .\necho done").docker_build
    assert analyse_commands("aws ecs update-service --cluster c --service s").deploys_to_ecs
    assert not analyse_commands("aws ecs describe-services --cluster c").deploys_to_ecs


def test_actions_cache_counts_only_on_docker_layer_paths() -> None:
    base = (CICD / "gha-actions-starter-deploy-to-ecs.yml").read_text()
    layer = base.replace(
        "    - name: Login to Amazon ECR\n",
        "    - uses: actions/cache@v4\n      with:\n        path: /tmp/.buildx-cache\n        key: x\n"
        "    - name: Login to Amazon ECR\n", 1)
    deps = base.replace(
        "    - name: Login to Amazon ECR\n",
        "    - uses: actions/cache@v4\n      with:\n        path: ~/.npm\n        key: x\n"
        "    - name: Login to Amazon ECR\n", 1)
    assert layer != base and deps != base
    row = parse_workflow(layer, "layer.yml")
    assert row["build_cache"] is True and json.loads(row["cache_kinds"]) == ["actions/cache"]
    row = parse_workflow(deps, "deps.yml")
    assert row["build_cache"] is False and json.loads(row["cache_kinds"]) == ["dependencies"]
