"""Which service reaches which data store, read from the security groups (no flow logs needed).

A service reaches a store on the store's port when one of the store's security groups admits, on that
port (tcp, or all traffic), one of the service's security groups, or a CIDR holding one of the service's
subnets (``0.0.0.0/0`` admits every service). A store whose security groups the snapshot does not hold
(an older snapshot, a store without any) is *not observable*: ``clients`` is None, never "nobody".
The exit kit's data-store security group admits exactly the observed pairs.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from awsassess.snapshot import Snapshot
from awsassess.values import json_list, text

# the port each engine listens on (AWS defaults)
ENGINE_PORTS = {"postgres": 5432, "aurora-postgresql": 5432, "mysql": 3306, "mariadb": 3306, "aurora-mysql": 3306,
                "aurora": 3306, "docdb": 27017, "redis": 6379, "valkey": 6379, "memcached": 11211}


@dataclass(frozen=True)
class StoreAccess:
    store: str  # RDS/DocumentDB instance or cluster id, ElastiCache group or cluster id
    engine: str
    port: int | None
    clients: frozenset[str] | None  # service names; None: not observable from the snapshot
    groups: tuple[str, ...]  # the store's security groups


def _groups(cell: Any) -> list[str]:
    return [text(g) for g in json_list(cell) if text(g)]


def _networks(cidrs: list[str]) -> list[Any]:
    out = []
    for c in cidrs:
        try:
            out.append(ipaddress.ip_network(c, strict=False))
        except ValueError:
            continue
    return out


def datastore_access(snapshot: Snapshot) -> dict[str, StoreAccess]:
    """Per data store: its port and the services its security groups admit on it."""
    sg_rules: dict[str, list[dict[str, Any]]] = {}
    sgs = snapshot.table("security_groups")
    if "rules" in sgs.columns:
        for r in sgs.to_dict("records"):
            sg_rules[text(r["group_id"])] = [x for x in json_list(r.get("rules")) if isinstance(x, dict)
                                             and x.get("direction") == "ingress"]
    subnet_cidr = {text(r["subnet_id"]): text(r["cidr"]) for r in snapshot.table("subnets").to_dict("records")}
    services: dict[str, tuple[set[str], list[Any]]] = {}
    svc = snapshot.table("ecs_services")
    for r in svc.to_dict("records"):
        own = set(_groups(r.get("security_groups"))) if "security_groups" in svc.columns else set()
        nets = _networks([subnet_cidr[s] for s in _groups(r.get("subnets")) if s in subnet_cidr])
        services[text(r["service_name"])] = (own, nets)

    def admitted(groups: tuple[str, ...] | list[str], port: int) -> frozenset[str]:
        out: set[str] = set()
        for g in groups:
            for rule in sg_rules.get(g, []):
                proto = text(rule.get("protocol"))
                lo, hi = rule.get("from_port"), rule.get("to_port")
                if proto not in ("tcp", "6", "-1"):
                    continue
                if proto != "-1" and not (isinstance(lo, int) and isinstance(hi, int) and lo <= port <= hi):
                    continue
                sources = set(_groups(rule.get("groups")))
                nets = _networks([text(c) for c in json_list(rule.get("cidrs")) + json_list(rule.get("ipv6"))])
                for name, (own_groups, subnets) in services.items():
                    if own_groups & sources or any(s.subnet_of(n) for s in subnets for n in nets
                                            if s.version == n.version):
                        out.add(name)
        return frozenset(out)

    stores: dict[str, tuple[str, list[str]]] = {}
    inst = snapshot.table("db_instances")
    for r in inst.to_dict("records"):
        key = text(r["cluster_id"]) or text(r["db_instance_id"])
        engine = text(r["engine"]).lower()
        groups = _groups(r.get("security_groups")) if "security_groups" in inst.columns else []
        prev = stores.get(key, (engine, []))
        stores[key] = (engine, sorted(set(prev[1]) | set(groups)))
    clusters = snapshot.table("db_clusters")
    for r in clusters.to_dict("records"):
        key = text(r["cluster_id"])
        groups = _groups(r.get("security_groups")) if "security_groups" in clusters.columns else []
        prev = stores.get(key, (text(r["engine"]).lower(), []))
        stores[key] = (prev[0], sorted(set(prev[1]) | set(groups)))
    caches = snapshot.table("cache_clusters")
    by_group: dict[str, set[str]] = defaultdict(set)
    for r in caches.to_dict("records"):
        key = text(r["replication_group_id"]) or text(r["id"])
        groups = _groups(r.get("security_groups")) if "security_groups" in caches.columns else []
        by_group[key] |= set(groups)
        stores.setdefault(key, (text(r["engine"]).lower(), []))
        stores[key] = (stores[key][0], sorted(by_group[key]))
    out = {}
    for key, (engine, groups) in stores.items():
        port = ENGINE_PORTS.get(engine)
        observable = bool(groups) and bool(sg_rules) and port is not None and all(g in sg_rules for g in groups)
        out[key] = StoreAccess(key, engine, port, admitted(groups, port) if observable and port else None,
                               tuple(groups))
    return out
