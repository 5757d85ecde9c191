"""What the generated code needs beyond the proposed architecture, read from the snapshot once.

Each value carries where it came from (:attr:`Observed.source`), so the generated file can say why it
holds it. Nothing is guessed: a value the snapshot does not hold is ``None`` and the generator asks the
client for it (a variable) or lists the resource as manual work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from awsassess.facts.access import ENGINE_PORTS, StoreAccess, datastore_access
from awsassess.facts.placement import service_placements
from awsassess.snapshot import Snapshot
from awsassess.values import json_list, json_obj, num, text, truthy


def tf_name(value: str) -> str:
    """A Terraform identifier for a resource or module name: ``fintech-prod.web`` -> ``fintech_prod_web``."""
    out = re.sub(r"[^a-zA-Z0-9_]", "_", value).strip("_").lower()
    out = re.sub(r"_+", "_", out)
    return out if out and not out[0].isdigit() else f"r_{out}"


@dataclass(frozen=True)
class Observed:
    """A value and its evidence (table and row)."""

    value: Any
    source: str


@dataclass
class ServiceInputs:
    name: str
    container_name: Observed
    port: Observed | None
    health_check_path: Observed | None
    image: Observed | None
    target_group: str = ""


@dataclass
class StoreInputs:
    """Today's settings of one data store the import must state."""

    id: str
    engine: str
    engine_version: str
    cluster_id: str = ""
    allocated_gb: float | None = None
    iops: float | None = None
    members: list[str] = field(default_factory=list)
    description: str = ""
    key_schema: dict[str, Any] | None = None
    gsi_count: int = 0
    autoscaling: bool = False
    replication_group: bool = False  # an ElastiCache replication group (not a standalone cache cluster)


@dataclass
class EstateInputs:
    services: dict[str, ServiceInputs]
    stores: dict[str, StoreInputs]
    account_id: str
    access: dict[str, StoreAccess] = field(default_factory=dict)  # which service reaches which store


def _first_container(containers: Any) -> dict[str, Any]:
    items = [c for c in json_list(containers) if isinstance(c, dict)]
    essential = [c for c in items if c.get("essential", True)]
    return (essential or items or [{}])[0]


def estate_inputs(snapshot: Snapshot) -> EstateInputs:
    """Per service: container name, port, health check path and today's image; per data store: engine,
    version, storage and keys."""
    tds = {text(r["task_definition_arn"]): r for r in snapshot.table("task_definitions").to_dict("records")}
    tgs = {text(r["arn"]): r for r in snapshot.table("target_groups").to_dict("records")}
    services: dict[str, ServiceInputs] = {}
    placements = service_placements(snapshot)
    for r in snapshot.table("ecs_services").to_dict("records"):
        name = text(r["service_name"])
        td_arn = text(r["task_definition"])
        container = _first_container(tds.get(td_arn, {}).get("containers"))
        td_label = td_arn.rsplit("/", 1)[-1] or td_arn
        cname = Observed(text(container.get("name")), f"task definition {td_label}") if container.get("name") else \
            Observed(name, "the service name (no container in the snapshot)")
        image = Observed(text(container["image"]), f"task definition {td_label}") if container.get("image") else None
        placement = placements.get((text(r["cluster"]), name))
        tg_arns = list(placement.target_groups) if placement else [a for a in json_list(r["target_group_arns"])
                                                                    if isinstance(a, str)]
        tg = next((tgs[a] for a in tg_arns if a in tgs), None)
        port = health = None
        tg_label = ""
        if tg is not None:
            tg_label = text(tg["name"])
            if num(tg["port"]) is not None:
                port = Observed(int(num(tg["port"]) or 0), f"target group {tg_label} port")
            if text(tg["health_check_path"]):
                health = Observed(text(tg["health_check_path"]), f"target group {tg_label} health check")
        if port is None:
            mapped = [m for m in json_list(container.get("portMappings")) if isinstance(m, dict) and m.get("containerPort")]
            if mapped:
                port = Observed(int(mapped[0]["containerPort"]), f"task definition {td_label} port mapping")
        services.setdefault(name, ServiceInputs(name, cname, port, health, image, tg_label))
    stores: dict[str, StoreInputs] = {}
    for r in snapshot.table("db_instances").to_dict("records"):
        rid = text(r["db_instance_id"])
        stores[rid] = StoreInputs(rid, text(r["engine"]).lower(), text(r["engine_version"]), text(r["cluster_id"]),
                                  num(r["allocated_gb"]), num(r["iops"]))
    for r in snapshot.table("db_clusters").to_dict("records"):
        cid = text(r["cluster_id"])
        stores[cid] = StoreInputs(cid, text(r["engine"]).lower(), text(r["engine_version"]),
                                  members=[text(i) for i in json_list(r["instance_ids"])])
    for r in snapshot.table("replication_groups").to_dict("records"):
        gid = text(r["id"])
        stores[gid] = StoreInputs(gid, text(r["engine"]).lower(), "", description=text(r["description"]),
                                  replication_group=True)
    for r in snapshot.table("cache_clusters").to_dict("records"):
        cid = text(r["id"])
        if text(r["replication_group_id"]):
            stores.setdefault(text(r["replication_group_id"]), StoreInputs(text(r["replication_group_id"]),
                                                                           text(r["engine"]).lower(), "",
                                                                           replication_group=True))
            group = stores[text(r["replication_group_id"])]
            group.engine_version = group.engine_version or text(r["engine_version"])
            group.members.append(cid)
            continue
        stores[cid] = StoreInputs(cid, text(r["engine"]).lower(), text(r["engine_version"]))
    for r in snapshot.table("dynamodb_tables").to_dict("records"):
        name = text(r["table_name"])
        keys = json_obj(r.get("key_schema")) if "key_schema" in r else {}
        stores[name] = StoreInputs(name, "dynamodb", "", key_schema=keys or None,
                                   gsi_count=int(num(r["gsi_count"], 0) or 0), autoscaling=truthy(r["autoscaling"]))
    return EstateInputs(services, stores, snapshot.account_id, datastore_access(snapshot))


__all__ = ["ENGINE_PORTS", "EstateInputs", "Observed", "ServiceInputs", "StoreInputs", "estate_inputs", "tf_name"]
