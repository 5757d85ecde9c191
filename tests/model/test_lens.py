"""The reliability and security lens on the proposal: every change states its effect, and the migration plan
carries every one that lowers a production resilience property."""

from __future__ import annotations

from awsassess.model import assess
from awsassess.model.lens import LOWERS
from awsassess.snapshot import Snapshot
from demo_snapshots import demo_model, demo_snapshot


def _risks(model) -> list[str]:  # noqa: ANN001
    return [r for w in model.migration for r in w.risks if r.startswith("Lowers production resilience")]


def test_production_keeps_multi_az_and_names_the_blue_green_trade() -> None:
    m = demo_model("production")
    changes = {e.change: e for e in m.effects}
    assert any(c.endswith("Multi-AZ kept (production)") for c in changes)
    bg = changes["CodeDeploy blue/green -> ECS rolling deployments"]
    assert bg.kind == LOWERS and bg.production_risk
    pipelines = next(w for w in m.migration if w.name.startswith("Pipelines"))
    assert any("blue/green" in r for r in pipelines.risks if r.startswith("Lowers production resilience"))
    assert "2 NAT gateways, one per AZ" in changes


def test_one_nat_for_two_azs_in_production_is_a_risk_of_the_network_wave() -> None:
    m = assess(demo_snapshot("production"), {"nat_per_az": False})
    nat = next(e for e in m.effects if "NAT gateway for" in e.change)
    assert nat.kind == LOWERS and nat.production_risk and "today each AZ has its own NAT gateway" in nat.effect
    wave = m.migration[0]
    assert any("NAT gateway for 2 AZs" in r for r in wave.risks)


def test_outside_production_lowering_is_stated_but_is_no_production_risk() -> None:
    snap = demo_snapshot("staging")
    db = snap.table("db_instances").copy()
    db.loc[db["engine"] == "postgres", "multi_az"] = True
    m = assess(Snapshot(manifest=dict(snap.manifest), tables={**snap.tables, "db_instances": db}))
    removed = next(e for e in m.effects if "Multi-AZ removed" in e.change)
    assert removed.kind == LOWERS and not removed.production_risk
    assert _risks(m) == []


def test_every_lowering_in_production_reaches_the_plan() -> None:
    for overrides in ({}, {"nat_per_az": False}):
        m = assess(demo_snapshot("production"), overrides)
        for e in m.effects:
            if e.production_risk:
                assert any(e.change in r for r in _risks(m)), e.change


def test_a_same_size_graviton_move_is_not_called_less_headroom() -> None:
    e = next(e for e in demo_model("production").effects if "db.m5.large -> db.m6g.large" in e.change)
    assert "same size" in e.effect
