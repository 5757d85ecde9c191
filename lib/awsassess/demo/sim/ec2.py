"""EC2 / VPC fills: NAT gateway connectivity type, deleted NAT gateways age out, and VPCs and subnets in bulk
for the scale estate."""

from __future__ import annotations

from collections.abc import Callable

from moto.ec2.models import ec2_backends

from awsassess.demo.frontdoor import SimHandler

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("ec2", "DescribeNatGateways"),  # fill_nat_connectivity_type, expire_deleted_nat_gateways
    ("ec2", "DescribeVpcs"),  # bulk_create_network (scale estate)
    ("ec2", "DescribeSubnets"),  # bulk_create_network (scale estate)
    ("ec2", "DescribeVpcAttribute"),  # bulk_create_network (enableDnsHostnames)
)


def fill_nat_connectivity_type(account_id: str, region: str) -> None:
    """Gap: moto omits ``ConnectivityType`` of NAT gateways unless it was passed (AWS always returns it).

    Fill (A): set ``connectivity_type = "public"`` on every NAT gateway that has none.
    """
    for nat in ec2_backends[account_id][region].nat_gateways.values():
        if not getattr(nat, "connectivity_type", None):
            nat.connectivity_type = "public"


def expire_deleted_nat_gateways(account_id: str, region: str) -> int:
    """Gap: deleted NAT gateways stay listed (state ``deleted``) for ever; AWS lists them for about an hour.

    Fill (A): forget the deleted NAT gateways, as AWS has by the time an estate observed weeks after
    the deletion is read. Returns how many were forgotten.
    """
    nats = ec2_backends[account_id][region].nat_gateways
    gone = [nat_id for nat_id, nat in nats.items() if nat.state == "deleted"]
    for nat_id in gone:
        del nats[nat_id]
    return len(gone)


# bulk seeding (scale estate)
def bulk_create_network(account_id: str, region: str, vpcs: int, subnets: int, azs: list[str],
                        name_prefix: str) -> list[tuple[str, list[str]]]:
    """Gap: moto serves ~100-200 API calls/s, so hundreds of subnets through the API take too long
    for a pagination fixture.

    Fill (A): create VPCs and subnets straight in moto's EC2 backend (same objects the API creates).
    Returns [(vpc_id, [subnet ids])].
    """
    backend = ec2_backends[account_id][region]
    out = []
    per_vpc = [subnets // vpcs + (1 if i < subnets % vpcs else 0) for i in range(vpcs)]
    for v in range(vpcs):
        cidr = f"10.{v % 250}.0.0/16"
        vpc = backend.create_vpc(cidr, tags=[{"Key": "Name", "Value": f"{name_prefix}-vpc-{v:03d}"}])
        vpc.enable_dns_hostnames = True
        ids = []
        for s in range(per_vpc[v]):
            subnet = backend.create_subnet(
                vpc.id, f"10.{v % 250}.{s}.0/24", availability_zone=azs[s % len(azs)],
                tags={"subnet": {"Name": f"{name_prefix}-vpc-{v:03d}-subnet-{s:03d}"}})
            ids.append(subnet.id)
        out.append((vpc.id, ids))
    return out


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches (none here)
PATCHES: tuple[Callable[[], None], ...] = ()


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
