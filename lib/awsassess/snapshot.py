"""A snapshot: what one collection saw of one account, re-analysable offline.

Layout on disk::

    snapshot/manifest.json          schema_version, account_id, regions, collected_at, tool_version, coverage summary
    snapshot/tables/<table>.parquet one file per table of :mod:`awsassess.tables`
    snapshot/raw/<service>/<operation>[.<region>].json.gz   raw API pages (secrets masked)

Written atomically: everything goes to a temporary sibling directory that is renamed into place,
so a reader never sees half a snapshot and an interrupted collection leaves the old one intact.

Typed: every column has the dtype :mod:`awsassess.tables` declares for it, enforced where a frame enters a
snapshot (``Snapshot(tables=...)``, ``snapshot.tables[name] = df``, :func:`empty_frame`: the write path, so
:meth:`Snapshot.save` writes only typed frames) and where a table file is read (:class:`LazyTables`). A
cell that cannot be converted is a :class:`SnapshotTypeError` naming the table, the column, the row (its
position in the table, counting from 0) and the value, never a cell written or read as something else
(:func:`typed_frame` has the conversion rules). Readers therefore get exactly the declared columns, in
order, of the declared dtypes:

- a column of no declared table is dropped (it is no part of the contract, and no reader may come to
  depend on it; rows built by :func:`empty_frame` or the collectors refuse them outright);
- a declared column that is missing is an error, except in a snapshot of an older schema version (the
  manifest's ``schema_version``): there it is added, all missing (NaN, ``pd.NA`` or NaT), as the column
  did not exist when it was written. Version 1 (before typed tables) is read this way: its cells are
  converted like any others (a cell that cannot be is an error telling to re-collect).
"""

from __future__ import annotations

import gzip
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from awsassess import __version__
from awsassess.layout import AccountFolder, SnapshotFolder
from awsassess.tables import BOOL, DTYPES, FLOAT, INT, LIST, OBJ, STR, TABLES, TIME, columns, dumps
from awsassess.values import missing

SCHEMA_VERSION = 4
"""4: what the reliability and security rules read: encryption, backup retention and deletion protection of
databases (and their AZ and subnets), encryption and snapshot retention of caches, point-in-time recovery and
deletion protection of DynamoDB tables, listeners' TLS policy and default action, CloudFront's minimum viewer
protocol, containers' privileged/user/read-only root/log driver, services' and CodeDeploy groups' deployment
alarms, read replicas' source, EC2 lifecycle (Spot) and Auto Scaling groups' on-demand share.
3: ``dynamodb_tables.key_schema`` (the keys a Terraform import must state), the security groups of
services and data stores and the rules of every security group (which service reaches which store). 2: typed tables (every
column of its declared dtype, :mod:`awsassess.tables`). 1: the dtypes pandas inferred from the collected
rows. Older versions are still read (see the module doc), their new columns null."""
READABLE_VERSIONS = (1, 2, 3, 4)


RAW_GZIP_LEVEL = 6  # measured on the demo raw pages: 9 (gzip default) is 1.4x slower for 1.5% smaller files


class SnapshotError(Exception):
    """A snapshot is missing, incomplete or of another schema version."""


