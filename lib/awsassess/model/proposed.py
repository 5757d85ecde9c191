"""Propose the architecture from the snapshot (:func:`propose`), then price it line by line (:func:`price`).

Two steps. :func:`propose` is pure: from the snapshot, the assumptions and read-only prices (to choose
between options: EC2 or Fargate, a flat-rate CDN plan, a data-store class the catalog prices lower) it
returns a :class:`ProposedArchitecture` whose ``charges`` are quantities and catalog rows, never prices.
:func:`price` turns those charges into cost lines, recording the prices used; it also prices a plan read
back from model.json. The data structure lives in :mod:`awsassess.model.architecture`.

Every charge names the current resources it ``replaces``; current resources no charge replaces are
removed by the proposal (e.g. the peering connections, idle Elastic IPs, CodePipeline).
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from awsassess.facts import facts_for
from awsassess.facts.assumptions import SharedAssumptions
from awsassess.facts.datastore_class import ClassTarget, target_class
from awsassess.facts.datastores import db_cpu_p95, docdb_instances_to_keep
from awsassess.facts.network import live_nat_gateways
from awsassess.fargate import RightSize
from awsassess.model import current as cur
from awsassess.model.architecture import (
    CapacityProvider,
    Charge,
    ComputeOption,
    ProposedArchitecture,
    ProposedCluster,
    ProposedDatastore,
    ProposedDistribution,
    ProposedLoadBalancer,
    ProposedNat,
    ProposedPipelines,
    ProposedService,
    ProposedSubnet,
    ProposedVpc,
    ProposedWorkflow,
    ScalingPolicy,
)
from awsassess.model.assumptions import ModelAssumptions
from awsassess.model.costing import Coster, CostLine, num, text, truthy
from awsassess.model.metrics import MetricIndex
from awsassess.model.packing import Ec2Option, TaskReq, ec2_options
from awsassess.model.pipeline_time import History, PipelineTimeModel
from awsassess.pricing import keys
from awsassess.pricing.catalog import PriceCatalog, PriceLookup, PriceRow
from awsassess.pricing.keys import PriceKey
from awsassess.pricing.specs import instance_specs
from awsassess.snapshot import Snapshot
from awsassess.values import json_list

__all__ = ["ComputePlan", "ProposedArchitecture", "Proposer", "compute_plan", "price", "propose"]
SCENARIO = "proposed"


# =============================================================================== the proposal's context
class Proposer:
    """What proposing reads (snapshot, assumptions, metrics, prices to compare) and what it records: the
    charges of the proposed architecture. It has the :class:`~awsassess.model.costing.Ledger` interface of
    the :class:`Coster`, so the shared pricers of :mod:`awsassess.model.current` describe a proposed RDS
    instance or CloudFront distribution exactly as they describe today's; but nothing is priced here.
    Prices are only *peeked* (:meth:`price_of`, :meth:`quote`): the same rows, estimated the same way, as
    :func:`price` will use, without recording anything as used."""

    def __init__(self, snapshot: Snapshot, assumptions: ModelAssumptions, catalog: PriceCatalog):
        self.snapshot = snapshot
        self.assumptions = assumptions
        self.catalog = catalog
        self.metrics = MetricIndex(snapshot)
        self.charges: list[Charge] = []
        self._prices = PriceLookup(catalog, estimate=not assumptions.prices_strict)

    @property
    def hours(self) -> float:
        return self.assumptions.hours_per_month

    @property
    def bytes_per_gb(self) -> float:
        return self.assumptions.bytes_per_gb

    def price_of(self, service: str, item: str, region: str) -> PriceRow | None:
        """The row :func:`price` would use (estimated for a region the catalog lacks, unless strict)."""
        return self._prices.peek(service, item, region)

    def quote(self, charges: list[Charge]) -> float:
        """$/month of ``charges`` at today's catalog (NaN when one is unpriced): to compare options."""
        total = 0.0
        for ch in charges:
            row = None if ch.unpriced else self.price_of(ch.service, ch.price_item, ch.price_region or ch.region)
            if row is None:
                return math.nan
            total += ch.quantity * row.usd * ch.multiplier
        return total

    def add(self, scenario: str, domain: str, item: str, resource_id: str, region: str, quantity: float,
            unit: str, service: str, price_item: str, *, price_region: str | None = None, note: str = "",
            replaces: Sequence[str] = (), multiplier: float = 1.0, multiplier_note: str = "") -> Charge:
        if scenario != SCENARIO:
            raise ValueError(f"the proposal records {SCENARIO!r} charges only, not {scenario!r}")
        if quantity is None or (isinstance(quantity, float) and math.isnan(quantity)):
            return self._gap(domain, item, resource_id, region, "quantity unknown")
        ch = Charge(domain, item, resource_id, region, float(quantity), unit, service, price_item,
                    price_region or "", note, list(replaces), multiplier, multiplier_note)
        self.charges.append(ch)
        return ch

    def note_unpriced(self, scenario: str, domain: str, item: str, resource_id: str, region: str,
                      reason: str) -> None:
        if scenario != SCENARIO:
            raise ValueError(f"the proposal records {SCENARIO!r} charges only, not {scenario!r}")
        self._gap(domain, item, resource_id, region, reason)

    def _gap(self, domain: str, item: str, resource_id: str, region: str, reason: str) -> Charge:
        ch = Charge(domain, item, resource_id, region, math.nan, "", "", "", unpriced=reason)
        self.charges.append(ch)
        return ch


# =============================================================================== helpers
def _region_of(df: pd.DataFrame, region: str) -> pd.DataFrame:
    return df[df["region"].astype(str) == region] if len(df) else df


