"""Imported once by the fork server that collector worker processes fork from.

It imports what a worker needs before its first request, so every worker forks with it done:
the collectors; :mod:`awsassess.params` (pydantic), which unpickling the worker's setup imports;
the ``idna`` codec, which the first connection to a host name looks up; and the botocore models
(API, endpoint rules, paginators) of every service the collectors call, parsed into the
process-wide loader (:func:`awsassess.aws.tune_session` shares it). Without this, on the 2-core
reference machine, each worker spent about 1.5 s of CPU on imports and model JSON, and a profile
of the first seconds of a collection showed workers busy importing pydantic while few requests
were in flight. Everything loaded is then frozen out of the garbage collector's scans
(:func:`awsassess.heap.settle_heap`): workers never scan it, nor copy its memory pages.
"""

import encodings.idna  # noqa: F401  (looked up on the first connection)

import awsassess.params  # noqa: F401  (imported when the worker's setup is unpickled)
from awsassess.collect.workers import warm_models
from awsassess.heap import settle_heap

warm_models()
settle_heap()
