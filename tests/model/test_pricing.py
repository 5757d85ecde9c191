"""Price catalog: package rows, cache override, missing prices (all listed), refresh over HTTP."""

from __future__ import annotations

import csv
import dataclasses
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import boto3
import pytest
from awsassess.pricing import (
    MissingPriceError,
    PriceCatalog,
    PriceLookup,
    price_list_documents,
    refresh,
    show,
)
from awsassess.pricing.catalog import COLUMNS
from awsassess.pricing.refresh import filter_documents, parse_price, query_for_row
from paths import REPO

DATA = REPO / "lib" / "awsassess" / "pricing" / "data" / "prices.csv"


def test_every_package_row_is_well_formed() -> None:
    with DATA.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and list(rows[0]) == COLUMNS
    keys = [(r["service"], r["item"], r["region"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate (service, item, region)"
    for r in rows:
        assert r["confidence"] in {"A", "B", "C"}, r
        assert float(r["usd"]) >= 0, r
        assert r["source"] and r["as_of"] and r["unit"], r


def test_golden_prices_from_pricing_facts() -> None:
    c = PriceCatalog.package()
    assert c.price("AmazonEC2", "nat_gateway_hour", "us-east-1").usd == 0.045
    assert c.price("AmazonEC2", "nat_gateway_hour", "eu-central-1").confidence == "C"
    assert c.price("AWSELB", "alb_hour", "us-east-1").usd == 0.0225
    assert c.price("AmazonECS", "fargate_vcpu_hour:x86_64", "us-east-1").usd == 0.04048
    assert c.price("AmazonElastiCache", "node_hour:valkey:cache.m6g.large", "us-east-1").usd == 0.1192
    # an all-regions row answers for any region, with its own row
    ipv4 = c.price("AmazonVPC", "public_ipv4_hour", "eu-west-1")
    assert (ipv4.usd, ipv4.region) == (0.005, "*")
    assert round(14 * 730 * c.price("AmazonEC2", "nat_gateway_hour", "us-east-1").usd, 2) == 459.90


def test_missing_price_raises_naming_it() -> None:
    c = PriceCatalog.package()
    with pytest.raises(MissingPriceError) as err:
        c.price("AmazonEC2", "instance_hour:x9.huge", "us-east-1")
    assert "instance_hour:x9.huge" in str(err.value)
    assert "prices refresh" in str(err.value)
    # sa-east-1 has no EC2 row at all in the shipped catalog: missing, never zero
    assert c.find("AmazonEC2", "instance_hour:m6g.large", "sa-east-1") is None


def test_lookup_collects_every_missing_price_then_raises_once() -> None:
    lookup = PriceLookup(PriceCatalog.package())
    assert lookup.get("AmazonEC2", "instance_hour:x9.huge", "us-east-1", "a") is None
    assert lookup.get("AmazonEC2", "nat_gateway_hour", "us-east-1") is not None
    assert lookup.get("AmazonRDS", "instance_hour:oracle-ee:db.x2.big", "eu-west-1", "b") is None
    assert lookup.get("AmazonEC2", "instance_hour:x9.huge", "us-east-1", "again") is None
    with pytest.raises(MissingPriceError) as err:
        lookup.raise_missing()
    missing = {(m.service, m.item, m.region) for m in err.value.missing}
    assert missing == {("AmazonEC2", "instance_hour:x9.huge", "us-east-1"),
                       ("AmazonRDS", "instance_hour:oracle-ee:db.x2.big", "eu-west-1")}
    assert "2 price(s) missing" in str(err.value)


def test_cache_overrides_package_rows_with_its_date(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text(
        "service,item,region,unit,usd,source,as_of,confidence\n"
        "AmazonEC2,nat_gateway_hour,us-east-1,per NAT gateway-hour,0.05,Price List API,2026-11-20,A\n"
        "AmazonEC2,instance_hour:m6g.large,eu-west-1,per instance-hour,0.086,Price List API,2026-11-20,A\n")
    c = PriceCatalog.load(tmp_path)
    row = c.price("AmazonEC2", "nat_gateway_hour", "us-east-1")
    assert (row.usd, row.as_of, row.origin) == (0.05, "2026-11-20", "cache")
    assert c.price("AmazonEC2", "instance_hour:m6g.large", "eu-west-1").usd == 0.086
    assert c.price("AWSELB", "alb_hour", "us-east-1").origin == "package"
    assert c.cache_as_of == "2026-11-20"


def test_bad_cache_row_names_file_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text(
        "service,item,region,unit,usd,source,as_of,confidence\nAmazonEC2,x,us-east-1,h,cheap,s,2026,A\n")
    with pytest.raises(ValueError, match=r"prices.csv: line 2: usd='cheap'"):
        PriceCatalog.load(tmp_path)


def test_low_confidence_and_show(tmp_path: Path) -> None:
    c = PriceCatalog.package()
    low = c.low_confidence()
    assert low and all(r.confidence == "C" for r in low)
    assert ("AmazonRDS", "instance_hour:postgres:db.m6g.large", "us-east-1") in {r.key for r in low}
    df = show(region="eu-west-1", service="amazonec2", cache_dir=str(tmp_path))
    assert set(df["region"]) <= {"eu-west-1", "*"} and set(df["service"]) == {"AmazonEC2"}


def test_documents_round_trip_through_the_parser() -> None:
    c = PriceCatalog.package()
    docs = price_list_documents(c.rows.values(), ["us-east-1"])
    for key in [("AmazonEC2", "instance_hour:m7g.large", "us-east-1"),
                ("AWSDataTransfer", "internet_out_gb:next_40tb", "us-east-1"),
                ("AmazonDynamoDB", "rru_million", "us-east-1"),
                ("AmazonCloudFront", "https_requests_10k", "north-america")]:
        q = query_for_row(*key)
        assert q is not None
        found = filter_documents(docs, q.service_code, q.request_filters(key[2]))
        usd, _ = parse_price(found, q)
        assert usd == pytest.approx(c.price(*key).usd), key


# ----------------------------------------------------------------------------- refresh over HTTP
class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def pricing_endpoint() -> Iterator[tuple[str, list[str]]]:
    """A Price List Query API endpoint (JSON 1.1 over HTTP) answering from catalog-built documents,
    with prices of eu-west-1 marked up 10% so a refresh visibly changes them."""
    rows = [r for r in PriceCatalog.package().rows.values()
            if r.region in ("us-east-1", "*") or r.service == "AmazonCloudFront"]
    docs = price_list_documents(rows, ["us-east-1"])
    eu = price_list_documents([dataclasses.replace(r, region="eu-west-1") if r.region == "us-east-1" else r
                               for r in rows if r.region in ("us-east-1", "*")], ["eu-west-1"])
    for d in eu:
        if d["product"]["attributes"].get("regionCode") == "eu-west-1":
            for term in d["terms"]["OnDemand"].values():
                for dim in term["priceDimensions"].values():
                    dim["pricePerUnit"]["USD"] = repr(float(dim["pricePerUnit"]["USD"]) * 1.1)
            docs.append(d)
    calls: list[str] = []

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
        calls.append(environ.get("HTTP_X_AMZ_TARGET", ""))
        found = filter_documents(docs, body["ServiceCode"], body.get("Filters", []))
        start = int(body.get("NextToken") or 0)
        size = int(body.get("MaxResults") or 100)
        reply = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(d) for d in found[start:start + size]]}
        if start + size < len(found):
            reply["NextToken"] = str(start + size)
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1")])
        return [json.dumps(reply).encode()]

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", calls
    finally:
        server.shutdown()


def test_refresh_writes_a_dated_cache_that_overrides_the_package(pricing_endpoint, tmp_path: Path) -> None:
    url, calls = pricing_endpoint
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    package = PriceCatalog.package()
    subset = PriceCatalog({k: r for k, r in package.rows.items()
                           if r.service in ("AmazonEC2", "AmazonCloudFront", "GitHubActions", "AmazonDynamoDB")})
    result = refresh(url, regions=["us-east-1", "eu-west-1"], cache_dir=tmp_path, session=session, catalog=subset)
    assert calls and all(c == "AWSPriceListService.GetProducts" for c in calls)
    assert result.path == tmp_path / "prices.csv" and result.path.is_file()
    assert not result.not_found
    assert ("GitHubActions", "runner_minute:linux_2core") in result.skipped  # not an AWS price
    c = PriceCatalog.load(tmp_path)
    nat = c.price("AmazonEC2", "nat_gateway_hour", "us-east-1")
    assert (nat.usd, nat.confidence, nat.origin) == (0.045, "A", "cache")
    # the EU gap is filled from the API, with the API's (marked-up) price, not copied from us-east-1
    eu = c.price("AmazonEC2", "instance_hour:m6g.large", "eu-west-1")
    assert eu.usd == pytest.approx(0.077 * 1.1) and eu.origin == "cache"
    assert c.price("AmazonCloudFront", "data_out_gb:next_40tb", "north-america").usd == pytest.approx(0.08)
    assert c.price("AmazonDynamoDB", "rru_million", "us-east-1").usd == pytest.approx(0.125)  # per unit x 1e6
    assert str(result).startswith(str(tmp_path / "prices.csv"))
    # a second refresh of one region keeps the other region's cached rows
    refresh(url, regions=["us-east-1"], cache_dir=tmp_path, session=session, catalog=subset)
    assert PriceCatalog.load(tmp_path).find("AmazonEC2", "instance_hour:m6g.large", "eu-west-1") is not None


@pytest.mark.slow
def test_refresh_against_the_simulated_estate(demo_estate, tmp_path: Path) -> None:
    result = refresh(demo_estate.endpoint_url, regions=["us-east-1"], cache_dir=tmp_path,
                     session=demo_estate.session("222222222222"))
    c = PriceCatalog.load(tmp_path)
    assert not result.not_found
    assert c.price("AmazonEC2", "nat_gateway_hour", "us-east-1").origin == "cache"
