"""Every fill of a moto gap, one module per AWS service. THIS PACKAGE IS THE SIMULATION LAYER.

moto 5 models most of what an assessment reads, but not all (see
``../shared/reference/moto-simulation.md``). Each ``Gap:`` function of a service module names the gap
it fills and how:

- mechanism A: set attributes on moto's in-memory model objects (the response serializer reads
  them by the botocore shape, so new attributes appear in API responses);
- mechanism B: replace a method on a moto Response or Backend class (whole operations);
- mechanism C: answer an operation in the front door (:mod:`awsassess.demo.frontdoor`) because moto
  has no route or no backend for it (registered in :data:`SIMULATED_OPERATIONS`).

Every service module (:data:`SERVICES`) declares three things, assembled here:

- ``FILLED_OPERATIONS``: its part of :data:`FILLED_OPERATIONS`, each entry's comment naming the
  function(s) responsible;
- ``PATCHES``: its mechanism-B patches, installed by :func:`apply_patches`;
- ``SIMULATED_OPERATIONS``: its front-door handlers (mechanism C), merged into
  :data:`SIMULATED_OPERATIONS`.

tests/demo/test_simulation_operations.py calls each filled operation and checks its answer, and checks
per module that every ``Gap:`` function is named by that module's declaration.

The seeders (``seed*.py``) create resources through the real APIs and call these fills; they never
patch moto themselves. Everything here runs inside the estate server process.

Decision (issue 15, "rooms by job"): this was one module, ``demo/simulation.py`` (1,296 lines, the
fills of fourteen services in sections, one declaration for all). A moto upgrade breaks fills service
by service, so each service's fills, declaration and registrations now sit together in one module of
this package (the largest, ``ecs.py``, is 224 lines); only ``utc_naive`` is shared (``_common.py``).
The code moved verbatim; the one edit is ``pricing.prices_csv_path`` (one folder deeper).
"""

from __future__ import annotations

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim import (
    autoscaling,
    cloudformation,
    cloudfront,
    cloudwatch,
    codebuild,
    codedeploy,
    codepipeline,
    costexplorer,
    docdb,
    ec2,
    ecs,
    elasticache,
    organizations,
    pricing,
)

# In the order the operations are declared (and the patches installed).
SERVICES = (ec2, ecs, docdb, elasticache, cloudfront, pricing, costexplorer, organizations, codepipeline,
            codebuild, codedeploy, cloudformation, autoscaling, cloudwatch)

# Every AWS operation whose answer a fill changes or replaces: the operations a mechanism-A fill's
# data shows up in, the operations a mechanism-B patch rewrites (including the ones that only share
# the patched moto method), and every front-door operation (mechanism C, the keys of
# SIMULATED_OPERATIONS). (boto3 client name, API operation name); each service module's declaration
# names the function(s) responsible. Each entry has a test named ``<service>.<Operation>`` in
# tests/demo/test_simulation_operations.py that calls the operation through boto3, checks the parsed
# answer against the operation's output shape and asserts the filled data is there: a moto upgrade
# that breaks a fill fails the test named after the operation. A new fill adds its operations to its
# module's declaration (a test fails until it does, and until each has a case).
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = tuple(
    operation for service in SERVICES for operation in service.FILLED_OPERATIONS)

# (boto3 client name, operation) -> handler, answered by the front door (mechanism C)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {
    key: handler for service in SERVICES for key, handler in service.SIMULATED_OPERATIONS.items()}


def apply_patches() -> None:
    """Install every mechanism-B patch. Call once, before the first request reaches moto."""
    for service in SERVICES:
        for patch in service.PATCHES:
            patch()
