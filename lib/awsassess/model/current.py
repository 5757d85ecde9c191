"""Current monthly cost, bottom-up: one line per resource and charge, from the snapshot and the catalog.

Quantities come from the inventory (counts, sizes, 730 hours) and from CloudWatch (NAT bytes, ALB
LCUs, DynamoDB consumed capacity, CloudFront bytes and requests), scaled from the metrics window to
a month. History (pipeline executions, builds) is scaled from the history window to a month.

What is not measured is not invented: a charge without a quantity (e.g. DocumentDB storage when
``VolumeBytesUsed`` was not collected, EBS volumes, cross-AZ bytes) is listed in ``unpriced`` with the
reason, and shows up in the reconciliation against Cost Explorer as unexplained spend.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from awsassess.facts.network import live_nat_gateways, nat_is_live
from awsassess.model.costing import Coster, Ledger, num, text, tiered, truthy
from awsassess.pricing import keys
from awsassess.snapshot import Snapshot
from awsassess.values import is_bool, json_list, json_value

SCENARIO = "current"
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
CF_TIERS = (("data_out_gb:first_10tb", 10 * 1024.0), ("data_out_gb:next_40tb", 50 * 1024.0))
RDS_ENGINES = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mariadb"}


# --------------------------------------------------------------------------- metric helpers
def nat_processed_gb(c: Ledger, nat_id: str) -> float | None:
    """GB processed per month: bytes in from the VPC side plus bytes in from the internet side.

    NAT gateways bill every byte they process once, whatever the direction. CloudWatch reports each
    byte twice (In and Out); the larger of the two pair sums is taken so a missing series cannot
    hide traffic.
    """
    def pair(x: str, y: str) -> float | None:
        vx = c.metrics.monthly_sum("AWS/NATGateway", x, nat_id, c.hours)
        vy = c.metrics.monthly_sum("AWS/NATGateway", y, nat_id, c.hours)
        if vx is None and vy is None:
            return None
        return (vx or 0.0) + (vy or 0.0)

    values = [v for v in (pair("BytesInFromSource", "BytesInFromDestination"),
                          pair("BytesOutToDestination", "BytesOutToSource")) if v is not None]
    return max(values) / c.bytes_per_gb if values else None


def history_days(snapshot: Snapshot, configured: float | None) -> tuple[float, str]:
    """Days the pipeline/build history covers, and how that was decided."""
    if configured:
        return float(configured), "assumption history_days"
    m = snapshot.manifest
    for value in (m.get("lookback_days"), (m.get("collect") or {}).get("lookback_days")
                  if isinstance(m.get("collect"), dict) else None):
        if value:
            return float(value), "snapshot manifest lookback_days"
    return 30.0, "default collect.lookback_days (30)"


# --------------------------------------------------------------------------- network
def network(c: Coster) -> None:
    snap, h = c.snapshot, c.hours
    nats = snap.table("nat_gateways")
    live_nats = live_nat_gateways(nats)
    for _, n in live_nats.iterrows():
        nid, region = text(n["nat_gateway_id"]), text(n["region"])
        c.add(SCENARIO, "network", "NAT gateway hours", nid, region, h, "hours", "AmazonEC2", "nat_gateway_hour")
        gb = nat_processed_gb(c, nid)
        if gb is None:
            c.note_unpriced(SCENARIO, "network", "NAT gateway data processed", nid, region,
                            "no AWS/NATGateway byte metrics in the snapshot")
        else:
            c.add(SCENARIO, "network", "NAT gateway data processed", nid, region, gb, "GB", "AmazonEC2",
                  "nat_gateway_gb", note="GB/month from AWS/NATGateway bytes (max of In and Out pairs)")
    public_ipv4(c)
    load_balancers(c)
    for _, a in snap.table("transit_gateway_attachments").iterrows():
        if text(a["state"]) in ("deleted", "deleting", "failed", "rejected"):
            continue
        c.add(SCENARIO, "network", "Transit gateway attachment hours", text(a["attachment_id"]), text(a["region"]),
              h, "hours", "AmazonVPC", "tgw_attachment_hour")
    for _, e in snap.table("vpc_endpoints").iterrows():
        if text(e["endpoint_type"]).lower() != "interface" or text(e["state"]).lower() in ("deleted", "failed"):
            continue
        azs = max(int(num(e["subnet_count"], 1)), 1)
        c.add(SCENARIO, "network", "Interface endpoint hours (per AZ)", text(e["vpc_endpoint_id"]),
              text(e["region"]), h * azs, "endpoint-AZ-hours", "AmazonVPC", "interface_endpoint_hour",
              note=f"{azs} AZ(s)")


def nat_addresses(snapshot: Snapshot) -> dict[str, str]:
    """NAT gateway id -> the resource id its public IPv4 is billed under (its Elastic IP allocation)."""
    eips = {text(e["public_ip"]): text(e["allocation_id"]) for _, e in snapshot.table("elastic_ips").iterrows()
            if text(e["public_ip"])}
    out = {}
    for _, n in snapshot.table("nat_gateways").iterrows():
        ip = text(n["public_ip"])
        if ip:
            out[text(n["nat_gateway_id"])] = eips.get(ip, text(n["nat_gateway_id"]))
    return out


def public_ipv4(c: Coster) -> None:
    """Every AWS-provided public IPv4 once: NAT addresses (billed under their Elastic IP), Elastic IPs,
    ENI addresses, load balancer nodes (one per enabled AZ of an internet-facing ALB/NLB)."""
    snap, h = c.snapshot, c.hours
    eips = {text(e["public_ip"]): text(e["allocation_id"]) for _, e in snap.table("elastic_ips").iterrows()
            if text(e["public_ip"])}
    lbs = {text(lb["arn"]).split(":loadbalancer/", 1)[-1]: text(lb["arn"])
           for _, lb in snap.table("load_balancers").iterrows()}
    owners: dict[str, tuple[str, str, str]] = {}  # ip -> (resource id, region, what)
    for _, n in snap.table("nat_gateways").iterrows():
        ip, nid = text(n["public_ip"]), text(n["nat_gateway_id"])
        if ip and nat_is_live(n["state"]):
            owners.setdefault(ip, (eips.get(ip, nid), text(n["region"]), f"NAT gateway address, {nid}"))
    # text(), not astype(str): a NaN id would stay NaN (and crash ``in``), and "" is in every description
    nat_ids = {text(x) for x in snap.table("nat_gateways")["nat_gateway_id"]} - {""}
    for _, e in snap.table("elastic_ips").iterrows():
        ip = text(e["public_ip"]) or text(e["allocation_id"])
        what = "Elastic IP (idle)" if not text(e["association_id"]) else "Elastic IP"
        owners.setdefault(ip, (text(e["allocation_id"]), text(e["region"]), what))
    counted_lb_nodes: dict[str, int] = {}
    for _, eni in snap.table("network_interfaces").iterrows():
        ip = text(eni["public_ip"])
        if not ip or ip in owners:
            continue
        desc = text(eni["description"])
        if any(nid in desc for nid in nat_ids):
            continue
        if desc.startswith("ELB ") and desc[4:] in lbs:
            counted_lb_nodes[desc[4:]] = counted_lb_nodes.get(desc[4:], 0) + 1
            owners[ip] = (lbs[desc[4:]], text(eni["region"]), "load balancer node")
            continue
        owners[ip] = (text(eni["eni_id"]), text(eni["region"]), "ENI public address")
    for ip, (owner, region, what) in sorted(owners.items(), key=lambda kv: kv[1]):
        c.add(SCENARIO, "network", f"Public IPv4 ({what})", owner, region, h, "IP-hours", "AmazonVPC",
              "public_ipv4_hour", note=ip)
    for _, lb in snap.table("load_balancers").iterrows():
        if text(lb["scheme"]) != "internet-facing" or text(lb["type"]) not in ("application", "network"):
            continue
        suffix = text(lb["arn"]).split(":loadbalancer/", 1)[-1]
        azs = lb_azs(lb["azs"])
        if azs is None:  # the AZ count is unknown: the node addresses seen on ENIs are all that is known
            if not counted_lb_nodes.get(suffix):
                c.note_unpriced(SCENARIO, "network", "Public IPv4 (internet-facing load balancer, per AZ)",
                                text(lb["arn"]), text(lb["region"]),
                                "no AZ list for the load balancer and no node address on an ENI")
            continue
        n = max(len(azs) - counted_lb_nodes.get(suffix, 0), 0)
        if n:
            c.add(SCENARIO, "network", "Public IPv4 (internet-facing load balancer, per AZ)", text(lb["arn"]),
                  text(lb["region"]), h * n, "IP-hours", "AmazonVPC", "public_ipv4_hour", note=f"{n} AZ node(s)")


def lb_azs(raw: object) -> list[str] | None:
    """A load balancer's ``azs`` cell as its AZ names; None when that is not known: missing, or anything but a
    JSON list of names (a number such as ``2``, junk text). A guessed count would bill invented addresses."""
    azs = json_value(raw)
    if not isinstance(azs, list):
        return None
    names = [z for z in azs if isinstance(z, str) and z.strip()]
    return names or None


def load_balancers(c: Coster) -> None:
    snap, h = c.snapshot, c.hours
    for _, lb in snap.table("load_balancers").iterrows():
        kind = text(lb["type"])
        if kind not in ("application", "network"):
            continue
        prefix = "alb" if kind == "application" else "nlb"
        arn, name, region = text(lb["arn"]), text(lb["name"]), text(lb["region"])
        c.add(SCENARIO, "network", f"{'Application' if prefix == 'alb' else 'Network'} load balancer hours", arn,
              region, h, "hours", "AWSELB", f"{prefix}_hour")
        ns = "AWS/ApplicationELB" if kind == "application" else "AWS/NetworkELB"
        lcu = c.metrics.mean(ns, "ConsumedLCUs", name)
        lcu = lcu if lcu is not None else c.metrics.mean(ns, "ConsumedLCUs", arn)
        if lcu is None:
            c.note_unpriced(SCENARIO, "network", "Load balancer capacity units", arn, region,
                            "no ConsumedLCUs metric in the snapshot")
            continue
        c.add(SCENARIO, "network", "Load balancer capacity units", arn, region, lcu * h, "LCU-hours", "AWSELB",
              f"{prefix}_lcu_hour", note=f"mean {lcu:.3f} LCU (hourly Average of ConsumedLCUs)")


# --------------------------------------------------------------------------- compute
def fargate_services(snapshot: Snapshot) -> pd.DataFrame:
    """ECS services that run on Fargate (launch type or capacity provider strategy)."""
    svc = snapshot.table("ecs_services")
    if not len(svc):
        return svc
    clusters = snapshot.table("ecs_clusters")
    default = {}
    for _, cl in clusters.iterrows():
        # a strategy item that is not a {capacityProvider, ...} object (a number, junk text) names no provider
        strategy = json_list(cl["default_strategy"])
        default[text(cl["cluster_name"])] = [text(s.get("capacityProvider")) for s in strategy if isinstance(s, dict)]

    def providers(row: pd.Series) -> list[str]:
        lt = text(row["launch_type"]).upper()
        if lt == "FARGATE":
            return ["FARGATE"]
        if lt in ("EC2", "EXTERNAL"):
            return []
        # a bare name that is not JSON ("FARGATE") is that one provider; a number or junk text is no provider
        cps = [p for p in json_list(row["capacity_providers"]) if isinstance(p, str)] \
            or default.get(text(row["cluster"]), [])
        return [p for p in cps if p in FARGATE_PROVIDERS]

    svc = svc.copy()
    svc["fargate_providers"] = svc.apply(providers, axis=1)
    return svc[svc["fargate_providers"].map(bool)]


def task_count(row: pd.Series) -> float:
    running = row.get("running_count")
    if running is not None and not (isinstance(running, float) and math.isnan(running)) and num(running) > 0:
        return num(running)
    return num(row.get("desired_count"))


def compute(c: Coster) -> None:
    snap, h, a = c.snapshot, c.hours, c.assumptions
    for _, s in fargate_services(snap).iterrows():
        tasks = task_count(s)
        if tasks <= 0:
            continue
        arch = "arm64" if text(s["cpu_architecture"]).upper() == "ARM64" else "x86_64"
        vcpu, gb = num(s["cpu"]) / 1024.0, num(s["memory"]) / 1024.0
        provs = s["fargate_providers"]
        shares = {p: 1.0 / len(provs) for p in provs}
        for prov, share in shares.items():
            spot = prov == "FARGATE_SPOT"
            mult = 1 - a.fargate_spot_discount_pct / 100 if spot else 1.0
            label = "Fargate Spot" if spot else "Fargate"
            note = f"{tasks:g} task(s) x {vcpu:g} vCPU / {gb:g} GB x {h:g} h ({arch})"
            if len(shares) > 1:
                note += f"; {share:.0%} of tasks on {prov} (strategy weights not collected: equal split)"
            arn, region = text(s["service_arn"]), text(s["region"])
            c.add(SCENARIO, "compute", f"{label} vCPU-hours", arn, region, tasks * share * vcpu * h, "vCPU-hours",
                  "AmazonECS", keys.item("fargate_vcpu", arch=arch), note=note, multiplier=mult,
                  multiplier_note=f"{a.fargate_spot_discount_pct:g}% Fargate Spot discount assumption")
            c.add(SCENARIO, "compute", f"{label} GB-hours", arn, region, tasks * share * gb * h, "GB-hours",
                  "AmazonECS", keys.item("fargate_gb", arch=arch), note=note, multiplier=mult,
                  multiplier_note=f"{a.fargate_spot_discount_pct:g}% Fargate Spot discount assumption")
    for _, i in snap.table("ec2_instances").iterrows():
        if text(i["state"]) not in ("running", "pending"):
            continue
        c.add(SCENARIO, "compute", "EC2 instance hours", text(i["instance_id"]), text(i["region"]), h, "hours",
              "AmazonEC2", keys.item("ec2_instance", cls=text(i["instance_type"])), note=text(i["name"]))


# --------------------------------------------------------------------------- data stores
def datastores(c: Coster) -> None:
    snap, h = c.snapshot, c.hours
    dbs = snap.table("db_instances")
    clusters = {text(r["cluster_id"]): r for _, r in snap.table("db_clusters").iterrows()}
    for _, d in dbs.iterrows():
        if text(d["status"]).lower() in ("deleting", "deleted", "stopped"):
            continue
        did, region, cls = text(d["db_instance_id"]), text(d["region"]), text(d["instance_class"])
        engine = text(d["engine"]).lower()
        if engine == "docdb":
            c.add(SCENARIO, "datastores", "DocumentDB instance hours", did, region, h, "hours", "AmazonDocDB",
                  keys.item("docdb_instance", cls=cls))
            continue
        if engine.startswith("aurora"):
            cl = clusters.get(text(d["cluster_id"]))
            iopt = cl is not None and "iopt" in text(cl["storage_type"]).lower()
            c.add(SCENARIO, "datastores", "Aurora instance hours", did, region, h, "hours", "AmazonRDS",
                  keys.item("aurora_iopt_instance" if iopt else "aurora_instance", cls=cls))
            continue
        rds_instance(c, d, SCENARIO, cls, truthy(d["multi_az"]), text(d["storage_type"]).lower() or "gp2",
                     num(d["allocated_gb"]), num(d["iops"]))
    for cl in clusters.values():
        cluster_storage(c, cl, SCENARIO)
    for _, g in snap.table("replication_groups").iterrows():
        engine = text(g["engine"]).lower() or "redis"
        members = snap.table("cache_clusters")
        nodes = num(g["nodes"], 0) or float((members["replication_group_id"].astype(str) == text(g["id"])).sum())
        c.add(SCENARIO, "datastores", f"ElastiCache {engine} node hours", text(g["id"]), text(g["region"]),
              nodes * h, "node-hours", "AmazonElastiCache", keys.item("cache_node", engine=engine, cls=text(g["node_type"])),
              note=f"{nodes:g} node(s)")
    for _, cc in snap.table("cache_clusters").iterrows():
        if text(cc["replication_group_id"]):
            continue
        engine = text(cc["engine"]).lower()
        nodes = num(cc["nodes"], 1)
        c.add(SCENARIO, "datastores", f"ElastiCache {engine} node hours", text(cc["id"]), text(cc["region"]),
              nodes * h, "node-hours", "AmazonElastiCache", keys.item("cache_node", engine=engine, cls=text(cc["node_type"])),
              note=f"{nodes:g} node(s)")
    for _, t in snap.table("dynamodb_tables").iterrows():
        dynamodb_table(c, t, SCENARIO, text(t["billing_mode"]).upper(), num(t["rcu"]), num(t["wcu"]))


def cluster_storage(c: Ledger, cl: pd.Series, scenario: str) -> None:
    """DocumentDB / Aurora storage and I/O from the cluster's VolumeBytesUsed and VolumeRead/WriteIOPs."""
    cid, region = text(cl["cluster_id"]), text(cl["region"])
    engine = text(cl["engine"]).lower()
    docdb = engine == "docdb"
    label = "DocumentDB" if docdb else "Aurora"
    ns, service = ("AWS/DocDB", "AmazonDocDB") if docdb else ("AWS/RDS", "AmazonRDS")
    iopt = "iopt" in text(cl["storage_type"]).lower()
    replaces = (cid,) if scenario != SCENARIO else ()
    used = c.metrics.mean(ns, "VolumeBytesUsed", cid)
    if used is None:
        c.note_unpriced(scenario, "datastores", f"{label} cluster storage", cid, region,
                        f"{ns} VolumeBytesUsed not collected")
    else:
        item = "storage_gb_month" if docdb else ("aurora_iopt_storage_gb_month" if iopt else "aurora_storage_gb_month")
        c.add(scenario, "datastores", f"{label} cluster storage", cid, region, used / c.bytes_per_gb, "GB-months",
              service, item, replaces=replaces, note="mean VolumeBytesUsed")
    if iopt:
        return
    ios = [c.metrics.monthly_sum(ns, m, cid, c.hours) for m in ("VolumeReadIOPs", "VolumeWriteIOPs")]
    if all(v is None for v in ios):
        c.note_unpriced(scenario, "datastores", f"{label} cluster I/O", cid, region,
                        f"{ns} VolumeReadIOPs / VolumeWriteIOPs not collected")
        return
    c.add(scenario, "datastores", f"{label} cluster I/O", cid, region, sum(v or 0.0 for v in ios) / 1e6,
          "million I/Os", service, "io_million" if docdb else "aurora_io_million", replaces=replaces,
          note="VolumeReadIOPs + VolumeWriteIOPs (Sum)")


