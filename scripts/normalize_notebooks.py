"""Normalise the suite's notebooks (``make notebooks`` runs it after jupytext and nbstripout):

- cells the report hides (tags remove-input, remove-cell and the parameters cell) open with their code
  collapsed in JupyterLab (``metadata.jupyter.source_hidden``), so a client sees results, not code;
- the kernelspec is the one ``make setup`` installs (``python3``, "Python 3 (awsassess)"): JupyterLab
  rewrites a different display name when it opens a notebook, which marks it modified at once.

The hygiene test (tests/test_notebooks_hygiene.py) fails when a notebook is not normalised.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

KERNELSPEC = {"display_name": "Python 3 (awsassess)", "language": "python", "name": "python3"}
#: what the kernel reports (ipykernel's kernel_info) and JupyterLab writes on opening, with ``version`` the
#: kernel's Python (this interpreter's: the project's venv). Opened with another Python, JupyterLab writes its
#: own version and the notebook reads as modified (measured: 3.11.6 in the file, 3.11.7 running)
LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                 "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3"}
HIDDEN_TAGS = {"remove-input", "remove-cell", "parameters"}


def normalise(nb: dict) -> dict:
    nb["metadata"]["kernelspec"] = dict(KERNELSPEC)
    nb["metadata"]["language_info"] = {**LANGUAGE_INFO, "version": platform.python_version()}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        jupyter = cell.setdefault("metadata", {}).get("jupyter", {})
        if tags & HIDDEN_TAGS:
            jupyter["source_hidden"] = True
        else:
            jupyter.pop("source_hidden", None)
        if jupyter:
            cell["metadata"]["jupyter"] = jupyter
        else:
            cell["metadata"].pop("jupyter", None)
    return nb


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        nb = normalise(json.loads(text))
        out = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if out != text:
            path.write_text(out, encoding="utf-8")
            print(f"normalised {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
