"""An account outside us-east-1 is analysed completely: shipped regional prices, estimates marked, never a stop.

The simulated production snapshot is moved to eu-central-1 (every region column and the manifest), as an
estate there would be collected. Before the regional catalog and estimates, ``analyze`` stopped on
MissingPriceError and the account lost its findings, notebooks and report.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from awsassess.analyze import analyze
from awsassess.model.costing import COST_COLUMNS, EXTRA_COLUMNS
from awsassess.report.summary import headline, headline_html
from awsassess.snapshot import Snapshot
from demo_snapshots import demo_snapshot


def _moved(snapshot: Snapshot, region: str) -> Snapshot:
    tables = {}
    for name in snapshot.tables:
        df = snapshot.table(name).copy()
        for col in df.columns:
            if col == "region" or col.endswith("_region"):
                df[col] = df[col].replace("us-east-1", region)
            if col in ("availability_zone", "az") and df[col].dtype == object:
                df[col] = df[col].astype(str).str.replace("us-east-1", region, regex=False)
        tables[name] = df
    manifest = dict(snapshot.manifest, regions=[region], regions_collected=[region])
    return Snapshot(manifest=manifest, tables=tables)


@pytest.mark.heavy  # the whole analysis, written to disk, per region: make test, not the test-fast loop
@pytest.mark.parametrize("region", ["eu-central-1", "ap-southeast-2"])
def test_an_account_outside_us_east_1_gets_every_output_with_estimates_marked(region: str, tmp_path: Path) -> None:
    snap = _moved(demo_snapshot("production"), region)
    snap.save(tmp_path / "acct" / "snapshot")
    written = analyze(tmp_path / "acct" / "snapshot", tmp_path / "acct")
    assert {"findings.json", "costs.csv", "model.json"} <= {p.name for p in written.values()}

    costs = pd.read_csv(tmp_path / "acct" / "costs.csv")
    current = costs[costs["scenario"] == "current"]
    assert (current["region"] == region).any()
    regional = current[current["price_key"].str.endswith(f"/{region}", na=False)]
    assert len(regional) > 5, "the shipped regional rows price most lines directly"
    estimated = costs[costs["confidence"] == "estimated"]
    assert len(estimated) > 0
    assert estimated["price_source"].str.contains("regional factor").all()
    assert costs["monthly_usd"].notna().mean() > 0.9  # estimated or priced, not left out

    h = headline(tmp_path / "acct")
    assert h.current_monthly_usd and h.proposed_monthly_usd and h.estimated_lines == len(estimated)
    lead = str(headline_html(tmp_path / "acct"))
    assert f"{len(estimated)} cost line" in lead and "estimated" in lead  # said next to the headline


def test_prices_an_analysis_estimated_are_fetched_from_the_price_list_and_cached(
        demo_estate: object, tmp_path: Path) -> None:
    """The estimated and unpriced lines of costs.csv are asked from the Price List API (the simulated
    estate answers from the shipped catalog) with the account's credentials, and the found ones cached."""
    from awsassess.analyze import fetch_missing_prices
    from awsassess.demo.estate import ACCOUNTS
    from awsassess.demo_run import write_demo_params
    from awsassess.params import load_params_files
    from awsassess.pricing import PriceCatalog

    params = load_params_files(write_demo_params(demo_estate.endpoint_url, tmp_path / "params"))[0]  # type: ignore[attr-defined]
    assert params.name in {a.name for a in ACCOUNTS}
    acct = tmp_path / "acct"
    acct.mkdir()
    pd.DataFrame([
        {"price_key": "AmazonEC2/instance_hour:m6g.large/eu-west-1", "confidence": "estimated", "unit_price_usd": 0.08},
        {"price_key": "AmazonEC2/instance_hour:x9.huge/eu-west-1", "confidence": "", "unit_price_usd": float("nan")},
        {"price_key": "AmazonEC2/nat_gateway_hour/us-east-1", "confidence": "A", "unit_price_usd": 0.045},
    ], columns=[*COST_COLUMNS, *EXTRA_COLUMNS]).to_csv(acct / "costs.csv", index=False)  # every column analyze writes
    cache = tmp_path / "cache"
    result = fetch_missing_prices(acct, params, cache_dir=cache)
    assert result is not None and not result.errors
    assert [(r.item, r.region) for r in result.refreshed] == [("instance_hour:m6g.large", "eu-west-1")]
    assert ("AmazonEC2", "instance_hour:x9.huge", "eu-west-1") in result.not_found
    assert PriceCatalog.load(cache).find("AmazonEC2", "instance_hour:m6g.large", "eu-west-1").origin == "cache"
    pd.DataFrame([{"price_key": "AmazonEC2/nat_gateway_hour/us-east-1", "confidence": "A", "unit_price_usd": 0.045}],
                 columns=[*COST_COLUMNS, *EXTRA_COLUMNS]).to_csv(acct / "costs.csv", index=False)
    assert fetch_missing_prices(acct, params, cache_dir=cache) is None  # nothing missing: no call at all
