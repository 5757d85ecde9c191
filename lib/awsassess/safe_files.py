"""Writing into output folders that someone else may have prepared: atomic, exclusive, no links, no formulas.

Output folders are shared (handed to a colleague, a client, a file server). A file planted there must
not redirect a write: a symbolic link at ``costs.csv.tmp`` once made ``analyze`` overwrite a file outside
the folder, and with a crafted name write a ``.pth`` file that ran at the next Python start. So every
file awsassess writes goes through :func:`write_bytes_atomic`:

- the data goes to a new file made by :func:`tempfile.mkstemp` in the destination folder (``O_EXCL``:
  created by us, never an existing file or link), then :func:`os.replace` renames it over the
  destination (a reader never sees half a file; a rename replaces a link itself, never its target);
- a destination that is a symbolic link, or whose folder is one, is refused with :class:`UnsafePathError`
  naming the path and the fix, before anything is written.

CSV files are opened by clients in Excel: a cell beginning with ``=``, ``+``, ``-``, ``@``, a TAB or a CR
is a formula there (``=HYPERLINK(...)``, ``+cmd|...``). :func:`csv_safe` neutralises such text cells as
OWASP recommends (a leading ``'``); numbers, and text that is a plain number such as ``-12.5``, stay as
they are. :func:`write_csv_atomic` applies it to every text cell.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

_UMASK = os.umask(0o022)  # read once (os.umask can only be read by setting it)
os.umask(_UMASK)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class UnsafePathError(OSError):
    """A destination awsassess will not write: a symbolic link, or in a linked folder."""


def check_destination(path: Path) -> None:
    """Raise :class:`UnsafePathError` when ``path`` or its folder is a symbolic link."""
    for p in (path, path.parent):
        if p.is_symlink():
            raise UnsafePathError(
                f"{p} is a symbolic link (to {os.readlink(p)}); awsassess does not write through links "
                "in an output folder. Fix: remove the link (or choose another --out folder) and run again.")


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, fsync: bool = False) -> Path:
    """Write ``data`` to ``path``: a new exclusive temp file in the same folder, then an atomic rename.

    ``fsync`` adds safety against a power loss (not needed against a killed process)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    check_destination(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are normal files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: str | os.PathLike[str], text: str, *, fsync: bool = False) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"), fsync=fsync)


def write_json_atomic(path: str | os.PathLike[str], data: Any, *, indent: int | None = 2,
                      fsync: bool = False) -> Path:
    return write_text_atomic(path, json.dumps(data, indent=indent, default=str) + "\n", fsync=fsync)


def csv_safe(value: Any) -> Any:
    """``value`` as a spreadsheet will not run it: text that starts like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with :func:`csv_safe` applied to every text cell (numeric columns untouched)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_safe)
    return out


def write_csv_atomic(path: str | os.PathLike[str], df: pd.DataFrame, **to_csv: Any) -> Path:
    """``df`` as CSV (formula-safe text cells), written atomically and exclusively."""
    # CRLF line ends (RFC 4180, as csv.writer writes findings.csv): a CR inside a cell is then quoted too
    to_csv.setdefault("lineterminator", "\r\n")
    text = csv_safe_frame(df).to_csv(index=False, **to_csv)
    return write_text_atomic(path, text)