class SnapshotTypeError(SnapshotError, ValueError):
    """A cell that is not of its column's declared dtype and cannot be converted to it."""

    def __init__(self, table: str, column: str, row: int, value: Any, dtype: str, fix: str) -> None:
        self.table, self.column, self.row, self.value, self.dtype = table, column, row, value, dtype
        shown = repr(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        super().__init__(f"snapshot table {table} column {column}: expected {dtype}, found {shown} "
                         f"({type(value).__name__}) in row {row}. Fix: {fix}")


#: what a value of each dtype looks like, for the Fix of an error on the write path
_EXPECTED = {
    STR: "text (str; a number is written as its digits)", INT: "a whole number (int, or text such as '12')",
    FLOAT: "a number (int, float or numeric text)", BOOL: "True or False (or 'true'/'false', 1/0)",
    TIME: "a datetime or ISO 8601 text (naive ones are taken as UTC)",
    LIST: "a list (written as JSON) or the JSON text of a list", OBJ: "a dict (written as JSON) or the JSON text "
    "of an object",
}


def write_fix(dtype: str) -> str:
    """The Fix of a cell that cannot enter a snapshot (a collector's row, a test's builder, a notebook)."""
    return (f"write {_EXPECTED[dtype]}, or None when the value is unknown, where this row is built; if the "
            f"column really holds something else, change its dtype in awsassess.tables and bump "
            f"awsassess.snapshot.SCHEMA_VERSION.")


def read_fix(file: Any) -> str:
    """The Fix of a cell of a snapshot read from disk (damaged, edited or written by another tool)."""
    return (f"re-collect with `awsassess collect PARAMS.yaml --out DIR` (or `awsassess demo`); {file} was "
            "damaged, edited or written by a tool that does not follow awsassess.tables.")


# --------------------------------------------------------------------------- typed frames
class _Bad(Exception):
    """A cell that cannot be converted (internal: :func:`typed_frame` turns it into a SnapshotTypeError)."""


_TRUE = frozenset({"true", "1", "yes", "y", "enabled"})
_FALSE = frozenset({"false", "0", "no", "n", "disabled"})


def _blank(v: Any) -> bool:
    """Missing, or text that is only white space: no value in a number, flag, time or JSON column."""
    return missing(v) or (isinstance(v, str) and not v.strip())


def _to_str(v: Any) -> Any:
    if missing(v):
        return np.nan
    if isinstance(v, str):
        return v
    if isinstance(v, bool | np.bool_):
        raise _Bad  # a flag where text is expected: a wrong column, not the text "True"
    if isinstance(v, float | np.floating) and math.isfinite(v) and float(v).is_integer():
        # a whole number in a float column (an int column with a missing cell): its digits, never "12.0"
        return str(int(v))
    if isinstance(v, int | np.integer | float | np.floating | Decimal):
        return str(v.item() if isinstance(v, np.generic) else v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    raise _Bad


def _to_number(v: Any) -> float | int:
    """An int, float, Decimal or numeric text as a Python number; a bool is no number (a flag in a count)."""
    if isinstance(v, bool | np.bool_):
        raise _Bad
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating | Decimal):
        return float(v)
    if isinstance(v, str):
        t = v.strip()
        try:
            return int(t)
        except ValueError:
            pass
        try:
            return float(t)
        except ValueError:
            raise _Bad from None
    raise _Bad


def _to_int(v: Any) -> Any:
    if _blank(v):
        return pd.NA
    n = _to_number(v)
    if isinstance(n, float):
        if math.isnan(n):
            return pd.NA
        if not n.is_integer():  # 3.5 CPUs or an infinite count: not a whole number, never rounded silently
            raise _Bad
        n = int(n)
    if not -(2**63) <= n < 2**63:  # beyond Int64
        raise _Bad
    return n


def _to_float(v: Any) -> float:
    return math.nan if _blank(v) else float(_to_number(v))


def _to_bool(v: Any) -> Any:
    if _blank(v):
        return pd.NA
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | float | np.integer | np.floating) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in _TRUE | _FALSE:
        return v.strip().lower() in _TRUE
    raise _Bad


def _to_time(v: Any) -> Any:
    if _blank(v):
        return pd.NaT
    if isinstance(v, np.datetime64):
        v = pd.Timestamp(v)
    if isinstance(v, str):
        try:  # ISO 8601 only: "12" or "n/a" is no time (a lenient parser reads "12" as the 12th of this month)
            v = datetime.fromisoformat(v.strip())
        except ValueError:
            raise _Bad from None
    elif isinstance(v, date) and not isinstance(v, datetime):
        v = datetime(v.year, v.month, v.day)
    if not isinstance(v, datetime):
        raise _Bad
    t = pd.Timestamp(v)
    return t.tz_localize(UTC) if t.tzinfo is None else t.tz_convert(UTC)


def _json_text(v: Any, kind: type) -> Any:
    if _blank(v):
        return np.nan
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, tuple) and kind is list:
        v = list(v)
    if isinstance(v, kind):
        return dumps(v)
    if not isinstance(v, str):
        raise _Bad
    try:
        decoded = json.loads(v)
    except ValueError:
        raise _Bad from None
    if decoded is None:  # JSON null: no value
        return np.nan
    if not isinstance(decoded, kind):
        raise _Bad
    return v