def _arns(cell: Any) -> set[str]:
    """The ARNs of a JSON-list cell; a number, an object or junk text names none."""
    return {x for x in json_list(cell) if isinstance(x, str) and x.startswith("arn:")}


def regions_in_use(snapshot: Snapshot) -> list[str]:
    seen: list[str] = []
    for t in ("vpcs", "ecs_services", "db_instances", "replication_groups", "dynamodb_tables", "pipelines"):
        df = snapshot.table(t)
        for r in df["region"].astype(str).tolist() if len(df) else []:
            if r and r != "global" and r not in seen:
                seen.append(r)
    return seen or [r for r in snapshot.regions if r != "global"]


def _azs(snapshot: Snapshot, region: str, n: int) -> list[str]:
    subnets = _region_of(snapshot.table("subnets"), region)
    azs = sorted({text(a) for a in subnets["az"]} - {""}) if len(subnets) else []
    if len(azs) < n:
        azs += [f"{region}{c}" for c in "abcdef" if f"{region}{c}" not in azs][: n - len(azs)]
    return azs[:n]


def _free_cidr(snapshot: Snapshot) -> str:
    """A /16 that overlaps no current VPC (so the new VPC can peer with the old ones while migrating)."""
    used = []
    for c in snapshot.table("vpcs")["cidr"].astype(str):
        try:
            used.append(ipaddress.ip_network(c, strict=False))
        except ValueError:
            continue
    for second in range(100, 256):
        net = ipaddress.ip_network(f"10.{second}.0.0/16")
        if not any(net.overlaps(u) for u in used):
            return str(net)
    return "172.31.0.0/16"


def _workload_vpcs(snapshot: Snapshot, region: str) -> pd.DataFrame:
    v = _region_of(snapshot.table("vpcs"), region)
    return v[~v["is_default"].map(truthy)] if len(v) else v


# =============================================================================== network
def propose_network(c: Proposer, arch: ProposedArchitecture, region: str, env: str) -> ProposedVpc:
    snap, a, h = c.snapshot, c.assumptions, c.hours
    vpcs = _workload_vpcs(snap, region)
    vpc_ids = [text(v) for v in vpcs["vpc_id"]] if len(vpcs) else []
    azs = _azs(snap, region, a.min_azs)
    cidr = _free_cidr(snap)
    net = ipaddress.ip_network(cidr)
    blocks = list(net.subnets(new_prefix=20))
    vpc_name = f"{arch.name or 'shared'}-{region}"
    vpc = ProposedVpc(vpc_name, region, cidr, azs, replaces=vpc_ids)
    for i, az in enumerate(azs):
        vpc.subnets.append(ProposedSubnet(f"{vpc_name}-public-{az[-1]}", az, str(blocks[i]), True))
        vpc.subnets.append(ProposedSubnet(f"{vpc_name}-private-{az[-1]}", az, str(blocks[8 + i]), False))
    nats = _region_of(snap.table("nat_gateways"), region)
    nats = live_nat_gateways(nats)
    nat_ids = [text(n) for n in nats["nat_gateway_id"]] if len(nats) else []
    if nat_ids:
        per_az = a.nat_per_az if a.nat_per_az is not None else a.is_production(env)
        n_nat = len(azs) if per_az else 1
        vpc.nat_gateways = [ProposedNat(f"{vpc_name}-nat-{az[-1]}", az) for az in azs[:n_nat]]
        vpc.gateway_endpoints = ["s3", "dynamodb"]
        addresses = cur.nat_addresses(snap)
        nat_ips = sorted({addresses.get(n, n) for n in nat_ids})
        for nat in vpc.nat_gateways:
            c.add(SCENARIO, "network", "NAT gateway hours", nat.name, region, h, "hours", "AmazonEC2",
                  "nat_gateway_hour", replaces=nat_ids, note=f"one per AZ ({nat.az})")
            c.add(SCENARIO, "network", "Public IPv4 (NAT gateway address)", f"{nat.name}-eip", region, h, "IP-hours",
                  "AmazonVPC", "public_ipv4_hour", replaces=nat_ips)
        total_gb = sum(gb for gb in (cur.nat_processed_gb(c, n) for n in nat_ids) if gb is not None)
        kept = total_gb * (1 - a.gateway_endpoint_measured_pct / 100)
        for nat in vpc.nat_gateways:
            c.add(SCENARIO, "network", "NAT gateway data processed", nat.name, region, kept / len(vpc.nat_gateways),
                  "GB", "AmazonEC2", "nat_gateway_gb", replaces=nat_ids,
                  note=f"current NAT bytes x (1 - {a.gateway_endpoint_measured_pct:g}% to gateway endpoints), "
                       "spread over the NATs")
    # Elastic IPs: NAT addresses are replaced above, idle ones go, the others (in use) stay
    nat_public_ips = set(nats["public_ip"].astype(str)) if len(nats) else set()
    for _, e in _region_of(snap.table("elastic_ips"), region).iterrows():
        if text(e["public_ip"]) in nat_public_ips or not text(e["association_id"]):
            continue
        c.add(SCENARIO, "network", "Public IPv4 (Elastic IP)", text(e["allocation_id"]), region, h, "IP-hours",
              "AmazonVPC", "public_ipv4_hour", replaces=[text(e["allocation_id"])], note="kept (in use)")
    # Interface endpoints: one per service name, in each AZ of the new VPC
    eps = _region_of(snap.table("vpc_endpoints"), region)
    if len(eps):
        eps = eps[eps["endpoint_type"].astype(str).str.lower() == "interface"]
        for svc_name, group in eps.groupby(eps["service_name"].astype(str)):
            short = svc_name.split(f".{region}.", 1)[-1] if f".{region}." in svc_name else svc_name
            vpc.interface_endpoints.append(short)
            c.add(SCENARIO, "network", "Interface endpoint hours (per AZ)", f"{vpc_name}-{short}-endpoint", region,
                  h * len(azs), "endpoint-AZ-hours", "AmazonVPC", "interface_endpoint_hour",
                  replaces=[text(x) for x in group["vpc_endpoint_id"]])
    tga = _region_of(snap.table("transit_gateway_attachments"), region)
    if len(tga):
        vpc_att = tga[(tga["resource_type"].astype(str) == "vpc") & tga["resource_id"].astype(str).isin(vpc_ids)]
        if len(vpc_att):
            c.add(SCENARIO, "network", "Transit gateway attachment hours", f"{vpc_name}-tgw-attachment", region, h,
                  "hours", "AmazonVPC", "tgw_attachment_hour", replaces=[text(x) for x in vpc_att["attachment_id"]])
        for _, t in tga[~tga.index.isin(vpc_att.index)].iterrows():
            c.add(SCENARIO, "network", "Transit gateway attachment hours", text(t["attachment_id"]), region, h,
                  "hours", "AmazonVPC", "tgw_attachment_hour", replaces=[text(t["attachment_id"])], note="kept")
    return vpc


