"""Print the digest of pyproject.toml's dependency declarations (runtime, dev extra, Python range).

requirements.lock records it (`# pyproject-sha256: …`); `make setup` and tests/test_lock.py compare, so
an edited dependency list without `make lock` is caught before anything installs. Only the fields that
decide the resolution count: a description or tool setting edit needs no re-lock. Stdlib only (it
runs before the virtualenv exists).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path


def deps_digest(pyproject: Path) -> str:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    declared = {
        "requires-python": project.get("requires-python", ""),
        "dependencies": sorted(project.get("dependencies", [])),
        "dev": sorted(project.get("optional-dependencies", {}).get("dev", [])),
    }
    return hashlib.sha256(json.dumps(declared, sort_keys=True).encode()).hexdigest()[:16]


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    print(deps_digest(root / "pyproject.toml"))