_CELL: dict[str, Callable[[Any], Any]] = {
    STR: _to_str, INT: _to_int, FLOAT: _to_float, BOOL: _to_bool, TIME: _to_time,
    LIST: lambda v: _json_text(v, list), OBJ: lambda v: _json_text(v, dict),
}


def _target(dtype: str) -> Any:
    return pd.api.types.pandas_dtype(DTYPES[dtype])


def _cellwise(values: pd.Series, dtype: str, fail: Callable[[int, Any], Exception]) -> pd.Series:
    convert = _CELL[dtype]
    out = []
    for i, v in enumerate(values.array):
        try:
            out.append(convert(v))
        except (_Bad, OverflowError, ValueError, TypeError):
            raise fail(i, v) from None
    return pd.Series(out, index=values.index, dtype=DTYPES[dtype])


def _typed_column(values: pd.Series, dtype: str, fail: Callable[[int, Any], Exception]) -> pd.Series:
    """``values`` as ``dtype``: whole columns where their pandas dtype allows it, else cell by cell."""
    have, want = values.dtype, _target(dtype)
    if dtype in (LIST, OBJ):
        if have != want:
            return _cellwise(values, dtype, fail)
        kind = list if dtype == LIST else dict
        # a table's JSON cells repeat (the demo's 56,112 metric rows have few dimension texts): each text once
        no_value = []  # JSON null and blank text: missing, as on the cell path
        for i, text in _first_positions(values).items():
            try:
                if missing(_json_text(text, kind)):
                    no_value.append(text)
            except _Bad:
                raise fail(i, text) from None
        return values.mask(values.isin(no_value)) if no_value else values
    if have == want:
        return values
    if dtype in (INT, FLOAT) and pd.api.types.is_numeric_dtype(have) and not pd.api.types.is_bool_dtype(have):
        if dtype == FLOAT:
            return values.astype(want)
        if pd.api.types.is_float_dtype(have):
            numbers = values.astype("float64")
            # a fraction, an infinity, or a whole number beyond Int64 (astype would raise a bare TypeError)
            bad = numbers.notna() & ((numbers % 1 != 0) | np.isinf(numbers)
                                     | (numbers >= 2.0**63) | (numbers < -(2.0**63)))
            _refuse_first(bad, values, fail)
            return numbers.astype(want)
        if pd.api.types.is_unsigned_integer_dtype(have):  # uint64 beyond Int64
            _refuse_first((values > np.iinfo(np.int64).max).fillna(False), values, fail)
        return values.astype(want)
    if dtype == BOOL and pd.api.types.is_bool_dtype(have):
        return values.astype(want)
    if dtype == TIME and pd.api.types.is_datetime64_any_dtype(have):
        times = values.dt.tz_localize(UTC) if values.dt.tz is None else values.dt.tz_convert(UTC)
        return times.astype(want)
    return _cellwise(values, dtype, fail)


def _refuse_first(bad: pd.Series, values: pd.Series, fail: Callable[[int, Any], Exception]) -> None:
    """The error for the first row ``bad`` marks (its position and its value), if any."""
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy(dtype=bool))[0])
        raise fail(i, values.iloc[i])


def _first_positions(values: pd.Series) -> pd.Series:
    """Each distinct non-missing value, indexed by the position of its first row."""
    s = values.reset_index(drop=True)
    return s[s.notna() & ~s.duplicated()]


def _unknown_table(name: str) -> SnapshotError:
    return SnapshotError(f"unknown table {name!r}. Fix: use one of awsassess.tables.TABLES "
                         f"({', '.join(sorted(TABLES))}), or declare the table there first.")


