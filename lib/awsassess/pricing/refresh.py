"""Refresh the catalog from the AWS Price List Query API (``pricing:GetProducts``) into a local cache.

For every catalog item this module knows a :class:`PriceQuery`: the Price List service code, the
``TERM_MATCH`` filters (``regionCode`` plus product attributes such as ``instanceType``), the
usage-type suffix that picks the product (usage types carry a region prefix outside us-east-1, e.g.
``EUC1-NatGateway-Hours``, so only the suffix is matched), the tier (``beginRange``) for tiered
prices, and the scale from the Price List unit to the catalog unit (DynamoDB bills per request unit;
the catalog keeps per million).

The Pricing API endpoint lives in us-east-1 (also eu-central-1 / ap-south-1); prices of any region
are read from it. The result is written to ``<cache_dir>/prices.csv`` in the catalog format, dated,
with confidence A; :meth:`PriceCatalog.load` lets it override the package rows.

:func:`price_list_documents` is the inverse (catalog rows -> Price List product JSON documents). The
simulated estate uses it to answer GetProducts from the very same CSV, so a refresh against the demo
round-trips; :func:`filter_documents` applies GetProducts filters to such documents.

Non-AWS rows (GitHub Actions) and plan-level rows (CloudFront flat-rate plans, Savings Plans) have no
query and are never refreshed.

:func:`fetch_missing` is the targeted variant for ``analyze`` / ``run`` with credentials: it asks only for
the (service, item, region) prices a computation lacked (``PriceLookup.missing`` / ``unlisted()``, or a
:class:`MissingPriceError`'s ``missing``), merges the answers into the same cache CSV, and reports what
was found, not found and not askable; it never raises for an item or an API failure.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from awsassess.pricing.catalog import (
    ANY_REGION,
    CACHE_FILE,
    MissingPrice,
    PriceCatalog,
    PriceRow,
    default_cache_dir,
    write_rows,
)

PRICING_REGION = "us-east-1"
ON_DEMAND_TERM = "JRTCKXETXF"  # the Price List's on-demand offer term code
RATE_CODE = "6YS6EN2CT7"

# Usage-type prefixes by region (us-east-1 has none). Only used to build realistic documents;
# matching uses the suffix so a wrong prefix never hides a price.
USAGE_PREFIX = {
    "us-east-1": "", "us-east-2": "USE2-", "us-west-1": "USW1-", "us-west-2": "USW2-", "ca-central-1": "CAN1-",
    "eu-west-1": "EU-", "eu-west-2": "EUW2-", "eu-west-3": "EUW3-", "eu-central-1": "EUC1-", "eu-north-1": "EUN1-",
    "eu-south-1": "EUS1-", "ap-south-1": "APS3-", "ap-southeast-1": "APS1-", "ap-southeast-2": "APS2-",
    "ap-northeast-1": "APN1-", "ap-northeast-2": "APN2-", "sa-east-1": "SAE1-",
}
CLOUDFRONT_GEO = {"north-america": "US", "europe": "EU"}


@dataclass(frozen=True)
class PriceQuery:
    """How to find one catalog item in the Price List."""

    service_code: str
    filters: tuple[tuple[str, str], ...]
    usagetype_suffix: str
    scale: float = 1.0  # catalog usd = Price List usd * scale
    begin_range: float = 0.0  # tier to read (beginRange of the price dimension)
    regional: bool = True  # add regionCode=<region> to the filters
    pricelist_unit: str = ""

    def request_filters(self, region: str) -> list[dict[str, str]]:
        out = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in self.filters]
        if self.regional:
            out.insert(0, {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region})
        return out


def _q(code: str, suffix: str, *, scale: float = 1.0, begin: float = 0.0, regional: bool = True, unit: str = "",
       **filters: str) -> PriceQuery:
    return PriceQuery(code, tuple(sorted(filters.items())), suffix, scale, begin, regional, unit)


_TB = 1024.0
_TIERS = {"first_10tb": 0.0, "next_40tb": 10 * _TB, "next_100tb": 50 * _TB, "over_150tb": 150 * _TB}
_RDS_ENGINES = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}
_CODEBUILD = {"BUILD_GENERAL1_SMALL": "g1.small", "BUILD_GENERAL1_MEDIUM": "g1.medium",
              "BUILD_GENERAL1_LARGE": "g1.large"}
_CODEBUILD_OS = {"linux": "Linux", "windows": "Windows", "arm": "ARM"}

_STATIC: dict[tuple[str, str], PriceQuery] = {
    ("AmazonEC2", "nat_gateway_hour"): _q("AmazonEC2", "NatGateway-Hours", unit="Hrs", productFamily="NAT Gateway"),
    ("AmazonEC2", "nat_gateway_gb"): _q("AmazonEC2", "NatGateway-Bytes", unit="GB", productFamily="NAT Gateway"),
    ("AmazonVPC", "public_ipv4_hour"): _q("AmazonVPC", "PublicIPv4:InUseAddress", unit="Hrs"),
    ("AmazonVPC", "idle_eip_hour"): _q("AmazonVPC", "PublicIPv4:IdleAddress", unit="Hrs"),
    ("AmazonVPC", "tgw_attachment_hour"): _q("AmazonVPC", "TransitGateway-Hours", unit="Hrs"),
    ("AmazonVPC", "tgw_gb"): _q("AmazonVPC", "TransitGateway-Bytes", unit="GB"),
    ("AmazonVPC", "interface_endpoint_hour"): _q("AmazonVPC", "VpcEndpoint-Hours", unit="Hrs",
                                                  productFamily="VpcEndpoint"),
    ("AmazonVPC", "interface_endpoint_gb"): _q("AmazonVPC", "VpcEndpoint-Bytes", unit="GB",
                                                productFamily="VpcEndpoint"),
    ("AmazonVPC", "peering_cross_az_gb"): _q("AmazonVPC", "VpcPeering-Out-Bytes", unit="GB"),
    ("AWSDataTransfer", "cross_az_gb"): _q("AWSDataTransfer", "DataTransfer-Regional-Bytes", unit="GB",
                                           transferType="IntraRegion"),
    ("AWSDataTransfer", "inter_region_gb"): _q("AWSDataTransfer", "DataTransfer-xAZ-Out-Bytes", unit="GB",
                                               transferType="InterRegion Outbound"),
    ("AWSELB", "alb_hour"): _q("AWSELB", "LoadBalancerUsage", unit="Hrs", productFamily="Load Balancer-Application"),
    ("AWSELB", "alb_lcu_hour"): _q("AWSELB", "LCUUsage", unit="LCU-Hrs", productFamily="Load Balancer-Application"),
    ("AWSELB", "nlb_hour"): _q("AWSELB", "LoadBalancerUsage", unit="Hrs", productFamily="Load Balancer-Network"),
    ("AWSELB", "nlb_lcu_hour"): _q("AWSELB", "LCUUsage", unit="LCU-Hrs", productFamily="Load Balancer-Network"),
    ("AWSELB", "clb_hour"): _q("AWSELB", "LoadBalancerUsage", unit="Hrs", productFamily="Load Balancer"),
    ("AWSELB", "clb_gb"): _q("AWSELB", "DataProcessing-Bytes", unit="GB", productFamily="Load Balancer"),
    ("AmazonECS", "fargate_vcpu_hour:x86_64"): _q("AmazonECS", "Fargate-vCPU-Hours:perCPU", unit="hours"),
    ("AmazonECS", "fargate_gb_hour:x86_64"): _q("AmazonECS", "Fargate-GB-Hours", unit="hours"),
    ("AmazonECS", "fargate_vcpu_hour:arm64"): _q("AmazonECS", "Fargate-ARM-vCPU-Hours:perCPU", unit="hours"),
    ("AmazonECS", "fargate_gb_hour:arm64"): _q("AmazonECS", "Fargate-ARM-GB-Hours", unit="hours"),
    ("AmazonECS", "fargate_ephemeral_gb_hour"): _q("AmazonECS", "Fargate-EphemeralStorage-GB-Hours", unit="GB-Hours"),
    ("AmazonRDS", "backup_gb_month"): _q("AmazonRDS", "RDS:ChargedBackupUsage", unit="GB-Mo"),
    ("AmazonRDS", "aurora_storage_gb_month"): _q("AmazonRDS", "Aurora:StorageUsage", unit="GB-Mo"),
    ("AmazonRDS", "aurora_io_million"): _q("AmazonRDS", "Aurora:StorageIOUsage", scale=1e6, unit="IOs"),
    ("AmazonRDS", "aurora_iopt_storage_gb_month"): _q("AmazonRDS", "Aurora:IO-OptimizedStorageUsage", unit="GB-Mo"),
    ("AmazonRDS", "aurora_serverless_v2_acu_hour"): _q("AmazonRDS", "Aurora:ServerlessV2Usage", unit="ACU-Hr"),
    ("AmazonRDS", "aurora_iopt_serverless_v2_acu_hour"): _q("AmazonRDS", "Aurora:ServerlessV2IOOptimizedUsage",
                                                             unit="ACU-Hr"),
    ("AmazonDocDB", "storage_gb_month"): _q("AmazonDocDB", "StorageUsage", unit="GB-Mo"),
    ("AmazonDocDB", "io_million"): _q("AmazonDocDB", "StorageIOUsage", scale=1e6, unit="IOs"),
    ("AmazonDocDB", "backup_gb_month"): _q("AmazonDocDB", "BackupUsage", unit="GB-Mo"),
    ("AmazonDocDB", "cpu_credit_vcpu_hour"): _q("AmazonDocDB", "CPUCredits:db.t3", unit="vCPU-Hours"),
    ("AmazonElastiCache", "backup_gb_month"): _q("AmazonElastiCache", "TimedStorage-ByteHrs", unit="GB-Mo"),
    ("AmazonDynamoDB", "wru_million"): _q("AmazonDynamoDB", "WriteRequestUnits", scale=1e6, unit="WriteRequestUnits"),
    ("AmazonDynamoDB", "rru_million"): _q("AmazonDynamoDB", "ReadRequestUnits", scale=1e6, unit="ReadRequestUnits"),
    ("AmazonDynamoDB", "wcu_hour"): _q("AmazonDynamoDB", "WriteCapacityUnit-Hrs", unit="WriteCapacityUnit-Hrs"),
    ("AmazonDynamoDB", "rcu_hour"): _q("AmazonDynamoDB", "ReadCapacityUnit-Hrs", unit="ReadCapacityUnit-Hrs"),
    ("AmazonDynamoDB", "storage_gb_month"): _q("AmazonDynamoDB", "TimedStorage-ByteHrs", unit="GB-Mo"),
    ("AmazonDynamoDB", "pitr_gb_month"): _q("AmazonDynamoDB", "TimedPITRStorage-ByteHrs", unit="GB-Mo"),
    ("AmazonDynamoDB", "backup_gb_month"): _q("AmazonDynamoDB", "TimedBackupStorage-ByteHrs", unit="GB-Mo"),
    ("AmazonDynamoDB", "restore_gb"): _q("AmazonDynamoDB", "RestoreDataSize-Bytes", unit="GB"),
    ("AmazonCloudWatch", "custom_metric_month"): _q("AmazonCloudWatch", "CW:MetricMonitorUsage", unit="Metrics"),
    ("AmazonCloudWatch", "get_metric_data_1k"): _q("AmazonCloudWatch", "CW:GMD-Metrics", scale=1e3, unit="Metrics"),
    ("AmazonCloudWatch", "api_requests_1k"): _q("AmazonCloudWatch", "CW:Requests", scale=1e3, unit="Requests"),
    ("AmazonCloudWatch", "logs_ingest_gb"): _q("AmazonCloudWatch", "DataProcessing-Bytes", unit="GB"),
    ("AmazonCloudWatch", "logs_storage_gb_month"): _q("AmazonCloudWatch", "TimedStorage-ByteHrs", unit="GB-Mo"),
    ("AmazonCloudWatch", "logs_insights_gb"): _q("AmazonCloudWatch", "DataScanned-Bytes", unit="GB"),
    ("AmazonCloudWatch", "alarm_month:standard"): _q("AmazonCloudWatch", "CW:AlarmMonitorUsage", unit="Alarms"),
    ("AmazonCloudWatch", "alarm_month:high_resolution"): _q("AmazonCloudWatch", "CW:HighResAlarmMonitorUsage",
                                                            unit="Alarms"),
    ("AmazonCloudWatch", "dashboard_month"): _q("AmazonCloudWatch", "DashboardsUsageHour", unit="Dashboards"),
    ("AWSCodePipeline", "v1_active_pipeline_month"): _q("AWSCodePipeline", "activePipeline", unit="Pipeline"),
    ("AWSCodePipeline", "v2_action_minute"): _q("AWSCodePipeline", "ActionExecutionMinute", unit="Minutes"),
}


def query_for(service: str, item: str) -> PriceQuery | None:
    """The Price List query for a catalog item, or None when the item is not an AWS list price."""
    if (service, item) in _STATIC:
        return _STATIC[(service, item)]
    kind, _, rest = item.partition(":")
    if service == "AmazonEC2" and kind == "instance_hour":
        return _q("AmazonEC2", f"BoxUsage:{rest}", unit="Hrs", instanceType=rest, operatingSystem="Linux",
                  tenancy="Shared", preInstalledSw="NA", capacitystatus="Used")
    if service == "AmazonEC2" and kind.startswith("ebs_"):
        vol = rest
        suffix = {"ebs_gb_month": f"EBS:VolumeUsage.{vol}", "ebs_iops_month": f"EBS:VolumeP-IOPS.{vol}",
                  "ebs_throughput_month": f"EBS:VolumeP-Throughput.{vol}"}.get(kind)
        return _q("AmazonEC2", suffix, unit="GB-Mo") if suffix else None
    if service == "AWSDataTransfer" and kind == "internet_out_gb" and rest in _TIERS:
        return _q("AWSDataTransfer", "DataTransfer-Out-Bytes", begin=_TIERS[rest], unit="GB",
                  transferType="AWS Outbound")
    if service == "AmazonRDS":
        parts = rest.split(":")
        if kind == "instance_hour" and len(parts) == 2 and parts[0] in _RDS_ENGINES:
            return _q("AmazonRDS", f"InstanceUsage:{parts[1]}", unit="Hrs", instanceType=parts[1],
                      databaseEngine=_RDS_ENGINES[parts[0]], deploymentOption="Single-AZ")
        if kind in ("aurora_instance_hour", "aurora_iopt_instance_hour"):
            suffix = f"InstanceUsage{'IOOptimized' if 'iopt' in kind else ''}:{rest}"
            return _q("AmazonRDS", suffix, unit="Hrs", instanceType=rest, databaseEngine="Aurora PostgreSQL")
        if kind in ("storage_gb_month", "iops_month"):
            vol = parts[0]
            multi = len(parts) > 1 and parts[1] == "multi-az"
            base = {"storage_gb_month": "RDS:GP{n}-Storage", "iops_month": "RDS:GP{n}-PIOPS"}[kind]
            suffix = base.format(n=vol[-1]) if vol.startswith("gp") else f"RDS:{vol}-Storage"
            if multi:
                suffix = suffix.replace("RDS:", "RDS:Multi-AZ-")
            return _q("AmazonRDS", suffix, unit="GB-Mo", deploymentOption="Multi-AZ" if multi else "Single-AZ")
    if service == "AmazonDocDB" and kind == "instance_hour":
        return _q("AmazonDocDB", f"InstanceUsage:{rest}", unit="Hrs", instanceType=rest)
    if service == "AmazonElastiCache":
        parts = rest.split(":")
        if kind == "node_hour" and len(parts) == 2:
            engine = {"redis": "Redis", "valkey": "Valkey", "memcached": "Memcached"}.get(parts[0])
            if engine:
                return _q("AmazonElastiCache", f"NodeUsage:{parts[1]}", unit="Hrs", instanceType=parts[1],
                          cacheEngine=engine)
        if kind in ("serverless_gb_hour", "serverless_ecpu_million"):
            engine = {"redis": "Redis", "valkey": "Valkey"}.get(rest)
            if engine:
                suffix = "ElastiCache:ServerlessStorage" if kind == "serverless_gb_hour" else "ElastiCache:ServerlessECPU"
                return _q("AmazonElastiCache", suffix, scale=1e6 if "ecpu" in kind else 1.0, unit="GB-Hrs",
                          cacheEngine=engine)
    if service == "AmazonCloudFront":
        return None  # geography-keyed: built per edge geography in _cloudfront_query
    if service == "CodeBuild" and kind == "build_minute":
        parts = rest.split(":")
        if len(parts) == 2 and parts[1] in _CODEBUILD and parts[0] in _CODEBUILD_OS:
            os_label = _CODEBUILD_OS[parts[0]]
            return _q("CodeBuild", f"Build-Min:{os_label}:{_CODEBUILD[parts[1]]}", unit="Minutes")
    return None


def _cloudfront_query(item: str, geo: str) -> PriceQuery | None:
    prefix = CLOUDFRONT_GEO.get(geo)
    if prefix is None:
        return None
    kind, _, tier = item.partition(":")
    if kind == "data_out_gb" and tier in _TIERS:
        return _q("AmazonCloudFront", f"{prefix}-DataTransfer-Out-Bytes", begin=_TIERS[tier], regional=False,
                  unit="GB", usagetype=f"{prefix}-DataTransfer-Out-Bytes")
    if kind == "origin_out_gb":
        return _q("AmazonCloudFront", f"{prefix}-DataTransfer-Out-OBytes", regional=False, unit="GB",
                  usagetype=f"{prefix}-DataTransfer-Out-OBytes")
    if kind in ("https_requests_10k", "http_requests_10k"):
        usage = f"{prefix}-Requests-{'HTTPS' if kind.startswith('https') else 'HTTP'}"
        return _q("AmazonCloudFront", usage, scale=1e4, regional=False, unit="Requests", usagetype=usage)
    return None


def query_for_row(service: str, item: str, region: str) -> PriceQuery | None:
    if service == "AmazonCloudFront":
        return _cloudfront_query(item, region)
    return query_for(service, item)


# --------------------------------------------------------------------------- documents (inverse)
def _sku(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16].upper()


def price_list_documents(rows: Iterable[PriceRow], regions: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Price List product documents (the ``PriceList`` items of GetProducts, as dicts) for catalog rows.

    Rows with region ``*`` are expanded to ``regions`` (default: us-east-1). Tiered rows sharing one
    usage type become one product with several price dimensions. Rows without a query are skipped.
    """
    regions = list(regions or ["us-east-1"])
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        targets = regions if row.region == ANY_REGION else [row.region]
        for region in targets:
            q = query_for_row(row.service, row.item, region)
            if q is None:
                continue
            if q.regional:
                usagetype = USAGE_PREFIX.get(region, "") + q.usagetype_suffix
            else:
                usagetype = dict(q.filters).get("usagetype", q.usagetype_suffix)
            attrs = {**dict(q.filters), "servicecode": q.service_code, "usagetype": usagetype}
            if q.regional:
                attrs["regionCode"] = region
            key = (q.service_code, tuple(sorted(attrs.items())))
            doc = groups.get(key)
            if doc is None:
                sku = _sku(*key)
                doc = {
                    "product": {"productFamily": attrs.get("productFamily", ""), "sku": sku, "attributes": attrs},
                    "serviceCode": q.service_code,
                    "terms": {"OnDemand": {f"{sku}.{ON_DEMAND_TERM}": {
                        "offerTermCode": ON_DEMAND_TERM, "sku": sku, "effectiveDate": row.as_of,
                        "priceDimensions": {}, "termAttributes": {}}}},
                    "version": row.as_of,
                    "publicationDate": row.as_of,
                }
                groups[key] = doc
            term = next(iter(doc["terms"]["OnDemand"].values()))
            dims = term["priceDimensions"]
            code = f"{term['sku']}.{ON_DEMAND_TERM}.{RATE_CODE}{len(dims)}"
            dims[code] = {
                "rateCode": code, "unit": q.pricelist_unit or row.unit, "description": f"{row.item}: {row.unit}",
                "beginRange": _fmt_range(q.begin_range), "endRange": "Inf", "appliesTo": [],
                "pricePerUnit": {"USD": repr(row.usd / q.scale)},
            }
    docs = list(groups.values())
    for doc in docs:  # close the tier ranges
        dims = sorted(next(iter(doc["terms"]["OnDemand"].values()))["priceDimensions"].values(),
                      key=lambda d: float(d["beginRange"]))
        for lower, upper in zip(dims, dims[1:], strict=False):
            lower["endRange"] = upper["beginRange"]
    return docs


