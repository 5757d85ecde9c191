"""Price catalog (offline CSVs + refreshed cache) and its refresh from the AWS Price List API.

``awsassess prices show|refresh`` call :func:`show` and :func:`refresh`. :class:`PriceLookup` estimates a
price a region lacks from us-east-1 x :class:`RegionalFactors` (confidence ``estimated``; ``estimate=False``
for strict prices); :func:`fetch_missing` asks the Price List for just the prices a run lacked.
"""

from __future__ import annotations

import pandas as pd

from awsassess.pricing.catalog import (
    MissingPrice,
    MissingPriceError,
    PriceCatalog,
    PriceLookup,
    PriceRow,
    default_cache_dir,
)
from awsassess.pricing.refresh import RefreshResult, fetch_missing, price_list_documents, refresh
from awsassess.pricing.regional import RegionalFactor, RegionalFactors, regional_factor
from awsassess.pricing.specs import InstanceSpec, instance_specs


def show(region: str | None = None, service: str | None = None, cache_dir: str | None = None) -> pd.DataFrame:
    """The catalog as a table (package rows overridden by a refreshed cache), optionally one region/service."""
    return PriceCatalog.load(cache_dir).frame(region=region, service=service)


__all__ = [
    "InstanceSpec", "MissingPrice", "MissingPriceError", "PriceCatalog", "PriceLookup", "PriceRow", "RefreshResult",
    "RegionalFactor", "RegionalFactors", "default_cache_dir", "fetch_missing", "instance_specs",
    "price_list_documents", "refresh", "regional_factor", "show",
]
