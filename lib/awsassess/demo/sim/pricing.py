"""Pricing (Price List API) fills: moto has no backend at all, so the front door answers
GetProducts, DescribeServices and GetAttributeValues from the package price catalog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsassess.demo.frontdoor import SimHandler

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
# no moto backend at all
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("pricing", "GetProducts"),  # pricing_get_products (front door)
    ("pricing", "DescribeServices"),  # pricing_describe_services (front door)
    ("pricing", "GetAttributeValues"),  # pricing_get_attribute_values (front door)
)


def prices_csv_path() -> Any:
    """The package price catalog (``AWSASSESS_PRICES_CSV`` overrides it, e.g. in tests)."""
    import os
    from pathlib import Path

    override = os.environ.get("AWSASSESS_PRICES_CSV")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "pricing" / "data" / "prices.csv"


_CATALOG_CACHE: dict[str, Any] = {}


def _catalog_products() -> list[dict[str, Any]]:
    """Price List product documents for the catalog CSV, built by awsassess.pricing itself
    (:func:`awsassess.pricing.refresh.price_list_documents`), so the attributes are the ones real
    AWS returns and a ``prices refresh`` against the estate round-trips."""
    import csv
    import os

    from awsassess.pricing.catalog import PriceCatalog, PriceRow
    from awsassess.pricing.refresh import price_list_documents

    override = os.environ.get("AWSASSESS_PRICES_CSV")
    path = prices_csv_path()
    try:
        stamp = (str(path), path.stat().st_mtime, bool(override))
    except OSError:
        return []
    if _CATALOG_CACHE.get("stamp") == stamp:
        return _CATALOG_CACHE["products"]
    if override:  # a test's own CSV, as it is
        with open(path, newline="", encoding="utf-8") as fh:
            rows = [PriceRow(r["service"].strip(), r["item"].strip(), r["region"].strip(), r["unit"].strip(),
                             float(r["usd"]), r["source"].strip(), r["as_of"].strip(),
                             r["confidence"].strip().upper()) for r in csv.DictReader(fh)]
    else:  # the whole shipped catalog: prices.csv and the regional rows
        rows = list(PriceCatalog.package().rows.values())
    regions = sorted({r.region for r in rows if r.region.count("-") == 2} | {"us-east-1"})
    products = price_list_documents(rows, regions=regions)
    _CATALOG_CACHE.update(stamp=stamp, products=products)
    return products


def _json_reply(payload: dict[str, Any], status: int = 200) -> tuple[int, dict[str, str], bytes]:
    import json

    return status, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(payload).encode()


def pricing_get_products(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: moto has no Pricing backend at all (500). Fill (C): ``GetProducts`` answered from the
    package price catalog CSV, in the Price List JSON shape, with TERM_MATCH filters and paging."""
    import json

    from awsassess.pricing.refresh import filter_documents

    req = json.loads(body or b"{}")
    matched = [json.dumps(p) for p in filter_documents(_catalog_products(), req.get("ServiceCode", ""),
                                                       req.get("Filters", []))]
    start = int(req.get("NextToken") or 0)
    size = int(req.get("MaxResults") or 100)
    page = matched[start:start + size]
    reply: dict[str, Any] = {"FormatVersion": req.get("FormatVersion", "aws_v1"), "PriceList": page}
    if start + size < len(matched):
        reply["NextToken"] = str(start + size)
    return _json_reply(reply)


def pricing_describe_services(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: no Pricing backend. Fill (C): ``DescribeServices`` lists the catalog's service codes."""
    import json

    req = json.loads(body or b"{}")
    names: dict[str, set[str]] = {}
    for p in _catalog_products():
        names.setdefault(p["serviceCode"], set()).update(p["product"]["attributes"])
    wanted = req.get("ServiceCode")
    services = [{"ServiceCode": code, "AttributeNames": sorted(attrs)} for code, attrs in sorted(names.items())
                if wanted in (None, code)]
    return _json_reply({"Services": services, "FormatVersion": "aws_v1"})


def pricing_get_attribute_values(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: no Pricing backend. Fill (C): ``GetAttributeValues`` from the catalog."""
    import json

    req = json.loads(body or b"{}")
    values = sorted({str(p["product"]["attributes"].get(req.get("AttributeName", ""), ""))
                     for p in _catalog_products() if p["serviceCode"] == req.get("ServiceCode")} - {""})
    return _json_reply({"AttributeValues": [{"Value": v} for v in values]})


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches (none here)
PATCHES: tuple[Callable[[], None], ...] = ()


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {
    ("pricing", "GetProducts"): pricing_get_products,
    ("pricing", "DescribeServices"): pricing_describe_services,
    ("pricing", "GetAttributeValues"): pricing_get_attribute_values,
}