def rds_instance(c: Ledger, d: pd.Series, scenario: str, cls: str, multi_az: bool, storage_type: str,
                 gb: float, iops: float, replaces: tuple[str, ...] = (), note: str = "") -> None:
    h = c.hours
    did, region = text(d["db_instance_id"]), text(d["region"])
    engine = RDS_ENGINES.get(text(d["engine"]).lower(), text(d["engine"]).lower())
    copies = 2 if multi_az else 1
    az_note = "Multi-AZ: the standby is billed as a second instance (x2.0, infracost db_instance)" if multi_az \
        else "Single-AZ"
    c.add(scenario, "datastores", "RDS instance hours", did, region, h * copies, "instance-hours", "AmazonRDS",
          keys.item("rds_instance", engine=engine, cls=cls), note="; ".join(x for x in (az_note, note) if x), replaces=replaces)
    if gb > 0:
        c.add(scenario, "datastores", f"RDS storage ({storage_type})", did, region, gb, "GB-months", "AmazonRDS",
              keys.item("rds_storage", storage=storage_type, multi_az=multi_az), replaces=replaces)
    if storage_type == "gp3" and iops > 0:
        baseline = 12000 if gb >= 400 else 3000
        extra = max(iops - baseline, 0)
        if extra:
            c.add(scenario, "datastores", "RDS gp3 IOPS above baseline", did, region, extra, "IOPS-months",
                  "AmazonRDS", keys.item("rds_iops", storage="gp3", multi_az=multi_az), replaces=replaces)
    elif storage_type in ("io1", "io2") and iops > 0:
        c.add(scenario, "datastores", f"RDS provisioned IOPS ({storage_type})", did, region, iops, "IOPS-months",
              "AmazonRDS", keys.item("rds_iops", storage=storage_type, multi_az=multi_az), replaces=replaces)


