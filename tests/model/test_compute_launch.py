"""How the proposed ECS services run (``model.compute_launch``: cheapest, fargate, ec2) and how much of the
proposed compute a Savings Plan covers (``model.savings_plan_coverage_pct``), on the hand-built demo snapshot.

The demo's production account keeps Fargate when the cheapest is taken (right-sized Fargate arm64 ~$793 a
month against ECS on EC2 m6g.xlarge x 8 ~$919); packed at 100% with no spare instance in one AZ, EC2
(m6g.2xlarge x 3, ~$682) is the cheaper one: both directions of the choice are forced here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from awsassess.assumptions import resolve
from awsassess.model import CostModel, assess
from awsassess.model.assumptions import ModelAssumptions
from awsassess.params import AccountParams
from awsassess.pricing.catalog import PriceCatalog
from demo_snapshots import demo_snapshot
from pydantic import ValidationError

#: ECS on EC2 packed tightly: cheaper than right-sized Fargate on the demo
TIGHT = {"utilisation_target": 1.0, "spare_instances": 0, "min_azs": 1}
_CATALOG: list[PriceCatalog] = []
_MODELS: dict[tuple[tuple[str, Any], ...], CostModel] = {}


def _model(**model: Any) -> CostModel:
    """The demo production account's model with these ``model`` assumptions (once per module and set)."""
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in model.items()))
    if key not in _MODELS:
        if not _CATALOG:
            _CATALOG.append(PriceCatalog.load())
        _MODELS[key] = assess(demo_snapshot("production"), resolve({"model": model}).model, catalog=_CATALOG[0])
    return _MODELS[key]


def _proposed_compute(model: CostModel) -> pd.DataFrame:
    lines = model.lines
    return lines[(lines["scenario"] == "proposed") & (lines["domain"] == "compute")]


def _options(model: CostModel) -> list[tuple[str, float]]:
    return sorted((o.label, round(o.monthly_usd, 6)) for c in model.proposed.clusters for o in c.options)


# --------------------------------------------------------------------------- compute_launch
def test_cheapest_keeps_fargate_on_the_demo() -> None:
    model = _model()
    (cluster,) = model.proposed.clusters
    assert cluster.launch == "FARGATE" and cluster.arch == "arm64" and cluster.instance_type == ""
    assert {s.launch for s in cluster.services} == {"FARGATE"}
    assert "is cheaper" in cluster.reason and "compute_launch" not in cluster.reason
    assert set(_proposed_compute(model)["item"]) == {"Fargate vCPU-hours (right-sized)", "Fargate GB-hours (right-sized)"}


def test_ec2_moves_every_cluster_to_ecs_on_ec2() -> None:
    cheapest, ec2 = _model(), _model(compute_launch="ec2")
    assert ec2.proposed.clusters
    for cluster in ec2.proposed.clusters:
        assert cluster.launch == "EC2" and cluster.instance_type and cluster.instances > 0
        assert {s.launch for s in cluster.services} == {"EC2"}
        assert cluster.capacity_provider is not None
        chosen = [o for o in cluster.options if o.chosen]
        assert len(chosen) == 1 and chosen[0].launch == "EC2" and chosen[0].instance_type == cluster.instance_type
        assert "by assumption (model.compute_launch: ec2)" in cluster.reason
        # priced as the option the table shows
        lines = _proposed_compute(ec2)
        assert lines["monthly_usd"].sum() == pytest.approx(chosen[0].monthly_usd, abs=0.01)
    assert set(_proposed_compute(ec2)["item"]) == {"EC2 container instance hours", "EC2 root volumes (gp3)"}
    # the options table still lists every option, priced as before; only the choice moved
    assert _options(ec2) == _options(cheapest)
    assert {o.launch for c in ec2.proposed.clusters for o in c.options} == {"FARGATE", "FARGATE_SPOT", "EC2"}
    assert ec2.summary["proposed_monthly_usd"] > cheapest.summary["proposed_monthly_usd"]  # EC2 costs more here


