"""Each offline check fails on a defect planted in a copy of a good kit (so a passing check means something),
and the kit folder is replaced atomically; a generator failure is reported, never raised."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from awsassess.iac import IacKit, write_for_analysis, write_kit
from awsassess.iac.check import (
    CheckResult,
    check_action_pins,
    check_fmt,
    check_references,
    check_schema,
    check_workflow_schema,
    check_zizmor,
    parse_dir,
)
from awsassess.model import assess
from iac_helpers import Kit, add_network, add_pipeline, add_services, make_kit, parse
from snapshots_factory import SnapshotBuilder

pytestmark = pytest.mark.heavy  # about 12 s: check-jsonschema and zizmor run once per planted defect


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """Two services behind a public load balancer, an RDS instance and a pipeline: written, not checked."""
    b = SnapshotBuilder(environment="production", name="good")
    add_services(b, ["web", "api"], vpc="vpc-0g00d", subnets=add_network(b, "vpc-0g00d", "g"))
    add_pipeline(b, "web")
    b.add("db_instances", db_instance_id="good-db", engine="postgres", engine_version="15.4",
          instance_class="db.m5.large", multi_az=False, storage_type="gp2", allocated_gb=100,
          publicly_accessible=False, status="available", cluster_id="")
    return make_kit(b.build(), tmp_path_factory.mktemp("good") / "iac", run_checks=False)


def plant(good: Kit, tmp_path: Path, rel: str, pattern: str, replacement: str) -> Path:
    """A copy of the good kit with the first match of ``pattern`` in ``rel`` replaced; returns the copy."""
    dst = tmp_path / "iac"
    shutil.copytree(good.iac, dst)
    path = dst / rel
    text = path.read_text()
    changed, n = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert n == 1, f"{pattern!r} not found in {rel}"
    path.write_text(changed)
    return dst


def failed_with(result: CheckResult, *needles: str) -> None:
    assert result.status == "failed", result
    for needle in needles:
        assert any(needle in p for p in result.problems), (needle, result.problems)


def tf_checks(iac: Path) -> dict[str, CheckResult]:
    parsed = parse(iac / "terraform")
    return {"schema": check_schema(parsed), "references": check_references(parsed),
            "fmt": check_fmt(iac / "terraform")}


def test_the_good_kit_passes_every_check(good: Kit) -> None:
    """The baseline: what the tests below plant is what makes a check fail."""
    for name, result in tf_checks(good.iac).items():
        assert result.status == "ok", (name, result)
    wf = good.iac / "github-actions"
    assert len(list(wf.glob("*.yml"))) == 2
    for result in (check_action_pins(wf), check_workflow_schema(wf), check_zizmor(wf)):
        assert result.status == "ok", result


# ----------------------------------------------------------------------------------------- schema
def test_unknown_module_input(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/services.tf", r"^(  name\s+= each\.key)$", r"\1\n  nmae = each.key")
    failed_with(tf_checks(iac)["schema"], "module ecs_service: 'nmae' is not an input of "
                                          "terraform-aws-modules/ecs/aws//modules/service")


def test_unknown_key_in_an_object_of_a_map_of_objects(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/load_balancers.tf", r"^(\s+)name_prefix(\s+)=", r"\1nmae_prefix\2=")
    failed_with(tf_checks(iac)["schema"], "module alb_public: target_groups[web]: 'nmae_prefix' is not an "
                                          "attribute of target_groups")




@pytest.mark.parametrize(("rel", "pattern", "replacement", "needle"), [
    ("terraform/services.tf", r"^(\s+)rollback(\s+)= true", r"\1rollbakc\2= true",
     "'rollbakc' is not an attribute of deployment_circuit_breaker"),
    ("terraform/load_balancers.tf", r"^(\s+)matcher(\s+)=", r"\1matchr \2=",
     "'matchr' is not an attribute of target_groups.health_check"),
], ids=["object-argument", "object-in-a-map-of-objects"])
def test_unknown_scalar_key_in_an_object_argument(good: Kit, tmp_path: Path, rel: str, pattern: str,
                                                  replacement: str, needle: str) -> None:
    failed_with(tf_checks(plant(good, tmp_path, rel, pattern, replacement))["schema"], needle)


def test_unknown_resource_argument(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/datastores.tf", r"^(\s+)instance_class(\s+)=", r"\1instance_klass\2=")
    failed_with(tf_checks(iac)["schema"], "aws_db_instance.good_db: 'instance_klass' is not an argument of "
                                          "aws_db_instance")


def test_unknown_argument_of_a_nested_block(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/github.tf", r"^(\s+)scan_on_push = true", r"\1scan_on_pusj = true")
    failed_with(tf_checks(iac)["schema"], "image_scanning_configuration.'scan_on_pusj'")


def test_a_module_version_that_is_not_the_pinned_one(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/network.tf", r'version = "[0-9.]+"', 'version = "1.0.0"')
    failed_with(tf_checks(iac)["schema"], "module vpc: version '1.0.0'")


# ----------------------------------------------------------------------------------------- references
@pytest.mark.parametrize(("rel", "pattern", "replacement", "needle"), [
    ("terraform/services.tf", r"var\.container_images", "var.container_imagez",
     "var.container_imagez is not declared"),
    ("terraform/ecs.tf", r"local\.cluster_name", "local.cluster_nmae", "local.cluster_nmae is not declared"),
    ("terraform/datastores.tf", r"module\.vpc\.vpc_id", "module.vcp.vpc_id", "module.vcp is not declared"),
    ("terraform/datastores.tf", r"= aws_security_group\.datastores\.id", "= aws_security_group.datastorez.id",
     "aws_security_group.datastorez is not declared"),
    ("terraform/outputs.tf", r"module\.vpc\.vpc_id", "module.vpc.vpc_identifier",
     "module.vpc.vpc_identifier is not an output of that module"),
], ids=["var", "local", "module", "resource", "module-output"])
def test_a_reference_to_nothing(good: Kit, tmp_path: Path, rel: str, pattern: str, replacement: str,
                                needle: str) -> None:
    failed_with(tf_checks(plant(good, tmp_path, rel, pattern, replacement))["references"], needle)


def test_a_reference_to_nothing_in_the_provider_block(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/providers.tf", r"var\.region", "var.regoin")
    failed_with(tf_checks(iac)["references"], "var.regoin is not declared")


def test_each_outside_for_each(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/datastores.tf", r'(resource "aws_security_group" "datastores" \{[\s\S]*?'
                r'description\s+= )"[^"]*"', r"\1each.key")
    failed_with(tf_checks(iac)["references"], "aws_security_group.datastores: each.key outside a for_each")


def test_an_escaped_dollar_brace_is_not_a_reference(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/datastores.tf", r'(description\s+= )"Data stores[^"]*"',
                r'\1"cache for $${var.nope} and $${local.nothing}"')
    assert check_fmt(iac / "terraform").status == "ok"
    assert tf_checks(iac)["references"].status == "ok"


# ----------------------------------------------------------------------------------------- fmt
def test_misaligned_equals(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/variables.tf", r"^  type(\s+)= string", "  type = string")
    failed_with(tf_checks(iac)["fmt"], "variables.tf: not in terraform fmt layout")
    assert tf_checks(iac)["schema"].status == "ok"  # only the layout is wrong


def test_a_file_terraform_cannot_parse_fails_fmt(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "terraform/datastores.tf", r'(description\s+= )"Data stores[^"]*"', r'\1"bad \\b"')
    assert not parse_dir(iac / "terraform")[1]  # python-hcl2 reads it
    assert check_fmt(iac / "terraform").status == "failed"


# ----------------------------------------------------------------------------------------- workflows
def test_an_action_pinned_by_tag(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "github-actions/deploy-web.yml", r"actions/checkout@[0-9a-f]{40}( # \S+)?",
                "actions/checkout@v5")
    failed_with(check_action_pins(iac / "github-actions"), "deploy-web.yml: deploy step 1 (actions/checkout): "
                                                            "pinned to 'v5', not a full commit SHA")


def test_an_action_pinned_to_an_unknown_commit(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "github-actions/deploy-api.yml", r"(docker/build-push-action@)[0-9a-f]{40}",
                r"\g<1>" + "0" * 40)
    failed_with(check_action_pins(iac / "github-actions"), "is not the known release commit")


def test_a_with_key_the_action_does_not_declare(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "github-actions/deploy-web.yml", r"^(\s+)persist-credentials: false$",
                r"\1persist-credentials: false\n\1fetch-dpeth: 1")
    failed_with(check_action_pins(iac / "github-actions"), "'fetch-dpeth' is not an input of actions/checkout")


def test_a_workflow_schema_error(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "github-actions/deploy-api.yml", r"^    steps:$", "    stepz:")
    result = check_workflow_schema(iac / "github-actions")
    assert result.status == "failed" and all("deploy-api.yml" in p for p in result.problems), result
    assert check_action_pins(iac / "github-actions").status == "ok"  # the pin check does not see it




def test_zizmor_finds_persisted_credentials(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "github-actions/deploy-web.yml", r"^\s+with:\n\s+persist-credentials: false\n", "")
    assert check_action_pins(iac / "github-actions").status == "ok"
    failed_with(check_zizmor(iac / "github-actions"), "artipacked")


def test_zizmor_finds_a_template_injection(good: Kit, tmp_path: Path) -> None:
    iac = plant(good, tmp_path, "github-actions/deploy-web.yml", r"^(\s+)- name: Read the running task definition$",
                r'\1- name: Show the commit\n\1  run: echo "${{ github.event.head_commit.message }}"\n\n'
                r"\1- name: Read the running task definition")
    assert check_action_pins(iac / "github-actions").status == "ok"
    failed_with(check_zizmor(iac / "github-actions"), "template-injection")


# ----------------------------------------------------------------------------------------- atomic write
def _listing(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_write_kit_keeps_the_previous_folder_when_checking_raises(good: Kit, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    account = tmp_path / "acct"
    shutil.copytree(good.iac, account / "iac")
    (account / "iac" / "previous.txt").write_text("the kit of the last run")
    before = _listing(account / "iac")

    def explode(iac_dir: Path) -> list[CheckResult]:
        assert (iac_dir / "README.md").is_file()  # the new files were written beside, then checking failed
        raise RuntimeError("checker crashed")

    monkeypatch.setattr("awsassess.iac.check.check_kit", explode)
    with pytest.raises(RuntimeError, match="checker crashed"):
        write_kit(good.kit, account / "iac", arch=good.model.proposed, waves=good.model.migration)
    assert _listing(account / "iac") == before
    assert sorted(p.name for p in account.iterdir()) == ["iac"]  # no .iac-* staging folder left


def test_write_kit_replaces_the_whole_folder(good: Kit, tmp_path: Path) -> None:
    account = tmp_path / "acct"
    (account / "iac" / "terraform").mkdir(parents=True)
    (account / "iac" / "terraform" / "stale.tf").write_text("# from an older kit\n")
    write_kit(good.kit, account / "iac", run_checks=False)
    assert not (account / "iac" / "terraform" / "stale.tf").exists()
    assert set(_listing(account / "iac")) == set(good.kit.files) | {"checks.json"}
    assert sorted(p.name for p in account.iterdir()) == ["iac"]


def test_a_generator_failure_is_reported_not_raised(good: Kit, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> IacKit:
        raise KeyError("no such subnet in the proposal")

    monkeypatch.setattr("awsassess.iac.build_kit", explode)
    iac = tmp_path / "acct" / "iac"
    shutil.copytree(good.iac, iac)  # a previous kit is replaced by the failure note
    model = assess(good.snap, {})
    kit = write_for_analysis(good.snap, iac, [], model, production=True)
    readme = (iac / "README.md").read_text()
    assert "not generated" in readme and "failed" in readme and "KeyError" in readme
    assert "no such subnet in the proposal" in readme
    checks = json.loads((iac / "checks.json").read_text())
    assert checks == kit.checks and len(checks) == 1
    assert checks[0]["check"] == "generation" and checks[0]["status"] == "failed"
    assert "no such subnet in the proposal" in checks[0]["detail"]
    assert sorted(p.name for p in iac.iterdir()) == ["README.md", "checks.json"]
    assert sorted(p.name for p in iac.parent.iterdir()) == ["iac"]