def _fmt_range(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def filter_documents(documents: Iterable[dict[str, Any]], service_code: str,
                     filters: Iterable[dict[str, str]]) -> list[dict[str, Any]]:
    """GetProducts semantics on documents: same service code and every TERM_MATCH filter equal."""
    wanted = [(f["Field"], f["Value"]) for f in filters if f.get("Type", "TERM_MATCH") == "TERM_MATCH"]
    out = []
    for doc in documents:
        if doc.get("serviceCode") != service_code:
            continue
        attrs = doc.get("product", {}).get("attributes", {})
        if all(str(attrs.get(k, "")).lower() == str(v).lower() for k, v in wanted):
            out.append(doc)
    return out


# --------------------------------------------------------------------------- parsing
def parse_price(documents: Iterable[dict[str, Any] | str], query: PriceQuery) -> tuple[float, dict[str, Any]] | None:
    """The catalog-unit price for ``query`` from GetProducts documents, with the matching product."""
    candidates = []
    for raw in documents:
        doc = json.loads(raw) if isinstance(raw, str) else raw
        attrs = doc.get("product", {}).get("attributes", {})
        usage = str(attrs.get("usagetype", ""))
        if not usage.endswith(query.usagetype_suffix):
            continue
        for term in doc.get("terms", {}).get("OnDemand", {}).values():
            for dim in term.get("priceDimensions", {}).values():
                try:
                    begin = float(dim.get("beginRange", 0) or 0)
                    usd = float(dim["pricePerUnit"]["USD"])
                except (KeyError, TypeError, ValueError):
                    continue
                if abs(begin - query.begin_range) < 1e-9:
                    candidates.append((len(usage), usd, doc))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])  # the shortest usage type: the plain product, not a variant
    _, usd, doc = candidates[0]
    return round(usd * query.scale, 10), doc


