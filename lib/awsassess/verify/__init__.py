"""After the migration: an account verified against the plan of an earlier run, wave by wave.

    progress = verify_account(BEFORE/acme-prod, AFTER/acme-prod)   # Progress
    write_progress(progress, AFTER/acme-prod)                      # AFTER/acme-prod/progress.json

Resources are matched by what survives a migration (:mod:`awsassess.verify.match`), waves are judged by
what they promised (:mod:`awsassess.verify.waves`), money, findings, delivery and inventory are compared
in :mod:`awsassess.verify.progress`. ``docs/progress.md`` documents progress.json.
"""

from awsassess.verify.progress import (
    PROGRESS_SCHEMA_VERSION,
    Progress,
    VerifyError,
    read_progress,
    verify_account,
    verify_pairs,
    write_progress,
)

__all__ = ["PROGRESS_SCHEMA_VERSION", "Progress", "VerifyError", "read_progress", "verify_account", "verify_pairs",
           "write_progress"]
