"""Network collector: VPC building blocks, EC2 instances and ELBv2 load balancers.

Tables: ``vpcs``, ``subnets`` (``public`` = its route table, explicit or the VPC's main one, sends
0.0.0.0/0 or ::/0 to an internet gateway), ``route_tables``, ``nat_gateways``, ``internet_gateways``,
``elastic_ips``, ``vpc_peerings``, ``transit_gateways``, ``transit_gateway_attachments``,
``vpc_endpoints``, ``network_interfaces`` (only ENIs with a public IPv4: they are what is billed),
``security_groups`` (rule counts), ``ec2_instances`` (+ lifecycle: Spot or on-demand), ``load_balancers``
(+ tags), ``target_groups`` (+ deregistration delay, slow start, health checks), ``listeners`` (+ rule counts,
TLS policy, what the default action does), ``target_health``.

The ``parse_*`` functions turn one API item into one row (without ``account_id``/``region``); they
are pure and tested against AWS's published example responses.
"""

from __future__ import annotations

from typing import Any

from awsassess.collect.context import Context
from awsassess.collect.rows import chunks, name_tag, tag_map
from awsassess.tables import dumps

WEIGHT = 3  # requests per region relative to other collectors: four requests per load balancer and target group
OPERATIONS: list[tuple[str, str]] = [
    ("ec2", "DescribeVpcs"),
    ("ec2", "DescribeSubnets"),
    ("ec2", "DescribeRouteTables"),
    ("ec2", "DescribeNatGateways"),
    ("ec2", "DescribeInternetGateways"),
    ("ec2", "DescribeVpcPeeringConnections"),
    ("ec2", "DescribeTransitGateways"),
    ("ec2", "DescribeTransitGatewayAttachments"),
    ("ec2", "DescribeVpcEndpoints"),
    ("ec2", "DescribeAddresses"),
    ("ec2", "DescribeNetworkInterfaces"),
    ("ec2", "DescribeSecurityGroups"),
    ("ec2", "DescribeInstances"),
    ("elbv2", "DescribeLoadBalancers"),
    ("elbv2", "DescribeTags"),
    ("elbv2", "DescribeTargetGroups"),
    ("elbv2", "DescribeTargetGroupAttributes"),
    ("elbv2", "DescribeListeners"),
    ("elbv2", "DescribeRules"),
    ("elbv2", "DescribeTargetHealth"),
]
TABLES = [
    "vpcs", "subnets", "route_tables", "nat_gateways", "internet_gateways", "elastic_ips", "vpc_peerings",
    "transit_gateways", "transit_gateway_attachments", "vpc_endpoints", "network_interfaces",
    "security_groups", "ec2_instances", "load_balancers", "target_groups", "listeners", "target_health",
]

DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")


# ------------------------------------------------------------------------------- EC2 / VPC parsing
def parse_vpc(v: dict[str, Any]) -> dict[str, Any]:
    return {"vpc_id": v["VpcId"], "cidr": v.get("CidrBlock", ""), "name": name_tag(v.get("Tags")),
            "is_default": bool(v.get("IsDefault", False)), "state": v.get("State", ""),
            "tags": dumps(tag_map(v.get("Tags")))}


def _route_target(r: dict[str, Any]) -> str:
    for key in ("GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId",
                "NetworkInterfaceId", "InstanceId", "EgressOnlyInternetGatewayId", "LocalGatewayId",
                "CarrierGatewayId", "CoreNetworkArn"):
        if r.get(key):
            return str(r[key])
    return ""


def parse_route_table(t: dict[str, Any]) -> dict[str, Any]:
    routes = [{"destination": r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
               or r.get("DestinationPrefixListId", ""), "target": _route_target(r)}
              for r in t.get("Routes", [])]
    default = [r for r in routes if r["destination"] in DEFAULT_ROUTES]
    assocs = t.get("Associations", [])
    return {
        "route_table_id": t["RouteTableId"], "vpc_id": t.get("VpcId", ""),
        "subnet_ids": dumps(sorted(a["SubnetId"] for a in assocs if a.get("SubnetId"))),
        "main": any(a.get("Main") for a in assocs),
        "routes": dumps(routes),
        "has_igw_route": any(r["target"].startswith("igw-") for r in default),
        "has_nat_route": any(r["target"].startswith("nat-") for r in default),
    }