# --------------------------------------------------------------------------- refresh
@dataclass
class RefreshResult:
    path: Path
    as_of: str
    refreshed: list[PriceRow] = field(default_factory=list)
    not_found: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # API failures (fetch_missing records, never raises)

    def summary(self) -> dict[str, object]:
        return {"path": str(self.path), "as_of": self.as_of, "refreshed": len(self.refreshed),
                "not_found": len(self.not_found), "skipped_not_aws": len(self.skipped), "errors": len(self.errors)}

    def __str__(self) -> str:
        missing = f", {len(self.not_found)} not found in the Price List" if self.not_found else ""
        failed = f", API error: {self.errors[0]}" if self.errors else ""
        return f"{self.path} ({len(self.refreshed)} prices refreshed as of {self.as_of}{missing}{failed})"


def _pricing_client(endpoint_url: str | None, session: Any = None, profile: str | None = None) -> Any:
    if session is None:
        import boto3

        session = boto3.Session(profile_name=profile) if profile else boto3.Session()
    return session.client("pricing", region_name=PRICING_REGION, endpoint_url=endpoint_url)


def _get_products(client: Any, query: PriceQuery, region: str) -> list[str]:
    docs: list[str] = []
    kwargs: dict[str, Any] = {"ServiceCode": query.service_code, "Filters": query.request_filters(region),
                              "FormatVersion": "aws_v1", "MaxResults": 100}
    while True:
        resp = client.get_products(**kwargs)
        docs.extend(resp.get("PriceList", []))
        token = resp.get("NextToken")
        if not token:
            return docs
        kwargs["NextToken"] = token