def propose_load_balancers(c: Proposer, arch: ProposedArchitecture, vpc: ProposedVpc, region: str) -> None:
    snap, a, h = c.snapshot, c.assumptions, c.hours
    lbs = _region_of(snap.table("load_balancers"), region)
    if not len(lbs):
        return
    listeners = snap.table("listeners")
    tgs = snap.table("target_groups")
    svc = _region_of(snap.table("ecs_services"), region)
    for _, lb in lbs[lbs["type"].astype(str) == "network"].iterrows():  # NLBs are kept as they are
        c.add(SCENARIO, "network", "Network load balancer hours", text(lb["arn"]), region, h, "hours", "AWSELB",
              "nlb_hour", replaces=[text(lb["arn"])], note="kept")
    albs = lbs[lbs["type"].astype(str) == "application"]
    for scheme in ("internet-facing", "internal"):
        group = albs[albs["scheme"].astype(str) == scheme]
        if not len(group):
            continue
        arns = [text(x) for x in group["arn"]]
        rules = 0
        for arn in arns:
            own = listeners[listeners["load_balancer_arn"].astype(str) == arn] if len(listeners) else listeners
            rules += max(int(pd.to_numeric(own["rule_count"], errors="coerce").fillna(0).sum()), 1)
        n_tg = sum(1 for _, t in tgs.iterrows() if _arns(t["load_balancer_arns"]) & set(arns)) or len(arns)
        n = max(math.ceil(rules / a.alb_max_rules), math.ceil(n_tg / a.alb_max_target_groups), 1)
        names = []
        for _, s in svc.iterrows():
            s_tgs = _arns(s["target_group_arns"])
            if any(_arns(t["load_balancer_arns"]) & set(arns) for _, t in tgs.iterrows()
                   if text(t["arn"]) in s_tgs):
                names.append(text(s["service_name"]))
        label = "public" if scheme == "internet-facing" else "internal"
        lcu_total = 0.0
        for _, lb in group.iterrows():
            lcu = c.metrics.mean("AWS/ApplicationELB", "ConsumedLCUs", text(lb["name"]))
            lcu_total += lcu or 0.0
        for i in range(n):
            name = f"{arch.name or 'shared'}-{label}" + (f"-{i + 1}" if n > 1 else "")
            share = names[i::n]
            arch.load_balancers.append(ProposedLoadBalancer(
                name, region, scheme, vpc.name, list(vpc.azs), share, math.ceil(rules / n), math.ceil(n_tg / n),
                replaces=arns))
            c.add(SCENARIO, "network", "Application load balancer hours", name, region, h, "hours", "AWSELB",
                  "alb_hour", replaces=arns, note=f"{len(arns)} {label} ALB(s) -> {n}")
            c.add(SCENARIO, "network", "Load balancer capacity units", name, region, lcu_total * h / n, "LCU-hours",
                  "AWSELB", "alb_lcu_hour", replaces=arns,
                  note="sum of the replaced ALBs' mean ConsumedLCUs (conservative: one ALB's LCUs are a max "
                       "over dimensions, so merged traffic needs at most the sum)")
            if scheme == "internet-facing":
                c.add(SCENARIO, "network", "Public IPv4 (internet-facing load balancer, per AZ)", name, region,
                      h * len(vpc.azs), "IP-hours", "AmazonVPC", "public_ipv4_hour", replaces=arns,
                      note=f"{len(vpc.azs)} AZ node(s)")


# =============================================================================== compute
@dataclass
class ComputePlan:
    region: str
    tasks: list[tuple[pd.Series, RightSize]]
    fargate: dict[str, float] = field(default_factory=dict)  # arch -> monthly
    ec2: dict[str, Ec2Option] = field(default_factory=dict)  # arch -> cheapest option
    chosen: str = ""  # "EC2:<arch>" | "FARGATE:<arch>"
    options: list[ComputeOption] = field(default_factory=list)
    #: why the launch type model.compute_launch asks for could not be followed ("" when it was)
    launch_note: str = ""

    @property
    def chosen_monthly(self) -> float:
        launch, arch = self.chosen.split(":")
        return self.ec2[arch].monthly_usd if launch == "EC2" else self.fargate[arch]


def rightsize_services(c: Proposer, region: str) -> list[tuple[pd.Series, RightSize]]:
    """Running services of ``region`` with their right size: the shared facts the rules report (CMP-001/002)."""
    snap = c.snapshot
    sizes = facts_for(snap, c.assumptions).sizes
    svc = _region_of(snap.table("ecs_services"), region)
    out = []
    for _, s in svc.iterrows():
        if cur.task_count(s) <= 0:
            continue
        size = sizes[(text(s["cluster"]), text(s["service_name"]))]
        out.append((s, size.right))
    return out