def public_subnets(route_tables: list[dict[str, Any]], subnets: list[dict[str, Any]]) -> dict[str, bool]:
    """subnet id -> public, from the explicit association or else the VPC's main route table."""
    main_by_vpc: dict[str, bool] = {}
    explicit: dict[str, bool] = {}
    for t in route_tables:
        row = parse_route_table(t)
        for a in t.get("Associations", []):
            if a.get("Main"):
                main_by_vpc[row["vpc_id"]] = row["has_igw_route"]
            elif a.get("SubnetId"):
                explicit[a["SubnetId"]] = row["has_igw_route"]
    return {s["SubnetId"]: explicit.get(s["SubnetId"], main_by_vpc.get(s.get("VpcId", ""), False))
            for s in subnets}


def parse_subnet(s: dict[str, Any], public: bool) -> dict[str, Any]:
    return {"subnet_id": s["SubnetId"], "vpc_id": s.get("VpcId", ""), "az": s.get("AvailabilityZone", ""),
            "cidr": s.get("CidrBlock", ""), "public": bool(public),
            "available_ips": s.get("AvailableIpAddressCount"), "name": name_tag(s.get("Tags"))}


def parse_nat_gateway(n: dict[str, Any], subnet_az: dict[str, str]) -> dict[str, Any]:
    addrs = n.get("NatGatewayAddresses", [])
    public_ip = next((a["PublicIp"] for a in addrs if a.get("PublicIp")), "")
    # moto omits ConnectivityType; AWS always sends it. A NAT with a public IP is a public NAT.
    connectivity = n.get("ConnectivityType") or ("public" if public_ip else "private")
    return {"nat_gateway_id": n["NatGatewayId"], "vpc_id": n.get("VpcId", ""), "subnet_id": n.get("SubnetId", ""),
            "az": subnet_az.get(n.get("SubnetId", ""), ""), "state": n.get("State", ""),
            "connectivity_type": connectivity, "public_ip": public_ip, "created": n.get("CreateTime")}


def parse_internet_gateway(g: dict[str, Any]) -> dict[str, Any]:
    vpc = next((a.get("VpcId", "") for a in g.get("Attachments", []) if a.get("VpcId")), "")
    return {"igw_id": g["InternetGatewayId"], "vpc_id": vpc}


def parse_address(a: dict[str, Any]) -> dict[str, Any]:
    return {"allocation_id": a.get("AllocationId", ""), "public_ip": a.get("PublicIp", ""),
            "association_id": a.get("AssociationId", ""), "instance_id": a.get("InstanceId", ""),
            "network_interface_id": a.get("NetworkInterfaceId", "")}


def parse_peering(p: dict[str, Any]) -> dict[str, Any]:
    req = p.get("RequesterVpcInfo", {})
    acc = p.get("AccepterVpcInfo", {})
    return {"peering_id": p["VpcPeeringConnectionId"], "requester_vpc_id": req.get("VpcId", ""),
            "accepter_vpc_id": acc.get("VpcId", ""), "requester_account_id": req.get("OwnerId", ""),
            "accepter_account_id": acc.get("OwnerId", ""), "status": p.get("Status", {}).get("Code", "")}


def parse_transit_gateway(t: dict[str, Any]) -> dict[str, Any]:
    return {"transit_gateway_id": t["TransitGatewayId"], "state": t.get("State", ""),
            "owner_id": t.get("OwnerId", "")}


def parse_tgw_attachment(a: dict[str, Any]) -> dict[str, Any]:
    return {"attachment_id": a["TransitGatewayAttachmentId"], "transit_gateway_id": a.get("TransitGatewayId", ""),
            "resource_type": a.get("ResourceType", ""), "resource_id": a.get("ResourceId", ""),
            "state": a.get("State", "")}


def parse_vpc_endpoint(e: dict[str, Any]) -> dict[str, Any]:
    return {"vpc_endpoint_id": e["VpcEndpointId"], "vpc_id": e.get("VpcId", ""),
            "service_name": e.get("ServiceName", ""), "endpoint_type": e.get("VpcEndpointType", ""),
            "subnet_count": len(e.get("SubnetIds", []) or []), "state": e.get("State", "")}