def dynamodb_consumed(c: Ledger, table: str) -> tuple[float | None, float | None]:
    """(read units, write units) consumed per month."""
    return (c.metrics.monthly_sum("AWS/DynamoDB", "ConsumedReadCapacityUnits", table, c.hours),
            c.metrics.monthly_sum("AWS/DynamoDB", "ConsumedWriteCapacityUnits", table, c.hours))


def dynamodb_table(c: Ledger, t: pd.Series, scenario: str, mode: str, rcu: float, wcu: float,
                   replaces: tuple[str, ...] = (), note: str = "") -> None:
    h, name, region = c.hours, text(t["table_name"]), text(t["region"])
    if mode == "PROVISIONED":
        c.add(scenario, "datastores", "DynamoDB provisioned RCU", name, region, rcu * h, "RCU-hours",
              "AmazonDynamoDB", "rcu_hour", note=note or f"{rcu:g} RCU", replaces=replaces)
        c.add(scenario, "datastores", "DynamoDB provisioned WCU", name, region, wcu * h, "WCU-hours",
              "AmazonDynamoDB", "wcu_hour", note=note or f"{wcu:g} WCU", replaces=replaces)
    else:
        reads, writes = dynamodb_consumed(c, name)
        if reads is None and writes is None:
            c.note_unpriced(scenario, "datastores", "DynamoDB on-demand requests", name, region,
                            "no ConsumedRead/WriteCapacityUnits metrics")
        else:
            c.add(scenario, "datastores", "DynamoDB on-demand read request units", name, region,
                  (reads or 0.0) / 1e6, "million RRU", "AmazonDynamoDB", "rru_million",
                  note=note or "from ConsumedReadCapacityUnits", replaces=replaces)
            c.add(scenario, "datastores", "DynamoDB on-demand write request units", name, region,
                  (writes or 0.0) / 1e6, "million WRU", "AmazonDynamoDB", "wru_million",
                  note=note or "from ConsumedWriteCapacityUnits", replaces=replaces)
    size_gb = num(t["size_bytes"]) / c.bytes_per_gb
    if size_gb > 0:
        c.add(scenario, "datastores", "DynamoDB storage", name, region, size_gb, "GB-months", "AmazonDynamoDB",
              "storage_gb_month", replaces=replaces)


