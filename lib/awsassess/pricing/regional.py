"""Regional price factors: how much dearer a region is than us-east-1, from the catalog's own rows.

Used by :class:`awsassess.pricing.catalog.PriceLookup` to estimate a price the catalog lacks for a region
(offline, no refreshed cache) as its us-east-1 price x the factor, labelled confidence ``estimated`` with
the factor and its basis in the source, instead of losing the line (or the whole report) to a missing
price.

Method (decided 2026-12, for the regional import of ``regional_prices.csv``):

* a *pair* is a catalog item priced both in the region and in us-east-1 (rows of that exact region; ``*``
  rows and CloudFront edge geographies never pair, a us-east-1 price of 0 is not a ratio); its ratio is
  region usd / us-east-1 usd;
* the factor of (service, region) is the **median** ratio over the service's pairs in that region (median,
  not mean: a few odd rows, e.g. the sa-east-1 db.m5 anomaly noted in regional-prices.md, barely move it);
* with fewer than :data:`MIN_SERVICE_ITEMS` (3) pairs for the service, the median over the pairs of all
  services in that region is used instead (scope ``all services``, and the basis says so);
* with no pair at all in the region there is no basis: ``None``, and the price stays missing.

With the shipped catalog (2026-12-07 import) the factors are, e.g.: eu-west-1 AmazonEC2 1.0952 (24 items),
AmazonRDS 1.1053 (20), AmazonElastiCache 1.1014 (36), AmazonECS and AWSDataTransfer 1.0 (priced as in
us-east-1), services with fewer than 3 pairs 1.1010 (all 89 pairs); eu-central-1 AmazonEC2 1.1538, AmazonRDS
1.1910, AmazonElastiCache 1.1912, AmazonDocDB 1.1000 (3), others 1.1873; ap-southeast-2 AmazonEC2 1.2692,
AmazonRDS 1.3746, AmazonElastiCache 1.2420, others 1.2508; us-west-2 1.0 throughout
(``tests/model/test_pricing_regional.py`` pins these).
List prices differ per service and per instance family (a few percent), so an estimate is an indication to
replace by a Price List answer (``fetch_missing``) or a refresh, never a quote.

:class:`RegionalFactors` computes the pair table once from a catalog (a snapshot: rows added to the
catalog afterwards are not seen) and caches each factor; there is no module-level state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median

from awsassess.pricing.catalog import ANY_REGION, BASE_REGION, ESTIMATED, PriceCatalog, PriceRow

MIN_SERVICE_ITEMS = 3
SCOPE_SERVICE = "service"
SCOPE_ALL = "all services"


@dataclass(frozen=True)
class RegionalFactor:
    """``factor`` = median of (region price / us-east-1 price) over ``items`` catalog items of ``scope``."""

    service: str
    region: str
    factor: float
    items: int
    scope: str  # SCOPE_SERVICE or SCOPE_ALL
    basis: str  # human text: what the median was taken over, and why that scope

    def __str__(self) -> str:
        return f"x {self.factor:.4f} ({self.basis})"


class RegionalFactors:
    """The regional factors of one catalog: pair ratios computed once, each factor cached on first use."""

    def __init__(self, catalog: PriceCatalog):
        self.catalog = catalog
        self._pairs: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
        for row in catalog.rows.values():
            if row.region in (BASE_REGION, ANY_REGION):
                continue
            base = catalog.rows.get((row.service, row.item, BASE_REGION))
            if base is None or base.usd <= 0:
                continue
            self._pairs[(row.service, row.region)].append((row.item, row.usd / base.usd))
        self._by_region: dict[str, list[float]] = defaultdict(list)
        for (_, region), pairs in sorted(self._pairs.items()):
            self._by_region[region].extend(ratio for _, ratio in pairs)
        self._cache: dict[tuple[str, str], RegionalFactor | None] = {}

    def pairs(self, service: str, region: str) -> list[tuple[str, float]]:
        """(item, region/us-east-1 ratio) of the service's items priced in both regions, by item."""
        return sorted(self._pairs.get((service, region), []))

    def regions(self) -> list[str]:
        """Regions with at least one pair (the regions an estimate is possible for)."""
        return sorted(self._by_region)

    def factor(self, service: str, region: str) -> RegionalFactor | None:
        """The factor for ``service`` in ``region``; None for us-east-1 itself or a region without pairs."""
        key = (service, region)
        if key not in self._cache:
            self._cache[key] = self._compute(service, region)
        return self._cache[key]

    def _compute(self, service: str, region: str) -> RegionalFactor | None:
        if region in (BASE_REGION, ANY_REGION):
            return None
        own = [ratio for _, ratio in self._pairs.get((service, region), [])]
        if len(own) >= MIN_SERVICE_ITEMS:
            return RegionalFactor(
                service, region, median(own), len(own), SCOPE_SERVICE,
                f"{service} {region} regional factor: median of {len(own)} catalog items priced in both {region} "
                f"and {BASE_REGION}, ratios {min(own):.3f}-{max(own):.3f}")
        everything = self._by_region.get(region, [])
        if not everything:
            return None
        services = len({s for (s, r) in self._pairs if r == region})
        return RegionalFactor(
            service, region, median(everything), len(everything), SCOPE_ALL,
            f"{region} regional factor over all services: {service} has {len(own)} item(s) priced in both "
            f"{region} and {BASE_REGION}, fewer than {MIN_SERVICE_ITEMS}, so the median of all {len(everything)} "
            f"catalog items of {services} service(s) priced in both, ratios "
            f"{min(everything):.3f}-{max(everything):.3f}")

    def table(self, regions: list[str] | None = None) -> list[RegionalFactor]:
        """Every (service, region) factor: services with a us-east-1 row x ``regions`` (default: all with pairs)."""
        services = sorted({r.service for r in self.catalog.rows.values() if r.region == BASE_REGION})
        out = []
        for region in regions if regions is not None else self.regions():
            for service in services:
                f = self.factor(service, region)
                if f is not None:
                    out.append(f)
        return out

    def estimate(self, service: str, item: str, region: str) -> PriceRow | None:
        """The estimated row for (service, item, region): us-east-1 row x factor, or None without either.

        Confidence and origin ``estimated``; ``as_of`` and ``unit`` are the us-east-1 row's; the source
        names the us-east-1 price, the factor, its basis and the us-east-1 row's own citation.
        """
        base = self.catalog.rows.get((service, item, BASE_REGION))
        f = self.factor(service, region)
        if base is None or f is None:
            return None
        usd = base.usd * f.factor
        source = (f"estimated: {BASE_REGION} list price {base.usd:g} x {f.factor:.4f} = {usd:.6g} ({f.basis}); "
                  f"{BASE_REGION} row: {base.source}, as of {base.as_of}, confidence {base.confidence}")
        return PriceRow(service, item, region, base.unit, usd, source, base.as_of, ESTIMATED, ESTIMATED)


def regional_factor(catalog: PriceCatalog, service: str, region: str) -> RegionalFactor | None:
    """The factor for one (service, region) of ``catalog`` (builds a :class:`RegionalFactors`; for many
    lookups build one and reuse it)."""
    return RegionalFactors(catalog).factor(service, region)
