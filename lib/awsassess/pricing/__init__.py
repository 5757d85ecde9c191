"""Price catalog (offline CSV + refreshed cache) and its refresh from the AWS Price List API.

``awsassess prices show|refresh`` call :func:`show` and :func:`refresh`.
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
from awsassess.pricing.refresh import RefreshResult, price_list_documents, refresh
from awsassess.pricing.specs import InstanceSpec, instance_specs


def show(region: str | None = None, service: str | None = None, cache_dir: str | None = None) -> pd.DataFrame:
    """The catalog as a table (package rows overridden by a refreshed cache), optionally one region/service."""
    return PriceCatalog.load(cache_dir).frame(region=region, service=service)


__all__ = [
    "InstanceSpec", "MissingPrice", "MissingPriceError", "PriceCatalog", "PriceLookup", "PriceRow", "RefreshResult",
    "default_cache_dir", "instance_specs", "price_list_documents", "refresh", "show",
]
