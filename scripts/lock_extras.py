"""Print the installed distributions that requirements.lock does not name (space-separated).

`make setup` uninstalls them so the virtualenv holds exactly the lock (plus pip and the project).
Stdlib only; reads the lock's `name==version` lines, markers ignored (a package the lock names for
another platform is still the lock's).
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

KEEP = {"pip", "awsassess"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_names(lock: Path) -> set[str]:
    names = set()
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==", line)
        if m:
            names.add(canonical(m.group(1)))
    return names


if __name__ == "__main__":
    locked = locked_names(Path(sys.argv[1]))
    installed = {canonical(d.metadata["Name"]) for d in metadata.distributions() if d.metadata["Name"]}
    print(" ".join(sorted(installed - locked - KEEP)))
