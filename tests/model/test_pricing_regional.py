"""Regional prices: the shipped import, regional factors, estimated lookups, and fetching missing prices."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import boto3
import pytest
from awsassess.pricing import (
    MissingPrice,
    MissingPriceError,
    PriceCatalog,
    PriceLookup,
    PriceRow,
    RegionalFactors,
    fetch_missing,
    price_list_documents,
    regional_factor,
)
from awsassess.pricing.catalog import COLUMNS
from awsassess.pricing.refresh import filter_documents
from awsassess.report.summary import parse_citation
from botocore.exceptions import ClientError
from paths import REPO

ROOT = REPO
DATA = ROOT / "lib" / "awsassess" / "pricing" / "data"
SCRIPT = ROOT / "scripts" / "import_regional_prices.py"
REFERENCE = ROOT.parent / "shared" / "reference" / "regional-prices.csv"
HEADER = ",".join(COLUMNS) + "\n"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_regional_prices", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- the shipped import
def test_shipped_regional_rows_are_well_formed_and_only_add() -> None:
    regional, curated = _csv(DATA / "regional_prices.csv"), _csv(DATA / "prices.csv")
    assert regional and list(regional[0]) == COLUMNS
    keys = [(r["service"], r["item"], r["region"]) for r in regional]
    assert len(keys) == len(set(keys))
    held = {(r["service"], r["item"], r["region"]) for r in curated}
    everywhere = {(r["service"], r["item"]) for r in curated if r["region"] == "*"}
    assert not set(keys) & held and not {k[:2] for k in keys} & everywhere
    sources = {r["key"] for r in _csv(DATA / "sources.csv")}
    for r in regional:
        assert r["confidence"] in {"A", "B", "C"} and float(r["usd"]) > 0 and r["unit"].startswith("per "), r
        assert "regional-prices.csv 2026-12-07" in r["source"], r
        assert re.fullmatch(r"\d{4}(-\d\d){0,2}|undated", r["as_of"]), r  # no parentheses: citations parse
        cited = re.findall(r"\bS\d+\b", r["source"])
        assert cited and set(cited) <= sources, r
    c = PriceCatalog.package()
    assert len(c) == len(curated) + len(regional)
    assert c.price("AWSELB", "alb_hour", "us-east-1").source.startswith("S3 infracost")  # curated row kept


def test_eu_rds_ec2_elasticache_are_priced_directly() -> None:
    lookup = PriceLookup(PriceCatalog.package(), estimate=False)
    expected = {
        ("AmazonRDS", "instance_hour:postgres:db.m5.large", "eu-west-1"): 0.197,
        ("AmazonRDS", "instance_hour:mysql:db.t3.medium", "eu-central-1"): None,
        ("AmazonEC2", "instance_hour:m6g.large", "eu-west-1"): 0.086,
        ("AmazonEC2", "instance_hour:t3.medium", "eu-central-1"): None,
        ("AmazonElastiCache", "node_hour:redis:cache.m5.large", "eu-central-1"): 0.186,
        ("AmazonElastiCache", "node_hour:valkey:cache.t4g.small", "eu-west-1"): None,
        ("AmazonECS", "fargate_vcpu_hour:x86_64", "eu-central-1"): 0.04656,
    }
    for key, usd in expected.items():
        row = lookup.get(*key)
        assert row is not None and row.region == key[2] and row.confidence in {"A", "B", "C"}, key
        assert row.origin == "package" and "regional-prices.csv" in row.source, key
        if usd is not None:
            assert row.usd == usd, key
    rds = lookup.used[("AmazonRDS", "instance_hour:postgres:db.m5.large", "eu-west-1")]
    assert (rds.unit, rds.as_of) == ("per instance-hour (Single-AZ)", "2021-08-03")
    assert rds.source.startswith("S41 VANTAGE_RDS")
    assert not lookup.missing and not lookup.estimated


def test_the_import_is_complete_against_the_reference() -> None:
    if not REFERENCE.is_file():
        pytest.skip(f"{REFERENCE} not present (the shared reference sits next to the repo); the shipped CSV "
                    "is checked by the other tests")
    mod = _script()
    reference = _csv(REFERENCE)
    plan = mod.plan(reference, _csv(DATA / "prices.csv"), mod.reference_date(REFERENCE))
    assert len(plan.imported) + len(plan.skipped) + len(plan.unmapped) == len(reference)
    assert all(o.reason in mod.UNMAPPED_REASONS for o in plan.unmapped)
    assert plan.rows() == _csv(DATA / "regional_prices.csv"), "re-run scripts/import_regional_prices.py"
    package = PriceCatalog.package()
    for o in plan.skipped:  # the curated row wins, and says the same
        held = package.find(o.row["service"], o.row["item"], o.row["region"])
        assert held is not None and held.origin == "package" and held.usd == float(o.row["usd"]), o
    assert len(plan.imported) == 975 and len(plan.skipped) == 87 and not plan.unmapped


def test_import_mapping_rules() -> None:
    mod = _script()
    cases = {
        ("AmazonRDS", "instance_hour:db.r5.large:mysql:single-az", "hour", "eu-west-1"):
            ("AmazonRDS", "instance_hour:mysql:db.r5.large", "eu-west-1"),
        ("AmazonRDS", "storage_gb_month:gp3:single-az", "GB-month", "us-east-1"):
            ("AmazonRDS", "storage_gb_month:gp3", "us-east-1"),
        ("AmazonElastiCache", "node_hour:cache.t4g.micro:valkey", "hour", "eu-west-1"):
            ("AmazonElastiCache", "node_hour:valkey:cache.t4g.micro", "eu-west-1"),
        ("AmazonECS(Fargate)", "fargate_gb_hour:arm64", "GB-hour", "sa-east-1"):
            ("AmazonECS", "fargate_gb_hour:arm64", "sa-east-1"),
        ("AWSELB", "nlb_nlcu_hour", "NLCU-hour", "us-east-1"): ("AWSELB", "nlb_lcu_hour", "us-east-1"),
        ("AmazonVPC", "nat_hour", "hour", "eu-west-2"): ("AmazonEC2", "nat_gateway_hour", "eu-west-2"),
        ("AmazonVPC", "vpce_interface_gb:first1PB", "GB", "eu-west-2"):
            ("AmazonVPC", "interface_endpoint_gb", "eu-west-2"),
        ("AmazonDynamoDB", "ondemand_write_per_million", "million-WRU", "us-east-2"):
            ("AmazonDynamoDB", "wru_million", "us-east-2"),
        ("CodeBuild", "build_minute:general1.small:linux", "minute", "us-east-1"):
            ("CodeBuild", "build_minute:linux:BUILD_GENERAL1_SMALL", "us-east-1"),
        ("AWSCodePipeline", "pipeline_month:v1", "active-pipeline-month", "global"):
            ("AWSCodePipeline", "v1_active_pipeline_month", "*"),
        ("AmazonEC2", "instance_hour:m6g.large", "GB", "eu-west-1"): "unit",
        ("AmazonEC2", "instance_hour:m6g.large", "hour", "global"): "region",
        ("AmazonS3", "storage_gb_month", "GB-month", "eu-west-1"): "no-rule",
    }
    for (service, item, unit, region), want in cases.items():
        assert mod.map_row({"service": service, "item": item, "unit": unit, "region": region}) == want
    assert mod.split_as_of("2024-07-01 (last change e9ce62908)") == ("2024-07-01", "last change e9ce62908")
    assert mod.split_as_of("undated-stored-copy") == ("undated", "undated stored copy")
    assert mod.cite("FGCALC+INFRACOST_ECS").startswith("S43 FGCALC theuves/fgcalc")
    assert "; S3 INFRACOST_ECS infracost golden ecs_service_test" in mod.cite("FGCALC+INFRACOST_ECS")
    with pytest.raises(ValueError, match="Fix:"):
        mod.cite("NOT_A_SOURCE")


def test_a_key_in_both_package_files_is_an_error_at_load() -> None:
    curated = HEADER + ("AmazonEC2,nat_gateway_hour,eu-west-1,per NAT gateway-hour,0.048,S32,2026,C\n"
                        "AmazonVPC,public_ipv4_hour,*,per public IPv4-hour,0.005,S7,2024-02-01,A\n")
    ok = HEADER + "AmazonEC2,nat_gateway_hour,eu-west-2,per NAT gateway-hour,0.05,S47 FS,undated,C\n"
    assert len(PriceCatalog.from_texts(curated, ok)) == 3
    same_key = HEADER + "AmazonEC2,nat_gateway_hour,eu-west-1,per NAT gateway-hour,0.048,S47 FS,2026-09-25,C\n"
    with pytest.raises(ValueError, match=r"nat_gateway_hour / eu-west-1 is also priced by prices.csv.*Fix:"):
        PriceCatalog.from_texts(curated, same_key)
    shadows_any_region = HEADER + "AmazonVPC,public_ipv4_hour,eu-west-2,per public IPv4-hour,0.005,S47,undated,C\n"
    with pytest.raises(ValueError, match=r"region \*"):
        PriceCatalog.from_texts(curated, shadows_any_region)
    with pytest.raises(ValueError, match="appears twice"):
        PriceCatalog.from_texts(curated, ok + ok.split("\n", 1)[1])


# ----------------------------------------------------------------------------- regional factors
def _row(service: str, item: str, region: str, usd: float, source: str = "test source", as_of: str = "2026-01-01",
         confidence: str = "A", unit: str = "per thing") -> PriceRow:
    return PriceRow(service, item, region, unit, usd, source, as_of, confidence)


def _small_catalog() -> PriceCatalog:
    """Svc: 3 pairs in xx-test-1 (ratios 1.1, 1.2, 1.1) -> its own median 1.1; Other: 1 pair (1.3) and a
    us-east-1 price of 0 (no ratio) -> the all-services median of 1.1, 1.1, 1.2, 1.3 = 1.15.
    yy-test-1 has only rows without a us-east-1 counterpart: no basis."""
    rows = [
        _row("Svc", "a1", "us-east-1", 1.0), _row("Svc", "a1", "xx-test-1", 1.1),
        _row("Svc", "a2", "us-east-1", 2.0), _row("Svc", "a2", "xx-test-1", 2.4),
        _row("Svc", "a3", "us-east-1", 4.0), _row("Svc", "a3", "xx-test-1", 4.4),
        _row("Svc", "a4", "us-east-1", 0.072, "S21 RDS price table (Single-AZ)", "2026", "B", "per instance-hour"),
        _row("Other", "b1", "us-east-1", 10.0), _row("Other", "b1", "xx-test-1", 13.0),
        _row("Other", "b2", "us-east-1", 0.0), _row("Other", "b2", "xx-test-1", 5.0),
        _row("Other", "b3", "us-east-1", 3.0),
        _row("Other", "any", "*", 7.0),
        _row("Svc", "lonely", "yy-test-1", 9.0),
    ]
    return PriceCatalog({r.key: r for r in rows})


def test_factor_math_on_a_small_catalog() -> None:
    cat = _small_catalog()
    factors = RegionalFactors(cat)
    svc = factors.factor("Svc", "xx-test-1")
    assert svc is not None and (svc.scope, svc.items) == ("service", 3)
    assert svc.factor == pytest.approx(1.1, abs=1e-12)
    assert "median of 3 catalog items" in svc.basis and "ratios 1.100-1.200" in svc.basis
    other = factors.factor("Other", "xx-test-1")
    assert other is not None and (other.scope, other.items) == ("all services", 4)
    assert other.factor == pytest.approx(1.15, abs=1e-12)
    assert "fewer than 3" in other.basis and "all services" in other.basis and "Other has 1 item(s)" in other.basis
    assert factors.pairs("Other", "xx-test-1") == [("b1", pytest.approx(1.3))]  # b2: us-east-1 price 0
    assert factors.factor("Svc", "yy-test-1") is None  # no pair at all in the region: no basis
    assert factors.factor("Svc", "us-east-1") is None
    assert factors.regions() == ["xx-test-1"]
    assert factors.factor("Svc", "xx-test-1") is svc  # cached
    assert regional_factor(cat, "Other", "xx-test-1") == other
    assert [(f.service, f.region) for f in factors.table()] == [("Other", "xx-test-1"), ("Svc", "xx-test-1")]


def test_estimated_row_content() -> None:
    lookup = PriceLookup(_small_catalog())
    row = lookup.get("Svc", "a4", "xx-test-1", "RDS instance hours of db-1")
    assert row is not None
    assert (row.region, row.confidence, row.origin, row.as_of, row.unit) == (
        "xx-test-1", "estimated", "estimated", "2026", "per instance-hour")
    assert row.usd == pytest.approx(0.072 * 1.1, abs=1e-15) and row.estimated
    assert row.source.startswith("estimated: us-east-1 list price 0.072 x 1.1000 = 0.0792 (Svc xx-test-1 regional "
                                 "factor: median of 3 catalog items")
    assert row.source.endswith("us-east-1 row: S21 RDS price table (Single-AZ), as of 2026, confidence B")
    cited = parse_citation(row.citation)  # the report splits it like any other citation
    assert (cited["as_of"], cited["confidence"]) == ("2026", "estimated") and cited["source"] == row.source
    assert lookup.estimated == [row] and lookup.used[("Svc", "a4", "xx-test-1")] is row and not lookup.missing
    assert lookup.get("Svc", "a4", "xx-test-1") is row and lookup.estimated == [row]  # once
    other = lookup.get("Other", "b3", "xx-test-1")
    assert other is not None and other.usd == pytest.approx(3.0 * 1.15) and "all services" in other.source
    assert [m.item for m in lookup.unlisted()] == ["a4", "b3"]
    assert lookup.unlisted()[0].needed_for == "estimated"
    lookup.raise_missing()  # nothing missing


def test_strict_lookup_records_missing_instead_of_estimating() -> None:
    lookup = PriceLookup(_small_catalog(), estimate=False)
    assert lookup.get("Svc", "a4", "xx-test-1", "line 1") is None
    assert lookup.get("Svc", "a1", "xx-test-1") is not None  # listed prices still answer
    assert not lookup.estimated
    with pytest.raises(MissingPriceError) as err:
        lookup.raise_missing()
    assert [str(m) for m in err.value.missing] == ["Svc / a4 / xx-test-1 (for line 1)"]


def test_no_basis_leaves_the_price_missing() -> None:
    lookup = PriceLookup(_small_catalog())
    assert lookup.get("Svc", "a4", "yy-test-1") is None  # region without pairs
    assert lookup.get("Svc", "a4", "zz-nowhere-9") is None  # region unknown to the catalog
    assert lookup.get("Svc", "nowhere", "xx-test-1") is None  # no us-east-1 price to scale
    assert lookup.get("Svc", "lonely", "us-east-1") is None  # nothing estimates us-east-1
    assert [(m.item, m.region) for m in lookup.missing] == [
        ("a4", "yy-test-1"), ("a4", "zz-nowhere-9"), ("nowhere", "xx-test-1"), ("lonely", "us-east-1")]
    assert not lookup.estimated


def test_csv_rows_cannot_claim_to_be_estimated(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text(HEADER + "AmazonEC2,instance_hour:m6g.large,eu-west-1,per instance-hour,"
                                                  "0.086,guess,2026,estimated\n")
    with pytest.raises(ValueError, match=r"line 2: confidence='estimated'\. Fix: use A, B or C"):
        PriceCatalog.load(tmp_path)
    with pytest.raises(ValueError, match="confidence='estimated'"):
        PriceCatalog.from_texts(HEADER + "S,i,us-east-1,u,1,s,2026,estimated\n")


def test_shipped_factors_and_every_us_east_1_item_estimable_in_the_eu() -> None:
    cat = PriceCatalog.package()
    factors = RegionalFactors(cat)
    pinned = {("AmazonRDS", "eu-west-1"): (1.1053, "service"), ("AmazonEC2", "eu-west-1"): (1.0952, "service"),
              ("AmazonElastiCache", "eu-central-1"): (1.1912, "service"),
              ("AmazonDynamoDB", "eu-central-1"): (1.1873, "all services"),
              ("AmazonRDS", "ap-southeast-2"): (1.3746, "service"), ("AmazonEC2", "us-west-2"): (1.0, "service")}
    for (service, region), (factor, scope) in pinned.items():
        f = factors.factor(service, region)
        assert f is not None and f.scope == scope and f.factor == pytest.approx(factor, abs=5e-5), (service, region)
    for region in ("eu-west-1", "eu-central-1"):
        lookup = PriceLookup(cat, factors=factors)
        for r in [r for r in cat.rows.values() if r.region == "us-east-1"]:
            assert lookup.get(r.service, r.item, region) is not None
        assert not lookup.missing
        assert lookup.estimated and all(e.confidence == "estimated" for e in lookup.estimated)


# ----------------------------------------------------------------------------- fetch_missing
class _FakePricing:
    """A pricing client answering GetProducts from Price List documents (as the demo estate does)."""

    def __init__(self, docs: list[dict[str, Any]]):
        self.docs, self.calls = docs, []

    def get_products(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(kw)
        return {"FormatVersion": "aws_v1",
                "PriceList": [json.dumps(d) for d in filter_documents(self.docs, kw["ServiceCode"], kw["Filters"])]}


def _docs() -> list[dict[str, Any]]:
    rows = [_row("AmazonEC2", "instance_hour:m7g.large", "ap-east-1", 0.1112),
            _row("AmazonEC2", "nat_gateway_hour", "ap-east-1", 0.065)]
    return price_list_documents(rows)


def test_fetch_missing_writes_the_cache_and_a_reload_finds_it(tmp_path: Path) -> None:
    write = tmp_path / "prices.csv"
    write.write_text(HEADER + "AWSELB,alb_hour,ap-east-1,per ALB-hour,0.0252,earlier fetch,2026-11-01,A\n")
    client = _FakePricing(_docs())
    wanted = [MissingPrice("AmazonEC2", "instance_hour:m7g.large", "ap-east-1", "i-1"),
              MissingPrice("AmazonEC2", "instance_hour:m7g.large", "ap-east-1", "i-2"),
              MissingPrice("AmazonEC2", "nat_gateway_hour", "ap-east-1"),
              MissingPrice("AmazonEC2", "instance_hour:x9.huge", "ap-east-1"),
              MissingPrice("GitHubActions", "runner_minute:linux_2core", "*")]
    result = fetch_missing(wanted, client=client, cache_dir=tmp_path)
    assert len(client.calls) == 3  # one per distinct request; the duplicate is asked once, GitHub never
    assert {r.key for r in result.refreshed} == {("AmazonEC2", "instance_hour:m7g.large", "ap-east-1"),
                                                 ("AmazonEC2", "nat_gateway_hour", "ap-east-1")}
    assert result.not_found == [("AmazonEC2", "instance_hour:x9.huge", "ap-east-1")]
    assert result.skipped == [("GitHubActions", "runner_minute:linux_2core")] and not result.errors
    c = PriceCatalog.load(tmp_path)
    m7g = c.price("AmazonEC2", "instance_hour:m7g.large", "ap-east-1")
    assert (m7g.usd, m7g.confidence, m7g.origin, m7g.unit) == (0.1112, "A", "cache", "per instance-hour")
    assert m7g.source.startswith("AWS Price List API GetProducts AmazonEC2 sku ") and "fetched" in m7g.source
    assert c.price("AmazonEC2", "nat_gateway_hour", "ap-east-1").unit == "per NAT gateway-hour"
    assert c.price("AWSELB", "alb_hour", "ap-east-1").source == "earlier fetch"  # other cached rows kept
    # the next account of the run finds it listed: no estimate, nothing missing
    lookup = PriceLookup(c)
    assert lookup.get("AmazonEC2", "instance_hour:m7g.large", "ap-east-1").origin == "cache"  # type: ignore[union-attr]
    assert not lookup.estimated and not lookup.missing


def test_fetch_missing_records_an_api_failure_and_writes_nothing(tmp_path: Path) -> None:
    class Denied:
        calls = 0

        def get_products(self, **kw: Any) -> dict[str, Any]:
            Denied.calls += 1
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetProducts")

    wanted = [MissingPrice("AmazonEC2", "nat_gateway_hour", "ap-east-1"),
              MissingPrice("AWSELB", "alb_hour", "ap-east-1")]
    result = fetch_missing(wanted, client=Denied(), cache_dir=tmp_path)
    assert Denied.calls == 1 and len(result.errors) == 1 and "Fix:" in result.errors[0]
    assert len(result.not_found) == 2 and not result.refreshed
    assert not (tmp_path / "prices.csv").exists()
    assert fetch_missing([], client=Denied(), cache_dir=tmp_path).summary()["refreshed"] == 0


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def pricing_url() -> Iterator[str]:
    """A Price List Query API endpoint (JSON 1.1 over HTTP) answering from :func:`_docs`."""
    docs = _docs()

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
        found = filter_documents(docs, body["ServiceCode"], body.get("Filters", []))
        reply = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(d) for d in found]}
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1")])
        return [json.dumps(reply).encode()]

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def test_fetch_missing_over_http_from_an_estimated_lookup(pricing_url: str, tmp_path: Path) -> None:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    catalog = PriceCatalog.package()
    lookup = PriceLookup(catalog)
    assert lookup.get("AmazonEC2", "instance_hour:m7g.large", "eu-central-1") is not None  # estimated
    assert lookup.get("AmazonEC2", "nat_gateway_hour", "ap-east-1") is None  # no ap-east-1 pairs: missing
    result = fetch_missing(lookup.unlisted(), session=session, endpoint_url=pricing_url, cache_dir=tmp_path)
    assert [r.key for r in result.refreshed] == [("AmazonEC2", "nat_gateway_hour", "ap-east-1")]
    assert result.not_found == [("AmazonEC2", "instance_hour:m7g.large", "eu-central-1")]
    assert "1 prices refreshed" in str(result)
    catalog.merge_csv(result.path)
    assert catalog.price("AmazonEC2", "nat_gateway_hour", "ap-east-1").usd == 0.065


def test_script_writes_the_csv_and_sources_once(tmp_path: Path) -> None:
    mod = _script()
    reference = tmp_path / "regional-prices.csv"
    reference.write_text(HEADER + "AmazonRDS,instance_hour:db.t3.medium:postgres:single-az,eu-north-1,hour,0.077,"
                                  "VANTAGE_RDS,2021-08-03,A\n"
                                  "AmazonVPC,nat_hour,us-east-1,hour,0.045,INFRACOST_NAT,2024-07-01 (last change x),C\n")
    sources = tmp_path / "sources.csv"
    sources.write_text("key,description,url\nS1,karpenter,https://x\n")
    out = tmp_path / "regional_prices.csv"
    args = [str(reference), "--output", str(out), "--sources", str(sources)]
    assert mod.main(args) == 0 and mod.main(args) == 0
    rows = _csv(out)
    assert [(r["item"], r["region"], r["unit"]) for r in rows] == [
        ("instance_hour:postgres:db.t3.medium", "eu-north-1", "per instance-hour (Single-AZ)")]
    keys = [r["key"] for r in csv.DictReader(io.StringIO(sources.read_text()))]
    assert keys.count("S41") == 1 and keys[0] == "S1"
