"""A snapshot: what one collection saw of one account, re-analysable offline.

Layout on disk::

    snapshot/manifest.json          schema_version, account_id, regions, collected_at, tool_version, coverage summary
    snapshot/tables/<table>.parquet one file per table of :mod:`awsassess.tables`
    snapshot/raw/<service>/<operation>[.<region>].json.gz   raw API pages (secrets masked)

Written atomically: everything goes to a temporary sibling directory that is renamed into place,
so a reader never sees half a snapshot and an interrupted collection leaves the old one intact.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from awsassess import __version__
from awsassess.tables import TABLES, columns

SCHEMA_VERSION = 1


RAW_GZIP_LEVEL = 6  # measured on the demo raw pages: 9 (gzip default) is 1.4x slower for 1.5% smaller files


class SnapshotError(Exception):
    """A snapshot is missing, incomplete or of another schema version."""


class LazyTables(MutableMapping[str, pd.DataFrame]):
    """Table name -> DataFrame, each Parquet file read the first time it is asked for.

    A notebook uses a few of the ~50 tables: reading only those made opening a snapshot 10x faster
    (0.3 s -> 0.03 s on the demo). Behaves as a dict otherwise (assign, delete, iterate).
    """

    def __init__(self, files: dict[str, Path]) -> None:
        self._files = dict(files)
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if name not in self._files:
                raise KeyError(name)
            try:
                self._frames[name] = pd.read_parquet(self._files[name])
            except Exception as exc:  # noqa: BLE001 - a truncated or removed file: say which and what to do
                raise SnapshotError(f"{self._files[name]}: cannot read table {name!r} ({exc}). "
                                    "Re-collect the account: the snapshot is damaged.") from exc
        return self._frames[name]

    def __setitem__(self, name: str, df: pd.DataFrame) -> None:
        self._frames[name] = df
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
    """Tables of one account plus the manifest. ``table(name)`` always returns the documented columns."""

    manifest: dict[str, Any]
    tables: MutableMapping[str, pd.DataFrame] = field(default_factory=dict)
    path: Path | None = None

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
        """The table ``name`` with at least its documented columns (empty when nothing was collected)."""
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; known: {', '.join(sorted(TABLES))}")
        df = self.tables.get(name)
        cols = columns(name)
        if df is None:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
        missing = [c for c in cols if c not in df.columns]
        if missing:
            df = df.copy()
            for c in missing:
                df[c] = pd.Series([None] * len(df), dtype="object", index=df.index)
        return df

    # ------------------------------------------------------------------ I/O
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Snapshot:
        root = Path(path)
        if (root / "snapshot" / "manifest.json").exists():
            root = root / "snapshot"
        manifest_path = root / "manifest.json"
        if not manifest_path.exists():
            raise SnapshotError(
                f"{root}: no manifest.json; this is not a snapshot folder. "
                "Run `awsassess collect PARAMS.yaml --out DIR` first, then point at DIR/<name>/snapshot."
            )
        manifest = json.loads(manifest_path.read_text())
        version = manifest.get("schema_version")
        if version != SCHEMA_VERSION:
            raise SnapshotError(
                f"{manifest_path}: schema_version {version!r} but this awsassess ({__version__}) reads "
                f"version {SCHEMA_VERSION}. Re-collect with this version, or analyse with the awsassess "
                f"version named in the manifest ({manifest.get('tool_version', 'unknown')})."
            )
        # only the documented tables, and only real files: a snapshot folder may come from someone else
        files = {file.stem: file for file in sorted((root / "tables").glob("*.parquet"))
                 if file.stem in TABLES and not file.is_symlink()}
        return cls(manifest=manifest, tables=LazyTables(files), path=root)

    def save(self, path: str | os.PathLike[str], raw_pages: dict[str, Any] | None = None) -> Path:
        """Write atomically to ``path`` (the ``snapshot`` folder itself); returns ``path``."""
        dest = Path(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
        try:
            (tmp / "tables").mkdir()
            for name, df in sorted(self.tables.items()):
                df.to_parquet(tmp / "tables" / f"{name}.parquet", index=False)
            if raw_pages:
                _write_raw(tmp / "raw", raw_pages)
            manifest = {
                "schema_version": SCHEMA_VERSION,
                "tool_version": __version__,
                **self.manifest,
                "tables": {n: int(len(df)) for n, df in sorted(self.tables.items())},
            }
            manifest.setdefault("collected_at", datetime.now(UTC).isoformat(timespec="seconds"))
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
            old = None
            if dest.exists():
                old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
                dest.rename(old)
            tmp.rename(dest)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            self.manifest = manifest
            self.path = dest
            return dest
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


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
    """A DataFrame for table ``name`` with exactly its documented columns, in order."""
    cols = columns(name)
    df = pd.DataFrame(rows or [], columns=cols)
    extra = [c for c in (rows[0] if rows else {}) if c not in cols]
    if extra:
        raise ValueError(f"table {name}: undocumented columns {extra}; document them in awsassess.tables")
    return df
