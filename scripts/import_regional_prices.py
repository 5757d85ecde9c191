"""Import the regional price reference into the package catalog: ``pricing/data/regional_prices.csv``.

Usage (from the repository root; stdlib only)::

    .venv/bin/python scripts/import_regional_prices.py [REFERENCE_CSV]

``REFERENCE_CSV`` defaults to ``../shared/reference/regional-prices.csv`` relative to the repository root
(compiled 2026-12-07; ``regional-prices.md`` next to it says where every figure came from). The script

* maps every reference row to the catalog's own keys (:data:`RULES`; e.g. RDS
  ``instance_hour:<class>:<engine>:single-az`` -> ``instance_hour:<engine>:<class>``, AmazonVPC ``nat_hour``
  -> AmazonEC2 ``nat_gateway_hour``, DynamoDB ``ondemand_write_per_million`` -> ``wru_million``) and takes
  the unit wording the catalog already uses for the same item (or the same item kind);
* skips every row whose (service, item, region) ``prices.csv`` already holds, or whose (service, item)
  ``prices.csv`` prices for every region (``*``): the package's curated rows win, regional rows only add;
* cites each row as ``<S-key> <reference key> <file @commit> (regional-prices.csv <date>; <note>)``. The
  S-keys resolve in ``pricing/data/sources.csv`` (the report's source table only recognises ``S<n>``):
  reference sources that ``sources.csv`` already lists keep their key (KARP = S1, INFRACOST_* = S3,
  PAGE_VANTAGE_FARGATE_BLOG = S6, PAGE_CODEPIPELINE = S10), the others get S40-S47, appended to
  ``sources.csv`` when absent (existing lines are never rewritten);
* keeps ``as_of`` (the leading date; a parenthesised note such as ``last change e9ce62908`` moves into
  the source text, since a citation's as_of must not contain parentheses) and the confidence A/B/C;
* writes ``lib/awsassess/pricing/data/regional_prices.csv`` (columns
  ``service,item,region,unit,usd,source,as_of,confidence``, sorted) and prints imported / skipped /
  unmapped counts.

Decisions: no value is derived or scaled here (the reference holds none either); CodeBuild
``build_minute:general1.<size>:linux`` and CodePipeline ``pipeline_month:v1`` / ``action_execution_minute:v2``
(region ``global`` -> ``*``) have catalog equivalents and are mapped, but the catalog already holds all of
them, so they are skipped. A row no rule maps is reported as unmapped with one of :data:`UNMAPPED_REASONS`
(none in the 2026-12-07 reference). ``tests/model/test_pricing_regional.py`` re-runs :func:`plan` against the
reference (when present) and checks the shipped CSV equals its output.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "lib" / "awsassess" / "pricing" / "data"
PACKAGE_CSV = DATA / "prices.csv"
OUTPUT_CSV = DATA / "regional_prices.csv"
SOURCES_CSV = DATA / "sources.csv"
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "regional-prices.csv"
REFERENCE_DATE = "2026-12-07"  # "Compiled 2026-12-07" in regional-prices.md; read from the .md when present
COLUMNS = ["service", "item", "region", "unit", "usd", "source", "as_of", "confidence"]
ANY_REGION = "*"
GLOBAL = "global"
REGION_RE = re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d$")

# --------------------------------------------------------------------------- sources
# reference key -> (S-key in sources.csv, label cited in the row's source text)
SOURCES: dict[str, tuple[str, str]] = {
    "KARP": ("S1", "KARP aws/karpenter-provider-aws zz_generated.pricing_aws.go @6fc13b52"),
    "SKY": ("S40", "SKY skypilot-catalog catalogs/v7/aws/vms.csv @001367d2"),
    "VANTAGE_RDS": ("S41", "VANTAGE_RDS vantage-sh/ec2instances.info www/rds/instances.json @14ede5a5"),
    "LEANER_EC": ("S42", "LEANER_EC LeanerCloud/ec2-instances-info data/elasticache-instances.json @f9eafba8"),
    "FGCALC": ("S43", "FGCALC theuves/fgcalc src/utils/data.js @e29aefb"),
    "PAGE_CODEPIPELINE": ("S10", "PAGE_CODEPIPELINE AWS CodePipeline pricing page (stored copy)"),
    "PAGE_VANTAGE_FARGATE_BLOG": ("S6", "PAGE_VANTAGE_FARGATE_BLOG Vantage, AWS Fargate Pricing Explained"),
    "PAGE_BASAVYTIX_NAT": ("S44", "PAGE_BASAVYTIX_NAT basavytix.com NAT gateway pricing"),
    "PAGE_AIRBYTE_DDB": ("S45", "PAGE_AIRBYTE_DDB airbyte.com DynamoDB pricing, dated 2025-07-21"),
    "APOLO_CUSTO02": ("S46", "APOLO_CUSTO02 apoloferreira/basecode doc/custo02.md @cb793a6b"),
}
INFRACOST_TESTS = {
    "NAT": "nat_gateway_test", "LB": "lb_test", "VPCE": "vpc_endpoint_test",
    "TGW": "ec2_transit_gateway_vpc_attachment_test", "EIP": "eip_test", "CODEBUILD": "codebuild_project_test",
    "DDB": "dynamodb_table_test", "DOCDB": "docdb_cluster_instance_test", "RDS": "db_instance_test",
    "ECS": "ecs_service_test",
}
FS_KEY = "S47"

# The rows this script adds to sources.csv when their key is absent (key, description, url).
NEW_SOURCES: list[tuple[str, str, str]] = [
    ("S40", "SKY: skypilot-org/skypilot-catalog catalogs/v7/aws/vms.csv @001367d22a00 (built by skypilot "
            "fetch_aws.py from the AmazonEC2 offer files; commit date not determined; via regional-prices.csv "
            "2026-12-07)", "https://github.com/skypilot-org/skypilot-catalog"),
    ("S41", "VANTAGE_RDS: vantage-sh/ec2instances.info www/rds/instances.json @14ede5a54df6 (2021-08-03; built "
            "from the AmazonRDS offer file, Single-AZ; via regional-prices.csv 2026-12-07)",
     "https://github.com/vantage-sh/ec2instances.info"),
    ("S42", "LEANER_EC: LeanerCloud/ec2-instances-info data/elasticache-instances.json @f9eafba8b0c9 "
            "(2025-04-24; copy of instances.vantage.sh cache data from the AWS Price List API; via "
            "regional-prices.csv 2026-12-07)", "https://github.com/LeanerCloud/ec2-instances-info"),
    ("S43", "FGCALC: theuves/fgcalc src/utils/data.js @6e1547cb (price table last changed e29aefb 2021-01-14; "
            "from the AWS Fargate documentation; via regional-prices.csv 2026-12-07)",
     "https://github.com/theuves/fgcalc"),
    ("S44", "PAGE_BASAVYTIX_NAT: AWS NAT gateway pricing write-up (us-east-1 and ap-southeast-1), undated "
            "stored copy", "https://basavytix.com/blog/aws-nat-gateway-pricing"),
    ("S45", "PAGE_AIRBYTE_DDB: DynamoDB pricing write-up (US East on-demand WRU/RRU), page dated 2025-07-21",
     "https://airbyte.com/data-engineering-resources/dynamodb-pricing"),
    ("S46", "APOLO_CUSTO02: apoloferreira/basecode doc/custo02.md @cb793a6b (notes copied from the Sao Paulo "
            "Fargate pricing page)", "https://github.com/apoloferreira/basecode"),
    ("S47", "FS_<id>: public code excerpts cited by code-index excerpt id, repository and path not recorded "
            "(71229168471 AmazonEC2 eu-west-1 offer extract 2026-09-25; 70923750521 AWSELB/AmazonVPC eu-west-2 "
            "offers 2026-09; 69613379798 CSV fixture 2026-09-11; 70202682113 eu-west-2 table; 66421862472 "
            "Singapore rates 2026-08-21; 53280073722 eu-west-1 Fargate SKUs); single secondary sources", ""),
]


def cite(reference_source: str) -> str:
    """``FGCALC+INFRACOST_ECS`` -> ``S43 FGCALC theuves/fgcalc ...; S3 INFRACOST_ECS infracost golden ...``."""
    parts = []
    for key in reference_source.split("+"):
        key = key.strip()
        if key in SOURCES:
            skey, label = SOURCES[key]
        elif key.startswith("INFRACOST_") and key[len("INFRACOST_"):] in INFRACOST_TESTS:
            skey, label = "S3", f"{key} infracost golden {INFRACOST_TESTS[key[len('INFRACOST_'):]]} @95ba4f49"
        elif re.fullmatch(r"FS_\d+", key):
            skey, label = FS_KEY, f"{key} public code excerpt {key[3:]}"
        else:
            raise ValueError(f"unknown reference source key {key!r}. Fix: add it to SOURCES in "
                             "scripts/import_regional_prices.py (and to NEW_SOURCES for sources.csv).")
        parts.append(f"{skey} {label}")
    return "; ".join(parts)


def split_as_of(raw: str) -> tuple[str, str]:
    """(as_of, note): ``2024-07-01 (last change e9ce62908)`` -> (``2024-07-01``, ``last change e9ce62908``).

    ``undated-stored-copy`` -> (``undated``, ``undated stored copy``). The note goes into the source text:
    a citation ``source (as_of) [confidence]`` is parsed back by its last parenthesis group.
    """
    raw = raw.strip()
    if raw == "undated-stored-copy":
        return "undated", "undated stored copy"
    m = re.fullmatch(r"(\d{4}(?:-\d{2}(?:-\d{2})?)?|undated)\s*(?:\((.*)\))?", raw)
    if not m:
        raise ValueError(f"as_of={raw!r} is neither a date nor 'undated'. Fix: extend split_as_of().")
    note = (m.group(2) or "").replace("see SOURCES.md", "see pricing/data/REGIONAL_SOURCES.md").strip()
    if m.group(1) == "undated" and note.startswith("commit"):
        note = "commit date not determined"  # the commit itself is in the citation (@<commit>)
    return m.group(1), note


# --------------------------------------------------------------------------- item rules
@dataclass(frozen=True)
class Rule:
    """One reference item pattern -> catalog (service, item). ``ref_unit`` is checked, ``global_price``
    allows region ``global`` (mapped to ``*``)."""

    service: str
    pattern: str
    ref_unit: str
    to: Callable[[re.Match[str]], tuple[str, str]]
    global_price: bool = False

    def match(self, service: str, item: str) -> re.Match[str] | None:
        return re.fullmatch(self.pattern, item) if service == self.service else None


def _same(service: str) -> Callable[[re.Match[str]], tuple[str, str]]:
    return lambda m: (service, m.group(0))


def _fixed(service: str, item: str) -> Callable[[re.Match[str]], tuple[str, str]]:
    return lambda m: (service, item)


RULES: list[Rule] = [
    Rule("AmazonEC2", r"instance_hour:[a-z0-9]+\.[a-z0-9]+", "hour", _same("AmazonEC2")),
    Rule("AmazonRDS", r"instance_hour:(db\.[a-z0-9.]+):(postgres|mysql|mariadb):single-az", "hour",
         lambda m: ("AmazonRDS", f"instance_hour:{m.group(2)}:{m.group(1)}")),  # engine names of model/current.py
    Rule("AmazonRDS", r"storage_gb_month:(gp2|gp3):single-az", "GB-month",
         lambda m: ("AmazonRDS", f"storage_gb_month:{m.group(1)}")),
    Rule("AmazonElastiCache", r"node_hour:(cache\.[a-z0-9.]+):(redis|valkey|memcached)", "hour",
         lambda m: ("AmazonElastiCache", f"node_hour:{m.group(2)}:{m.group(1)}")),
    Rule("AmazonDocDB", r"instance_hour:db\.[a-z0-9.]+", "hour", _same("AmazonDocDB")),
    Rule("AmazonDocDB", r"storage_gb_month", "GB-month", _same("AmazonDocDB")),
    Rule("AmazonECS(Fargate)", r"fargate_vcpu_hour:(x86_64|arm64)", "vCPU-hour", _same("AmazonECS")),
    Rule("AmazonECS(Fargate)", r"fargate_gb_hour:(x86_64|arm64)", "GB-hour", _same("AmazonECS")),
    Rule("AWSELB", r"alb_hour|nlb_hour", "hour", _same("AWSELB")),
    Rule("AWSELB", r"alb_lcu_hour", "LCU-hour", _same("AWSELB")),
    Rule("AWSELB", r"nlb_nlcu_hour", "NLCU-hour", _fixed("AWSELB", "nlb_lcu_hour")),
    Rule("AmazonVPC", r"nat_hour", "hour", _fixed("AmazonEC2", "nat_gateway_hour")),  # billed under AmazonEC2
    Rule("AmazonVPC", r"nat_gb", "GB", _fixed("AmazonEC2", "nat_gateway_gb")),
    Rule("AmazonVPC", r"tgw_attachment_hour", "attachment-hour", _same("AmazonVPC")),
    Rule("AmazonVPC", r"tgw_gb", "GB", _same("AmazonVPC")),
    Rule("AmazonVPC", r"public_ipv4_hour", "hour", _same("AmazonVPC")),
    Rule("AmazonVPC", r"vpce_interface_az_hour", "endpoint-AZ-hour", _fixed("AmazonVPC", "interface_endpoint_hour")),
    Rule("AmazonVPC", r"vpce_interface_gb:first1PB", "GB", _fixed("AmazonVPC", "interface_endpoint_gb")),
    Rule("AmazonDynamoDB", r"ondemand_write_per_million", "million-WRU", _fixed("AmazonDynamoDB", "wru_million")),
    Rule("AmazonDynamoDB", r"ondemand_read_per_million", "million-RRU", _fixed("AmazonDynamoDB", "rru_million")),
    Rule("AmazonDynamoDB", r"wcu_hour", "WCU-hour", _same("AmazonDynamoDB")),
    Rule("AmazonDynamoDB", r"rcu_hour", "RCU-hour", _same("AmazonDynamoDB")),
    Rule("AmazonDynamoDB", r"storage_gb_month", "GB-month", _same("AmazonDynamoDB")),
    Rule("CodeBuild", r"build_minute:general1\.(small|medium|large):(linux|windows|arm)", "minute",
         lambda m: ("CodeBuild", f"build_minute:{m.group(2)}:BUILD_GENERAL1_{m.group(1).upper()}")),
    Rule("AWSCodePipeline", r"pipeline_month:v1", "active-pipeline-month",
         _fixed("AWSCodePipeline", "v1_active_pipeline_month"), global_price=True),
    Rule("AWSCodePipeline", r"action_execution_minute:v2", "action-execution-minute",
         _fixed("AWSCodePipeline", "v2_action_minute"), global_price=True),
]

# Why a reference row may be left out. The 2026-12-07 reference has no unmapped row.
UNMAPPED_REASONS = {
    "no-rule": "no catalog key for this reference item (no rule in RULES)",
    "unit": "the reference unit differs from the rule's unit (the figure may be per another quantity)",
    "region": "region is neither an AWS commercial region nor 'global' for a global price",
    "no-unit-wording": "the catalog has no unit wording for this item or its kind",
}


# --------------------------------------------------------------------------- plan
@dataclass(frozen=True)
class Outcome:
    ref: dict[str, str]
    row: dict[str, str] | None = None  # the catalog row (imported or skipped)
    reason: str = ""  # skipped: why; unmapped: a UNMAPPED_REASONS key


@dataclass
class Plan:
    imported: list[Outcome] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    unmapped: list[Outcome] = field(default_factory=list)

    def rows(self) -> list[dict[str, str]]:
        return sorted((o.row for o in self.imported if o.row), key=lambda r: (r["service"], r["item"], r["region"]))

    def counts(self) -> dict[str, Counter[tuple[str, str]]]:
        """(service, region) -> rows, per outcome (catalog keys; the reference's own for unmapped rows)."""
        def by(outcomes: list[Outcome]) -> Counter[tuple[str, str]]:
            return Counter(((o.row or o.ref)["service"], (o.row or o.ref)["region"]) for o in outcomes)

        return {"imported": by(self.imported), "skipped": by(self.skipped), "unmapped": by(self.unmapped)}


def unit_wording(package_rows: Iterable[dict[str, str]]) -> Callable[[str, str], str | None]:
    """The catalog's unit text for (service, item): the item's own, else the most common of its kind
    (``instance_hour`` of that service, e.g. ``per instance-hour (Single-AZ)`` for every RDS class)."""
    exact: dict[tuple[str, str], str] = {}
    kind: dict[tuple[str, str], Counter[str]] = {}
    for r in package_rows:
        exact.setdefault((r["service"], r["item"]), r["unit"])
        kind.setdefault((r["service"], r["item"].split(":")[0]), Counter())[r["unit"]] += 1

    def unit(service: str, item: str) -> str | None:
        if (service, item) in exact:
            return exact[(service, item)]
        common = kind.get((service, item.split(":")[0]))
        return common.most_common(1)[0][0] if common else None

    return unit


def map_row(ref: dict[str, str]) -> tuple[str, str, str] | str:
    """(service, item, region) in catalog keys, or an :data:`UNMAPPED_REASONS` key."""
    for rule in RULES:
        m = rule.match(ref["service"], ref["item"])
        if m is None:
            continue
        if ref["unit"] != rule.ref_unit:
            return "unit"
        region = ref["region"]
        if region == GLOBAL and rule.global_price:
            region = ANY_REGION
        elif not REGION_RE.match(region):
            return "region"
        service, item = rule.to(m)
        return service, item, region
    return "no-rule"


def plan(reference_rows: Iterable[dict[str, str]], package_rows: Iterable[dict[str, str]],
         reference_date: str = REFERENCE_DATE) -> Plan:
    """Decide, for every reference row, imported / skipped (the package holds it) / unmapped."""
    package = list(package_rows)
    held = {(r["service"], r["item"], r["region"]) for r in package}
    any_region = {(r["service"], r["item"]) for r in package if r["region"] == ANY_REGION}
    unit = unit_wording(package)
    out = Plan()
    seen: dict[tuple[str, str, str], dict[str, str]] = {}
    for ref in reference_rows:
        mapped = map_row(ref)
        if isinstance(mapped, str):
            out.unmapped.append(Outcome(ref, None, mapped))
            continue
        service, item, region = mapped
        wording = unit(service, item)
        if wording is None:
            out.unmapped.append(Outcome(ref, None, "no-unit-wording"))
            continue
        if mapped in seen:
            raise ValueError(f"two reference rows map to {mapped}: {seen[mapped]} and {ref}. "
                             "Fix: correct the reference or the RULES mapping.")
        seen[mapped] = ref
        float(ref["usd"])  # a figure, or ValueError naming it
        conf = ref["confidence"].strip().upper()
        if conf not in {"A", "B", "C"}:
            raise ValueError(f"{ref}: confidence {conf!r}. Fix: the reference must grade rows A, B or C.")
        as_of, note = split_as_of(ref["as_of"])
        tail = f"regional-prices.csv {reference_date}" + (f"; {note}" if note else "")
        row = {"service": service, "item": item, "region": region, "unit": wording, "usd": ref["usd"].strip(),
               "source": f"{cite(ref['source'])} ({tail})", "as_of": as_of, "confidence": conf}
        if mapped in held:
            out.skipped.append(Outcome(ref, row, "prices.csv holds this (service, item, region)"))
        elif (service, item) in any_region:
            out.skipped.append(Outcome(ref, row, "prices.csv prices this item for every region (*)"))
        else:
            out.imported.append(Outcome(ref, row))
    return out


# --------------------------------------------------------------------------- files
def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def reference_date(reference_csv: Path) -> str:
    md = reference_csv.with_suffix(".md")
    if md.is_file():
        m = re.search(r"Compiled (\d{4}-\d{2}-\d{2})", md.read_text(encoding="utf-8"))
        if m:
            return m.group(1)
    return REFERENCE_DATE


def write_catalog(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def ensure_sources(path: Path) -> list[str]:
    """Append the :data:`NEW_SOURCES` rows whose key ``sources.csv`` lacks; returns the keys added."""
    text = path.read_text(encoding="utf-8")
    have = {r["key"] for r in csv.DictReader(io.StringIO(text))}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    added = []
    for key, description, url in NEW_SOURCES:
        if key not in have:
            w.writerow([key, description, url])
            added.append(key)
    if added:
        path.write_text(text + ("" if text.endswith("\n") else "\n") + buf.getvalue(), encoding="utf-8")
    return added


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reference", nargs="?", type=Path, default=DEFAULT_REFERENCE,
                    help="regional-prices.csv (default: ../shared/reference/regional-prices.csv)")
    ap.add_argument("--output", type=Path, default=OUTPUT_CSV)
    ap.add_argument("--package", type=Path, default=PACKAGE_CSV, help="the curated prices.csv (its rows win)")
    ap.add_argument("--sources", type=Path, default=SOURCES_CSV)
    args = ap.parse_args(argv)
    if not args.reference.is_file():
        print(f"{args.reference}: not found. Fix: pass the path of regional-prices.csv.", file=sys.stderr)
        return 2
    result = plan(read_csv(args.reference), read_csv(args.package), reference_date(args.reference))
    write_catalog(result.rows(), args.output)
    added = ensure_sources(args.sources)
    counts = result.counts()
    print(f"{args.output}: {len(result.imported)} imported, {len(result.skipped)} skipped (already in "
          f"{args.package.name}), {len(result.unmapped)} unmapped")
    for what in ("imported", "skipped", "unmapped"):
        for (service, region), n in sorted(counts[what].items()):
            print(f"  {what:9} {service:20} {region:15} {n:4}")
    for o in result.unmapped:
        print(f"  unmapped: {o.ref['service']} {o.ref['item']} {o.ref['region']}: {UNMAPPED_REASONS[o.reason]}")
    if added:
        print(f"{args.sources}: added {', '.join(added)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
