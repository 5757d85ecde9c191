"""The model's two steps: propose (quantities, no prices) and price (the catalog's rows, recorded as used)."""

from __future__ import annotations

import dataclasses
import json
import math

import pandas as pd
import pytest
from awsassess.model import assess, price, propose
from awsassess.model.architecture import Charge, ProposedArchitecture
from awsassess.model.assumptions import ModelAssumptions
from awsassess.model.costing import Coster, lines_frame
from awsassess.model.pipeline_time import pipeline_time
from awsassess.model.proposed import Proposer
from awsassess.pricing import PriceCatalog
from demo_snapshots import demo_model, demo_snapshot


def _proposed(lines: pd.DataFrame) -> list[tuple[str, str, float, str]]:
    p = lines[lines["scenario"] == "proposed"]
    return sorted((r.resource_id, r.item, round(float(r.monthly_usd), 6), r.price_key) for r in p.itertuples())


@pytest.mark.parametrize("name", ["production", "staging"])
def test_a_saved_plan_prices_to_the_model_s_proposed_lines(name: str) -> None:
    """model.json's proposed architecture, read back and priced again, gives the same lines: the plan is
    the quantities, and pricing it needs nothing else."""
    model = demo_model(name)
    saved = json.loads(json.dumps(model.to_dict(), default=str))["proposed_architecture"]
    arch = ProposedArchitecture.from_dict(saved)
    assert arch.charges == model.proposed.charges and len(arch.charges) > 20
    c = Coster(demo_snapshot(name), model.assumptions, PriceCatalog.package())
    price(arch, c)
    assert _proposed(lines_frame(c.lines)) == _proposed(model.lines)


@pytest.mark.parametrize("name", ["production", "staging"])
def test_propose_is_pure_and_records_no_price(name: str) -> None:
    snap, a, catalog = demo_snapshot(name), ModelAssumptions(), PriceCatalog.package()
    ptm = pipeline_time(snap, a)
    first, second = propose(snap, a, catalog, ptm), propose(snap, a, catalog, ptm)
    assert first.to_dict() == second.to_dict()
    fields = {f.name for f in dataclasses.fields(Charge)}
    assert not fields & {"usd", "unit_price_usd", "monthly_usd", "price_source", "confidence"}


@pytest.mark.parametrize("name", ["production", "staging"])
def test_every_price_used_prices_a_line(name: str) -> None:
    """Options compared while proposing (Fargate vs EC2 types, CloudFront plans, data-store classes) are
    peeked, not used: the model's price list holds only rows that price one of its lines."""
    model = demo_model(name)
    keyed = set(model.lines["price_key"])
    unused = [r.key for r in model.prices_used if "/".join(r.key) not in keyed]
    assert unused == []


def test_a_plan_prices_at_another_catalog_without_proposing_again() -> None:
    """Pricing is a step of its own: the same plan at prices twice as high costs exactly twice as much."""
    model = demo_model("production")
    base = PriceCatalog.package()
    doubled = PriceCatalog(rows={k: dataclasses.replace(r, usd=r.usd * 2) for k, r in base.rows.items()})
    c = Coster(demo_snapshot("production"), model.assumptions, doubled)
    lines = lines_frame(price(model.proposed, c))
    assert float(lines["monthly_usd"].sum()) == pytest.approx(2 * model.total("proposed"))


def test_the_flat_rate_cdn_plan_leaves_no_pay_as_you_go_charge() -> None:
    arch = demo_model("production").proposed
    flat = [d for d in arch.distributions if d.plan.startswith("flat-rate")]
    assert flat, "the demo's production traffic fits a flat-rate plan"
    cdn = [ch for ch in arch.charges if ch.domain == "cdn"]
    assert [ch.price_item for ch in cdn] == [f"flat_rate_month:{flat[0].plan.split()[-1]}"]


def test_the_recorder_keeps_to_the_proposed_scenario_and_lists_gaps() -> None:
    p = Proposer(demo_snapshot("staging"), ModelAssumptions(), PriceCatalog.package())
    with pytest.raises(ValueError, match="'current'"):
        p.add("current", "network", "x", "r", "us-east-1", 1.0, "hours", "AmazonEC2", "nat_gateway_hour")
    gap = p.add("proposed", "network", "x", "r", "us-east-1", math.nan, "hours", "AmazonEC2", "nat_gateway_hour")
    assert gap.unpriced == "quantity unknown"
    assert math.isnan(p.quote([gap]))
    c = Coster(demo_snapshot("staging"), ModelAssumptions(), PriceCatalog.package())
    assert price(ProposedArchitecture("1", "n", "staging", [], charges=[gap]), c) == []
    assert [u.reason for u in c.unpriced] == ["quantity unknown"]


def test_quote_and_price_agree() -> None:
    """The price a choice is made on (quote) is the price the line then carries."""
    model = demo_model("staging")
    p = Proposer(demo_snapshot("staging"), model.assumptions, PriceCatalog.package())
    quoted = p.quote([ch for ch in model.proposed.charges if not ch.unpriced])
    assert quoted == pytest.approx(model.total("proposed"))
    assert assess(demo_snapshot("staging")).total("proposed") == pytest.approx(model.total("proposed"))