def parse_network_interface(n: dict[str, Any]) -> dict[str, Any]:
    return {"eni_id": n["NetworkInterfaceId"], "vpc_id": n.get("VpcId", ""), "subnet_id": n.get("SubnetId", ""),
            "az": n.get("AvailabilityZone", ""), "interface_type": n.get("InterfaceType", ""),
            "public_ip": (n.get("Association") or {}).get("PublicIp", ""),
            "description": n.get("Description", ""), "status": n.get("Status", "")}


def security_group_rules(g: dict[str, Any]) -> list[dict[str, Any]]:
    """Every permission of a group: direction, protocol, port range and its sources (or targets)."""
    out = []
    for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        for p in g.get(key) or []:
            if not isinstance(p, dict):
                continue
            out.append({
                "direction": direction, "protocol": str(p.get("IpProtocol", "")),
                "from_port": p.get("FromPort"), "to_port": p.get("ToPort"),
                "cidrs": sorted(r.get("CidrIp", "") for r in p.get("IpRanges") or [] if r.get("CidrIp")),
                "ipv6": sorted(r.get("CidrIpv6", "") for r in p.get("Ipv6Ranges") or [] if r.get("CidrIpv6")),
                "groups": sorted(r.get("GroupId", "") for r in p.get("UserIdGroupPairs") or [] if r.get("GroupId")),
                "prefix_lists": sorted(r.get("PrefixListId", "") for r in p.get("PrefixListIds") or []
                                       if r.get("PrefixListId")),
            })
    return out


def parse_security_group(g: dict[str, Any]) -> dict[str, Any]:
    return {"group_id": g["GroupId"], "vpc_id": g.get("VpcId", ""), "name": g.get("GroupName", ""),
            "ingress_rules": len(g.get("IpPermissions", []) or []),
            "egress_rules": len(g.get("IpPermissionsEgress", []) or []),
            "rules": dumps(security_group_rules(g))}


def parse_instance(i: dict[str, Any]) -> dict[str, Any]:
    tags = tag_map(i.get("Tags"))
    return {"instance_id": i["InstanceId"], "instance_type": i.get("InstanceType", ""),
            "state": (i.get("State") or {}).get("Name", ""), "vpc_id": i.get("VpcId", ""),
            "subnet_id": i.get("SubnetId", ""), "az": (i.get("Placement") or {}).get("AvailabilityZone", ""),
            "launch_time": i.get("LaunchTime"), "architecture": i.get("Architecture", ""),
            "public_ip": i.get("PublicIpAddress", ""), "name": tags.get("Name", ""),
            "asg_name": tags.get("aws:autoscaling:groupName", ""),
            "lifecycle": i.get("InstanceLifecycle") or "on-demand"}


# ------------------------------------------------------------------------------- ELBv2 parsing
def parse_load_balancer(lb: dict[str, Any], tags: dict[str, str] | None = None) -> dict[str, Any]:
    return {"arn": lb["LoadBalancerArn"], "name": lb.get("LoadBalancerName", ""), "type": lb.get("Type", ""),
            "scheme": lb.get("Scheme", ""), "vpc_id": lb.get("VpcId", ""),
            "state": (lb.get("State") or {}).get("Code", ""), "dns_name": lb.get("DNSName", ""),
            "azs": dumps(sorted(z.get("ZoneName", "") for z in lb.get("AvailabilityZones", []))),
            "created": lb.get("CreatedTime"), "tags": dumps(tags or {})}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_target_group(tg: dict[str, Any], attributes: dict[str, str] | None = None) -> dict[str, Any]:
    attrs = attributes or {}
    return {"arn": tg["TargetGroupArn"], "name": tg.get("TargetGroupName", ""), "vpc_id": tg.get("VpcId", ""),
            "protocol": tg.get("Protocol", ""), "port": tg.get("Port"), "target_type": tg.get("TargetType", ""),
            "load_balancer_arns": dumps(sorted(set(tg.get("LoadBalancerArns", [])))),
            "deregistration_delay_s": _int_or_none(attrs.get("deregistration_delay.timeout_seconds")),
            "health_check_path": tg.get("HealthCheckPath", ""),
            "health_check_interval_s": tg.get("HealthCheckIntervalSeconds"),
            "health_check_timeout_s": tg.get("HealthCheckTimeoutSeconds"),
            "healthy_threshold": tg.get("HealthyThresholdCount"),
            "unhealthy_threshold": tg.get("UnhealthyThresholdCount"),
            "slow_start_s": _int_or_none(attrs.get("slow_start.duration_seconds"))}


