"""Which rules' recommendations the proposed architecture carries out, and how.

Progress against the plan (:mod:`awsassess.verify`) uses it to tell a finding the plan promised to fix
(it must read resolved once the wave that touches it is done) from one the plan leaves to the client
(CloudFront cache settings, secrets, engine versions, Spot): those stay open after a faithful migration,
and the report says so instead of blaming the migration. A rule the plan carries out only in part is
not listed (CMP-004: the plan shortens the deregistration delay and drops blue/green, but keeps today's
health checks).
"""

from __future__ import annotations

ADDRESSED: dict[str, str] = {
    "NET-001": "one VPC per region replaces the VPC sprawl",
    "NET-002": "the peering mesh goes with the old VPCs",
    "NET-003": "NAT gateways per the environment (per AZ in production, one elsewhere)",
    "NET-004": "idle NAT gateways go with the old VPCs",
    "NET-005": "idle Elastic IPs are released at decommission",
    "NET-007": "shared load balancers, one per scheme",
    "NET-008": "the old load balancers are deleted at decommission",
    "NET-009": "S3 and DynamoDB gateway endpoints in the shared VPC",
    "CMP-001": "services at their right size",
    "CMP-002": "services at their right size",
    "CMP-003": "target-tracking auto scaling on every service",
    "CMP-005": "tasks sized so start-up does not starve (right size with the starved-CPU rule)",
    "CMP-006": "tasks sized so start-up does not starve (right size with the starved-CPU rule)",
    "CMP-008": "rolling deployments with the circuit breaker and rollback",
    "CMP-009": "Graviton where the plan's compute choice is arm64",
    "CMP-011": "the cluster re-packed on the plan's capacity",
    "CMP-012": "a capacity provider with managed scaling at the plan's target",
    "CMP-013": "the plan's instance family and architecture",
    "DAT-001": "gp2 -> gp3",
    "DAT-002": "current-generation classes",
    "DAT-003": "Graviton classes",
    "DAT-004": "Single-AZ outside production",
    "DAT-006": "one size down where CPU allows",
    "DAT-008": "DocumentDB instances to keep",
    "DAT-010": "Redis OSS -> Valkey",
    "DAT-011": "Graviton cache nodes",
    "DAT-013": "the cheapest DynamoDB capacity mode",
    "DAT-014": "DynamoDB auto scaling or on-demand",
    "PIP-001": "GitHub Actions with cached builds replace the pipelines",
    "PIP-002": "docker buildx with a layer cache",
    "PIP-003": "CodeBuild retired",
    "PIP-004": "rolling deployments replace blue/green",
    "PIP-005": "one workflow per service, build then deploy",
    "PIP-006": "CodePipeline retired",
    "PIP-007": "the generated workflows cache image layers",
    "PIP-008": "CodeBuild retired",
    "STK-001": "Copilot retired at decommission",
    "STK-004": "Copilot retired at decommission",
}


def addressed(rule_id: str) -> str | None:
    """How the proposal carries out ``rule_id``'s recommendation, None when it does not."""
    return ADDRESSED.get(rule_id)
