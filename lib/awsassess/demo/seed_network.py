"""Seed the network of one account: a Copilot-style VPC per service, peering, ALBs.

Per service: VPC (DNS hostnames on) with a public and a private subnet in each AZ, an internet
gateway, a public route table, NAT gateways with Elastic IPs (one per AZ in production, one per
VPC in staging) and private route tables; then VPC peering from the api VPC to every other VPC;
then an ALB (internet-facing for public services, internal otherwise) with an ip target group,
a listener, a listener rule and healthy targets.
"""

from __future__ import annotations

from awsassess.demo.estate import APP
from awsassess.demo.seedkit import AccountState, LbIds, Seeder, VpcIds, copilot_tags, short_env, tag_list
from awsassess.demo.sim.ec2 import fill_nat_connectivity_type

HOSTILE_NAME = "<script>alert(1)</script>"  # a hostile string from AWS for the report's escaping test


def vpc_name(state: AccountState, svc: str) -> str:
    name = f"{APP}-{state.env}-{svc}"
    if state.env == "staging" and svc == "kyc":
        name += f" {HOSTILE_NAME}"
    return name


def _tags(resource: str, tags: dict[str, str]) -> list[dict[str, object]]:
    return [{"ResourceType": resource, "Tags": tag_list(tags)}]


