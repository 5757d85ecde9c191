"""What a rule's saving is made of: declared on the rule (``@rule(..., saving=Basis(...))``), priced by
:mod:`awsassess.model.savings` from the model's own cost lines and price rows.

Methods (see :mod:`awsassess.model.savings` for how each is priced):

* ``lines``, ``region_items``, ``delete``: the model's current and proposed lines of the items and resources
  named; ``fargate_rightsize``, ``fargate_arch``, ``fargate_spot``, ``class_change``, ``gp3``, ``standby``,
  ``docdb_rightsize``, ``ddb_on_demand``, ``nat_endpoint_gb``: the changed configuration priced from the
  same price rows;
* ``not_cost`` / ``not_modelled``: no figure (the finding is about speed, risk or hygiene, or the model has no
  price for what it changes). A saving is never 0 for "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass

METHODS = frozenset({"lines", "region_items", "delete", "fargate_rightsize", "fargate_arch", "fargate_spot",
                     "class_change", "gp3", "standby", "docdb_rightsize", "ddb_on_demand", "nat_endpoint_gb",
                     "not_cost", "not_modelled"})


@dataclass(frozen=True)
class Basis:
    """What a rule's saving is made of."""

    method: str
    description: str
    items: tuple[str, ...] = ()  # cost-line item prefixes (lines, region_items, delete); empty = every item
    overlaps: str = ""

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"saving basis method {self.method!r} is not one of {sorted(METHODS)}")

    @property
    def priced(self) -> bool:
        return self.method not in ("not_cost", "not_modelled")


def not_cost(why: str) -> Basis:
    """The finding is about speed, risk or hygiene: no saving."""
    return Basis("not_cost", why)


def not_modelled(why: str) -> Basis:
    """The fix saves money the model cannot price (say why)."""
    return Basis("not_modelled", why)


NAT_ITEMS = ("NAT gateway hours", "Public IPv4 (NAT gateway address")
ALB_ITEMS = ("Application load balancer hours", "Load balancer capacity units",
             "Public IPv4 (internet-facing load balancer")
CLASS_OVERLAP = "priced against today's class and configuration: overlaps the other data-store findings on it"
