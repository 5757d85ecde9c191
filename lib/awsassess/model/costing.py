"""Cost lines and the small machinery that prices them (shared by the current and proposed models).

A :class:`CostLine` is one resource and one charge: ``monthly_usd = quantity * unit_price_usd``
exactly (rounding is for display only). Its ``price_source`` names the catalog row (source, date,
confidence). ``replaces`` (proposed lines) lists the current resource ids the line takes over, so a
finding's saving can be computed from the same lines (:func:`awsassess.model.attach_savings`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from awsassess import values
from awsassess.model.architecture import Charge
from awsassess.model.assumptions import ModelAssumptions
from awsassess.model.metrics import MetricIndex
from awsassess.pricing.catalog import PriceCatalog, PriceLookup, PriceRow
from awsassess.snapshot import Snapshot
from awsassess.values import text as text  # re-exported for the model modules
from awsassess.values import truthy as truthy  # re-exported for the model modules

COST_COLUMNS = ["scenario", "domain", "item", "resource_id", "region", "quantity", "unit", "unit_price_usd",
                "monthly_usd", "price_source"]
EXTRA_COLUMNS = ["note", "replaces", "price_key", "confidence"]
DOMAINS = ("network", "compute", "pipelines", "datastores", "cdn")


@dataclass
class CostLine:
    scenario: str  # current | proposed
    domain: str
    item: str
    resource_id: str
    region: str
    quantity: float
    unit: str
    unit_price_usd: float
    price_source: str
    note: str = ""
    replaces: tuple[str, ...] = ()
    price_key: str = ""  # service/item/region of the catalog row
    confidence: str = ""

    @property
    def monthly_usd(self) -> float:
        return self.quantity * self.unit_price_usd

    def row(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "domain": self.domain, "item": self.item, "resource_id": self.resource_id,
            "region": self.region, "quantity": self.quantity, "unit": self.unit,
            "unit_price_usd": self.unit_price_usd, "monthly_usd": self.monthly_usd,
            "price_source": self.price_source, "note": self.note, "replaces": "|".join(self.replaces),
            "price_key": self.price_key, "confidence": self.confidence,
        }


def lines_frame(lines: Iterable[CostLine]) -> pd.DataFrame:
    rows = [ln.row() for ln in lines]
    return pd.DataFrame(rows, columns=[*COST_COLUMNS, *EXTRA_COLUMNS])


@dataclass
class Unpriced:
    scenario: str
    domain: str
    item: str
    resource_id: str
    region: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


class Ledger(Protocol):
    """What the shared pricers of :mod:`awsassess.model.current` write to: the :class:`Coster` (prices now)
    or the proposal's recorder (:class:`awsassess.model.proposed.Proposer`, quantities only)."""

    snapshot: Snapshot
    assumptions: ModelAssumptions
    metrics: MetricIndex

    @property
    def hours(self) -> float: ...

    @property
    def bytes_per_gb(self) -> float: ...

    def add(self, scenario: str, domain: str, item: str, resource_id: str, region: str, quantity: float,
            unit: str, service: str, price_item: str, *, price_region: str | None = None, note: str = "",
            replaces: Sequence[str] = (), multiplier: float = 1.0, multiplier_note: str = "") -> Any: ...

    def note_unpriced(self, scenario: str, domain: str, item: str, resource_id: str, region: str,
                      reason: str) -> None: ...


@dataclass
class Coster:
    """Prices quantities against the catalog, collecting missing prices instead of guessing."""

    snapshot: Snapshot
    assumptions: ModelAssumptions
    catalog: PriceCatalog
    lookup: PriceLookup = field(init=False)
    metrics: MetricIndex = field(init=False)
    lines: list[CostLine] = field(default_factory=list)
    unpriced: list[Unpriced] = field(default_factory=list)

    def __post_init__(self) -> None:
        # strict: no estimate, every missing price listed and raised at the end of the model
        self.lookup = PriceLookup(self.catalog, estimate=not self.assumptions.prices_strict)
        self.metrics = MetricIndex(self.snapshot)

    @property
    def bytes_per_gb(self) -> float:
        return self.assumptions.bytes_per_gb

    @property
    def hours(self) -> float:
        return self.assumptions.hours_per_month

    def price(self, service: str, item: str, region: str, needed_for: str = "") -> PriceRow | None:
        return self.lookup.get(service, item, region, needed_for)

    def add(self, scenario: str, domain: str, item: str, resource_id: str, region: str, quantity: float,
            unit: str, service: str, price_item: str, *, price_region: str | None = None, note: str = "",
            replaces: Sequence[str] = (), multiplier: float = 1.0, multiplier_note: str = "") -> CostLine | None:
        """Add a line priced from the catalog row (service, price_item, price_region or region).

        ``multiplier`` scales the catalog unit price (e.g. 1 - Fargate Spot discount) and is stated in the
        line's price_source. A price missing for the region is estimated by the lookup (us-east-1 x the
        regional factor, confidence ``estimated``); with no basis the line appears unpriced (NaN, listed
        in ``unpriced``). With ``strict_prices`` nothing is estimated and the model raises at the end.
        """
        if quantity is None or (isinstance(quantity, float) and math.isnan(quantity)):
            self.unpriced.append(Unpriced(scenario, domain, item, resource_id, region, "quantity unknown"))
            return None
        region_for_price = price_region or region
        row = self.price(service, price_item, region_for_price, f"{item} of {resource_id}")
        if row is None:
            self.unpriced.append(Unpriced(scenario, domain, item, resource_id, region,
                                          f"no catalog price {service}/{price_item}/{region_for_price}"))
            if not self.assumptions.prices_strict:
                line = CostLine(scenario, domain, item, resource_id, region, float(quantity), unit, math.nan,
                                "MISSING PRICE", note, tuple(replaces), f"{service}/{price_item}/{region_for_price}")
                self.lines.append(line)
                return line
            return None
        source = row.citation
        if multiplier != 1.0:
            source = f"{source} x {multiplier:g} ({multiplier_note})"
        line = CostLine(scenario, domain, item, resource_id, region, float(quantity), unit,
                        row.usd * multiplier, source, note, tuple(replaces),
                        f"{row.service}/{row.item}/{row.region}", row.confidence)
        self.lines.append(line)
        return line

    def note_unpriced(self, scenario: str, domain: str, item: str, resource_id: str, region: str,
                      reason: str) -> None:
        self.unpriced.append(Unpriced(scenario, domain, item, resource_id, region, reason))

    def charge(self, scenario: str, ch: Charge) -> CostLine | None:
        """Price one recorded :class:`Charge` (a quantity and its catalog row) as a line of ``scenario``."""
        if ch.unpriced:
            self.note_unpriced(scenario, ch.domain, ch.item, ch.resource_id, ch.region, ch.unpriced)
            return None
        return self.add(scenario, ch.domain, ch.item, ch.resource_id, ch.region, ch.quantity, ch.unit, ch.service,
                        ch.price_item, price_region=ch.price_region or None, note=ch.note, replaces=ch.replaces,
                        multiplier=ch.multiplier, multiplier_note=ch.multiplier_note)


def tiered(quantity: float, tiers: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """Split ``quantity`` over tiers given as (item, upper bound of the tier; inf for the last)."""
    out, lower = [], 0.0
    for item, upper in tiers:
        part = max(0.0, min(quantity, upper) - lower)
        if part > 0:
            out.append((item, part))
        lower = upper
        if quantity <= upper:
            break
    return out


def num(value: Any, default: float = 0.0) -> float:
    """:func:`awsassess.values.num` with the cost model's default: a missing quantity counts as 0."""
    return values.num(value, default)