def merge_into_cache(path: Path, rows: list[PriceRow]) -> None:
    """Write ``rows`` into the cache CSV at ``path``, keeping its other rows (a row of the same key is replaced)."""
    kept: list[PriceRow] = []
    if path.is_file():
        previous = PriceCatalog()
        previous.merge_csv(path)
        fresh = {r.key for r in rows}
        kept = [r for r in previous.rows.values() if r.key not in fresh]
    write_rows([*kept, *rows], path)


def _cache_row(service: str, item: str, region: str, unit: str, q: PriceQuery,
               parsed: tuple[float, dict[str, Any]], today: str, when: str) -> PriceRow:
    """A cache row from a Price List answer: the price, its SKU and usage type, the publication date."""
    usd, doc = parsed
    sku = doc.get("product", {}).get("sku", "")
    usage = doc.get("product", {}).get("attributes", {}).get("usagetype", "")
    published = str(doc.get("publicationDate") or today)[:10]
    return PriceRow(service, item, region, unit, usd,
                    f"AWS Price List API GetProducts {q.service_code} sku {sku} ({usage}); {when}", published, "A",
                    "cache")


def refresh(
    endpoint_url: str | None = None,
    regions: Sequence[str] = ("us-east-1",),
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    profile: str | None = None,
    session: Any = None,
    client: Any = None,
    catalog: PriceCatalog | None = None,
) -> RefreshResult:
    """Fetch every catalog item for ``regions`` from the Price List API into ``cache_dir/prices.csv``.

    Items known for any region are asked for every requested region (that is how EU gaps get filled).
    CloudFront rows are asked once per edge geography. Previous cache rows of other regions are kept.
    """
    catalog = catalog or PriceCatalog.package()
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = directory / CACHE_FILE
    client = client or _pricing_client(endpoint_url, session, profile)
    today = datetime.now(UTC).date().isoformat()
    result = RefreshResult(path=path, as_of=today)

    units: dict[tuple[str, str], str] = {}
    geo_items: set[tuple[str, str, str]] = set()
    for r in catalog.rows.values():
        units.setdefault((r.service, r.item), r.unit)
        if r.service == "AmazonCloudFront" and r.region in CLOUDFRONT_GEO:
            geo_items.add(r.key)

    wanted: list[tuple[str, str, str, PriceQuery]] = []
    for (service, item) in sorted(units):
        if service == "AmazonCloudFront":
            continue
        q = query_for(service, item)
        if q is None:
            result.skipped.append((service, item))
            continue
        for region in regions:
            wanted.append((service, item, region, q))
    for service, item, geo in sorted(geo_items):
        q = _cloudfront_query(item, geo)
        if q is not None:
            wanted.append((service, item, geo, q))

    answers: dict[tuple[str, str], list[str]] = {}  # one GetProducts per distinct (service, filters)
    for service, item, region, q in wanted:
        key = (q.service_code, json.dumps(q.request_filters(region), sort_keys=True))
        if key not in answers:
            answers[key] = _get_products(client, q, region)
        docs = answers[key]
        parsed = parse_price(docs, q)
        if parsed is None:
            result.not_found.append((service, item, region))
            continue
        result.refreshed.append(_cache_row(service, item, region, units[(service, item)], q, parsed, today,
                                           f"refreshed {today}"))

    merge_into_cache(path, result.refreshed)
    return result


