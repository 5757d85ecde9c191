"""One grammar of catalog price keys (awsassess.pricing.keys): the model builds them, the savings parse them."""

from __future__ import annotations

import pytest
from awsassess.model import assess
from awsassess.pricing import keys
from awsassess.pricing.catalog import PriceCatalog
from demo_snapshots import demo_snapshot


@pytest.mark.parametrize(("kind", "parts", "item"), [
    ("rds_instance", {"engine": "postgres", "cls": "db.m5.large"}, "instance_hour:postgres:db.m5.large"),
    ("rds_storage", {"storage": "gp2", "multi_az": True}, "storage_gb_month:gp2:multi-az"),
    ("rds_storage", {"storage": "gp3", "multi_az": False}, "storage_gb_month:gp3"),
    ("rds_iops", {"storage": "io1", "multi_az": True}, "iops_month:io1:multi-az"),
    ("docdb_instance", {"cls": "db.r6g.large"}, "instance_hour:db.r6g.large"),
    ("cache_node", {"engine": "valkey", "cls": "cache.m7g.large"}, "node_hour:valkey:cache.m7g.large"),
    ("fargate_vcpu", {"arch": "arm64"}, "fargate_vcpu_hour:arm64"),
    ("build_minute", {"os": "linux", "cls": "BUILD_GENERAL1_LARGE"}, "build_minute:linux:BUILD_GENERAL1_LARGE"),
])
def test_build_and_parse_are_one_grammar(kind: str, parts: dict, item: str) -> None:
    k = keys.key(kind, **parts)
    assert k.item == item
    assert keys.parse(k.service, item) == k


def test_changing_a_part_is_not_string_surgery() -> None:
    k = keys.parse("AmazonRDS", "storage_gb_month:gp2:multi-az")
    assert k is not None and k.with_(storage="gp3").item == "storage_gb_month:gp3:multi-az"
    assert k.with_(multi_az=False).item == "storage_gb_month:gp2"
    with pytest.raises(KeyError, match="no part"):
        k.with_(cls="db.m5.large")
    with pytest.raises(KeyError, match="needs"):
        keys.key("rds_instance", cls="db.m5.large")


def test_the_service_decides_between_look_alike_forms() -> None:
    assert keys.parse("AmazonEC2", "instance_hour:m5.large").kind == "ec2_instance"  # type: ignore[union-attr]
    assert keys.parse("AmazonDocDB", "instance_hour:db.r5.large").kind == "docdb_instance"  # type: ignore[union-attr]
    assert keys.parse("AmazonRDS", "instance_hour:db.r5.large") is None  # an RDS instance key names its engine


def test_every_catalog_row_of_these_forms_reads_back() -> None:
    """Each catalog item of a known prefix parses and renders to itself (the grammar matches the data)."""
    catalog = PriceCatalog.package()
    prefixes = ("instance_hour:", "storage_gb_month:", "iops_month:", "aurora_instance_hour:", "node_hour:",
                "fargate_vcpu_hour:", "fargate_gb_hour:", "build_minute:", "aurora_iopt_instance_hour:")
    checked = 0
    for row in catalog.rows.values():
        if row.service in {s for s, _ in keys.FORMS.values()} and row.item.startswith(prefixes):
            k = keys.parse(row.service, row.item)
            if row.service == "AmazonDocDB" and not row.item.startswith("instance_hour:"):
                continue
            assert k is not None and k.item == row.item, (row.service, row.item)
            checked += 1
    assert checked > 200


@pytest.mark.parametrize("name", ["production", "staging"])
def test_every_instance_line_of_the_demo_model_has_a_typed_key(name: str) -> None:
    model = assess(demo_snapshot(name), {"allow_missing_prices": True})
    lines = model.lines
    for key_text, item in zip(lines["price_key"], lines["item"], strict=True):
        if not isinstance(key_text, str) or "hours" not in item or "instance" not in item.lower():
            continue
        service, rest = key_text.split("/", 1)
        assert keys.parse(service, rest.rsplit("/", 1)[0]) is not None, key_text
