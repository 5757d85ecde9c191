"""Network rules: VPC sprawl, peering meshes, NAT gateways, public IPv4, load balancers, endpoints."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.facts.metrics import elb_dimension, nat_bytes, per_month
from awsassess.facts.network import live_nat_gateways
from awsassess.facts.placement import services_by_vpc
from awsassess.findings.base import (
    Finding,
    is_production,
    json_list,
    num,
    rule,
    spec,
    text,
    truthy,
)
from awsassess.findings.saving import ALB_ITEMS, NAT_ITEMS, Basis, not_cost
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot

GB = 1024**3


def _components(nodes: set[str], edges: list[tuple[str, str]]) -> list[set[str]]:
    parent = {n: n for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    groups: dict[str, set[str]] = defaultdict(set)
    for n in nodes:
        groups[find(n)].add(n)
    return sorted(groups.values(), key=lambda g: (-len(g), sorted(g)))


def _vpc_facts(snapshot: Snapshot) -> pd.DataFrame:
    """One row per non-default VPC: region, name, cidr, services, enis, nat gateways, load balancers."""
    vpcs = snapshot.table("vpcs")
    vpcs = vpcs[~vpcs["is_default"].map(truthy)]
    svc = services_by_vpc(snapshot)
    eni = Counter(text(v) for v in snapshot.table("network_interfaces")["vpc_id"])
    nat = snapshot.table("nat_gateways")
    nat = live_nat_gateways(nat)
    nats = Counter(text(v) for v in nat["vpc_id"])
    lbs = Counter(text(v) for v in snapshot.table("load_balancers")["vpc_id"])
    subnets = snapshot.table("subnets")
    azs = subnets.groupby("vpc_id")["az"].nunique().to_dict() if len(subnets) else {}
    out = []
    for r in vpcs.itertuples():
        v = text(r.vpc_id)
        out.append({"region": text(r.region), "vpc_id": v, "name": text(r.name), "cidr": text(r.cidr),
                    "services": len(svc.get(v, [])), "service_names": sorted(svc.get(v, [])),
                    "enis": eni.get(v, 0), "nat_gateways": nats.get(v, 0), "load_balancers": lbs.get(v, 0),
                    "azs": int(azs.get(v, 0))})
    return pd.DataFrame(out, columns=["region", "vpc_id", "name", "cidr", "services", "service_names",
                                      "enis", "nat_gateways", "load_balancers", "azs"])


def _peering_edges(snapshot: Snapshot) -> list[tuple[str, str, str]]:
    p = snapshot.table("vpc_peerings")
    p = p[~p["status"].map(text).isin(["deleted", "rejected", "failed", "expired", "deleting"])]
    return [(text(r.requester_vpc_id), text(r.accepter_vpc_id), text(r.peering_id)) for r in p.itertuples()]


def _tgw_edges(snapshot: Snapshot) -> list[tuple[str, str, str]]:
    att = snapshot.table("transit_gateway_attachments")
    att = att[(att["resource_type"].map(text) == "vpc") & ~att["state"].map(text).isin(["deleted", "deleting"])]
    edges = []
    for tgw, grp in att.groupby("transit_gateway_id"):
        ids = [text(v) for v in grp["resource_id"]]
        edges += [(ids[0], other, text(tgw)) for other in ids[1:]]
    return edges


@rule("NET-001", title="VPC sprawl: many small VPCs joined by peering or transit gateway", domain="network",
      severity="high", effort="high",
      rationale=("Every VPC repeats fixed costs (NAT gateways per AZ, load balancers, interface endpoints, "
                 "public IPv4) and adds peering or transit-gateway hops. A handful of services rarely "
                 "needs more than one VPC per environment; security groups separate them at no cost."),
      thresholds=("vpc_sprawl_min_vpcs", "small_vpc_max_services", "small_vpc_max_enis"),
      tables=("vpcs", "vpc_peerings", "transit_gateway_attachments", "ecs_services", "subnets",
              "network_interfaces", "nat_gateways", "load_balancers"),
      saving=Basis("lines", "Every network line of the NAT gateways (with their addresses), load balancers, "
                   "interface endpoints and transit-gateway attachments in the VPCs named: current minus their "
                   "share of the consolidated VPC's lines.",
                   overlaps="contains the NET-003, NET-007 and (partly) NET-006 savings of the same VPCs"),
      pillar="cost optimization", best_practice="COST06-BP04")
def vpc_sprawl(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    facts = _vpc_facts(snapshot)
    if not len(facts):
        return []
    peer, tgw = _peering_edges(snapshot), _tgw_edges(snapshot)
    out = []
    for region, f in facts.groupby("region"):
        nodes = set(f["vpc_id"])
        comps = _components(nodes, [(x, y) for x, y, _ in peer + tgw])
        for comp in comps:
            members = f[f["vpc_id"].isin(comp)]
            small = members[(members["services"] <= a.small_vpc_max_services) &
                            (members["enis"] <= a.small_vpc_max_enis)]
            if len(small) < a.vpc_sprawl_min_vpcs:
                continue
            pcx = [p for x, y, p in peer if x in comp and y in comp]
            tgw_att = sorted({t for x, y, t in tgw if x in comp and y in comp})
            n = len(comp)
            out.append(spec("NET-001").finding(
                snapshot, region=region, resource_ids=sorted(comp),
                title=f"VPC sprawl: {n} VPCs for {int(members['services'].sum())} services, joined by "
                      f"{len(pcx)} peering connection(s)" + (" and a transit gateway" if tgw_att else ""),
                evidence={
                    "vpcs": n, "small_vpcs": len(small),
                    "services": int(members["services"].sum()),
                    "nat_gateways": int(members["nat_gateways"].sum()),
                    "load_balancers": int(members["load_balancers"].sum()),
                    "peering_connections": len(pcx), "transit_gateways": tgw_att,
                    "full_mesh_peerings_for_any_to_any": n * (n - 1) // 2,
                    "per_vpc": members[["vpc_id", "name", "cidr", "services", "service_names", "enis",
                                        "nat_gateways", "load_balancers"]].to_dict("records"),
                },
                recommendation=(
                    f"Consolidate the {n} VPCs into one VPC per environment with shared public/private "
                    "subnets per AZ; isolate services with security groups. This removes the duplicated "
                    "NAT gateways, load balancers and peering routes; migrate service by service "
                    "(the peering keeps old and new VPCs talking during the move)."),
            ))
    return out


@rule("NET-002", title="Peering mesh: VPCs connected only by non-transitive peering", domain="network",
      severity="low", effort="medium",
      rationale=("Peering is not transitive: spokes of a peering hub cannot reach each other, and any-to-any "
                 "connectivity needs n(n-1)/2 connections and route entries. The mesh grows quadratically."),
      thresholds=("peering_mesh_min_vpcs",), tables=("vpcs", "vpc_peerings", "transit_gateway_attachments"),
      saving=not_cost("Peering connections have no hourly charge; the finding is about routing, not cost."),
      pillar="reliability", best_practice="REL02-BP04")
def peering_mesh(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    peer = _peering_edges(snapshot)
    if not peer:
        return []
    tgw_vpcs = {x for e in _tgw_edges(snapshot) for x in e[:2]}
    vpc_region = {text(r.vpc_id): text(r.region) for r in snapshot.table("vpcs").itertuples()}
    nodes = {x for e in peer for x in e[:2]}
    out = []
    for comp in _components(nodes, [(x, y) for x, y, _ in peer]):
        if len(comp) < a.peering_mesh_min_vpcs or comp & tgw_vpcs:
            continue
        pcx = [(x, y, p) for x, y, p in peer if x in comp]
        degree = Counter(v for x, y, _ in pcx for v in (x, y))
        hub, hub_degree = degree.most_common(1)[0]
        n = len(comp)
        pairs = {frozenset((x, y)) for x, y, _ in pcx}
        region = next((vpc_region[v] for v in sorted(comp) if v in vpc_region), "")
        out.append(spec("NET-002").finding(
            snapshot, region=region, resource_ids=sorted(p for _, _, p in pcx),
            title=f"Peering mesh of {n} VPCs: {len(pcx)} connections, {n * (n - 1) // 2 - len(pairs)} VPC "
                  "pairs cannot talk to each other",
            evidence={"vpcs": sorted(comp), "peering_connections": len(pcx), "hub_vpc": hub,
                      "hub_connections": hub_degree, "full_mesh_connections": n * (n - 1) // 2,
                      "unconnected_pairs": n * (n - 1) // 2 - len(pairs)},
            recommendation=("Prefer consolidating the VPCs (see VPC sprawl). If they must stay separate, "
                            "a transit gateway gives transitive routing with one attachment per VPC, at "
                            "an hourly attachment fee plus per-GB processing that peering does not charge."),
        ))
    return out


@rule("NET-003", title="NAT gateways multiplied across VPCs and AZs", domain="network", severity="medium",
      effort="medium",
      rationale=("Each NAT gateway bills every hour plus per GB processed, and holds a public IPv4 address. "
                 "A NAT gateway per AZ in every VPC multiplies that fixed cost by VPCs x AZs; one shared "
                 "egress (one NAT per AZ in production, one in total elsewhere) is usually enough."),
      thresholds=("nat_gateways_per_region_max", "production_environments"),
      tables=("nat_gateways", "vpcs"),
      saving=Basis("lines", "NAT gateway hours and NAT addresses of the NAT gateways named: current minus their "
                   "share of the shared-egress NAT gateways. Bytes processed are unchanged by consolidation "
                   "(the gateway-endpoint share is NET-009's).", items=NAT_ITEMS,
                   overlaps="part of NET-001; the addresses are also in NET-006"),
      pillar="cost optimization", best_practice="COST06-BP04")
def nat_per_vpc_az(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    nat = snapshot.table("nat_gateways")
    nat = live_nat_gateways(nat)
    out = []
    prod = is_production(snapshot, a)
    for region, g in nat.groupby("region"):
        total = len(g)
        per_vpc = {text(v): dict(Counter(text(z) for z in grp["az"])) for v, grp in g.groupby("vpc_id")}
        multi_az_vpcs = sorted(v for v, azs in per_vpc.items() if sum(azs.values()) > 1)
        if total <= a.nat_gateways_per_region_max and not (multi_az_vpcs and not prod):
            continue
        azs = sorted({text(z) for z in g["az"]} - {""})
        target = len(azs) if prod else 1
        out.append(spec("NET-003").finding(
            snapshot, region=region, resource_ids=sorted(text(x) for x in g["nat_gateway_id"]),
            title=f"{total} NAT gateways in {len(per_vpc)} VPC(s)"
                  + (f", one per AZ in {len(multi_az_vpcs)} VPC(s)" if multi_az_vpcs else ""),
            evidence={"nat_gateways": total, "vpcs_with_nat": len(per_vpc), "azs": azs,
                      "per_vpc_per_az": per_vpc, "vpcs_with_nat_per_az": multi_az_vpcs,
                      "environment": snapshot.environment, "shared_egress_nat_gateways": target},
            recommendation=(
                f"Share egress: with one VPC per environment (or a central egress VPC) {target} NAT "
                f"gateway(s) cover this region ({'one per AZ for production resilience' if prod else 'one is enough outside production'}); "
                "add S3/DynamoDB gateway endpoints so that traffic skips the NAT entirely."),
        ))
    return out


@rule("NET-004", title="Idle NAT gateway", domain="network", severity="medium", effort="low",
      rationale="A NAT gateway that moved no bytes over the lookback still bills every hour and holds a public IPv4.",
      thresholds=("idle_nat_max_bytes", "metrics_lookback_days"), tables=("nat_gateways", "metrics"),
      saving=Basis("delete", "The idle NAT gateway's hours, bytes and address: deleted, nothing replaces it.",
                   overlaps="also inside NET-001/NET-003 when the VPC is consolidated"),
      pillar="cost optimization", best_practice="COST04-BP03")
def idle_nat(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    nat = snapshot.table("nat_gateways")
    nat = nat[nat["state"].map(text) == "available"]
    traffic = nat_bytes(snapshot, a.metrics_lookback_days)
    out = []
    for r in nat.itertuples():
        nid = text(r.nat_gateway_id)
        if nid not in traffic.index:  # no datapoints: cannot tell idle from not collected
            continue
        t = traffic.loc[nid]
        moved = num(t["bytes"])
        if moved is None or moved > a.idle_nat_max_bytes:  # unknown bytes: cannot tell idle either
            continue
        out.append(spec("NET-004").finding(
            snapshot, region=text(r.region), resource_ids=[nid],
            title=f"NAT gateway {nid} moved no traffic in {num(t['days'], 0.0):.0f} days",
            evidence={"vpc_id": text(r.vpc_id), "az": text(r.az), "bytes": moved,
                      "days_of_data": num(t["days"], 0.0), "datapoints": int(num(t["datapoints"], 0.0))},
            recommendation="Delete the NAT gateway (and release its Elastic IP) after checking no route table still needs it.",
        ))
    return out


@rule("NET-005", title="Unattached Elastic IP", domain="network", severity="low", effort="low",
      rationale="An Elastic IP that is not associated bills as an idle public IPv4 address every hour.",
      tables=("elastic_ips",),
      saving=Basis("delete", "The unattached Elastic IPs' public IPv4 hours: released.", items=("Public IPv4",),
                   overlaps="also in NET-006"),
      pillar="cost optimization", best_practice="COST04-BP03")
def unattached_eips(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    eips = snapshot.table("elastic_ips")
    idle = eips[eips["association_id"].map(text) == ""]
    out = []
    for region, g in idle.groupby("region"):
        ids = sorted(text(x) for x in g["allocation_id"])
        out.append(spec("NET-005").finding(
            snapshot, region=region, resource_ids=ids,
            title=f"{len(ids)} unattached Elastic IP(s)",
            evidence={"count": len(ids), "addresses": sorted(text(x) for x in g["public_ip"])},
            recommendation="Release the addresses (after checking no DNS record or allow-list still points at them).",
        ))
    return out


def _classify_eni(interface_type: str, description: str) -> str:
    d = description.lower()
    if interface_type == "nat_gateway" or d.startswith("interface for nat gateway"):
        return "nat_gateway"
    if d.startswith("elb ") or interface_type in {"network_load_balancer", "gateway_load_balancer"}:
        return "load_balancer"
    if "ecs" in d or interface_type == "ecs":
        return "ecs_task"
    if interface_type == "interface" and d.startswith("primary network interface"):
        return "ec2_instance"
    return interface_type or "other"


@rule("NET-006", title="Public IPv4 addresses", domain="network", severity="low", effort="medium",
      rationale=("Since 2024-02-01 every public IPv4 address bills hourly, in use or not: NAT gateways, each "
                 "AZ of an internet-facing load balancer, tasks with assignPublicIp, instances and Elastic IPs."),
      thresholds=("public_ipv4_min_count",),
      tables=("network_interfaces", "elastic_ips", "ec2_instances", "nat_gateways", "load_balancers"),
      saving=Basis("region_items", "Every public IPv4 line of the region (NAT, load balancer, Elastic IP and ENI "
                   "addresses): current minus the proposed architecture's addresses.", items=("Public IPv4",),
                   overlaps="overlaps NET-001, NET-003, NET-005 and NET-007"),
      pillar="cost optimization", best_practice="COST05-BP05")
def public_ipv4(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    by_region: dict[str, dict[str, str]] = defaultdict(dict)  # region -> ip -> kind
    estimated: dict[str, int] = Counter()
    enis = snapshot.table("network_interfaces")
    for r in enis.itertuples():
        ip = text(r.public_ip)
        if ip:
            by_region[text(r.region)][ip] = _classify_eni(text(r.interface_type), text(r.description))
    for r in snapshot.table("nat_gateways").itertuples():
        if text(r.public_ip) and text(r.state) in {"available", ""}:
            by_region[text(r.region)].setdefault(text(r.public_ip), "nat_gateway")
    for r in snapshot.table("elastic_ips").itertuples():
        if text(r.public_ip):
            kind = "elastic_ip_unattached" if not text(r.association_id) else "elastic_ip"
            by_region[text(r.region)].setdefault(text(r.public_ip), kind)
    for r in snapshot.table("ec2_instances").itertuples():
        if text(r.public_ip) and text(r.state) == "running":
            by_region[text(r.region)].setdefault(text(r.public_ip), "ec2_instance")
    # internet-facing load balancers hold one address per AZ; estimate those whose ENIs were not collected
    lb_enis = {text(d) for d in enis["description"] if text(d).startswith("ELB ")}
    for r in snapshot.table("load_balancers").itertuples():
        if text(r.scheme) != "internet-facing":
            continue
        dim = elb_dimension(text(r.arn))
        if not any(d.startswith(f"ELB {dim}") for d in lb_enis):
            estimated[text(r.region)] += max(1, len(json_list(r.azs)))
    out = []
    for region in sorted(set(by_region) | set(estimated)):
        ips = by_region.get(region, {})
        total = len(ips) + estimated.get(region, 0)
        if total < a.public_ipv4_min_count:
            continue
        kinds = Counter(ips.values())
        if estimated.get(region):
            kinds["load_balancer (estimated: one per AZ)"] += estimated[region]
        out.append(spec("NET-006").finding(
            snapshot, region=region, resource_ids=sorted(ips) or [f"{snapshot.account_id}/{region}/public-ipv4"],
            title=f"{total} public IPv4 addresses billed hourly",
            evidence={"public_ipv4": total, "by_kind": dict(sorted(kinds.items())),
                      "estimated": bool(estimated.get(region))},
            recommendation=("Fewer VPCs and load balancers mean fewer NAT and ALB addresses; keep tasks in "
                            "private subnets without assignPublicIp; release idle Elastic IPs; consider "
                            "IPv6/dual-stack for public endpoints."),
        ))
    return out


def lb_usage(snapshot: Snapshot) -> pd.DataFrame:
    lbs = snapshot.table("load_balancers")
    tgs = snapshot.table("target_groups")
    listeners = snapshot.table("listeners")
    tg_count: Counter[str] = Counter()
    for r in tgs.itertuples():
        for arn in json_list(r.load_balancer_arns):
            tg_count[text(arn)] += 1
    rule_count = listeners.assign(rc=pd.to_numeric(listeners["rule_count"], errors="coerce").fillna(0)) \
        .groupby("load_balancer_arn")["rc"].sum().to_dict() if len(listeners) else {}
    lst_count = Counter(text(x) for x in listeners["load_balancer_arn"])
    rows = []
    for r in lbs.itertuples():
        arn = text(r.arn)
        rows.append({"region": text(r.region), "arn": arn, "name": text(r.name), "type": text(r.type),
                     "scheme": text(r.scheme), "vpc_id": text(r.vpc_id), "target_groups": tg_count.get(arn, 0),
                     "rules": int(rule_count.get(arn, 0)), "listeners": lst_count.get(arn, 0)})
    return pd.DataFrame(rows, columns=["region", "arn", "name", "type", "scheme", "vpc_id", "target_groups",
                                       "rules", "listeners"])


@rule("NET-007", title="One load balancer per service: consolidation candidate", domain="network",
      severity="medium", effort="medium",
      rationale=("An ALB bills hourly before traffic and holds a public IPv4 per AZ when internet-facing. One "
                 "ALB routes to up to 100 target groups by host/path rules, so a load balancer per service "
                 "is rarely needed."),
      thresholds=("lb_consolidation_min_lbs", "lb_small_max_target_groups", "alb_max_rules",
                  "alb_max_target_groups", "alb_headroom_pct"),
      tables=("load_balancers", "target_groups", "listeners"),
      saving=Basis("lines", "ALB hours, LCUs and internet-facing ALB addresses of the load balancers named: "
                   "current minus their share of the shared ALB(s).", items=ALB_ITEMS,
                   overlaps="part of NET-001; the addresses are also in NET-006"),
      pillar="cost optimization", best_practice="COST06-BP04")
def lb_per_service(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    usage = lb_usage(snapshot)
    usage = usage[usage["type"] == "application"]
    out = []
    for (region, scheme), g in usage.groupby(["region", "scheme"]):
        small = g[g["target_groups"] <= a.lb_small_max_target_groups]
        if len(small) < a.lb_consolidation_min_lbs:
            continue
        tgs = int(small["target_groups"].sum())
        rules_needed = int(max(small["rules"].sum(), tgs))  # each service needs at least one host/path rule
        cap_rules = a.alb_max_rules * a.alb_headroom_pct / 100
        cap_tgs = a.alb_max_target_groups * a.alb_headroom_pct / 100
        shared = max(1, math.ceil(max(rules_needed / cap_rules, tgs / cap_tgs)))
        vpcs = sorted(set(small["vpc_id"]))
        out.append(spec("NET-007").finding(
            snapshot, region=region, resource_ids=sorted(small["arn"]),
            title=f"{len(small)} {scheme} ALBs serving {tgs} target group(s): {shared} shared ALB(s) would do",
            evidence={"load_balancers": len(small), "scheme": scheme, "target_groups": tgs,
                      "listener_rules": int(small["rules"].sum()), "rules_needed_shared": rules_needed,
                      "quota_rules_per_alb": a.alb_max_rules, "quota_target_groups_per_alb": a.alb_max_target_groups,
                      "headroom_pct": a.alb_headroom_pct, "shared_albs_needed": shared,
                      "vpcs_spanned": vpcs,
                      "per_lb": small[["name", "vpc_id", "target_groups", "rules", "listeners"]].to_dict("records")},
            recommendation=(
                f"Serve these services from {shared} {scheme} ALB(s) with one host- or path-based listener "
                f"rule per service (within the {a.alb_max_rules} rules / {a.alb_max_target_groups} target "
                "groups per ALB quotas)."
                + (" The load balancers sit in different VPCs: consolidate the VPCs first, or register "
                   "IP targets across the peering." if len(vpcs) > 1 else "")),
        ))
    return out


@rule("NET-008", title="Load balancer with no healthy targets", domain="network", severity="medium",
      effort="low",
      rationale=("A load balancer with no target group, no registered targets or only unhealthy targets "
                 "bills every hour and serves errors."),
      thresholds=("metrics_lookback_days",),
      tables=("load_balancers", "target_groups", "target_health", "metrics"),
      saving=Basis("delete", "The load balancer's hours, LCUs and addresses: deleted.",
                   overlaps="also inside NET-001/NET-007 when consolidated"),
      pillar="cost optimization", best_practice="COST04-BP03")
def lb_no_healthy_targets(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    lbs = snapshot.table("load_balancers")
    tgs = snapshot.table("target_groups")
    health = snapshot.table("target_health")
    healthy_metric = ms.series(snapshot, "AWS/ApplicationELB", "HealthyHostCount", "Maximum",
                               lookback_days=a.metrics_lookback_days)
    if not len(healthy_metric):
        healthy_metric = ms.series(snapshot, "AWS/NetworkELB", "HealthyHostCount", "Maximum",
                                   lookback_days=a.metrics_lookback_days)
    tg_of_lb: dict[str, list[str]] = defaultdict(list)
    for r in tgs.itertuples():
        for arn in json_list(r.load_balancer_arns):
            tg_of_lb[text(arn)].append(text(r.arn))
    states: dict[str, Counter] = defaultdict(Counter)
    for r in health.itertuples():
        states[text(r.target_group_arn)][text(r.state)] += 1
    metric_max: dict[str, float] = {}
    if len(healthy_metric) and "TargetGroup" in healthy_metric.columns:
        metric_max = healthy_metric.groupby("TargetGroup")["value"].max().to_dict()
    out = []
    for r in lbs.itertuples():
        arn = text(r.arn)
        groups = tg_of_lb.get(arn, [])
        evidence: dict = {"name": text(r.name), "type": text(r.type), "target_groups": len(groups)}
        if not groups:
            reason = "no target group"
        else:
            healthy = sum(states[t].get("healthy", 0) for t in groups)
            registered = sum(sum(states[t].values()) for t in groups)
            evidence["targets"] = {t.rsplit(":", 1)[-1]: dict(states[t]) for t in groups}
            if len(health):
                if healthy:
                    continue
                reason = "no registered targets" if registered == 0 else "all targets unhealthy"
            elif metric_max:
                peaks = [metric_max[elb_dimension(t)] for t in groups if elb_dimension(t) in metric_max]
                if not peaks or max(peaks) > 0:
                    continue
                evidence["healthy_host_count_max"] = max(peaks)
                reason = "HealthyHostCount was 0 over the lookback"
            else:  # neither target health nor metrics collected: cannot judge
                continue
        evidence["reason"] = reason
        out.append(spec("NET-008").finding(
            snapshot, region=text(r.region), resource_ids=[arn],
            title=f"Load balancer {text(r.name)}: {reason}", evidence=evidence,
            recommendation="Delete the load balancer if the service is gone; otherwise fix the targets' health checks.",
        ))
    return out


@rule("NET-009", title="NAT traffic that S3/DynamoDB gateway endpoints would make free", domain="network",
      severity="low", effort="low",
      rationale=("Gateway endpoints for S3 and DynamoDB cost nothing and take that traffic off the NAT "
                 "gateway's per-GB processing charge. Without flow logs the share is an estimate."),
      thresholds=("gateway_endpoint_estimate_pct", "gateway_endpoint_min_gb_month", "metrics_lookback_days"),
      tables=("nat_gateways", "vpc_endpoints", "metrics"),
      saving=Basis("nat_endpoint_gb", "The finding's estimated S3/DynamoDB GB per month x the NAT per-GB price "
                   "row the NAT lines use; gateway endpoints have no charge.",
                   overlaps="an estimate; the model total claims it only when model.gateway_endpoint_measured_pct is set"),
      pillar="cost optimization", best_practice="COST08-BP03")
def gateway_endpoints(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    nat = snapshot.table("nat_gateways")
    traffic = nat_bytes(snapshot, a.metrics_lookback_days)
    if not len(nat) or not len(traffic):
        return []
    eps = snapshot.table("vpc_endpoints")
    have: dict[str, set[str]] = defaultdict(set)
    for r in eps.itertuples():
        if text(r.endpoint_type).lower() == "gateway" and text(r.state).lower() in {"available", ""}:
            have[text(r.vpc_id)].add(text(r.service_name).rsplit(".", 1)[-1])
    out_rows = []
    for (region, vpc), g in nat.groupby(["region", "vpc_id"]):
        missing = sorted({"s3", "dynamodb"} - have.get(text(vpc), set()))
        if not missing:
            continue
        ids = [text(x) for x in g["nat_gateway_id"] if text(x) in traffic.index]
        if not ids:
            continue
        gb_month = sum(per_month(float(traffic.loc[i, "bytes"]), float(traffic.loc[i, "days"])) for i in ids) / GB
        if gb_month < a.gateway_endpoint_min_gb_month:
            continue
        out_rows.append({"region": region, "vpc_id": text(vpc), "missing": missing,
                         "nat_gb_per_month": round(gb_month, 1),
                         "estimated_avoidable_gb_per_month": round(gb_month * a.gateway_endpoint_estimate_pct / 100, 1)})
    out = []
    for region, rows_ in pd.DataFrame(out_rows).groupby("region") if out_rows else []:
        recs = rows_.to_dict("records")
        total = sum(r["estimated_avoidable_gb_per_month"] for r in recs)
        out.append(spec("NET-009").finding(
            snapshot, region=region, resource_ids=sorted(r["vpc_id"] for r in recs),
            title=f"~{total:,.0f} GB/month of NAT traffic could go through free S3/DynamoDB gateway endpoints (estimate)",
            evidence={"estimate": True,
                      "basis": f"{a.gateway_endpoint_estimate_pct:g}% of NAT-processed bytes assumed to reach "
                               "S3/DynamoDB (assumption gateway_endpoint_estimate_pct; flow logs not read)",
                      "share_pct": a.gateway_endpoint_estimate_pct,
                      "estimated_avoidable_gb_per_month": round(total, 1), "per_vpc": recs},
            recommendation=("Add S3 and DynamoDB gateway endpoints to the private route tables of these VPCs "
                            "(no hourly or per-GB charge); confirm the share with VPC flow logs."),
        ))
    return out