# --------------------------------------------------------------------------- fetch the missing ones
def _unit_for(catalog: PriceCatalog, service: str, item: str, query: PriceQuery) -> str:
    """The catalog's unit text for the item (any region), else the commonest of its kind (``instance_hour``
    of that service), else the Price List unit."""
    kind = item.split(":")[0]
    same_kind: dict[str, int] = {}
    for r in catalog.rows.values():
        if r.service != service:
            continue
        if r.item == item:
            return r.unit
        if r.item.split(":")[0] == kind:
            same_kind[r.unit] = same_kind.get(r.unit, 0) + 1
    if same_kind:
        return max(sorted(same_kind), key=lambda u: same_kind[u])
    return query.pricelist_unit or "per unit"


def fetch_missing(
    missing: Iterable[MissingPrice],
    *,
    client: Any = None,
    session: Any = None,
    endpoint_url: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    catalog: PriceCatalog | None = None,
) -> RefreshResult:
    """Ask the Price List API (``pricing:GetProducts``, read-only) for exactly the prices in ``missing``.

    ``missing``: :class:`MissingPrice` items (``PriceLookup.missing``, ``PriceLookup.unlisted()``,
    ``MissingPriceError.missing``); anything with ``service``, ``item`` and ``region`` works, so estimated
    rows (``PriceLookup.estimated``) can be confirmed too. Duplicates are asked once.

    Each found price becomes a cache row (confidence A, origin ``cache``, ``as_of`` = the product's
    publication date, the source naming the service code, SKU, usage type and the fetch date) merged into
    ``<cache_dir>/prices.csv`` (default :func:`default_cache_dir`), keeping every other cached row, as
    :func:`refresh` does. The file is written only when something was found. Reload it
    (``PriceCatalog.load(cache_dir)`` or ``catalog.merge_csv(result.path)``) so every later account of the
    run uses it instead of asking again.

    Never raises for a price: items without a query (non-AWS, plan-level, unknown items) go to ``skipped``
    as (service, item); prices the API does not return go to ``not_found``. The first API failure
    (no credentials, AccessDenied, endpoint unreachable) is recorded in ``errors`` and nothing more is
    asked: the remaining prices are reported ``not_found``. ``client``: a boto3 ``pricing`` client (or a
    stand-in with ``get_products``); else one is made from ``session`` / ``endpoint_url`` in us-east-1.
    ``catalog`` supplies unit wording (default: the package catalog).
    """
    from botocore.exceptions import BotoCoreError, ClientError

    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = directory / CACHE_FILE
    today = datetime.now(UTC).date().isoformat()
    result = RefreshResult(path=path, as_of=today)
    units_from = catalog or PriceCatalog.package()

    wanted: dict[tuple[str, str, str], PriceQuery] = {}
    for m in missing:
        key = (m.service, m.item, m.region)
        if key in wanted or (m.service, m.item) in result.skipped:
            continue
        q = query_for_row(*key) if m.region != ANY_REGION else None
        if q is None:
            result.skipped.append((m.service, m.item))
            continue
        wanted[key] = q
    if not wanted:
        return result

    try:
        client = client or _pricing_client(endpoint_url, session)
    except (BotoCoreError, ClientError, ValueError) as exc:
        result.errors.append(f"pricing client: {exc}")
        result.not_found.extend(wanted)
        return result

    answers: dict[tuple[str, str], list[str]] = {}
    for (service, item, region), q in wanted.items():
        if result.errors:
            result.not_found.append((service, item, region))
            continue
        request = (q.service_code, json.dumps(q.request_filters(region), sort_keys=True))
        if request not in answers:
            try:
                answers[request] = _get_products(client, q, region)
            except (BotoCoreError, ClientError) as exc:
                result.errors.append(f"GetProducts {q.service_code} {region}: {exc}. Fix: allow "
                                     "pricing:GetProducts for these credentials, or run with --offline.")
                result.not_found.append((service, item, region))
                continue
        parsed = parse_price(answers[request], q)
        if parsed is None:
            result.not_found.append((service, item, region))
            continue
        result.refreshed.append(_cache_row(service, item, region, _unit_for(units_from, service, item, q), q,
                                           parsed, today, f"fetched {today} for a price missing from the catalog"))

    if result.refreshed:
        merge_into_cache(path, result.refreshed)
    return result