def compute_plan(c: Proposer, region: str, tasks: list[tuple[pd.Series, RightSize]],
                 utilisation_target: float | None = None) -> ComputePlan:
    """Price right-sized Fargate (x86, arm64) and the cheapest EC2 packing per architecture; choose."""
    a, h = c.assumptions, c.hours
    target = utilisation_target if utilisation_target is not None else a.utilisation_target
    plan = ComputePlan(region, tasks)
    archs = ["x86_64", "arm64"] if a.allow_graviton else ["x86_64"]
    for arch in archs:
        vp = c.price_of("AmazonECS", keys.item("fargate_vcpu", arch=arch), region)
        gp = c.price_of("AmazonECS", keys.item("fargate_gb", arch=arch), region)
        if vp is None or gp is None:
            continue
        plan.fargate[arch] = sum(cur.task_count(s) * (rs.fargate_cpu / 1024 * vp.usd + rs.fargate_memory / 1024 * gp.usd)
                                 for s, rs in tasks) * h
    reqs = [TaskReq(rs.service, rs.ec2_cpu, rs.ec2_memory, True)
            for s, rs in tasks for _ in range(int(cur.task_count(s)))]
    specs = [sp for sp in instance_specs().values() if sp.family in a.instance_families]
    prices = {}
    for sp in specs:
        row = c.price_of("AmazonEC2", keys.item("ec2_instance", cls=sp.instance_type), region)
        if row is not None:
            prices[sp.instance_type] = row.usd
    ebs = c.price_of("AmazonEC2", "ebs_gb_month:gp3", region)
    root = a.root_volume_gb * (ebs.usd if ebs else 0.0)
    for arch in archs:
        opts = ec2_options(reqs, [sp for sp in specs if sp.arch == arch], prices, utilisation_target=target,
                           os_overhead_pct=a.os_memory_overhead_pct, reserved_mib=a.ecs_reserved_memory_mib,
                           trunking=a.eni_trunking, spare=a.spare_instances, min_azs=a.min_azs, hours=h,
                           root_volume_month=root)
        if opts:
            plan.ec2[arch] = opts[0]
    every = [(v.monthly_usd, 0, f"EC2:{k}") for k, v in plan.ec2.items()]
    every += [(v, 1, f"FARGATE:{k}") for k, v in plan.fargate.items()]
    wanted = {"ec2": "EC2:", "fargate": "FARGATE:"}.get(a.compute_launch, "")
    candidates = [x for x in every if x[2].startswith(wanted)]
    if every and not candidates:  # the asked-for launch type has no priced option: say so, take the other
        other = "Fargate" if wanted == "EC2:" else "ECS on EC2"
        plan.launch_note = (f"model.compute_launch is {a.compute_launch}, but no "
                            f"{'ECS on EC2 packing' if wanted == 'EC2:' else 'Fargate size'} could be priced here"
                            f"{' (instance families ' + ', '.join(a.instance_families) + ')' if wanted == 'EC2:' else ''}:"
                            f" {other} is proposed instead")
        candidates = every
    if candidates:
        # EC2 must be strictly cheaper than Fargate to be chosen (ties keep Fargate: nothing to run)
        candidates.sort(key=lambda x: (round(x[0], 6), -x[1]))
        plan.chosen = candidates[0][2]
    spot = 1 - a.fargate_spot_discount_pct / 100
    for arch, monthly in plan.fargate.items():
        plan.options.append(ComputeOption(f"Fargate {arch} (right-sized)", "FARGATE", arch, "", 0, monthly,
                                          plan.chosen == f"FARGATE:{arch}", "valid Fargate sizes"))
        plan.options.append(ComputeOption(f"Fargate Spot {arch} (comparison)", "FARGATE_SPOT", arch, "", 0,
                                          monthly * spot, False,
                                          f"{a.fargate_spot_discount_pct:g}% discount assumption; interruptible"))
    for arch, o in plan.ec2.items():
        plan.options.append(ComputeOption(
            f"ECS on EC2 {o.instance_type}", "EC2", arch, o.instance_type, o.instances, o.monthly_usd,
            plan.chosen == f"EC2:{arch}",
            f"{o.packed} packed + spare/AZ minimum; task CPU {o.cpu_util_pct:.0f}% / memory {o.memory_util_pct:.0f}% "
            f"of installed; utilisation target {target:g}"))
    return plan


