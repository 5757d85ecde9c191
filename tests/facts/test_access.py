"""Which service reaches which data store, from security groups (:mod:`awsassess.facts.access`)."""

from __future__ import annotations

import json

from awsassess.collect.network import security_group_rules
from awsassess.facts.access import datastore_access
from snapshots_factory import SnapshotBuilder


def _estate(rules: list[dict], *, store_groups: list[str] | None = None, with_rules: bool = True):  # noqa: ANN202
    b = SnapshotBuilder()
    b.vpc("vpc-a")
    b.subnet("sub-a", "vpc-a")
    b.add("subnets", subnet_id="sub-b", vpc_id="vpc-b", az="us-east-1a", cidr="10.2.1.0/24", public=False)
    b.add("subnets", subnet_id="sub-c", vpc_id="vpc-c", az="us-east-1a", cidr="10.3.1.0/24", public=False)
    b.fargate_service("orders", subnets=["sub-b"], security_groups=["sg-orders"])
    b.fargate_service("billing", subnets=["sub-c"], security_groups=["sg-billing"])
    b.add("db_instances", db_instance_id="pg", engine="postgres", instance_class="db.m6g.large", status="available",
          security_groups=json.dumps(store_groups if store_groups is not None else ["sg-data"]))
    if with_rules:
        b.add("security_groups", group_id="sg-data", vpc_id="vpc-a", name="data", ingress_rules=len(rules),
              egress_rules=0, rules=json.dumps(rules))
    return b.build()


def _rule(**kw: object) -> dict:
    base = {"direction": "ingress", "protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidrs": [], "ipv6": [],
            "groups": [], "prefix_lists": []}
    return {**base, **kw}


def test_a_group_reference_admits_that_service_only() -> None:
    access = datastore_access(_estate([_rule(groups=["sg-orders"])]))
    assert access["pg"].port == 5432 and access["pg"].clients == frozenset({"orders"})


def test_a_cidr_admits_the_services_whose_subnets_it_holds() -> None:
    assert datastore_access(_estate([_rule(cidrs=["10.3.0.0/16"])]))["pg"].clients == frozenset({"billing"})
    assert datastore_access(_estate([_rule(cidrs=["0.0.0.0/0"])]))["pg"].clients == frozenset({"orders", "billing"})


def test_other_ports_and_egress_rules_admit_nobody() -> None:
    rules = [_rule(groups=["sg-orders"], from_port=6379, to_port=6379),
             _rule(direction="egress", groups=["sg-billing"])]
    assert datastore_access(_estate(rules))["pg"].clients == frozenset()


def test_all_traffic_and_port_ranges_count() -> None:
    assert datastore_access(_estate([_rule(protocol="-1", from_port=None, to_port=None, groups=["sg-billing"])])
                            )["pg"].clients == frozenset({"billing"})
    assert datastore_access(_estate([_rule(from_port=5000, to_port=6000, groups=["sg-orders"])])
                            )["pg"].clients == frozenset({"orders"})


def test_unknown_groups_are_not_observable_never_nobody() -> None:
    assert datastore_access(_estate([], with_rules=False))["pg"].clients is None
    assert datastore_access(_estate([_rule(groups=["sg-orders"])], store_groups=[]))["pg"].clients is None


def test_the_collector_keeps_every_permission() -> None:
    group = {"GroupId": "sg-1", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
         "UserIdGroupPairs": [{"GroupId": "sg-2"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
         "PrefixListIds": [{"PrefixListId": "pl-1"}]}],
        "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}
    rules = security_group_rules(group)
    assert rules[0] == {"direction": "ingress", "protocol": "tcp", "from_port": 5432, "to_port": 5432,
                        "cidrs": ["10.0.0.0/8"], "ipv6": ["::/0"], "groups": ["sg-2"], "prefix_lists": ["pl-1"]}
    assert rules[1]["direction"] == "egress" and rules[1]["from_port"] is None