def seed_vpcs(seeder: Seeder, state: AccountState) -> None:
    ec2 = seeder.client("ec2", state.account_id)
    acct = state.spec
    for i, svc in enumerate(acct.services):
        base = copilot_tags(state.env, svc.name)
        octet = 10 + i
        cidr = f"10.{octet}.0.0/16"
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=_tags(
            "vpc", {"Name": vpc_name(state, svc.name), **base}))["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        public, private = [], []
        for a, az in enumerate(acct.azs):
            public.append(ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.{octet}.{a}.0/24", AvailabilityZone=az,
                TagSpecifications=_tags("subnet", {"Name": f"{APP}-{state.env}-{svc.name}-public-{az[-1]}", **base}),
            )["Subnet"]["SubnetId"])
            private.append(ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.{octet}.{10 + a}.0/24", AvailabilityZone=az,
                TagSpecifications=_tags("subnet", {"Name": f"{APP}-{state.env}-{svc.name}-private-{az[-1]}", **base}),
            )["Subnet"]["SubnetId"])
        igw = ec2.create_internet_gateway(TagSpecifications=_tags(
            "internet-gateway", {"Name": f"{APP}-{state.env}-{svc.name}-igw", **base}))["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        public_rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=_tags(
            "route-table", {"Name": f"{APP}-{state.env}-{svc.name}-public", **base}))["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        for subnet in public:
            ec2.associate_route_table(RouteTableId=public_rt, SubnetId=subnet)
        nat_azs = list(range(len(acct.azs))) if acct.nat_per_az else [0]
        nats, allocs = [], []
        for a in nat_azs:
            alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=_tags(
                "elastic-ip", {"Name": f"{APP}-{state.env}-{svc.name}-nat-{acct.azs[a][-1]}", **base}))["AllocationId"]
            nat = ec2.create_nat_gateway(
                SubnetId=public[a], AllocationId=alloc, ConnectivityType="public",
                TagSpecifications=_tags("natgateway", {"Name": f"{APP}-{state.env}-{svc.name}-nat-{acct.azs[a][-1]}", **base}),
            )["NatGateway"]["NatGatewayId"]
            allocs.append(alloc)
            nats.append(nat)
        private_rts = []
        for a, subnet in enumerate(private):
            if a < len(nats):
                rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=_tags(
                    "route-table", {"Name": f"{APP}-{state.env}-{svc.name}-private-{acct.azs[a][-1]}", **base})
                )["RouteTable"]["RouteTableId"]
                ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nats[a])
                private_rts.append(rt)
            ec2.associate_route_table(RouteTableId=private_rts[min(a, len(private_rts) - 1)], SubnetId=subnet)
        sg_lb = ec2.create_security_group(
            GroupName=f"{APP}-{state.env}-{svc.name}-lb", Description=f"{svc.name} load balancer", VpcId=vpc,
            TagSpecifications=_tags("security-group", base))["GroupId"]
        sg_svc = ec2.create_security_group(
            GroupName=f"{APP}-{state.env}-{svc.name}-tasks", Description=f"{svc.name} tasks", VpcId=vpc,
            TagSpecifications=_tags("security-group", base))["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg_lb, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
            "IpRanges": [{"CidrIp": "0.0.0.0/0" if svc.public else "10.0.0.0/8"}]}])
        ec2.authorize_security_group_ingress(GroupId=sg_svc, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": sg_lb}]}])
        state.vpcs[svc.name] = VpcIds(vpc, cidr, public, private, igw, public_rt, private_rts, nats, allocs, sg_svc, sg_lb)
    fill_nat_connectivity_type(state.account_id, seeder_region(state))
    if state.env == "staging":  # an Elastic IP nobody uses
        ec2.allocate_address(Domain="vpc", TagSpecifications=_tags(
            "elastic-ip", {"Name": f"{APP}-{state.env}-bastion-old"}))


def seeder_region(state: AccountState) -> str:
    return state.spec.region


def seed_peering(seeder: Seeder, state: AccountState) -> None:
    """api VPC -> every other VPC, accepted, with routes both ways in the private route tables."""
    ec2 = seeder.client("ec2", state.account_id)
    hub = state.vpcs.get("api")
    if hub is None:
        return
    for name, spoke in state.vpcs.items():
        if name == "api":
            continue
        pcx = ec2.create_vpc_peering_connection(
            VpcId=hub.vpc_id, PeerVpcId=spoke.vpc_id, PeerOwnerId=state.account_id,
            TagSpecifications=_tags("vpc-peering-connection", {
                "Name": f"{APP}-{state.env}-api-to-{name}", **copilot_tags(state.env)}),
        )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        for rt in hub.private_rts:
            ec2.create_route(RouteTableId=rt, DestinationCidrBlock=spoke.cidr, VpcPeeringConnectionId=pcx)
        for rt in spoke.private_rts:
            ec2.create_route(RouteTableId=rt, DestinationCidrBlock=hub.cidr, VpcPeeringConnectionId=pcx)


def seed_load_balancers(seeder: Seeder, state: AccountState) -> None:
    elb = seeder.client("elbv2", state.account_id)
    for svc in state.spec.services:
        ids = state.vpcs[svc.name]
        tags = tag_list(copilot_tags(state.env, svc.name))
        name = f"{APP}-{short_env(state.env)}-{svc.name}"
        lb = elb.create_load_balancer(
            Name=name, Subnets=ids.public_subnets if svc.public else ids.private_subnets,
            SecurityGroups=[ids.sg_lb], Scheme="internet-facing" if svc.public else "internal",
            Type="application", IpAddressType="ipv4", Tags=tags)["LoadBalancers"][0]
        tg_name = f"{name}-tg"
        tg = elb.create_target_group(
            Name=tg_name, Protocol="HTTP", Port=8080, VpcId=ids.vpc_id, TargetType="ip",
            HealthCheckProtocol="HTTP", HealthCheckPath="/healthz", HealthCheckIntervalSeconds=30,
            HealthCheckTimeoutSeconds=5, HealthyThresholdCount=5, UnhealthyThresholdCount=2,
            Matcher={"HttpCode": "200"}, Tags=tags)["TargetGroups"][0]["TargetGroupArn"]
        listener = elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}], Tags=tags)["Listeners"][0]["ListenerArn"]
        elb.create_rule(
            ListenerArn=listener, Priority=100,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
            Actions=[{"Type": "forward", "TargetGroupArn": tg}], Tags=tags)
        octet = ids.cidr.split(".")[1]
        targets = [{"Id": f"10.{octet}.{10 + k % len(ids.private_subnets)}.{20 + k}", "Port": 8080}
                   for k in range(svc.desired)]
        elb.register_targets(TargetGroupArn=tg, Targets=targets)
        state.lbs[svc.name] = LbIds(lb["LoadBalancerArn"], name, lb["DNSName"], tg, tg_name, listener)
