"""Test fixture: a snapshot rewritten as if the first N waves of a plan were applied (no servers).

Table edits, not a simulation: new rows for what a wave creates (with fresh ids, as a rebuild gives),
changed rows for what it modifies (data stores keep their identifiers), dropped rows for what it retires.
Service metrics are rescaled so the same absolute usage reads as a share of the new size. The simulated
estate's own after-migration seeding (``awsassess demo --after``) is tested in tests/demo.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from awsassess.model import CostModel
from awsassess.snapshot import Snapshot, empty_frame


def _add(t: dict[str, pd.DataFrame], table: str, rows: list[dict[str, Any]]) -> None:
    frame = empty_frame(table, rows)
    t[table] = frame if not len(t[table]) else pd.concat([t[table], frame], ignore_index=True)


def migrate(snap: Snapshot, model: CostModel, waves: int | None = None) -> Snapshot:
    arch, plan = model.proposed, model.migration
    acct = snap.account_id
    t = {name: snap.table(name).copy() for name in _tables(snap)}
    vpc = arch.vpcs[0]
    region = vpc.region
    new_vpc = "vpc-after0001"
    private = [f"subnet-after{i:04d}" for i, s in enumerate(vpc.subnets) if not s.public]
    base = {"account_id": acct, "region": region}
    for w in plan[: len(plan) if waves is None else waves]:
        if w.name.startswith("Network foundation"):
            _add(t, "vpcs", [{**base, "vpc_id": new_vpc, "cidr": vpc.cidr, "name": vpc.name, "is_default": False,
                              "state": "available", "tags": {"Name": vpc.name}}])
            _add(t, "subnets", [{**base, "subnet_id": f"subnet-after{i:04d}", "vpc_id": new_vpc, "az": s.az,
                                 "cidr": s.cidr, "public": s.public, "name": s.name} for i, s in enumerate(vpc.subnets)])
            _add(t, "nat_gateways", [{**base, "nat_gateway_id": f"nat-after{i:04d}", "vpc_id": new_vpc,
                                      "subnet_id": f"subnet-after{i:04d}", "az": n.az, "state": "available",
                                      "connectivity_type": "public", "public_ip": f"198.51.100.{i + 1}"}
                                     for i, n in enumerate(vpc.nat_gateways)])
            _add(t, "load_balancers", [{**base, "arn": f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/"
                                        f"app/{lb.name}/after{i}", "name": lb.name, "type": "application",
                                        "scheme": lb.scheme, "vpc_id": new_vpc, "state": "active",
                                        "azs": json.dumps(lb.azs)} for i, lb in enumerate(arch.load_balancers)])
            for c in arch.clusters:
                _add(t, "ecs_clusters", [{**base, "cluster_arn": f"arn:aws:ecs:{region}:{acct}:cluster/{c.name}",
                                          "cluster_name": c.name, "status": "ACTIVE",
                                          "capacity_providers": [c.capacity_provider.name] if c.capacity_provider
                                          else ["FARGATE"], "container_instances": c.instances}])
                if c.capacity_provider is not None:
                    _add(t, "capacity_providers", [{**base, "name": c.capacity_provider.name, "cluster": c.name,
                                                    "type": "ASG", "managed_scaling": True,
                                                    "target_capacity": c.capacity_provider.target_capacity_pct}])
        elif w.name.startswith("Data stores"):
            db, rg, ddb = t["db_instances"], t["replication_groups"], t["dynamodb_tables"]
            for d in arch.datastores:
                if d.kind in ("rds", "aurora", "docdb"):
                    if not d.proposed_class:
                        t["db_instances"] = db = db[db["db_instance_id"] != d.id].reset_index(drop=True)
                        continue
                    row = db["db_instance_id"] == d.id
                    db.loc[row, "instance_class"] = d.proposed_class
                    if d.kind == "rds":
                        db.loc[row, "multi_az"] = d.multi_az
                        db.loc[row, "storage_type"] = d.storage_type or db.loc[row, "storage_type"]
                elif d.kind == "elasticache":
                    row = rg["id"] == d.id
                    rg.loc[row, "node_type"], rg.loc[row, "nodes"], rg.loc[row, "engine"] = \
                        d.proposed_class, d.nodes, d.engine
                elif d.kind == "dynamodb":
                    row = ddb["table_name"] == d.id
                    ddb.loc[row, "billing_mode"] = d.mode
        elif w.name.startswith("Services"):
            svc = t["ecs_services"]
            names = {s.name: s for s in arch.services if s.replaces and s.replaces[0] in w.resources}
            for name, s in names.items():
                row = svc["service_name"] == name
                old_cpu, old_mem = float(svc.loc[row, "cpu"].iloc[0]), float(svc.loc[row, "memory"].iloc[0])
                svc.loc[row, "service_arn"] = f"arn:aws:ecs:{region}:{acct}:service/{s.cluster}/{name}"
                svc.loc[row, "cluster"] = s.cluster
                svc.loc[row, "cpu"], svc.loc[row, "memory"] = s.cpu, s.memory
                svc.loc[row, "cpu_architecture"] = "ARM64" if s.arch == "arm64" else "X86_64"
                svc.loc[row, "launch_type"] = s.launch if s.launch == "FARGATE" else ""
                cps = json.dumps([c.capacity_provider.name for c in arch.clusters if c.capacity_provider])
                svc.loc[row, "capacity_providers"] = cps if s.launch == "EC2" else "[]"
                svc.loc[row, "subnets"] = json.dumps(private)
                svc.loc[row, "target_group_arns"] = "[]"
                m = t["metrics"]
                for metric, ratio in (("CPUUtilization", old_cpu / s.cpu), ("MemoryUtilization", old_mem / s.memory)):
                    mine = (m["namespace"] == "AWS/ECS") & (m["metric"] == metric) & (m["resource_id"] == name)
                    m.loc[mine, "value"] = (m.loc[mine, "value"] * ratio).clip(upper=100.0)
                    m.loc[mine, "dimensions"] = json.dumps({"ClusterName": s.cluster, "ServiceName": name})
        elif w.name.startswith("Pipelines"):
            for table in ("pipelines", "build_projects", "pipeline_executions", "builds", "deployment_groups",
                          "deployments"):
                t[table] = t[table].iloc[0:0]
        elif w.name.startswith("Decommission"):
            old = set(vpc.replaces)
            nats = t["nat_gateways"]
            released = set(nats.loc[nats["vpc_id"].isin(old), "public_ip"].astype(str))  # with their NATs
            t["vpcs"] = t["vpcs"][~t["vpcs"]["vpc_id"].isin(old)]
            for table in ("subnets", "nat_gateways", "load_balancers", "target_groups", "vpc_endpoints"):
                if len(t[table]) and "vpc_id" in t[table].columns:
                    t[table] = t[table][~t[table]["vpc_id"].isin(old)]
            eips = t["elastic_ips"]  # "Release idle Elastic IPs"
            t["elastic_ips"] = eips[(eips["association_id"].fillna("").astype(str) != "")
                                    & ~eips["public_ip"].astype(str).isin(released)]
            p = t["vpc_peerings"]
            t["vpc_peerings"] = p[~(p["requester_vpc_id"].isin(old) | p["accepter_vpc_id"].isin(old))]
    manifest = dict(snap.manifest)  # collected at the same moment: the lookback windows stay comparable
    return Snapshot(manifest=manifest, tables={k: v.reset_index(drop=True) for k, v in t.items()})


def _tables(snap: Snapshot) -> list[str]:
    from awsassess.tables import TABLES

    return list(TABLES)