TLS_PROTOCOLS = ("HTTPS", "TLS")


def default_action(actions: Any) -> str:
    """What a listener's default actions do: the first action after any authentication one (actions run in
    ``Order``), ``redirect-https`` for a redirect to HTTPS; '' when there is none."""
    items = sorted((a for a in actions or [] if isinstance(a, dict)), key=lambda a: a.get("Order") or 0)
    main = next((a for a in items if not str(a.get("Type", "")).startswith("authenticate")), None)
    if main is None:
        return str(items[0].get("Type", "")) if items else ""
    kind = str(main.get("Type", ""))
    if kind == "redirect" and str((main.get("RedirectConfig") or {}).get("Protocol", "")).upper() == "HTTPS":
        return "redirect-https"
    return kind


def parse_listener(listener: dict[str, Any], rules: list[dict[str, Any]] | None) -> dict[str, Any]:
    rule_count = None if rules is None else sum(1 for r in rules if not r.get("IsDefault"))
    protocol = listener.get("Protocol", "")
    return {"listener_arn": listener["ListenerArn"], "load_balancer_arn": listener.get("LoadBalancerArn", ""),
            "protocol": protocol, "port": listener.get("Port"), "rule_count": rule_count,
            # some implementations echo a policy on HTTP listeners too: only a TLS listener's means anything
            "ssl_policy": (listener.get("SslPolicy") or "") if str(protocol).upper() in TLS_PROTOCOLS else "",
            "default_action": default_action(listener.get("DefaultActions"))}


def parse_target_health(tg_arn: str, d: dict[str, Any]) -> dict[str, Any]:
    target = d.get("Target", {})
    health = d.get("TargetHealth", {})
    return {"target_group_arn": tg_arn, "target_id": target.get("Id", ""), "port": target.get("Port"),
            "state": health.get("State", ""), "reason": health.get("Reason", "")}