# --------------------------------------------------------------------------- CDN
def distribution_traffic(c: Ledger, dist_id: str) -> tuple[float | None, float | None]:
    """(GB out, requests) per month."""
    b = c.metrics.monthly_sum("AWS/CloudFront", "BytesDownloaded", dist_id, c.hours)
    r = c.metrics.monthly_sum("AWS/CloudFront", "Requests", dist_id, c.hours)
    return (None if b is None else b / c.bytes_per_gb, r)


def cdn(c: Coster) -> None:
    a = c.assumptions
    for _, d in c.snapshot.table("distributions").iterrows():
        if not truthy(d["enabled"]):
            continue
        did = text(d["distribution_id"])
        gb, requests = distribution_traffic(c, did)
        if gb is None and requests is None:
            c.note_unpriced(SCENARIO, "cdn", "CloudFront traffic", did, "global", "no CloudFront metrics")
            continue
        cdn_pay_as_you_go(c, SCENARIO, did, gb or 0.0, requests or 0.0, a.cloudfront_geography,
                          a.cloudfront_https_share)


def cdn_pay_as_you_go(c: Ledger, scenario: str, did: str, gb: float, requests: float, geo: str,
                      https_share: float, replaces: tuple[str, ...] = ()) -> None:
    for item, q in tiered(gb, CF_TIERS):
        c.add(scenario, "cdn", f"CloudFront data out ({item.split(':')[1]})", did, "global", q, "GB",
              "AmazonCloudFront", item, price_region=geo, replaces=replaces)
    if requests:
        if https_share > 0:
            c.add(scenario, "cdn", "CloudFront HTTPS requests", did, "global", requests * https_share / 1e4,
                  "10k requests", "AmazonCloudFront", "https_requests_10k", price_region=geo, replaces=replaces)
        if https_share < 1:
            c.add(scenario, "cdn", "CloudFront HTTP requests", did, "global", requests * (1 - https_share) / 1e4,
                  "10k requests", "AmazonCloudFront", "http_requests_10k", price_region=geo, replaces=replaces)