def propose_compute(c: Proposer, arch: ProposedArchitecture, vpc: ProposedVpc, region: str, history: History) -> None:
    snap, a, h = c.snapshot, c.assumptions, c.hours
    tasks = rightsize_services(c, region)
    if not tasks:
        return
    plan = compute_plan(c, region, tasks)
    if not plan.chosen:
        c.note_unpriced(SCENARIO, "compute", "ECS services", region, region,
                        "neither Fargate nor EC2 instance prices in the catalog for this region")
        return
    launch, chosen_arch = plan.chosen.split(":")
    clusters = sorted({text(s["cluster"]) for s, _ in tasks})
    cluster_name = clusters[0] if len(clusters) == 1 else f"{arch.name or 'shared'}-{region}"
    service_arns = [text(s["service_arn"]) for s, _ in tasks]
    ci = _region_of(snap.table("container_instances"), region)
    ec2_ids = [text(x) for x in ci["ec2_instance_id"]] if len(ci) else []
    sp_mult = a.savings_plan_multiplier()
    sp_note = a.savings_plan_note()
    lb_of = {}
    for lb in arch.load_balancers:
        for name in lb.services:
            lb_of[name] = (lb.name, lb.scheme == "internet-facing")
    targets = {text(t["resource_id"]): t for _, t in _region_of(snap.table("autoscaling_targets"), region).iterrows()}
    cluster = ProposedCluster(
        cluster_name, region, vpc.name, launch, chosen_arch, "", 0, 0, 0, list(vpc.azs), None,
        options=plan.options, replaces=[*service_arns, *ec2_ids])
    for s, rs in tasks:
        desired = int(cur.task_count(s))
        at = targets.get(f"service/{text(s['cluster'])}/{rs.service}")
        lo = int(num(at["min_capacity"], desired)) if at is not None else desired
        hi = int(num(at["max_capacity"], desired)) if at is not None else max(desired, math.ceil(desired * a.max_scaling_factor))
        cpu, mem = (rs.ec2_cpu, rs.ec2_memory) if launch == "EC2" else (rs.fargate_cpu, rs.fargate_memory)
        lb_name, public = lb_of.get(rs.service, ("", False))
        dereg = history.deregistration_delay(rs.service, text(s["cluster"]))
        if dereg is not None and dereg > a.long_deregistration_delay_s:
            dereg = a.deregistration_delay_target_s
        cluster.services.append(ProposedService(
            rs.service, cluster_name, region, desired, rs.current_cpu, rs.current_memory, cpu, mem, launch,
            chosen_arch, lb_name, public,
            ScalingPolicy(lo, hi, "ECSServiceAverageCPUUtilization", a.service_scaling_cpu_target_pct),
            rs.reason, dereg, replaces=[text(s["service_arn"])]))
        if launch == "FARGATE":
            note = f"{desired} task(s) x {cpu / 1024:g} vCPU / {mem / 1024:g} GB ({chosen_arch}); {rs.reason}"
            arn = text(s["service_arn"])
            c.add(SCENARIO, "compute", "Fargate vCPU-hours (right-sized)", arn, region, desired * cpu / 1024 * h,
                  "vCPU-hours", "AmazonECS", keys.item("fargate_vcpu", arch=chosen_arch), replaces=[arn], note=note,
                  multiplier=sp_mult, multiplier_note=sp_note)
            c.add(SCENARIO, "compute", "Fargate GB-hours (right-sized)", arn, region, desired * mem / 1024 * h,
                  "GB-hours", "AmazonECS", keys.item("fargate_gb", arch=chosen_arch), replaces=[arn], note=note,
                  multiplier=sp_mult, multiplier_note=sp_note)
    if launch == "EC2":
        o = plan.ec2[chosen_arch]
        cluster.instance_type, cluster.instances = o.instance_type, o.instances
        cluster.min_instances = o.instances
        cluster.max_instances = max(o.instances, math.ceil(o.instances * a.max_scaling_factor))
        cluster.capacity_provider = CapacityProvider(f"{cluster_name}-{o.instance_type.replace('.', '-')}",
                                                     a.capacity_provider_target_pct)
        asg = f"{cluster_name}-asg"
        c.add(SCENARIO, "compute", "EC2 container instance hours", asg, region, o.instances * h, "instance-hours",
              "AmazonEC2", keys.item("ec2_instance", cls=o.instance_type), replaces=cluster.replaces,
              note=f"{o.instances} x {o.instance_type} ({o.packed} packed + spare / AZ minimum)",
              multiplier=sp_mult, multiplier_note=sp_note)
        if a.root_volume_gb:
            c.add(SCENARIO, "compute", "EC2 root volumes (gp3)", asg, region, o.instances * a.root_volume_gb,
                  "GB-months", "AmazonEC2", "ebs_gb_month:gp3", replaces=cluster.replaces)
        cluster.reason = (f"ECS on EC2 {o.instance_type} is cheapest: ${o.monthly_usd:,.0f}/month vs right-sized "
                          f"Fargate ${min(plan.fargate.values()):,.0f}" if plan.fargate else "")
        if a.compute_launch == "ec2" and not plan.launch_note:
            cluster.reason = (f"ECS on EC2 {o.instance_type} by assumption (model.compute_launch: ec2): "
                              f"${o.monthly_usd:,.0f}/month"
                              + (f" vs right-sized Fargate ${min(plan.fargate.values()):,.0f}" if plan.fargate else ""))
    else:
        best_ec2 = min(plan.ec2.values(), key=lambda o: o.monthly_usd) if plan.ec2 else None
        cluster.reason = (f"Right-sized Fargate ({chosen_arch}) ${plan.fargate[chosen_arch]:,.0f}/month is cheaper "
                          + (f"than the best ECS on EC2 packing ({best_ec2.instance_type} x {best_ec2.instances}, "
                             f"${best_ec2.monthly_usd:,.0f}/month): Fargate is kept"
                             if best_ec2 else "(no EC2 option priced): Fargate is kept"))
        if a.compute_launch == "fargate" and not plan.launch_note:
            cluster.reason = (f"Right-sized Fargate ({chosen_arch}) ${plan.fargate[chosen_arch]:,.0f}/month, kept by "
                              "assumption (model.compute_launch: fargate)"
                              + (f"; the best ECS on EC2 packing ({best_ec2.instance_type} x {best_ec2.instances}) "
                                 f"would be ${best_ec2.monthly_usd:,.0f}/month" if best_ec2 else ""))
    if plan.launch_note:
        cluster.reason = f"{plan.launch_note}. {cluster.reason}"
    arch.clusters.append(cluster)
    # EC2 instances that are not ECS container instances stay as they are
    for _, i in _region_of(snap.table("ec2_instances"), region).iterrows():
        iid = text(i["instance_id"])
        if iid in ec2_ids or text(i["state"]) not in ("running", "pending"):
            continue
        c.add(SCENARIO, "compute", "EC2 instance hours", iid, region, h, "hours", "AmazonEC2",
              keys.item("ec2_instance", cls=text(i["instance_type"])), replaces=[iid], note="kept (not part of ECS)")


