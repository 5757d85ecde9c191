"""SEC-018 (a database snapshot anyone can restore) and SEC-019 (unencrypted manual snapshots)."""

from __future__ import annotations

import pytest
from awsassess.findings import evaluate
from snapshots_factory import SnapshotBuilder


def _snap(environment: str = "staging", **rows: dict[str, object]) -> object:
    b = SnapshotBuilder(environment=environment)
    for sid, row in rows.items():
        b.add("db_snapshots", snapshot_id=sid, kind="instance", source_id="db", engine="postgres",
              **{"snapshot_type": "manual", "encrypted": True, "public": False, "shared_with": [], **row})
    return b.build()


def _ids(snap: object, rule: str) -> list[list[str]]:
    return [f.resource_ids for f in evaluate(snap, rules=[rule])]  # type: ignore[arg-type]


def test_a_public_snapshot_is_high() -> None:
    snap = _snap(pub={"public": True, "encrypted": False}, private={})
    found = evaluate(snap, rules=["SEC-018"])  # type: ignore[arg-type]
    assert [f.resource_ids for f in found] == [["pub"]] and found[0].severity == "high"


def test_a_private_or_unreadable_snapshot_is_not_public() -> None:
    assert _ids(_snap(private={}, unknown={"public": None}, shared={"shared_with": ["111122223333"]}), "SEC-018") == []


def test_automated_snapshots_are_not_judged() -> None:
    assert _ids(_snap(auto={"snapshot_type": "automated", "public": True, "encrypted": False}), "SEC-018") == []
    assert _ids(_snap(auto={"snapshot_type": "automated", "encrypted": False}), "SEC-019") == []


@pytest.mark.parametrize(("environment", "shared", "severity"), [("staging", [], "medium"),
                                                                 ("staging", ["111122223333"], "high"),
                                                                 ("production", [], "high")])
def test_unencrypted_manual_snapshots(environment: str, shared: list[str], severity: str) -> None:
    snap = _snap(environment, plain={"encrypted": False, "shared_with": shared}, fine={}, unknown={"encrypted": None})
    found = evaluate(snap, rules=["SEC-019"])  # type: ignore[arg-type]
    assert [f.resource_ids for f in found] == [["plain"]] and found[0].severity == severity


def test_encrypted_snapshots_raise_nothing() -> None:
    snap = _snap(a={}, b={"shared_with": ["111122223333"]})
    assert _ids(snap, "SEC-018") == [] and _ids(snap, "SEC-019") == []
