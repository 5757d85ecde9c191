"""Batch runs: many accounts through collect -> analyze -> notebooks -> report, then the portfolio.

    from awsassess.batch import run_batch
    result = run_batch(load_params_files(paths), Path("outputs/acme"), jobs=4, resume=True)
    result.exit_code   # 0 all done, 1 some step failed (run.json says which)
    result.run_json    # OUT/run.json (schema: awsassess.batch.runjson)

Executors: ``local`` (long-lived worker processes, :mod:`awsassess.batch.runner`) and ``dask``
(one task per account on a Dask distributed cluster, :mod:`awsassess.batch.dask_runner`).
What runs and what ``resume`` skips: :mod:`awsassess.batch.plan`.
"""

from awsassess.batch.plan import BatchInputError
from awsassess.batch.run import RunResult, run_batch
from awsassess.batch.runjson import RunJsonError
from awsassess.batch.steps import StepFunctions

__all__ = ["BatchInputError", "RunJsonError", "RunResult", "StepFunctions", "run_batch"]
