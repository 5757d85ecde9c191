"""The offline price catalog: list prices with their source, date and confidence.

Rows live in ``awsassess/pricing/data/prices.csv`` (columns ``service,item,region,unit,usd,source,
as_of,confidence``), compiled from ``pricing-facts.md``. ``service`` is the AWS Price List service
code (``AmazonEC2``, ``AWSELB`` ...; ``GitHubActions`` for GitHub); ``item`` is a stable key such as
``nat_gateway_hour`` or ``instance_hour:m6g.large``; ``region`` is an AWS region, ``*`` (the same
price in every region), or a CloudFront edge geography (``north-america``, ``europe``).

Confidence: ``A`` from Price List-derived data or an official page; ``B`` a secondary source that
agrees with another; ``C`` a single secondary source (a placeholder: refresh before relying on it).

Regional rows ship in ``awsassess/pricing/data/regional_prices.csv`` (same columns), imported by
``scripts/import_regional_prices.py`` from the 2026-12-07 regional reference (Price List-derived figures
for 13 commercial regions; provenance in ``data/REGIONAL_SOURCES.md`` and ``sources.csv`` S40-S47). They
add to ``prices.csv`` and never override it: a key in both files (or a regional row for an item
``prices.csv`` prices in every region, ``*``) is an error at load.

A refreshed cache (``awsassess prices refresh``, :mod:`awsassess.pricing.refresh`) overrides package
rows, carrying its own date. A price that is not in the catalog is never a silent zero: lookups raise
:class:`MissingPriceError`, and :class:`PriceLookup` collects every missing price of a computation
before raising once with the full list. :class:`PriceLookup` may instead *estimate* a price that the
region lacks as its us-east-1 price x the service's regional factor (:mod:`awsassess.pricing.regional`),
confidence ``estimated``, with the factor and its basis in the source; ``estimate=False`` turns that off.
Estimated rows exist only in memory: CSV files accept confidence A, B or C only.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from awsassess.pricing.regional import RegionalFactors

COLUMNS = ["service", "item", "region", "unit", "usd", "source", "as_of", "confidence"]
CACHE_FILE = "prices.csv"
REGIONAL_FILE = "regional_prices.csv"
ANY_REGION = "*"
BASE_REGION = "us-east-1"  # the region estimates scale from
CSV_CONFIDENCE = ("A", "B", "C")
ESTIMATED = "estimated"  # confidence and origin of a row estimated by PriceLookup (never read from CSV)


@dataclass(frozen=True)
class PriceRow:
    """One list price. ``usd`` is per ``unit``; ``origin`` says whether it came from the package or a cache."""

    service: str
    item: str
    region: str
    unit: str
    usd: float
    source: str
    as_of: str
    confidence: str
    origin: str = "package"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service, self.item, self.region)

    @property
    def estimated(self) -> bool:
        return self.confidence == ESTIMATED

    @property
    def citation(self) -> str:
        """``source (as_of) [confidence]``: what a cost line shows in ``price_source``.

        An estimated row reads ``estimated: us-east-1 list price 0.072 x 1.1053 = 0.0795789 (AmazonRDS eu-west-1
        regional factor: ...); us-east-1 row: <its source>, as of 2026, confidence B (2026) [estimated]``:
        the same three parts (the report splits them at the last ``(as_of)`` and ``[confidence]``), the
        us-east-1 citation inside the source without its own brackets. ``as_of`` is the us-east-1 row's.
        """
        return f"{self.source} ({self.as_of}) [{self.confidence}]"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class MissingPrice:
    service: str
    item: str
    region: str
    needed_for: str = ""

    def __str__(self) -> str:
        what = f" (for {self.needed_for})" if self.needed_for else ""
        return f"{self.service} / {self.item} / {self.region}{what}"


class MissingPriceError(LookupError):
    """Prices the catalog does not hold; ``missing`` lists every one of them."""

    def __init__(self, missing: Iterable[MissingPrice]):
        unique: dict[tuple[str, str, str], MissingPrice] = {}
        for m in missing:
            unique.setdefault((m.service, m.item, m.region), m)
        self.missing = list(unique.values())
        lines = "\n".join(f"  - {m}" for m in self.missing)
        super().__init__(
            f"{len(self.missing)} price(s) missing from the catalog:\n{lines}\n"
            "Fix: run `awsassess prices refresh --region <region>` (AWS Price List API), or add the rows "
            f"(columns {','.join(COLUMNS)}) to the refreshed cache CSV, or leave the model assumption "
            "strict_prices: false (the default) to estimate these lines or report them as unpriced (never $0)."
        )


def default_cache_dir() -> Path:
    """Where ``prices refresh`` writes and ``PriceCatalog.load()`` looks: ``$AWSASSESS_PRICE_CACHE`` or
    ``~/.cache/awsassess/prices``."""
    env = os.environ.get("AWSASSESS_PRICE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "awsassess" / "prices"


def _package_rows(text: str, name: str) -> list[PriceRow]:
    rows = list(_read_rows(csv.DictReader(text.splitlines()), "package", f"awsassess/pricing/data/{name}"))
    seen: set[tuple[str, str, str]] = set()
    for r in rows:
        if r.key in seen:
            raise ValueError(f"awsassess/pricing/data/{name}: {' / '.join(r.key)} appears twice. "
                             "Fix: keep one row per (service, item, region).")
        seen.add(r.key)
    return rows


def _read_rows(text_rows: Iterable[dict[str, str]], origin: str, where: str) -> Iterator[PriceRow]:
    for n, raw in enumerate(text_rows, start=2):
        missing = [c for c in COLUMNS if c not in raw or raw[c] is None]
        if missing:
            raise ValueError(f"{where}: line {n}: missing column(s) {missing}; expected {','.join(COLUMNS)}")
        try:
            usd = float(raw["usd"])
        except ValueError:
            raise ValueError(f"{where}: line {n}: usd={raw['usd']!r} is not a number") from None
        if usd < 0:
            raise ValueError(f"{where}: line {n}: usd={usd} is negative")
        conf = raw["confidence"].strip().upper()
        if conf not in CSV_CONFIDENCE:  # "estimated" included: estimates are computed, never read from a file
            raise ValueError(f"{where}: line {n}: confidence={raw['confidence']!r}. Fix: use A, B or C "
                             "(estimated prices are computed at lookup time, never stored)")
        yield PriceRow(raw["service"].strip(), raw["item"].strip(), raw["region"].strip(), raw["unit"].strip(),
                       usd, raw["source"].strip(), raw["as_of"].strip(), conf, origin)


@dataclass
class PriceCatalog:
    """Prices keyed by (service, item, region); region ``*`` rows answer for any region."""

    rows: dict[tuple[str, str, str], PriceRow] = field(default_factory=dict)
    cache_path: Path | None = None
    cache_as_of: str | None = None

    # ----------------------------------------------------------------- loading
    @classmethod
    def package(cls) -> PriceCatalog:
        """Only the rows shipped with awsassess (no cache): ``prices.csv`` plus ``regional_prices.csv``.

        Regional rows add to the curated rows and never override them: a (service, item, region) in both
        files, a regional row for an item ``prices.csv`` prices for every region (``*``, which the regional
        row would shadow in its region), or a key twice in one file raises ``ValueError``. A missing
        ``regional_prices.csv`` (a source checkout before the import ran) leaves only ``prices.csv``.
        """
        data = resources.files("awsassess.pricing").joinpath("data")
        regional_file = data.joinpath(REGIONAL_FILE)
        regional = regional_file.read_text(encoding="utf-8") if regional_file.is_file() else None
        return cls.from_texts(data.joinpath(CACHE_FILE).read_text(encoding="utf-8"), regional)

    @classmethod
    def from_texts(cls, curated: str, regional: str | None = None) -> PriceCatalog:
        """A package-style catalog from the CSV texts of ``prices.csv`` and ``regional_prices.csv``
        (the rules of :meth:`package`; separate so they can be checked on small texts)."""
        rows = {r.key: r for r in _package_rows(curated, CACHE_FILE)}
        if regional is None:
            return cls(rows=rows)
        any_region = {(r.service, r.item) for r in rows.values() if r.region == ANY_REGION}
        for r in _package_rows(regional, REGIONAL_FILE):
            if r.key in rows or (r.service, r.item) in any_region:
                held = rows.get(r.key) or rows[(r.service, r.item, ANY_REGION)]
                raise ValueError(
                    f"awsassess/pricing/data/{REGIONAL_FILE}: {r.service} / {r.item} / {r.region} is also priced "
                    f"by {CACHE_FILE} (region {held.region}, usd {held.usd}); regional rows only add. Fix: re-run "
                    f"scripts/import_regional_prices.py (it skips what {CACHE_FILE} holds) or delete the row "
                    f"from {REGIONAL_FILE}.")
            rows[r.key] = r
        return cls(rows=rows)

    @classmethod
    def load(cls, cache_dir: str | os.PathLike[str] | None = None) -> PriceCatalog:
        """Package rows, overridden by a refreshed cache (``cache_dir/prices.csv``) when there is one.

        ``cache_dir`` defaults to :func:`default_cache_dir`; a missing cache is not an error.
        """
        catalog = cls.package()
        directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        path = directory / CACHE_FILE
        if path.is_file():
            catalog.merge_csv(path, origin="cache")
        return catalog

    def merge_csv(self, path: Path, origin: str = "cache") -> None:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(_read_rows(csv.DictReader(fh), origin, str(path)))
        for r in rows:
            self.rows[r.key] = r
        self.cache_path = path
        self.cache_as_of = max((r.as_of for r in rows), default=None)

    # ----------------------------------------------------------------- lookups
    def find(self, service: str, item: str, region: str) -> PriceRow | None:
        """The row for ``region``, else the any-region row, else None."""
        return self.rows.get((service, item, region)) or self.rows.get((service, item, ANY_REGION))

    def price(self, service: str, item: str, region: str) -> PriceRow:
        """The price row; raises :class:`MissingPriceError` when the catalog has none."""
        row = self.find(service, item, region)
        if row is None:
            raise MissingPriceError([MissingPrice(service, item, region)])
        return row

    def has(self, service: str, item: str, region: str) -> bool:
        return self.find(service, item, region) is not None

    def items(self, service: str, prefix: str = "", region: str | None = None) -> list[PriceRow]:
        """Rows of ``service`` whose item starts with ``prefix`` (and priced for ``region`` if given)."""
        out = [r for r in self.rows.values() if r.service == service and r.item.startswith(prefix)]
        if region is not None:
            out = [r for r in out if r.region in (region, ANY_REGION)]
            best: dict[str, PriceRow] = {}
            for r in sorted(out, key=lambda r: r.region == ANY_REGION):
                best.setdefault(r.item, r)
            out = list(best.values())
        return sorted(out, key=lambda r: (r.item, r.region))

    def low_confidence(self, levels: Iterable[str] = ("C",)) -> list[PriceRow]:
        """Rows whose confidence is in ``levels`` (default: only C, the placeholders)."""
        wanted = {lv.upper() for lv in levels}
        return sorted((r for r in self.rows.values() if r.confidence in wanted), key=lambda r: r.key)

    def frame(self, region: str | None = None, service: str | None = None) -> pd.DataFrame:
        rows = [r.to_dict() for r in self.rows.values()]
        df = pd.DataFrame(rows, columns=[*COLUMNS, "origin"])
        if region is not None:
            df = df[df["region"].isin([region, ANY_REGION])]
        if service is not None:
            df = df[df["service"].str.lower() == service.lower()]
        return df.sort_values(["service", "item", "region"]).reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.rows)


class PriceLookup:
    """Prices of one computation: records every row used, every estimate and every missing price, then
    raises once (``raise_missing``).

    ``estimate`` (default True): when the catalog has no row for the region (nor ``*``) but has a
    us-east-1 row and the region has a regional factor (:class:`awsassess.pricing.regional.RegionalFactors`),
    :meth:`get` returns a synthetic row, us-east-1 usd x factor, confidence and origin ``estimated``, its
    source naming the us-east-1 price and citation, the factor and its basis; it is recorded in
    ``estimated`` and ``used`` (keyed by the asked region). Without a us-east-1 row or a factor the price
    is missing, as with ``estimate=False`` (the strict mode: only listed prices).

    ``factors`` may be shared between lookups of one catalog; by default it is built from the catalog on the
    first estimate (the factor table is a snapshot of the catalog's rows at that moment).
    """

    def __init__(self, catalog: PriceCatalog, estimate: bool = True, factors: RegionalFactors | None = None):
        self.catalog = catalog
        self.estimate = estimate
        self.missing: list[MissingPrice] = []
        self.used: dict[tuple[str, str, str], PriceRow] = {}
        self.estimated: list[PriceRow] = []
        self._factors = factors

    @property
    def factors(self) -> RegionalFactors:
        if self._factors is None:
            from awsassess.pricing.regional import RegionalFactors

            self._factors = RegionalFactors(self.catalog)
        return self._factors

    def get(self, service: str, item: str, region: str, needed_for: str = "") -> PriceRow | None:
        row = self.catalog.find(service, item, region)
        if row is None and self.estimate:
            row = self._estimated(service, item, region)
        if row is None:
            self.missing.append(MissingPrice(service, item, region, needed_for))
            return None
        self.used[row.key] = row
        return row

    def peek(self, service: str, item: str, region: str) -> PriceRow | None:
        """The row :meth:`get` would return, without recording it as used, estimated or missing (to compare
        candidates before one is chosen and priced)."""
        row = self.catalog.find(service, item, region)
        if row is None and self.estimate:
            row = self.factors.estimate(service, item, region)
        return row

    def _estimated(self, service: str, item: str, region: str) -> PriceRow | None:
        previous = self.used.get((service, item, region))
        if previous is not None and previous.estimated:
            return previous
        row = self.factors.estimate(service, item, region)
        if row is not None:
            self.estimated.append(row)
        return row

    def unlisted(self) -> list[MissingPrice]:
        """Every price the catalog does not list for its region: the missing ones, then the estimated ones
        (``needed_for`` = ``estimated``), one per (service, item, region). What
        :func:`awsassess.pricing.refresh.fetch_missing` can ask the Price List for."""
        out: dict[tuple[str, str, str], MissingPrice] = {}
        for m in self.missing:
            out.setdefault((m.service, m.item, m.region), m)
        for r in self.estimated:
            out.setdefault(r.key, MissingPrice(r.service, r.item, r.region, ESTIMATED))
        return list(out.values())

    def raise_missing(self) -> None:
        if self.missing:
            raise MissingPriceError(self.missing)


def write_rows(rows: Iterable[PriceRow], path: Path) -> Path:
    """Write rows in the catalog CSV format (used by refresh for the cache)."""
    from awsassess.safe_files import write_text_atomic

    buffer = io.StringIO(newline="")
    w = csv.DictWriter(buffer, fieldnames=COLUMNS)
    w.writeheader()
    for r in sorted(rows, key=lambda r: r.key):
        w.writerow({c: getattr(r, c) for c in COLUMNS})
    return write_text_atomic(path, buffer.getvalue())  # exclusive temp file, atomic rename, no links
