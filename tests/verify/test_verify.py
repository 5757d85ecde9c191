"""awsassess.verify on generated before/after snapshot pairs (no servers): waves, money, findings, inventory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from awsassess.assumptions import resolve
from awsassess.findings import write_findings
from awsassess.layout import AccountFolder
from awsassess.model import write_model
from awsassess.notebook import compute_analysis
from awsassess.snapshot import SCHEMA_VERSION, Snapshot
from awsassess.verify import Progress, VerifyError, verify_account, verify_pairs, write_progress
from awsassess.verify.waves import DONE, IN_PROGRESS, NOT_STARTED
from demo_snapshots import demo_model, demo_snapshot
from migrated import migrate

pytestmark = pytest.mark.heavy  # each test analyses generated accounts (about 1 s each): not in make test-fast


def web_vpc(model) -> str:  # noqa: ANN001
    return str(model.proposed.vpcs[0].name)


def _folder(root: Path, name: str, snap: Snapshot, analysed: bool = True) -> AccountFolder:
    acct = AccountFolder(root / name)
    copy = Snapshot(manifest=dict(snap.manifest), tables=dict(snap.tables))
    copy.save(acct.snapshot)
    if analysed:
        findings, model = compute_analysis(copy, resolve(None))
        write_findings(findings, acct.path)
        write_model(model, acct.path)
    return acct


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> AccountFolder:
    return _folder(tmp_path_factory.mktemp("before"), "fintech-production", demo_snapshot("production"))


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> AccountFolder:
    """The fully migrated account (read-only: tests that change it make their own)."""
    return _after(tmp_path_factory.mktemp("full"), None)


@pytest.fixture(scope="module")
def full_progress(before: AccountFolder, full: AccountFolder) -> Progress:
    return verify_account(before, full)


def _after(tmp_path: Path, waves: int | None, name: str = "fintech-production") -> AccountFolder:
    return _folder(tmp_path, name, migrate(demo_snapshot("production"), demo_model("production"), waves))


def test_full_migration_reads_every_wave_done(full_progress: Progress) -> None:
    p = full_progress
    assert [w.status for w in p.waves] == [DONE] * len(p.waves), [(w.name, w.checks) for w in p.waves]
    decommission = p.waves[-1]
    assert decommission.summary.startswith("VPCs 1 (plan 1, was 7); NAT gateways 2 (plan 2, was 14)")
    inv = {d.kind.table: d for d in p.inventory}
    assert sorted(inv["vpcs"].planned_removed) == sorted(
        f"fintech-production-{s}" for s in ("web", "api", "trading-engine", "wallet", "market-data",
                                            "notifications", "kyc"))
    assert inv["vpcs"].planned_added == [demo_model("production").proposed.vpcs[0].name]
    assert not inv["ecs_services"].unmatched_before and not inv["ecs_services"].removed
    changed = {c["resource"]: c["changes"] for c in inv["ecs_services"].changed}
    web = next(s for s in demo_model("production").proposed.services if s.name == "web")
    assert changed["web"]["cpu"] == [1024, web.cpu] and changed["web"]["vpc"][1] == web_vpc(demo_model("production"))
    assert inv["pipelines"].planned_removed and not inv["pipelines"].removed


def test_two_waves_read_as_exactly_the_first_two_done(before: AccountFolder, tmp_path: Path) -> None:
    p = verify_account(before, _after(tmp_path, 2))
    assert [w.status for w in p.waves[:2]] == [DONE, DONE]
    assert all(w.status == NOT_STARTED for w in p.waves[2:]), [(w.name, w.status) for w in p.waves]
    stores = p.waves[1]
    assert any("db.m5.large ->" in what and ok for what, ok in stores.checks)


def test_one_service_wave_in_progress(before: AccountFolder, tmp_path: Path) -> None:
    model = demo_model("production")
    snap = migrate(demo_snapshot("production"), model, 3)
    svc = snap.table("ecs_services").copy()
    moved = next(s for s in model.proposed.services if s.replaces[0] in model.migration[2].resources)
    svc.loc[svc["service_name"] == moved.name, "cpu"] = 4096  # one service of the wave moved at the wrong size
    snap.tables["ecs_services"] = svc
    p = verify_account(before, _folder(tmp_path, "fintech-production", snap))
    assert p.waves[2].status == IN_PROGRESS
    assert [ok for what, ok in p.waves[2].checks if what.startswith(moved.name)] == [False]


def test_money_compares_the_model_before_now_and_planned(full_progress: Progress) -> None:
    p = full_progress
    m = p.money
    model = demo_model("production")
    assert m["before_usd"] == pytest.approx(model.total("current"), abs=0.01)
    assert m["planned_usd"] == pytest.approx(model.total("proposed"), abs=0.01)
    assert m["promised_saving_usd"] == pytest.approx(m["before_usd"] - m["planned_usd"], abs=0.01)
    assert m["banked_saving_usd"] == pytest.approx(m["before_usd"] - m["now_usd"], abs=0.01)
    assert m["banked_saving_usd"] > 0 and m["moved"]
    assert m["bill"]["before_month"] == m["bill"]["now_month"]  # the generated after estate keeps the bill


def test_nothing_done_is_nothing_banked(before: AccountFolder, tmp_path: Path) -> None:
    p = verify_account(before, _after(tmp_path, 0))
    assert all(w.status == NOT_STARTED for w in p.waves)
    assert p.money["banked_saving_usd"] == pytest.approx(0.0, abs=0.01)
    assert {f["status"] for f in p.findings} == {"open"}
    assert all(not (d.added or d.removed or d.changed or d.unmatched_before) for d in p.inventory)


def test_findings_resolved_open_and_new(full_progress: Progress) -> None:
    p = full_progress
    status = {(f["rule_id"], tuple(f["resources"])): f["status"] for f in p.findings}
    # the peering mesh and the per-VPC NAT gateways are gone with the old VPCs
    assert {s for (rule, _), s in status.items() if rule in ("NET-001", "NET-002", "NET-003")} == {"resolved"}
    # public IPv4 addresses are still billed: the same concern on rebuilt (renamed) resources stays open
    ipv4 = [f for f in p.findings if f["rule_id"] == "NET-006"]
    assert [f["status"] for f in ipv4] == ["open"] and ipv4[0]["matched_by"].startswith("rule")
    assert any(s == "resolved" for s in status.values())
    # a finding on a service names it by what survives (its name), before and after
    refs = [r for f in p.findings for r in f["resources"] if r.startswith("ecs_services:")]
    assert refs and all(r.startswith("ecs_services:us-east-1/") for r in refs)


def test_a_regression_is_a_finding_back_after_it_was_resolved(before: AccountFolder, full_progress: Progress,
                                                              tmp_path: Path) -> None:
    model = demo_model("production")
    first = full_progress
    resolved = [f for f in first.findings if f["status"] == "resolved" and f["domain"] == "datastores"]
    assert resolved
    # months later the database is re-created at its old class: the waste is back
    snap = migrate(demo_snapshot("production"), model, None)
    db = snap.table("db_instances").copy()
    old = demo_snapshot("production").table("db_instances")
    for _, r in old.iterrows():
        db.loc[db["db_instance_id"] == r["db_instance_id"], "instance_class"] = r["instance_class"]
    snap.tables["db_instances"] = db
    again = verify_account(before, _folder(tmp_path / "again", "fintech-production", snap),
                           previous=first.to_dict())
    back = {(f["rule_id"], tuple(f["resources"])) for f in again.findings if f["status"] == "regressed"}
    assert {(f["rule_id"], tuple(f["resources"])) for f in resolved} & back
    assert again.waves[1].status != DONE  # the data-store wave no longer reads as done


def test_a_renamed_service_is_unmatched_not_removed_and_added(before: AccountFolder, tmp_path: Path) -> None:
    snap = migrate(demo_snapshot("production"), demo_model("production"), None)
    svc = snap.table("ecs_services").copy()
    svc.loc[svc["service_name"] == "kyc", "service_name"] = "identity"
    snap.tables["ecs_services"] = svc
    p = verify_account(before, _folder(tmp_path, "fintech-production", snap))
    inv = next(d for d in p.inventory if d.kind.table == "ecs_services")
    assert inv.unmatched_before == ["kyc"] and inv.unmatched_after == ["identity"]
    assert not inv.removed and not inv.added
    assert any(w.status == IN_PROGRESS for w in p.waves if w.name.startswith("Services"))


def test_two_accounts_are_refused(before: AccountFolder, tmp_path: Path) -> None:
    other = _folder(tmp_path, "fintech-staging", demo_snapshot("staging"), analysed=False)
    with pytest.raises(VerifyError, match="account 222222222222 .* account 111111111111"):
        verify_account(before, other)


def test_a_before_run_without_a_model_is_recomputed(full: AccountFolder, tmp_path: Path) -> None:
    bare = _folder(tmp_path / "b", "fintech-production", demo_snapshot("production"), analysed=False)
    p = verify_account(bare, full)
    assert not bare.model_json.exists()  # verify never writes into the baseline
    assert any("before model recomputed" in n for n in p.notes) and any("before findings" in n for n in p.notes)
    assert all(w.status == DONE for w in p.waves)


def test_an_older_snapshot_schema_is_read(before: AccountFolder, tmp_path: Path) -> None:
    after = _after(tmp_path, None)
    manifest = json.loads(after.manifest.read_text())
    manifest["schema_version"] = 2
    after.manifest.write_text(json.dumps(manifest))
    p = verify_account(before, after)
    assert any(f"schema {SCHEMA_VERSION} (before) and 2 (after)" in n for n in p.notes)


def test_a_newer_snapshot_schema_is_a_clear_error(before: AccountFolder, tmp_path: Path) -> None:
    after = _after(tmp_path, None)
    manifest = json.loads(after.manifest.read_text())
    manifest["schema_version"] = 99
    after.manifest.write_text(json.dumps(manifest))
    with pytest.raises(VerifyError, match="schema_version 99"):
        verify_account(before, after)


def test_progress_json_is_written_and_run_folders_pair_by_account(before: AccountFolder, tmp_path: Path) -> None:
    after = _after(tmp_path / "run2", None)
    _folder(tmp_path / "run2", "fintech-staging", demo_snapshot("staging"), analysed=False)
    pairs, skipped = verify_pairs(before.path.parent, tmp_path / "run2")
    assert [(b.name, a.name) for b, a in pairs] == [("fintech-production", "fintech-production")]
    assert skipped == [f"fintech-staging: only in {tmp_path / 'run2'}"]
    path = write_progress(verify_account(*pairs[0]), after)
    data = json.loads(path.read_text())
    assert data["schema_version"] == 1 and data["summary"]["waves_done"] == data["summary"]["waves"]
    assert set(data) >= {"waves", "money", "findings", "delivery", "inventory", "summary"}
