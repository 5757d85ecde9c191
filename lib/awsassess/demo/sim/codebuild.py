"""CodeBuild fills: complete build history, returned unchanged by BatchGetBuilds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim._common import set_attrs

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("codebuild", "ListBuildsForProject"),  # fill_build_history
    ("codebuild", "ListBuilds"),  # fill_build_history
    ("codebuild", "BatchGetBuilds"),  # fill_build_history, patch_codebuild_batch_get_builds
)


def fill_build_history(account_id: str, region: str, project: str, builds: list[dict[str, Any]]) -> None:
    """Gap: builds get random phase durations (10-100 s) that do not match their timestamps, and
    every batch_get_builds call appends phases again and re-randomises endTime.

    Fill (A): add complete build records (oldest first; phases whose durations match their times).
    The :func:`patch_codebuild_batch_get_builds` fill returns them unchanged.
    """
    from moto.codebuild.models import codebuild_backends

    backend = codebuild_backends[account_id][region]
    for b in builds:
        backend.build_history.setdefault(project, []).append(b["id"])
        backend.build_metadata_history[project].append(b)


def patch_codebuild_batch_get_builds() -> None:
    """Gap: ``batch_get_builds`` mutates builds on every call (see above).

    Fill (B): builds already complete are returned as stored; others get moto's behaviour once.
    """
    from moto.codebuild import models as cb_models

    original = cb_models.CodeBuildBackend.batch_get_builds
    if getattr(original, "_awsassess", False):
        return

    def batch_get_builds(self: Any, ids: list[str]) -> list[dict[str, Any]]:
        done = {b["id"]: b for builds in self.build_metadata_history.values() for b in builds
                if b.get("buildComplete") and b["id"] in ids}
        rest = [i for i in ids if i not in done]
        others = {b["id"]: b for b in (original(self, rest) if rest else [])}
        return [done.get(i) or others[i] for i in ids if i in done or i in others]

    set_attrs(batch_get_builds, _awsassess=True)
    set_attrs(cb_models.CodeBuildBackend, batch_get_builds=batch_get_builds)


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches
PATCHES: tuple[Callable[[], None], ...] = (
    patch_codebuild_batch_get_builds,
)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
