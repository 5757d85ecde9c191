"""End to end: the simulated fintech estate -> collect_account -> the cost model (slow: starts the estate).

The model must find the seeded story from data: the bill within 10%, a saving of the order of the case
study, and a deploy of about an hour and a half predicted at about 17.5 minutes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from awsassess.model import assess, write_model

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def snapshots(demo_snapshots):  # type: ignore[no-untyped-def]
    return {env: demo_snapshots[env] for env in ("staging", "production")}


@pytest.fixture(scope="module")
def models(snapshots):  # type: ignore[no-untyped-def]
    return {env: assess(s, {"allow_missing_prices": True}) for env, s in snapshots.items()}


@pytest.mark.parametrize("env", ["staging", "production"])
def test_current_cost_within_ten_percent_of_the_simulated_bill(models, env: str) -> None:  # type: ignore[no-untyped-def]
    m = models[env]
    bill = m.summary["bill_monthly_usd"]
    assert bill and abs(m.total("current") - bill) / bill < 0.10


@pytest.mark.parametrize("env", ["staging", "production"])
def test_the_model_prices_every_line_it_has_a_quantity_for(models, env: str) -> None:  # type: ignore[no-untyped-def]
    m = models[env]
    assert not m.lines["monthly_usd"].isna().any()
    rec = m.reconciliation.set_index("service")
    for service in ("Amazon Elastic Container Service", "Amazon ElastiCache", "Amazon Virtual Private Cloud",
                    "Amazon Relational Database Service", "Amazon Elastic Load Balancing", "EC2 - Other"):
        assert rec.loc[service, "explained_pct"] == pytest.approx(100, abs=3), service
    # only the cluster volume of DocumentDB is unpriced (no VolumeBytesUsed / IOPs series collected)
    assert {u["item"] for u in m.unpriced} <= {"DocumentDB cluster storage", "DocumentDB cluster I/O"}


def test_production_story(models, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    m = models["production"]
    s = m.summary
    assert len(m.lines[(m.lines["scenario"] == "current") & (m.lines["item"] == "NAT gateway hours")]) == 14
    assert 25 <= s["saving_pct"] <= 50  # the case study saved ~35%
    assert 85 <= s["pipeline_now_min"] <= 100  # ~1.5 h per deploy
    assert 15 <= s["pipeline_predicted_min"] <= 20  # ~17.5 min after the changes
    arch = m.proposed
    assert len(arch.vpcs) == 1 and len(arch.vpcs[0].nat_gateways) == 2 and len(arch.load_balancers) == 2
    assert [w.name for w in m.migration if w.name.startswith("Services")][-1] == "Services: api"
    paths = write_model(m, tmp_path)
    assert paths["costs"].stat().st_size > 0 and paths["model"].stat().st_size > 0


def test_staging_story(models) -> None:  # type: ignore[no-untyped-def]
    m = models["staging"]
    assert m.summary["saving_pct"] > 25
    stg = {d.id: d for d in m.proposed.datastores}
    assert not stg["fintech-staging-postgres"].multi_az
    idle = m.lines[(m.lines["scenario"] == "current") & m.lines["item"].str.contains("idle")]
    assert len(idle) == 1  # the Elastic IP nobody uses