# ------------------------------------------------------------------------------- collection
def _collect_vpc(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
    def ec2(op: str, key: str, **kw: Any) -> list[Any]:
        return ctx.paginate("ec2", op, region, key, **kw)

    # Independent describes, fanned out.
    calls: dict[str, tuple[str, str, dict[str, Any]]] = {
        "vpcs": ("DescribeVpcs", "Vpcs", {}),
        "subnets": ("DescribeSubnets", "Subnets", {}),
        "route_tables": ("DescribeRouteTables", "RouteTables", {}),
        "nat_gateways": ("DescribeNatGateways", "NatGateways", {}),
        "internet_gateways": ("DescribeInternetGateways", "InternetGateways", {}),
        "elastic_ips": ("DescribeAddresses", "Addresses", {}),
        "vpc_peerings": ("DescribeVpcPeeringConnections", "VpcPeeringConnections", {}),
        "transit_gateways": ("DescribeTransitGateways", "TransitGateways", {}),
        "transit_gateway_attachments": ("DescribeTransitGatewayAttachments", "TransitGatewayAttachments", {}),
        "vpc_endpoints": ("DescribeVpcEndpoints", "VpcEndpoints", {}),
        "network_interfaces": ("DescribeNetworkInterfaces", "NetworkInterfaces", {}),
        "security_groups": ("DescribeSecurityGroups", "SecurityGroups", {}),
        "ec2_instances": ("DescribeInstances", "Reservations[].Instances[]", {}),
    }
    names = list(calls)
    results = dict(zip(names, ctx.map(lambda n: ec2(calls[n][0], calls[n][1], **calls[n][2]), names),
                       strict=True))
    subnets = results["subnets"]
    public = public_subnets(results["route_tables"], subnets)
    subnet_az = {s["SubnetId"]: s.get("AvailabilityZone", "") for s in subnets}
    return {
        "vpcs": [parse_vpc(v) for v in results["vpcs"]],
        "subnets": [parse_subnet(s, public.get(s["SubnetId"], False)) for s in subnets],
        "route_tables": [parse_route_table(t) for t in results["route_tables"]],
        "nat_gateways": [parse_nat_gateway(n, subnet_az) for n in results["nat_gateways"]
                         if n.get("State") != "deleted"],
        "internet_gateways": [parse_internet_gateway(g) for g in results["internet_gateways"]],
        "elastic_ips": [parse_address(a) for a in results["elastic_ips"]],
        "vpc_peerings": [parse_peering(p) for p in results["vpc_peerings"]
                         if (p.get("Status") or {}).get("Code") not in ("deleted", "rejected", "failed", "expired")],
        "transit_gateways": [parse_transit_gateway(t) for t in results["transit_gateways"]
                             if t.get("State") != "deleted"],
        "transit_gateway_attachments": [parse_tgw_attachment(a) for a in results["transit_gateway_attachments"]
                                        if a.get("State") != "deleted"],
        "vpc_endpoints": [parse_vpc_endpoint(e) for e in results["vpc_endpoints"]
                          if str(e.get("State", "")).lower() != "deleted"],
        "network_interfaces": [parse_network_interface(n) for n in results["network_interfaces"]
                               if (n.get("Association") or {}).get("PublicIp")],
        "security_groups": [parse_security_group(g) for g in results["security_groups"]],
        "ec2_instances": [parse_instance(i) for i in results["ec2_instances"]
                          if (i.get("State") or {}).get("Name") != "terminated"],
    }


def _collect_elbv2(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
    lbs, tgs = ctx.map(
        lambda op: ctx.paginate("elbv2", op[0], region, op[1]),
        [("DescribeLoadBalancers", "LoadBalancers"), ("DescribeTargetGroups", "TargetGroups")],
    )
    # Tags: at most 20 ARNs per call.
    tags: dict[str, dict[str, str]] = {}
    for resp in ctx.map(lambda arns: ctx.call("elbv2", "DescribeTags", region, ResourceArns=arns),
                        chunks([lb["LoadBalancerArn"] for lb in lbs], 20)):
        for d in resp.get("TagDescriptions", []):
            tags[d["ResourceArn"]] = tag_map(d.get("Tags"))

    def tg_details(tg: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        arn = tg["TargetGroupArn"]
        attrs = ctx.call("elbv2", "DescribeTargetGroupAttributes", region, TargetGroupArn=arn)
        attr_map = {a["Key"]: a.get("Value", "") for a in attrs.get("Attributes", [])}
        health = ctx.call("elbv2", "DescribeTargetHealth", region, TargetGroupArn=arn)
        return (parse_target_group(tg, attr_map),
                [parse_target_health(arn, d) for d in health.get("TargetHealthDescriptions", [])])

    def lb_listeners(lb: dict[str, Any]) -> list[dict[str, Any]]:
        listeners = ctx.paginate("elbv2", "DescribeListeners", region, "Listeners",
                                 LoadBalancerArn=lb["LoadBalancerArn"])
        out = []
        for listener in listeners:
            rules: list[dict[str, Any]] | None = None
            if lb.get("Type") in ("application", None):
                found = ctx.paginate("elbv2", "DescribeRules", region, "Rules", ListenerArn=listener["ListenerArn"])
                rules = list(found) if found.ok else None
            out.append(parse_listener(listener, rules))
        return out

    tg_results = ctx.map(tg_details, tgs)
    listener_results = ctx.map(lb_listeners, lbs)
    return {
        "load_balancers": [parse_load_balancer(lb, tags.get(lb["LoadBalancerArn"], {})) for lb in lbs],
        "target_groups": [row for row, _ in tg_results],
        "target_health": [h for _, hs in tg_results for h in hs],
        "listeners": [row for rows in listener_results for row in rows],
    }


def collect(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
    vpc, elb = ctx.map(lambda part: part(ctx, region), [_collect_vpc, _collect_elbv2])
    return {**vpc, **elb}