def test_fargate_keeps_fargate_when_ec2_is_cheaper() -> None:
    cheapest, fargate = _model(**TIGHT), _model(**TIGHT, compute_launch="fargate")
    assert [c.launch for c in cheapest.proposed.clusters] == ["EC2"]  # the premise: EC2 is the cheaper one
    assert "is cheapest" in cheapest.proposed.clusters[0].reason
    (cluster,) = fargate.proposed.clusters
    assert cluster.launch == "FARGATE" and {s.launch for s in cluster.services} == {"FARGATE"}
    assert "kept by assumption (model.compute_launch: fargate)" in cluster.reason
    assert "would be" in cluster.reason  # and what EC2 would cost
    chosen = [o for o in cluster.options if o.chosen]
    assert len(chosen) == 1 and chosen[0].launch == "FARGATE"
    assert _options(fargate) == _options(cheapest)
    assert not _proposed_compute(fargate)["item"].str.startswith("EC2").any()
    assert fargate.summary["proposed_monthly_usd"] > cheapest.summary["proposed_monthly_usd"]


def test_the_sensitivity_table_keeps_the_launch_choice() -> None:
    def choices(model: CostModel) -> set[str]:
        return {c.split()[0] for c in model.sensitivity["compute_choice"]}

    assert choices(_model(**TIGHT)) == {"EC2", "Fargate"}  # the choice moves with the utilisation target
    assert choices(_model(**TIGHT, compute_launch="fargate")) == {"Fargate"}
    assert choices(_model(compute_launch="ec2")) == {"EC2"}
    default = _model(compute_launch="ec2").sensitivity
    row = default[default["is_default"]].iloc[0]
    assert row["proposed_compute_usd"] == pytest.approx(_proposed_compute(_model(compute_launch="ec2"))
                                                        ["monthly_usd"].sum(), abs=0.01)


def test_ec2_without_an_ec2_option_says_why_and_keeps_fargate() -> None:
    """No ECS on EC2 option can be priced (Graviton families only, Graviton off): the services stay priced on
    Fargate and the cluster's reason names the assumption that could not be followed."""
    model = _model(compute_launch="ec2", allow_graviton=False, instance_families=["m6g", "m7g"])
    assert not [u for u in model.unpriced if u["domain"] == "compute" and "ECS" in str(u.get("item", ""))]
    assert all(c.launch == "FARGATE" for c in model.proposed.clusters)
    assert all("model.compute_launch is ec2, but no ECS on EC2 packing could be priced" in c.reason
               for c in model.proposed.clusters)
    assert _proposed_compute(model)["monthly_usd"].sum() > 0


# --------------------------------------------------------------------------- savings plan coverage
def test_savings_plan_multiplier() -> None:
    a = ModelAssumptions(savings_plans=True, savings_plan_discount_pct=20, savings_plan_coverage_pct=50)
    assert a.savings_plan_multiplier() == pytest.approx(0.9)  # 1 - 0.20 x 0.50
    assert a.savings_plan_multiplier(False) == 1.0
    assert ModelAssumptions(savings_plans=True).savings_plan_multiplier() == pytest.approx(0.8)  # 100% covered
    assert ModelAssumptions(savings_plans=True, savings_plan_coverage_pct=0).savings_plan_multiplier() == 1.0
    assert ModelAssumptions(savings_plan_coverage_pct=50).savings_plan_multiplier() == 1.0  # plan off
    assert ModelAssumptions(savings_plan_coverage_pct=50).savings_plan_multiplier(True) == pytest.approx(0.9)
    assert ModelAssumptions(savings_plans=True, savings_plan_discount_pct=66,
                            savings_plan_coverage_pct=25).savings_plan_multiplier() == pytest.approx(1 - 0.66 * 0.25)
    assert a.savings_plan_note() == "20% Compute Savings Plan assumption on 50% of compute"
    assert ModelAssumptions().savings_plan_note() == "20% Compute Savings Plan assumption"


def _by_line(model: CostModel) -> pd.Series:
    lines = _proposed_compute(model)
    return lines.set_index(["item", "resource_id"])["monthly_usd"].sort_index()