# =============================================================================== data stores
def priced_class(c: Proposer, base: PriceKey, t: ClassTarget, region: str) -> tuple[str, str]:
    """The class the plan prices for a store and why: the target of :func:`target_class` (the class the
    findings suggest), unless the catalog prices it at or above today's class in ``region``; then the first
    other candidate priced lower, else today's class, each with the reason. A target the catalog cannot price
    is still proposed: its line shows the missing price (``awsassess analyze --params``, online, fetches it)
    rather than the plan quietly recommending another class. ``base`` is the store's price key; its class
    part is replaced by each candidate."""
    if not t.changed:
        return t.current, t.reason()
    def peek(cls: str) -> Any:
        k = base.with_(cls=cls)
        return c.price_of(k.service, k.item, region)

    now, target = peek(t.current), peek(t.target)
    if now is None or target is None or target.usd < now.usd:
        return t.target, t.reason()
    for cls in t.candidates[1:]:
        if cls == t.current:
            break
        row = peek(cls)
        if row is not None and row.usd < now.usd:
            return cls, f"{t.current} -> {cls}: {t.target} is not priced below {t.current} in {region}"
    return t.current, f"class kept: {t.target} is not priced below {t.current} in {region}"


def _docdb_kept(snap: Snapshot, region: str, db_cpu: dict[str, float], production: bool,
                a: SharedAssumptions) -> dict[str, tuple[bool, str]]:
    """Per DocumentDB instance: kept or removed (and why), by :func:`docdb_instances_to_keep` per cluster."""
    members = _region_of(snap.table("db_instances"), region)
    members = members[members["engine"].map(text).str.lower() == "docdb"]
    out: dict[str, tuple[bool, str]] = {}
    for cluster, g in members.groupby(members["cluster_id"].map(text)):
        ids = sorted(text(i) for i in g["db_instance_id"])
        p95s = [db_cpu.get(i) for i in ids]
        low = all(p is not None and p <= a.db_downsize_cpu_p95_pct for p in p95s)
        keep = docdb_instances_to_keep(len(ids), production=production, low_cpu=low, shared=a) if cluster else len(ids)
        why = ("replica removed outside production (one instance; Multi-AZ only in production)" if not production
               else f"replica removed: {keep} instances at p95 CPU {max(p or 0 for p in p95s):.0f}% (a primary and "
                    "one failover replica)")
        for i, did in enumerate(ids):
            out[did] = (i < keep, "" if i < keep else why)
    return out


def propose_datastores(c: Proposer, arch: ProposedArchitecture, region: str, production: bool) -> None:
    snap, a, h = c.snapshot, c.assumptions, c.hours
    db_cpu = db_cpu_p95(snap, a)
    docdb_kept = _docdb_kept(snap, region, db_cpu, production, a)
    for _, d in _region_of(snap.table("db_instances"), region).iterrows():
        if text(d["status"]).lower() in ("deleting", "deleted", "stopped"):
            continue
        did, cls, engine = text(d["db_instance_id"]), text(d["instance_class"]), text(d["engine"]).lower()
        t = target_class(cls, engine, cpu_p95=db_cpu.get(did), production=production, shared=a)
        if engine == "docdb":
            new, reason = priced_class(c, keys.key("docdb_instance", cls=cls), t, region)
            kept = docdb_kept.get(did, (True, ""))
            keep = kept[0]
            if not keep:
                reason = kept[1]
            arch.datastores.append(ProposedDatastore(
                "docdb", did, region, "docdb", "docdb", cls, new if keep else "", 1 if keep else 0, 1, False, False,
                reason=reason, replaces=[did]))
            if keep:
                c.add(SCENARIO, "datastores", "DocumentDB instance hours", did, region, h, "hours", "AmazonDocDB",
                      keys.item("docdb_instance", cls=new), replaces=[did], note=reason)
            continue
        if engine.startswith("aurora"):
            new, reason = priced_class(c, keys.key("aurora_instance", cls=cls), t, region)
            arch.datastores.append(ProposedDatastore("aurora", did, region, engine, engine, cls, new, 1, 1, False,
                                                     False, reason=reason, replaces=[did]))
            c.add(SCENARIO, "datastores", "Aurora instance hours", did, region, h, "hours", "AmazonRDS",
                  keys.item("aurora_instance", cls=new), replaces=[did])
            continue
        eng = cur.RDS_ENGINES.get(engine, engine)
        new, reason = priced_class(c, keys.key("rds_instance", engine=eng, cls=cls), t, region)
        multi_now = truthy(d["multi_az"])
        multi = multi_now and production
        storage_now = text(d["storage_type"]).lower() or "gp2"
        storage = "gp3" if storage_now == "gp2" else storage_now
        if multi_now and not multi:
            reason += "; Single-AZ outside production"
        if storage != storage_now:
            reason += f"; {storage_now} -> {storage} (same price per GB on RDS, 3,000 IOPS baseline)"
        arch.datastores.append(ProposedDatastore(
            "rds", did, region, engine, engine, cls, new, 1, 1, multi, multi_now, storage, storage_now,
            reason=reason, replaces=[did]))
        cur.rds_instance(c, d, SCENARIO, new, multi, storage, num(d["allocated_gb"]), num(d["iops"]),
                         replaces=(did,), note=reason)
    for _, cl in _region_of(snap.table("db_clusters"), region).iterrows():
        cur.cluster_storage(c, cl, SCENARIO)  # storage and I/O follow the data, unchanged
    members = _region_of(snap.table("cache_clusters"), region)
    groups = _region_of(snap.table("replication_groups"), region)
    for kind, df in (("group", groups), ("cluster", members)):
        for _, g in df.iterrows():
            if kind == "cluster" and text(g["replication_group_id"]):
                continue
            gid, node, engine = text(g["id"]), text(g["node_type"]), text(g["engine"]).lower() or "redis"
            nodes_now = int(num(g["nodes"], 0)) or int((members["replication_group_id"].astype(str) == gid).sum()) or 1
            nodes = nodes_now if production else 1
            new_engine = "valkey" if (a.valkey and engine == "redis") else engine
            t = target_class(node, engine, cpu_p95=None, production=production, shared=a)
            new, why = priced_class(c, keys.key("cache_node", engine=new_engine, cls=node), t, region)
            reason = f"{engine} -> {new_engine}" if new_engine != engine else ""
            if new != node or t.changed:
                reason = "; ".join(x for x in (reason, why) if x)
            if nodes != nodes_now:
                reason = "; ".join(x for x in (reason, "one node outside production") if x)
            arch.datastores.append(ProposedDatastore(
                "elasticache", gid, region, new_engine, engine, node, new, nodes, nodes_now,
                production and nodes > 1, truthy(g.get("multi_az")), reason=reason or "kept", replaces=[gid]))
            c.add(SCENARIO, "datastores", f"ElastiCache {new_engine} node hours", gid, region, nodes * h, "node-hours",
                  "AmazonElastiCache", keys.item("cache_node", engine=new_engine, cls=new), replaces=[gid], note=reason)
    for _, t in _region_of(snap.table("dynamodb_tables"), region).iterrows():
        propose_dynamodb(c, arch, t, region)


