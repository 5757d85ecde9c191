"""CodeDeploy fills: deterministic ids, deployment history, the predefined deployment configs; applications
and deployment groups can be deleted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim._common import set_attrs, utc_naive

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("codedeploy", "GetApplication"),  # fill_codedeploy_ids
    ("codedeploy", "BatchGetApplications"),  # fill_codedeploy_ids
    ("codedeploy", "GetDeploymentGroup"),  # fill_codedeploy_ids
    ("codedeploy", "ListDeployments"),  # fill_deployment_history
    ("codedeploy", "GetDeployment"),  # fill_deployment_history
    ("codedeploy", "BatchGetDeployments"),  # fill_deployment_history
    ("codedeploy", "ListDeploymentConfigs"),  # patch_codedeploy_list_deployment_configs
    ("codedeploy", "DeleteDeploymentGroup"),  # patch_codedeploy_delete
    ("codedeploy", "DeleteApplication"),  # patch_codedeploy_delete
)


def fill_codedeploy_ids(account_id: str, region: str, application: str, group: str, app_id: str,
                        group_id: str) -> None:
    """Gap: application and deployment-group ids come from ``uuid.uuid4`` (not reproducible).

    Fill (A): set deterministic ids.
    """
    from moto.codedeploy.models import codedeploy_backends

    backend = codedeploy_backends[account_id][region]
    backend.applications[application].id = app_id
    backend.deployment_groups[application][group].deployment_group_id = group_id


def fill_deployment_history(account_id: str, region: str, application: str, group: str,
                            deployments: list[dict[str, Any]]) -> None:
    """Gap: deployments stay ``Created`` with no startTime/completeTime, ids are random uuids, and
    past deployments cannot be created through the API.

    Fill (A): add DeploymentInfo objects with id (``d-XXXXXXXXX``), status, create/start/complete
    times and the blue/green termination-wait flag. Each dict: id, create, start, end, status,
    revision, description.
    """
    from moto.codedeploy.models import DeploymentInfo, codedeploy_backends

    backend = codedeploy_backends[account_id][region]
    app = backend.applications[application]
    dg = backend.deployment_groups[application][group]
    for d in deployments:
        info = DeploymentInfo(app, dg, d["revision"], dg.deployment_config_name, d.get("description"), None,
                              None, dg.auto_rollback_configuration, None, None, None, "user")
        info.deployment_id = d["id"]
        info.status = d["status"]
        info.create_time = utc_naive(d["create"])
        info.start_time = utc_naive(d["start"])
        info.complete_time = utc_naive(d["end"])
        info.instance_termination_wait_time_started = d["status"] == "Succeeded"
        info.deployment_overview = {"Pending": 0, "InProgress": 0, "Succeeded": 1 if d["status"] == "Succeeded" else 0,
                                    "Failed": 0 if d["status"] == "Succeeded" else 1, "Skipped": 0, "Ready": 0}
        backend.deployments[d["id"]] = info


def patch_codedeploy_list_deployment_configs() -> None:
    """Gap: ``list_deployment_configs`` is not implemented (500).

    Fill (B): the predefined CodeDeploy configurations every account has.
    """
    import json

    from moto.codedeploy.responses import CodeDeployResponse

    names = ["CodeDeployDefault.AllAtOnce", "CodeDeployDefault.HalfAtATime", "CodeDeployDefault.OneAtATime",
             "CodeDeployDefault.ECSAllAtOnce", "CodeDeployDefault.ECSCanary10Percent5Minutes",
             "CodeDeployDefault.ECSCanary10Percent15Minutes", "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
             "CodeDeployDefault.ECSLinear10PercentEvery3Minutes", "CodeDeployDefault.LambdaAllAtOnce"]

    def list_deployment_configs(self: Any) -> str:
        return json.dumps({"deploymentConfigsList": names})

    set_attrs(CodeDeployResponse, list_deployment_configs=list_deployment_configs)


def patch_codedeploy_delete() -> None:
    """Gap: ``delete_application`` and ``delete_deployment_group`` are not implemented (500).

    Fill (B): delete the deployment group (answering ``hooksNotCleanedUp: []``), or the application with
    its deployment groups and deployments, as AWS does.
    """
    import json

    from moto.codedeploy.exceptions import ApplicationDoesNotExistException
    from moto.codedeploy.responses import CodeDeployResponse

    def delete_deployment_group(self: Any) -> str:
        backend = self.codedeploy_backend
        application = self._get_param("applicationName")
        if application not in backend.applications:
            raise ApplicationDoesNotExistException(
                f"The application {application} does not exist with the user or AWS account.")
        backend.deployment_groups.get(application, {}).pop(self._get_param("deploymentGroupName"), None)
        return json.dumps({"hooksNotCleanedUp": []})

    def delete_application(self: Any) -> str:
        backend = self.codedeploy_backend
        application = self._get_param("applicationName")
        backend.applications.pop(application, None)
        backend.deployment_groups.pop(application, None)
        for deployment_id in [d for d, info in backend.deployments.items() if info.application_name == application]:
            del backend.deployments[deployment_id]
        return "{}"

    set_attrs(CodeDeployResponse, delete_deployment_group=delete_deployment_group,
              delete_application=delete_application)


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches
PATCHES: tuple[Callable[[], None], ...] = (
    patch_codedeploy_list_deployment_configs,
    patch_codedeploy_delete,
)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