def test_coverage_scales_the_discount_on_the_fargate_lines() -> None:
    none = _by_line(_model())
    full = _by_line(_model(savings_plans=True))
    half = _by_line(_model(savings_plans=True, savings_plan_coverage_pct=50))
    assert len(none) == 14 and list(full.index) == list(none.index) == list(half.index)
    assert list(full) == pytest.approx(list(none * 0.8))
    assert list(half) == pytest.approx(list(none * 0.9))
    # half the coverage, half the discount's effect
    assert none.sum() - half.sum() == pytest.approx((none.sum() - full.sum()) / 2)
    src = _proposed_compute(_model(savings_plans=True, savings_plan_coverage_pct=50))["price_source"]
    assert src.str.contains("x 0.9 (20% Compute Savings Plan assumption on 50% of compute)", regex=False).all()


def test_coverage_applies_to_instance_hours_not_to_volumes() -> None:
    none = _by_line(_model(compute_launch="ec2"))
    half = _by_line(_model(compute_launch="ec2", savings_plans=True, savings_plan_coverage_pct=50))
    hours, volumes = "EC2 container instance hours", "EC2 root volumes (gp3)"
    assert half[hours].sum() == pytest.approx(none[hours].sum() * 0.9)
    assert none[volumes].sum() > 0
    assert half[volumes].sum() == pytest.approx(none[volumes].sum())


def test_coverage_changes_only_proposed_compute() -> None:
    none, half = _model(), _model(savings_plans=True, savings_plan_coverage_pct=50)
    for model in (none, half):
        assert model.lines["scenario"].isin(["current", "proposed"]).all()
    other = (none.lines["scenario"] == "current") | (none.lines["domain"] != "compute")
    other_half = (half.lines["scenario"] == "current") | (half.lines["domain"] != "compute")
    pd.testing.assert_frame_equal(none.lines[other].reset_index(drop=True), half.lines[other_half].reset_index(drop=True))
    saved = _by_line(none).sum() - _by_line(half).sum()
    assert saved > 0
    assert none.summary["proposed_monthly_usd"] - half.summary["proposed_monthly_usd"] == pytest.approx(saved, abs=0.02)


def test_zero_coverage_is_no_plan() -> None:
    none, zero = _model(), _model(savings_plans=True, savings_plan_coverage_pct=0)
    assert zero.summary == none.summary
    pd.testing.assert_series_equal(_by_line(zero), _by_line(none))
    assert (_proposed_compute(zero)["price_source"] == _proposed_compute(none)["price_source"]).all()  # no "x 1"


def test_the_sensitivity_table_uses_the_coverage() -> None:
    half = _model(savings_plans=True, savings_plan_coverage_pct=50).sensitivity
    for target, rows in half.groupby("utilisation_target"):
        off = rows[~rows["savings_plans"]].iloc[0]
        on = rows[rows["savings_plans"]].iloc[0]
        assert on["proposed_compute_usd"] == pytest.approx(off["proposed_compute_usd"] * 0.9, abs=0.01), target
    default = half[half["is_default"]]
    assert len(default) == 1 and bool(default["savings_plans"].iloc[0]) is True


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(("model", "key"), [
    ({"compute_launch": "spot"}, "model.compute_launch"),
    ({"compute_launch": "EC2"}, "model.compute_launch"),
    ({"savings_plan_coverage_pct": 150}, "model.savings_plan_coverage_pct"),
    ({"savings_plan_coverage_pct": -1}, "model.savings_plan_coverage_pct"),
])
def test_invalid_values_are_refused(model: dict[str, Any], key: str) -> None:
    with pytest.raises(ValidationError) as err:
        resolve({"model": model})
    assert key in str(err.value)
    with pytest.raises(ValidationError) as err:  # in a params file, before anything runs
        AccountParams.model_validate({"name": "acme-prod", "account_id": "123456789012", "regions": ["us-east-1"],
                                      "assumptions": {"model": model}})
    assert key in str(err.value) and "Fix:" in str(err.value)


@pytest.mark.parametrize("value", ["cheapest", "fargate", "ec2"])
def test_valid_launch_values(value: str) -> None:
    assert resolve({"model": {"compute_launch": value}}).model.compute_launch == value
    assert resolve({"model": {"savings_plan_coverage_pct": 0}}).model.savings_plan_coverage_pct == 0
    assert resolve({"model": {"savings_plan_coverage_pct": 100}}).model.savings_plan_coverage_pct == 100
