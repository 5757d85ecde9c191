"""Also preloaded by the fork server when the real step functions are used (see ``_preload``)."""

import contextlib

for _name in ("awsassess.collect", "awsassess.analyze", "awsassess.report", "awsassess.report_meta"):
    with contextlib.suppress(Exception):  # a module that does not import is reported by its step
        __import__(_name)