def typed_frame(name: str, df: pd.DataFrame, *, fix: Callable[[str], str] = write_fix,
                older: bool = False) -> pd.DataFrame:
    """``df`` with exactly the declared columns of table ``name``, in order, each of its declared dtype.

    ``fix`` gives the Fix of an error from the column's dtype (:func:`write_fix`, :func:`read_fix`);
    ``older`` tells that ``df`` comes from a snapshot of an older schema version, whose missing columns are
    added, all missing. Columns of no declared table are dropped.

    Conversions (anything else is a :class:`SnapshotTypeError`; None, NaN, ``pd.NA`` and NaT are missing in
    every column, and so is blank text in all but ``string`` columns):

    - ``string``: text as it is; a number as its digits (``12`` -> ``"12"``, as an account id may arrive;
      a whole float too, ``12.0`` -> ``"12"``: an int column with a missing cell is float64);
      a datetime as ISO 8601. A bool, a list or a dict is refused (a flag or a structure is no text);
    - ``int``: a whole number, or text of one (``"12"``, ``"12.0"``); 3.5, ``"n/a"`` and a bool are
      refused (a flag is no count, and a fraction is never rounded silently);
    - ``float``: a number or numeric text; a bool is refused;
    - ``bool``: a bool, 0/1, or ``true/false/yes/no/y/n/enabled/disabled/1/0`` in any case;
    - ``timestamp``: a datetime (naive ones are UTC) or ISO 8601 text; a number is refused (seconds or
      milliseconds since when?) and so is other text;
    - ``json_list`` / ``json_object``: a list / dict (written with :func:`awsassess.tables.dumps`) or the
      JSON text of one, kept as written; JSON ``null`` is missing; any other JSON or text is refused.
    """
    if name not in TABLES:
        raise _unknown_table(name)
    declared = TABLES[name].dtypes
    out: dict[str, pd.Series] = {}
    converted = False
    for column, dtype in declared.items():
        if column not in df.columns:
            if not older:
                raise SnapshotError(
                    f"snapshot table {name} column {column}: missing (the table has only "
                    f"{', '.join(map(str, df.columns)) or 'no columns'}). Fix: {fix(dtype)}")
            out[column] = pd.Series(index=df.index, dtype=DTYPES[dtype])
            converted = True
            continue
        values = df[column]
        if isinstance(values, pd.DataFrame):
            raise SnapshotError(f"snapshot table {name} column {column}: appears twice. Fix: {fix(dtype)}")

        def fail(i: int, v: Any, column: str = column, dtype: str = dtype) -> Exception:
            return SnapshotTypeError(name, column, i, v, dtype, fix(dtype))

        out[column] = _typed_column(values, dtype, fail)
        converted = converted or out[column] is not values
    if not converted and list(df.columns) == list(declared):
        return df  # already typed: the same frame (no copy of the metrics table on every read)
    return pd.DataFrame(out, index=df.index)


@cache
def _empty(name: str) -> pd.DataFrame:
    if name not in TABLES:
        raise _unknown_table(name)
    return pd.DataFrame({c: pd.Series(dtype=DTYPES[d]) for c, d in TABLES[name].dtypes.items()})


class LazyTables(MutableMapping[str, pd.DataFrame]):
    """Table name -> typed DataFrame, each Parquet file read (and checked) the first time it is asked for.

    A notebook uses a few of the ~50 tables: reading only those made opening a snapshot 10x faster
    (0.3 s -> 0.03 s on the demo). Behaves as a dict otherwise (assign, delete, iterate). Every frame is
    typed (:func:`typed_frame`) as it comes in: a file when read, a frame when assigned (``frames`` too);
    ``schema_version`` is the snapshot's (an older one has its missing columns added, all missing).
    """

    def __init__(self, files: Mapping[str, Path], frames: Mapping[str, pd.DataFrame] | None = None, *,
                 schema_version: int = SCHEMA_VERSION) -> None:
        self._files = dict(files)
        self._frames: dict[str, pd.DataFrame] = {}
        self.schema_version = schema_version
        for name, df in (frames or {}).items():
            self[name] = df

    @property
    def older(self) -> bool:
        return self.schema_version < SCHEMA_VERSION

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if name not in self._files:
                raise KeyError(name)
            file = self._files[name]
            try:
                df = pd.read_parquet(file)
            except Exception as exc:  # noqa: BLE001 - a truncated or removed file: say which and what to do
                raise SnapshotError(f"{file}: cannot read table {name!r} ({exc}). "
                                    "Fix: Re-collect the account: the snapshot is damaged.") from exc
            self._frames[name] = typed_frame(name, df, fix=lambda _dtype: read_fix(file), older=self.older)
        return self._frames[name]

    def __setitem__(self, name: str, df: pd.DataFrame) -> None:
        self._frames[name] = typed_frame(name, df, older=self.older)
        self._files.pop(name, None)

    def __delitem__(self, name: str) -> None:
        if name not in self._frames and name not in self._files:
            raise KeyError(name)
        self._frames.pop(name, None)
        self._files.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._files, *self._frames}))

    def __len__(self) -> int:
        return len({*self._files, *self._frames})

    def __contains__(self, name: object) -> bool:
        return name in self._frames or name in self._files

    def __repr__(self) -> str:
        return f"LazyTables({sorted(self)}, loaded={sorted(self._frames)})"


