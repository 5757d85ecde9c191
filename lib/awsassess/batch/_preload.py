"""Imported once by the local pool's fork server: every worker forks with papermill already loaded.

papermill costs seconds to import (nbformat -> jsonschema), so it is paid once per run, not per
notebook or per worker. Most of that time (2.8 s of 4.7 s on the 2-core reference machine) is
``rfc3987_syntax`` compiling a grammar for jsonschema's optional "iri" format checker, which is only
installed as a jupyter-events extra and which no notebook schema uses: it is kept out of the worker
processes (and only them), so jsonschema skips that one format check there.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # ImportError -> check skipped

import papermill  # noqa: E402, F401