def propose_dynamodb(c: Proposer, arch: ProposedArchitecture, t: pd.Series, region: str) -> None:
    a, h = c.assumptions, c.hours
    name, mode = text(t["table_name"]), text(t["billing_mode"]).upper() or "PROVISIONED"
    reads, writes = cur.dynamodb_consumed(c, name)
    options: dict[str, float] = {}
    rcu_now, wcu_now = num(t["rcu"]), num(t["wcu"])
    p_rcu = c.price_of("AmazonDynamoDB", "rcu_hour", region)
    p_wcu = c.price_of("AmazonDynamoDB", "wcu_hour", region)
    p_rru = c.price_of("AmazonDynamoDB", "rru_million", region)
    p_wru = c.price_of("AmazonDynamoDB", "wru_million", region)
    if mode == "PROVISIONED" and p_rcu and p_wcu:
        options["provisioned (current capacity)"] = (rcu_now * p_rcu.usd + wcu_now * p_wcu.usd) * h
    if reads is not None and writes is not None and p_rru and p_wru:
        options["on-demand"] = reads / 1e6 * p_rru.usd + writes / 1e6 * p_wru.usd
    peak_r = c.metrics.max_rate("AWS/DynamoDB", "ConsumedReadCapacityUnits", name)
    peak_w = c.metrics.max_rate("AWS/DynamoDB", "ConsumedWriteCapacityUnits", name)
    rs_rcu = rs_wcu = None
    if peak_r is not None and peak_w is not None and p_rcu and p_wcu:
        rs_rcu = max(math.ceil(peak_r / (a.dynamodb_target_pct / 100)), 1)
        rs_wcu = max(math.ceil(peak_w / (a.dynamodb_target_pct / 100)), 1)
        options["provisioned (right-sized, auto scaling)"] = (rs_rcu * p_rcu.usd + rs_wcu * p_wcu.usd) * h
    if not options:
        cur.dynamodb_table(c, t, SCENARIO, mode, rcu_now, wcu_now, replaces=(name,), note="kept (no usage data)")
        arch.datastores.append(ProposedDatastore("dynamodb", name, region, "dynamodb", "dynamodb", "", "", 0, 0,
                                                 False, False, mode=mode, current_mode=mode, reason="kept: no data",
                                                 replaces=[name]))
        return
    best = min(options, key=lambda k: (options[k], k))
    detail = ", ".join(f"{k} ${v:,.2f}" for k, v in sorted(options.items(), key=lambda kv: kv[1]))
    if best == "on-demand":
        new_mode, rcu, wcu = "PAY_PER_REQUEST", 0.0, 0.0
    elif best.startswith("provisioned (right"):
        new_mode, rcu, wcu = "PROVISIONED", float(rs_rcu or 0), float(rs_wcu or 0)
    else:
        new_mode, rcu, wcu = "PROVISIONED", rcu_now, wcu_now
    reason = f"{best} is cheapest ({detail})"
    arch.datastores.append(ProposedDatastore(
        "dynamodb", name, region, "dynamodb", "dynamodb", f"{rcu_now:g} RCU / {wcu_now:g} WCU" if mode == "PROVISIONED"
        else "", f"{rcu:g} RCU / {wcu:g} WCU" if new_mode == "PROVISIONED" else "", 0, 0, False, False,
        mode=new_mode, current_mode=mode, reason=reason, replaces=[name]))
    cur.dynamodb_table(c, t, SCENARIO, new_mode, rcu, wcu, replaces=(name,), note=reason)


# =============================================================================== CDN
FLAT_PLANS = (("free", 1e6, 100.0), ("pro", 10e6, 50 * 1024.0), ("business", 125e6, 50 * 1024.0),
              ("premium", 500e6, 50 * 1024.0))


