"""Networking views: VPC inventory, NAT gateways and their traffic, load balancers."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from awsassess.facts.metrics import nat_bytes, per_month
from awsassess.facts.network import live_nat_gateways
from awsassess.facts.placement import services_by_vpc
from awsassess.findings.base import json_list, text, truthy
from awsassess.findings.network import lb_usage
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot
from awsassess.views import PALETTE, Chart, Note, absent, figure, table

GB = 1024**3


def inventory_frame(snapshot: Snapshot) -> pd.DataFrame:
    vpcs = snapshot.table("vpcs")
    subnets = snapshot.table("subnets")
    svc = services_by_vpc(snapshot)
    nats = Counter(text(v) for v in live_nat_gateways(snapshot.table("nat_gateways"))["vpc_id"])
    lbs = Counter(text(v) for v in snapshot.table("load_balancers")["vpc_id"])
    peer = snapshot.table("vpc_peerings")
    peers = Counter([text(v) for v in peer["requester_vpc_id"]] + [text(v) for v in peer["accepter_vpc_id"]])
    eps = Counter(text(v) for v in snapshot.table("vpc_endpoints")["vpc_id"])
    rows = []
    for r in vpcs.itertuples():
        v = text(r.vpc_id)
        sn = subnets[subnets["vpc_id"] == v]
        rows.append({"VPC": text(r.name) or v, "Id": v, "CIDR": text(r.cidr), "Default": truthy(r.is_default),
                     "AZs": int(sn["az"].nunique()) if len(sn) else 0,
                     "Public subnets": int(sn["public"].map(truthy).sum()) if len(sn) else 0,
                     "Private subnets": int((~sn["public"].map(truthy)).sum()) if len(sn) else 0,
                     "Services": len(svc.get(v, [])), "NAT gateways": nats.get(v, 0),
                     "Load balancers": lbs.get(v, 0), "Peerings": peers.get(v, 0), "Endpoints": eps.get(v, 0)})
    df = pd.DataFrame(rows)
    return df.sort_values(["Default", "VPC"]).reset_index(drop=True) if len(df) else df


def inventory(snapshot: Snapshot) -> Any:
    """One row per VPC: subnets, services, NAT gateways, load balancers, peerings, endpoints."""
    return table(inventory_frame(snapshot), absent(snapshot, "network", "No VPCs in this snapshot."))


def nat_frame(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> pd.DataFrame:
    a = assumptions or FindingsAssumptions()
    nat = snapshot.table("nat_gateways")
    names = {text(r.vpc_id): text(r.name) or text(r.vpc_id) for r in snapshot.table("vpcs").itertuples()}
    traffic = nat_bytes(snapshot, a.metrics_lookback_days)
    rows = []
    for r in nat.itertuples():
        nid = text(r.nat_gateway_id)
        gb = None
        if nid in traffic.index:
            gb = per_month(float(traffic.loc[nid, "bytes"]), float(traffic.loc[nid, "days"])) / GB
        rows.append({"NAT gateway": nid, "VPC": names.get(text(r.vpc_id), text(r.vpc_id)), "AZ": text(r.az),
                     "State": text(r.state), "Public IP": text(r.public_ip), "GB/month processed": gb})
    return pd.DataFrame(rows)


def nat_gateways(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """One row per NAT gateway with the traffic it processed (GB per month, from CloudWatch)."""
    return table(nat_frame(snapshot, assumptions), "No NAT gateways.")


def nat_cost_chart(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """NAT gateways per VPC (stacked by AZ) and the GB they process per month."""
    df = nat_frame(snapshot, assumptions)
    if not len(df):
        return Note("No NAT gateways to chart.")
    counts = df.pivot_table(index="VPC", columns="AZ", values="NAT gateway", aggfunc="count", fill_value=0)
    gb = df.groupby("VPC")["GB/month processed"].sum(min_count=1)
    fig = figure(9, 0.5 * len(counts) + 1.8)
    ax = fig.add_subplot(1, 2, 1)
    left = pd.Series(0, index=counts.index)
    for i, az in enumerate(counts.columns):
        # a gateway whose AZ is unknown ("") still needs a legend entry (matplotlib drops empty labels)
        ax.barh(counts.index, counts[az], left=left, color=PALETTE[i % len(PALETTE)],
                label=text(az) or "AZ unknown")
        left += counts[az]
    ax.set_title(f"{int(left.sum())} NAT gateways (billed hourly) by VPC and AZ", fontsize=10)
    ax.legend(fontsize=7, frameon=False, ncol=min(4, len(counts.columns)), loc="upper center",
              bbox_to_anchor=(0.5, -0.14))
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    ax2 = fig.add_subplot(1, 2, 2, sharey=ax)
    ax2.barh(gb.index, gb.fillna(0).values, color=PALETTE[3])
    ax2.set_title("Traffic processed, GB/month", fontsize=10)
    ax2.tick_params(labelleft=False)
    ax2.spines[["top", "right"]].set_visible(False)
    for y, v in enumerate(gb.values):
        ax2.text(0 if pd.isna(v) else v, y, " n/a" if pd.isna(v) else f" {v:,.0f}", va="center", fontsize=8)
    fig.tight_layout()
    return Chart(fig, "NAT gateways")


def load_balancers_frame(snapshot: Snapshot) -> pd.DataFrame:
    u = lb_usage(snapshot)
    if not len(u):
        return u
    names = {text(r.vpc_id): text(r.name) or text(r.vpc_id) for r in snapshot.table("vpcs").itertuples()}
    azs = {text(r.arn): len(json_list(r.azs)) for r in snapshot.table("load_balancers").itertuples()}
    return pd.DataFrame({"Load balancer": u["name"], "Type": u["type"], "Scheme": u["scheme"],
                         "VPC": u["vpc_id"].map(lambda v: names.get(v, v)), "AZs": u["arn"].map(azs),
                         "Listeners": u["listeners"], "Target groups": u["target_groups"], "Rules": u["rules"]})


def load_balancers(snapshot: Snapshot) -> Any:
    """One row per load balancer: scheme, VPC, listeners, target groups and listener rules."""
    return table(load_balancers_frame(snapshot), "No load balancers.")


def peerings(snapshot: Snapshot) -> Any:
    """VPC peering connections with VPC names."""
    p = snapshot.table("vpc_peerings")
    names = {text(r.vpc_id): text(r.name) or text(r.vpc_id) for r in snapshot.table("vpcs").itertuples()}
    df = pd.DataFrame({"Peering": p["peering_id"], "Requester": p["requester_vpc_id"].map(lambda v: names.get(v, v)),
                       "Accepter": p["accepter_vpc_id"].map(lambda v: names.get(v, v)), "Status": p["status"]})
    return table(df, "No VPC peering connections.")