# --------------------------------------------------------------------------- pipelines
def duration_seconds(column: pd.Series) -> pd.Series:
    """A duration column as float seconds, NaN when unknown. A bool is a wrong-typed cell, not a 1-second
    build (which would bill an invented minute): it is missing too."""
    return pd.to_numeric(column.where(~column.map(is_bool).astype(bool), None), errors="coerce").astype(float)


def builds_in_window(snapshot: Snapshot) -> pd.DataFrame:
    b = snapshot.table("builds")
    if not len(b):
        return b
    b = b.copy()
    b["duration_s"] = duration_seconds(b["duration_s"])
    return b[b["duration_s"].notna() & (b["duration_s"] > 0)]


def codebuild_item(compute_type: str, environment_type: str) -> str:
    env = environment_type.upper()
    os_label = "arm" if "ARM" in env else "windows" if "WINDOWS" in env else "linux"
    return keys.item("build_minute", os=os_label, cls=compute_type.upper() or "BUILD_GENERAL1_SMALL")


def pipelines(c: Coster) -> None:
    snap = c.snapshot
    days, how = history_days(snap, c.assumptions.history_days)
    scale = c.assumptions.days_per_month / days
    execs = snap.table("pipeline_executions")
    ran = {text(x) for x in execs["pipeline"]} - {""} if len(execs) else set()
    actions = snap.table("pipeline_action_executions")
    for _, p in snap.table("pipelines").iterrows():
        name, region = text(p["name"]), text(p["region"])
        if not name:
            c.note_unpriced(SCENARIO, "pipelines", "CodePipeline pipeline", "", region,
                            "pipeline without a name: its executions (activity, action minutes) cannot be matched")
            continue
        ptype = text(p["pipeline_type"]).upper() or "V1"
        if ptype == "V2":
            acts = actions[(actions["pipeline"].astype(str) == name)
                           & (actions["category"].astype(str) != "Approval")] if len(actions) else actions
            minutes = duration_seconds(acts["duration_s"]).fillna(0).map(
                lambda s: math.ceil(s / 60)).sum() if len(acts) else 0.0
            if minutes:
                c.add(SCENARIO, "pipelines", "CodePipeline V2 action minutes", name, region, float(minutes) * scale,
                      "action-minutes", "AWSCodePipeline", "v2_action_minute",
                      note=f"{minutes:g} min over {days:g} days ({how}) scaled to a month")
        elif name in ran:
            c.add(SCENARIO, "pipelines", "CodePipeline V1 active pipeline", name, region, 1.0, "pipeline-months",
                  "AWSCodePipeline", "v1_active_pipeline_month",
                  note="active: ran at least once in the history window")
    builds = builds_in_window(snap)
    if not len(builds):
        return
    projects = {text(p["name"]): p for _, p in snap.table("build_projects").iterrows()}
    for project, group in builds.groupby(builds["project"].astype(str)):
        proj = projects.get(project)
        compute_type = text(group["compute_type"].dropna().iloc[0]) if group["compute_type"].notna().any() else ""
        if not compute_type and proj is not None:
            compute_type = text(proj["compute_type"])
        env = text(proj["environment_type"]) if proj is not None else "LINUX_CONTAINER"
        billed = float(group["duration_s"].map(lambda s: math.ceil(s / 60)).sum())
        c.add(SCENARIO, "pipelines", "CodeBuild build minutes", project, text(group["region"].iloc[0]),
              billed * scale, "build-minutes", "CodeBuild", codebuild_item(compute_type, env),
              note=f"{len(group)} builds, {billed:g} billed min over {days:g} days ({how}) scaled to a month")