@dataclass
class Snapshot:
    """Tables of one account plus the manifest. ``table(name)`` always returns the documented columns,
    typed (:mod:`awsassess.tables`).

    ``tables`` may be given as any mapping: it is kept as a :class:`LazyTables`, so every frame is typed
    as it enters (a cell that cannot be converted raises :class:`SnapshotTypeError` here, not in a rule).
    """

    manifest: dict[str, Any]
    tables: MutableMapping[str, pd.DataFrame] = field(default_factory=dict)
    path: Path | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.tables, LazyTables):
            self.tables = LazyTables({}, self.tables, schema_version=self.schema_version)

    @property
    def schema_version(self) -> int:
        """The manifest's schema version (this awsassess's when it names none: a snapshot built in memory)."""
        version = self.manifest.get("schema_version", SCHEMA_VERSION)
        return version if isinstance(version, int) and not isinstance(version, bool) else SCHEMA_VERSION

    @property
    def account_id(self) -> str:
        return str(self.manifest.get("account_id", ""))

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", self.account_id))

    @property
    def environment(self) -> str:
        return str(self.manifest.get("environment", ""))

    @property
    def regions(self) -> list[str]:
        return list(self.manifest.get("regions", []))

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name``: exactly its declared columns, in order, of their declared dtypes (empty when
        nothing was collected). Rules must not modify it in place (it is the snapshot's own frame)."""
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; known: {', '.join(sorted(TABLES))}")
        df = self.tables.get(name)
        if df is None:
            return _empty(name).copy()
        if not isinstance(self.tables, LazyTables):  # ``tables`` replaced by a plain dict after construction
            df = typed_frame(name, df, older=self.schema_version < SCHEMA_VERSION)
        return df

    # ------------------------------------------------------------------ I/O
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Snapshot:
        root = Path(path)
        if AccountFolder(root).manifest.exists():  # the account folder given: its snapshot
            root = AccountFolder(root).snapshot
        folder = SnapshotFolder(root)
        manifest_path = folder.manifest
        if not manifest_path.exists():
            raise SnapshotError(
                f"{root}: no {manifest_path.name}; this is not a snapshot folder. "
                "Run `awsassess collect PARAMS.yaml --out DIR` first, then point at DIR/<name>/snapshot."
            )
        manifest = _read_manifest(manifest_path)
        version = manifest.get("schema_version")
        if version not in READABLE_VERSIONS or isinstance(version, bool):
            raise SnapshotError(
                f"{manifest_path}: schema_version {version!r} but this awsassess ({__version__}) reads "
                f"versions {', '.join(map(str, READABLE_VERSIONS))}. Fix: re-collect with this version, or "
                f"analyse with the awsassess version named in the manifest "
                f"({manifest.get('tool_version', 'unknown')})."
            )
        # only the documented tables, and only real files: a snapshot folder may come from someone else
        files = {file.stem: file for file in sorted(folder.tables.glob("*.parquet"))
                 if file.stem in TABLES and not file.is_symlink()}
        return cls(manifest=manifest, tables=LazyTables(files, schema_version=version), path=root)

    def save(self, path: str | os.PathLike[str], raw_pages: dict[str, Any] | None = None) -> Path:
        """Write atomically to ``path`` (the ``snapshot`` folder itself); returns ``path``.

        Every frame is typed again first (:func:`typed_frame`; the same frame when it still is): one changed in
        place after it entered the snapshot (``snap.table(name)[col] = ...``) is refused with a
        :class:`SnapshotTypeError` before anything is written. So the files are of this awsassess's
        :data:`SCHEMA_VERSION`, which the manifest records whatever it said before."""
        dest = Path(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        frames = {name: typed_frame(name, self.table(name)) for name in sorted(self.tables)}
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
        written = SnapshotFolder(tmp)
        try:
            written.tables.mkdir()
            for name, df in frames.items():
                df.to_parquet(written.table(name), index=False)
            if raw_pages:
                _write_raw(written.raw, raw_pages)
            manifest = {
                "tool_version": __version__,
                **self.manifest,
                "schema_version": SCHEMA_VERSION,
                "tables": {n: int(len(df)) for n, df in frames.items()},
            }
            manifest.setdefault("collected_at", datetime.now(UTC).isoformat(timespec="seconds"))
            written.manifest.write_text(json.dumps(manifest, indent=2, default=str))
            old = None
            if dest.exists():
                old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
                dest.rename(old)
            tmp.rename(dest)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            self.manifest = manifest
            if isinstance(self.tables, LazyTables):
                self.tables.schema_version = SCHEMA_VERSION
            self.path = dest
            return dest
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest as a dict; a file that cannot be read, is not JSON or not an object: SnapshotError."""
    fix = ("Fix: re-collect the account with `awsassess collect PARAMS.yaml --out DIR` (or `awsassess demo`), "
           f"or restore {path.name} from a copy of this snapshot.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot be read ({exc.strerror or exc}). {fix}") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise SnapshotError(f"{path}: not a snapshot manifest, not valid JSON ({exc}). {fix}") from None
    if not isinstance(manifest, dict):
        raise SnapshotError(f"{path}: not a snapshot manifest (JSON {type(manifest).__name__}, not an object). "
                            f"{fix}")
    return manifest


class EncodedPages(bytes):
    """Raw pages encoded where they were collected (a worker process): one gzip member holding the
    JSON of the entries without the list's brackets (empty when there are none); see :func:`encode_pages`."""


def encode_pages(pages: list[Any]) -> EncodedPages:
    """``pages`` ready to be spliced into a ``raw/<key>.json.gz`` file by :meth:`Snapshot.save`."""
    inner = json.dumps(pages, default=str).encode("utf-8")[1:-1]
    return EncodedPages(gzip.compress(inner, compresslevel=RAW_GZIP_LEVEL, mtime=0) if inner else b"")


_OPEN, _COMMA, _CLOSE = (gzip.compress(t, mtime=0) for t in (b"[", b", ", b"]"))


def raw_gzip(pages: list[Any]) -> bytes:
    """The ``raw/<key>.json.gz`` file for ``pages`` (plain entries and :class:`EncodedPages`, in order).

    A gzip file may hold several members, read back as one stream: ``[``, each part and ``]`` are
    members, so pages compressed in worker processes are not decompressed or compressed again here.
    Read back, it is the JSON list ``json.dumps`` gives for all entries.
    """
    members: list[bytes] = []
    plain: list[Any] = []

    def flush() -> None:
        if plain:
            members.append(encode_pages(plain))
            plain.clear()

    for entry in pages:
        if isinstance(entry, EncodedPages):
            flush()
            if entry:
                members.append(entry)
        else:
            plain.append(entry)
    flush()
    return _OPEN + _COMMA.join(members) + _CLOSE


def raw_json(pages: list[Any]) -> bytes:
    """The JSON text of a raw file for ``pages`` (what :func:`raw_gzip` holds)."""
    return gzip.decompress(raw_gzip(pages))


def _write_raw(folder: Path, raw_pages: dict[str, Any]) -> None:
    """One gzip JSON file per key; plain pages compressed on two threads (zlib lets go of the GIL)."""

    def write(item: tuple[str, Any]) -> None:
        key, pages = item
        raw_file = folder / f"{key}.json.gz"
        raw_file.parent.mkdir(parents=True, exist_ok=True)
        raw_file.write_bytes(raw_gzip(pages))

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="awsassess-raw") as pool:
        list(pool.map(write, sorted(raw_pages.items())))


def empty_frame(name: str, rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """A DataFrame for table ``name`` with exactly its documented columns, in order, typed
    (:func:`typed_frame`; a cell that cannot be converted raises :class:`SnapshotTypeError`)."""
    if name not in TABLES:
        raise _unknown_table(name)
    cols = columns(name)
    extra = sorted({c for row in rows or [] for c in row} - set(cols))
    if extra:
        raise ValueError(f"table {name}: undocumented columns {extra}. Fix: document them (name, dtype, "
                         "meaning) in awsassess.tables")
    if not rows:
        return _empty(name).copy()
    return typed_frame(name, pd.DataFrame(rows, columns=cols))
