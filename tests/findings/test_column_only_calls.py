"""A denied call that only adds a column (DescribeContinuousBackups: PITR) leaves that column unknown, never the
data stores unread: a client whose role predates the call keeps every data-store rule and figure."""

from __future__ import annotations

from awsassess import coverage
from awsassess.findings import evaluate, not_assessed
from awsassess.snapshot import Snapshot, empty_frame
from demo_snapshots import demo_snapshot


def _with_coverage(rows: list[dict[str, object]]) -> Snapshot:
    base = demo_snapshot("production")
    tables = dict(base.tables)
    tables["coverage"] = empty_frame("coverage", rows)
    return Snapshot(manifest=dict(base.manifest), tables=tables)


def _row(service: str, operation: str) -> dict[str, object]:
    return {"account_id": "222222222222", "region": "us-east-1", "service": service, "operation": operation,
            "status": "access_denied", "message": "AccessDenied: not authorized", "calls": 1}


def test_a_denied_pitr_call_is_reported_but_withholds_no_rule() -> None:
    snap = _with_coverage([_row("dynamodb", "DescribeContinuousBackups")])
    assert [p.operation for p in coverage.gaps(snap)] == ["DescribeContinuousBackups"]
    assert coverage.unread_tables(snap) == {} and coverage.unread_domains(snap) == {}
    assert not_assessed(snap) == []
    assert any(f.rule_id.startswith("DAT-") for f in evaluate(snap))


def test_a_denied_describe_still_withholds_the_data_store_rules() -> None:
    snap = _with_coverage([_row("dynamodb", "DescribeTable")])
    assert "dynamodb_tables" in coverage.unread_tables(snap)
    assert any(rule.startswith("DAT-") for rule, _ in not_assessed(snap))