def current_lines(c: Coster) -> None:
    """Add every current-cost line to ``c``."""
    network(c)
    compute(c)
    datastores(c)
    cdn(c)
    pipelines(c)


def aliases(snapshot: Snapshot) -> dict[str, str]:
    """Every name/ARN a finding may use for a resource -> the resource_id used in cost lines."""
    out: dict[str, str] = {}

    def put(key: Any, target: Any) -> None:
        k, t = text(key), text(target)
        if k and t:
            out.setdefault(k, t)

    for _, s in snapshot.table("ecs_services").iterrows():
        arn = text(s["service_arn"])
        put(arn, arn)
        put(s["service_name"], arn)
        put(f"{text(s['cluster'])}/{text(s['service_name'])}", arn)
        put(f"service/{text(s['cluster'])}/{text(s['service_name'])}", arn)
        put(s["task_definition"], arn)
    for _, lb in snapshot.table("load_balancers").iterrows():
        put(lb["arn"], lb["arn"])
        put(lb["name"], lb["arn"])
    for _, e in snapshot.table("elastic_ips").iterrows():
        put(e["public_ip"], e["allocation_id"])
    addresses = nat_addresses(snapshot)
    for _, n in snapshot.table("nat_gateways").iterrows():
        put(n["public_ip"], addresses.get(text(n["nat_gateway_id"]), n["nat_gateway_id"]))
    for _, eni in snapshot.table("network_interfaces").iterrows():
        put(eni["public_ip"], eni["eni_id"])
    return out
