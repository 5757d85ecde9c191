"""Facts about one snapshot that several rooms need, computed once per snapshot and shared assumptions.

The rules (:mod:`awsassess.findings`), the cost model (:mod:`awsassess.model`), the diagrams
(:mod:`awsassess.architecture`) and the views (:mod:`awsassess.views`) read these instead of deriving
their own versions (before, three "which VPC is this service in" and two right-sizings disagreed):

- :mod:`.placement`: service -> VPC, subnets, target groups, load balancers; services per VPC;
- :mod:`.sizing`: per-service utilisation (one percentile engine) and the right size (one function,
  one pair of targets);
- :mod:`.capacity`: ECS clusters on EC2: container instances, what the tasks reserve of them, capacity
  providers' managed scaling, the Graviton type of an x86 instance;
- :mod:`.metrics`: ECS metric statistics per service, NAT bytes, ELB metric dimensions;
- :mod:`.datastore_class`: the class a database or cache moves to (Graviton, one size down), the one the
  data-store rules suggest and the model prices;
- :mod:`.tasks`, :mod:`.pipelines`, :mod:`.datastores`, :mod:`.cdn`: stopped tasks, pipeline and build
  statistics, cache groups and database metrics, CloudFront cache policies;
- :mod:`.network`: which NAT gateways are live (bill), the same for the rules, the model, the proposal,
  the diagrams, the views and verify;
- :mod:`.assumptions`: the assumptions every room shares (production labels, metric window,
  right-sizing targets), defined once.

:func:`facts_for` memoises the :class:`Facts` of a snapshot on the snapshot object itself, keyed by the
shared assumptions: two rooms with the same shared assumptions get the same object.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from awsassess.facts.assumptions import SharedAssumptions
from awsassess.facts.capacity import ClusterCapacity, cluster_capacities
from awsassess.facts.placement import ServicePlacement, service_placements
from awsassess.facts.sizing import ServiceSize, service_sizes
from awsassess.snapshot import Snapshot

__all__ = ["ClusterCapacity", "Facts", "ServicePlacement", "ServiceSize", "SharedAssumptions", "facts_for"]

_MEMO_ATTRIBUTE = "_awsassess_facts"


class Facts:
    """The shared facts of one snapshot under one set of shared assumptions (each computed on first use)."""

    def __init__(self, snapshot: Snapshot, shared: SharedAssumptions) -> None:
        self.snapshot = snapshot
        self.assumptions = shared

    @cached_property
    def placements(self) -> dict[tuple[str, str], ServicePlacement]:
        return service_placements(self.snapshot)

    @cached_property
    def sizes(self) -> dict[tuple[str, str], ServiceSize]:
        return service_sizes(self.snapshot, self.assumptions)

    @cached_property
    def capacity(self) -> dict[tuple[str, str], ClusterCapacity]:
        """(region, cluster) -> the cluster's EC2 container-instance capacity (clusters with EC2 capacity only)."""
        return cluster_capacities(self.snapshot, self.assumptions)

    @property
    def production(self) -> bool:
        """The snapshot's environment is a production one."""
        return self.assumptions.is_production(self.snapshot.environment)

    def placement(self, cluster: str, service: str) -> ServicePlacement | None:
        return self.placements.get((cluster, service))

    def size(self, cluster: str, service: str) -> ServiceSize | None:
        return self.sizes.get((cluster, service))


def facts_for(snapshot: Snapshot, assumptions: SharedAssumptions) -> Facts:
    """The :class:`Facts` of ``snapshot`` under the shared part of ``assumptions`` (a findings or model
    section, or :class:`SharedAssumptions`), memoised on the snapshot object."""
    base: Any = getattr(snapshot, "_inner", snapshot)  # findings.evaluate wraps the snapshot in a memo
    shared = assumptions.shared() if type(assumptions) is not SharedAssumptions else assumptions
    key = shared.shared_key()
    memo = base.__dict__.setdefault(_MEMO_ATTRIBUTE, {})
    if key not in memo:
        memo[key] = Facts(base, shared)
    return memo[key]
