"""Imported once by the local pool's fork server: every worker forks with these already loaded.

papermill costs seconds to import (nbformat -> jsonschema), so it is paid once per process, not per
notebook or per worker. Most of that time (2.8 s of 4.7 s on the 2-core reference machine) is
``rfc3987_syntax`` compiling a grammar for jsonschema's optional "iri" format checker, which is only
installed as a jupyter-events extra and which no notebook schema uses: it is kept out of the worker
processes (and only them), so jsonschema skips that one format check there.

The driver passes, in ``AWSASSESS_PRELOAD`` (JSON), its ``sys.path`` (Python 3.11's fork server does
not apply it) and the modules of the step functions, so those are imported once here too.
"""

import contextlib
import json
import os
import sys

from awsassess.batch.steps import skip_iri_checker

skip_iri_checker()  # ImportError for rfc3987_syntax -> jsonschema skips the "iri" check

import papermill  # noqa: E402, F401

_spec = json.loads(os.environ.get("AWSASSESS_PRELOAD", "{}"))
sys.path[:] = list(dict.fromkeys([*_spec.get("sys_path", []), *sys.path]))
for _name in _spec.get("modules", []):
    with contextlib.suppress(Exception):  # a module that does not import is reported by its step
        __import__(_name)