def propose_cdn(c: Proposer, arch: ProposedArchitecture) -> None:
    a = c.assumptions
    for _, d in c.snapshot.table("distributions").iterrows():
        if not truthy(d["enabled"]):
            continue
        did = text(d["distribution_id"])
        gb, requests = cur.distribution_traffic(c, did)
        if gb is None and requests is None:
            continue
        gb, requests = gb or 0.0, requests or 0.0
        before = len(c.charges)
        cur.cdn_pay_as_you_go(c, SCENARIO, did, gb, requests, a.cloudfront_geography, a.cloudfront_https_share,
                              replaces=(did,))
        payg = c.quote(c.charges[before:])
        plan, reason = "pay-as-you-go", f"pay-as-you-go ${payg:,.2f}/month"
        if a.cloudfront_flat_rate:
            for pname, max_req, max_gb in FLAT_PLANS:
                row = c.price_of("AmazonCloudFront", f"flat_rate_month:{pname}", "global")
                if row is None or requests > max_req or gb > max_gb:
                    continue
                if row.usd < payg:
                    del c.charges[before:]
                    c.add(SCENARIO, "cdn", f"CloudFront flat-rate plan ({pname})", did, "global", 1.0,
                          "distribution-months", "AmazonCloudFront", f"flat_rate_month:{pname}", replaces=(did,),
                          note=f"{requests / 1e6:.1f}M requests and {gb:,.0f} GB/month fit the {pname} allowance; "
                               f"pay-as-you-go would be ${payg:,.2f}")
                    plan, reason = f"flat-rate {pname}", f"${row.usd:,.0f} flat vs ${payg:,.2f} pay-as-you-go"
                break
        arch.distributions.append(ProposedDistribution(did, plan, gb, requests, reason))


# =============================================================================== pipelines
def propose_pipelines(c: Proposer, arch: ProposedArchitecture, ptm: PipelineTimeModel) -> None:
    snap, a = c.snapshot, c.assumptions
    pipes = snap.table("pipelines")
    if not len(pipes):
        return
    days, how = cur.history_days(snap, a.history_days)
    scale = a.days_per_month / days
    execs = snap.table("pipeline_executions")
    timed = {p.pipeline: p for p in ptm.pipelines}
    workflows = []
    for _, p in pipes.iterrows():
        name = text(p["name"])
        runs = float((execs["pipeline"].astype(str) == name).sum()) * scale if len(execs) else 0.0
        pt = timed.get(name)
        build_s = deploy_s = 0.0
        if pt is not None:
            for comp in pt.components:
                if comp.component.startswith("CodeBuild") or comp.component.startswith("action overhead") \
                        or comp.component.startswith("sequential"):
                    build_s += comp.predicted_s
                elif comp.component.startswith(("replacement", "deregistration", "blue/green")):
                    deploy_s += comp.predicted_s
        workflows.append(ProposedWorkflow(name.replace("pipeline", "workflow") if "pipeline" in name else
                                          f"{name}-deploy", pt.service if pt else "", name, round(runs, 2),
                                          math.ceil(build_s / 60), math.ceil(deploy_s / 60)))
    total = sum(w.runs_per_month * w.minutes_per_run for w in workflows)
    included = a.included_minutes()
    billable = max(total - included, 0.0)
    replaced = [text(x) for x in pipes["name"]]
    projects = snap.table("build_projects")
    replaced += [text(x) for x in projects["name"]] if len(projects) else []
    arch.pipelines = ProposedPipelines("GitHub Actions", a.github_plan, a.github_runner, included, round(total, 1),
                                       round(billable, 1), workflows, replaced)
    c.add(SCENARIO, "pipelines", "GitHub Actions runner minutes beyond included", "github-actions", "global",
          billable, "minutes", "GitHubActions", f"runner_minute:{a.github_runner}", replaces=replaced,
          note=f"{total:,.0f} min/month needed ({len(workflows)} workflows, history {days:g} days, {how}); "
               f"{included:,} included on the {a.github_plan} plan, shared by the whole organisation")


# =============================================================================== entry points
def propose(snapshot: Snapshot, assumptions: ModelAssumptions, catalog: PriceCatalog,
            ptm: PipelineTimeModel) -> ProposedArchitecture:
    """The proposed architecture of ``snapshot`` and its ``charges`` (quantities; :func:`price` prices them).
    Pure: the catalog is only read to compare options, nothing is recorded in it."""
    c = Proposer(snapshot, assumptions, catalog)
    snap, a = c.snapshot, c.assumptions
    production = a.is_production(snap.environment)
    arch = ProposedArchitecture(snap.account_id, snap.name, snap.environment, regions_in_use(snap))
    for region in arch.regions:
        vpc = propose_network(c, arch, region, snap.environment)
        arch.vpcs.append(vpc)
        propose_load_balancers(c, arch, vpc, region)
        propose_compute(c, arch, vpc, region, ptm.history or History.of(snap))
        propose_datastores(c, arch, region, production)
    propose_cdn(c, arch)
    propose_pipelines(c, arch, ptm)
    if not production:
        arch.notes.append("Non-production: Multi-AZ and replicas dropped; data stores may move one size down.")
    if a.gateway_endpoint_measured_pct == 0:
        arch.notes.append("S3/DynamoDB gateway endpoints are proposed, but no NAT saving is claimed for them "
                          "(set gateway_endpoint_measured_pct from VPC flow logs).")
    arch.charges = c.charges
    return arch


def price(architecture: ProposedArchitecture, coster: Coster) -> list[CostLine]:
    """The proposed cost lines of ``architecture``: each charge priced from the coster's catalog (prices
    recorded as used, estimated or missing there, like today's lines). Works on a plan read back from
    model.json (:meth:`ProposedArchitecture.from_dict`)."""
    lines = [coster.charge(SCENARIO, ch) for ch in architecture.charges]
    return [ln for ln in lines if ln is not None]
