"""The exit kit of the two demo estates (hand-built snapshots, no server): written, checked with the real tools,
and read back with python-hcl2 and PyYAML against the model it was generated from."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from demo_snapshots import demo_snapshot
from iac_helpers import (
    CLIENT_INPUTS,
    Kit,
    assert_checks_pass,
    imports,
    local_services,
    make_kit,
    old_ids,
    resources,
    unq,
    variables,
)

hcl2 = pytest.importorskip("hcl2")
pytestmark = pytest.mark.heavy  # about 10 s: both demo kits written and checked with every tool

SHA = re.compile(r"^[0-9a-f]{40}$")


@pytest.fixture(scope="module", params=["production", "staging"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Kit:
    # checkov (~3 s) on the production kit only: staging has the same resource types
    return make_kit(demo_snapshot(request.param), tmp_path_factory.mktemp(f"kit-{request.param}") / "iac",
                    checkov=request.param == "production")


# ----------------------------------------------------------------------------------------- checks
def test_every_check_passes_with_the_real_tools(demo: Kit) -> None:
    by_check = {c["check"].split(": ", 1)[1]: c for c in demo.kit.checks}
    assert set(by_check) == {"parse (python-hcl2)", "schema (module inputs, provider arguments)", "references",
                             "terraform fmt", "checkov", "workflow actions (pinned SHAs, inputs)",
                             "workflow schema (GitHub, vendored)", "zizmor (offline)"}
    assert_checks_pass(demo.kit.checks, root_modules=1)
    assert json.loads((demo.iac / "checks.json").read_text()) == demo.kit.checks
    assert "## Offline checks" in demo.readme and "| terraform: terraform fmt | ok |" in demo.readme


def test_the_files_written_are_the_kit(demo: Kit) -> None:
    on_disk = {p.relative_to(demo.iac).as_posix() for p in demo.iac.rglob("*") if p.is_file()}
    assert on_disk == set(demo.kit.files) | {"checks.json"}
    for rel, text in demo.kit.files.items():
        assert (demo.iac / rel).read_text() == text
    assert [p.name for p in demo.iac.parent.iterdir()] == ["iac"]  # no staging or old folder left beside it


# ----------------------------------------------------------------------------------------- data stores
def _expected_imports(demo: Kit) -> set[str]:
    cluster_of = {r.db_instance_id: r.cluster_id for r in demo.snap.table("db_instances").itertuples()}
    out = set()
    for d in demo.model.proposed.datastores:
        if d.kind in ("rds", "elasticache", "dynamodb", "aurora"):
            out.add(d.id)
        elif d.kind == "docdb":
            out.add(cluster_of[d.id])
            if d.nodes:
                out.add(d.id)
    return out


def test_every_data_store_of_the_proposal_is_imported(demo: Kit) -> None:
    found = imports(demo.parsed)
    expected = _expected_imports(demo)
    assert {"rds", "docdb", "elasticache", "dynamodb"} <= {d.kind for d in demo.model.proposed.datastores}
    assert set(found) == expected
    assert {i for _, i, _ in demo.kit.modules[0].imports} == expected  # the README's table says the same
    assert all(f"| {i} |" in demo.readme for i in expected)
    removed = [d.id for d in demo.model.proposed.datastores if d.kind == "docdb" and not d.nodes]
    assert not set(removed) & set(found)


def test_every_imported_resource_prevents_destroy(demo: Kit) -> None:
    res = resources(demo.parsed)
    addresses = list(imports(demo.parsed).values())
    assert len(addresses) >= 5
    for address in addresses:
        rtype, name = address.split(".")
        body = res[(rtype, name)]
        (lifecycle,) = body["lifecycle"]
        assert lifecycle["prevent_destroy"] is True, address


_CLASS_ATTR = {"aws_db_instance": ("identifier", "instance_class"),
               "aws_docdb_cluster_instance": ("identifier", "instance_class"),
               "aws_rds_cluster_instance": ("identifier", "instance_class"),
               "aws_elasticache_replication_group": ("replication_group_id", "node_type"),
               "aws_elasticache_cluster": ("cluster_id", "node_type")}


def terraform_classes(parsed: dict) -> dict[str, str]:  # type: ignore[type-arg]
    """Data store id -> the class (node type, "R RCU / W WCU") the Terraform sets."""
    out = {}
    for (rtype, _), body in resources(parsed).items():
        if rtype in _CLASS_ATTR:
            ident, attr = _CLASS_ATTR[rtype]
            out[unq(body[ident])] = unq(body[attr])
        elif rtype == "aws_dynamodb_table" and unq(body["billing_mode"]) == "PROVISIONED":
            out[unq(body["name"])] = f"{body['read_capacity']:g} RCU / {body['write_capacity']:g} WCU"
    return out


def test_the_classes_are_the_models(demo: Kit) -> None:
    expected = {d.id: d.proposed_class for d in demo.model.proposed.datastores if d.proposed_class}
    assert len(expected) >= 4
    assert terraform_classes(demo.parsed) == expected
    tables = {unq(b["name"]): b for (t, _), b in resources(demo.parsed).items() if t == "aws_dynamodb_table"}
    for d in demo.model.proposed.datastores:
        if d.kind == "dynamodb":
            assert unq(tables[d.id]["billing_mode"]) == d.mode


# ----------------------------------------------------------------------------------------- services
def test_local_services_are_the_models_services(demo: Kit) -> None:
    services = local_services(demo.parsed)
    proposed = {s.name: s for s in demo.model.proposed.services}
    assert len(proposed) >= 5 and set(services) == set(proposed)
    for name, s in proposed.items():
        entry = services[name]
        assert (entry["cpu"], entry["memory"]) == (s.cpu, s.memory), name
        assert (entry["desired"], entry["min"], entry["max"]) == (s.desired, s.scaling.min_tasks, s.scaling.max_tasks)
    assert any(s.cpu != s.current_cpu for s in proposed.values())  # the right-sizing shows, not today's sizes


# ----------------------------------------------------------------------------------------- no old ids
def test_no_id_of_a_replaced_resource_is_in_any_tf_file(demo: Kit) -> None:
    old = old_ids(demo.snap)
    assert len(old) > 20
    files = sorted(demo.tf.glob("*.tf"))
    assert len(files) >= 8
    for path in files:
        text = path.read_text()
        leaked = [i for i in old if i in text]
        assert not leaked, (path.name, leaked[:5])


def test_the_account_id_is_only_in_allowed_account_ids(demo: Kit) -> None:
    account = demo.snap.account_id
    hits = [(p.name, line.strip()) for p in sorted(demo.tf.glob("*.tf")) for line in p.read_text().splitlines()
            if account in line]
    assert hits == [("providers.tf", f'allowed_account_ids = ["{account}"]')]


# ----------------------------------------------------------------------------------------- client inputs
def test_client_inputs_are_variables_without_default_and_in_the_example(demo: Kit) -> None:
    declared = variables(demo.parsed)
    example = hcl2.loads((demo.tf / "terraform.tfvars.example").read_text())
    for name in CLIENT_INPUTS:
        assert name in declared and "default" not in declared[name], name
        assert name in example, name
    required = {n for n, body in declared.items() if "default" not in body}
    assert required == set(CLIENT_INPUTS) == set(demo.kit.modules[0].variables)
    assert all(f"| `{n}` |" in demo.readme for n in CLIENT_INPUTS)


def test_every_map_example_satisfies_its_validation(demo: Kit) -> None:
    declared = variables(demo.parsed)
    example = hcl2.loads((demo.tf / "terraform.tfvars.example").read_text())
    checked = 0
    for name, body in declared.items():
        for validation in body.get("validation", []):
            wanted = re.search(r"setsubtract\((\[[^\]]*\]), keys\(var\." + name, validation["condition"])
            if wanted:
                checked += 1
                assert set(json.loads(wanted.group(1).replace('\\"', '"'))) <= set(example.get(name, {})), name
    assert checked >= 3


# ----------------------------------------------------------------------------------------- README
def test_the_readme_names_every_wave_with_its_rollback(demo: Kit) -> None:
    waves = demo.model.migration
    assert len(waves) >= 5
    for w in waves:
        assert f"**Wave {w.number}: {w.name}**" in demo.readme, w.name
        assert f"*Rollback:* {w.rollback}" in demo.readme, w.name
    assert demo.readme.count("*Rollback:*") == len(waves)
    positions = [demo.readme.index(f"**Wave {w.number}: ") for w in waves]
    assert positions == sorted(positions)


# ----------------------------------------------------------------------------------------- workflows
def test_one_pinned_workflow_per_service(demo: Kit) -> None:
    services = sorted(s.name for s in demo.model.proposed.services)
    files = sorted(p.name for p in (demo.iac / "github-actions").glob("*.yml"))
    assert files == sorted(f"deploy-{s}.yml" for s in services)
    uses = 0
    for name in files:
        doc = yaml.safe_load((demo.iac / "github-actions" / name).read_text())
        assert doc["env"]["ECS_SERVICE"] == name[len("deploy-"):-len(".yml")]
        for step in doc["jobs"]["deploy"]["steps"]:
            if "uses" in step:
                uses += 1
                assert SHA.match(step["uses"].partition("@")[2]), (name, step["uses"])
    assert uses >= 6 * len(files)
