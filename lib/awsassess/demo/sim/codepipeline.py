"""CodePipeline fills: pipeline times and execution history; GetPipelineState,
ListActionExecutions and a paged ListPipelineExecutions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim._common import set_attrs, utc_naive

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("codepipeline", "ListPipelines"),  # fill_pipeline_times
    ("codepipeline", "GetPipeline"),  # fill_pipeline_times
    ("codepipeline", "ListPipelineExecutions"),  # fill_pipeline_history, patch_codepipeline
    ("codepipeline", "GetPipelineExecution"),  # fill_pipeline_history
    ("codepipeline", "ListActionExecutions"),  # fill_pipeline_history, patch_codepipeline
    ("codepipeline", "GetPipelineState"),  # fill_pipeline_history, fill_pipeline_times, patch_codepipeline
)


def _epoch(dt: datetime) -> float:
    from datetime import UTC

    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


def fill_pipeline_history(account_id: str, region: str, pipeline: str, executions: list[dict[str, Any]]) -> None:
    """Gap: executions are instantly Succeeded with zero duration; AWS runs them, so past
    executions cannot be created through any API.

    Fill (A): add execution objects (oldest first) with real start/end times, trigger, source
    revision and their per-action records (used by the get_pipeline_state/list_action_executions fills).
    Each execution dict: id, start, end, status, trigger, revision, actions (list of dicts: stage,
    action, category, owner, provider, version, start, end, status, external_id, external_url,
    summary, configuration).
    """
    from moto.codepipeline.models import PipelineExecution, codepipeline_backends

    class HistoricalExecution(PipelineExecution):
        """A past execution; its summary is built here from its own fields (moto 5.2.6's model has
        no to_dict/to_summary_dict any more, so nothing of moto's serialisation is relied on)."""

        trigger: dict[str, Any]
        revisions: list[dict[str, Any]]
        actions: list[dict[str, Any]]

        def summary(self) -> dict[str, Any]:
            return {"pipelineExecutionId": self.pipeline_execution_id, "status": self.status,
                    "startTime": _epoch(self.start_time), "lastUpdateTime": _epoch(self.last_update_time),
                    "sourceRevisions": self.revisions, "trigger": self.trigger,
                    "executionMode": "SUPERSEDED", "executionType": "STANDARD"}

    backend = codepipeline_backends[account_id][region]
    pl = backend.pipelines[pipeline]
    for ex in executions:
        obj = HistoricalExecution(pipeline, pl.pipeline["version"], None)
        obj.pipeline_execution_id = ex["id"]
        obj.start_time = utc_naive(ex["start"])
        obj.last_update_time = utc_naive(ex["end"])
        obj.status = ex["status"]
        obj.trigger = ex["trigger"]
        obj.revisions = ex["revisions"]
        obj.actions = ex["actions"]
        pl.executions[ex["id"]] = obj


def _action_detail(pipeline: str, version: int, ex_id: str, a: dict[str, Any]) -> dict[str, Any]:
    return {
        "pipelineExecutionId": ex_id, "actionExecutionId": a["action_execution_id"], "pipelineVersion": version,
        "stageName": a["stage"], "actionName": a["action"], "startTime": _epoch(a["start"]),
        "lastUpdateTime": _epoch(a["end"]), "status": a["status"],
        "input": {"actionTypeId": {"category": a["category"], "owner": a["owner"], "provider": a["provider"],
                                   "version": a.get("version", "1")},
                  "configuration": a.get("configuration", {}), "resolvedConfiguration": a.get("configuration", {}),
                  "region": a.get("region", "us-east-1"), "inputArtifacts": a.get("input_artifacts", [])},
        "output": {"outputArtifacts": a.get("output_artifacts", []),
                   "executionResult": {"externalExecutionId": a.get("external_id", ""),
                                       "externalExecutionSummary": a.get("summary", ""),
                                       "externalExecutionUrl": a.get("external_url", "")},
                   "outputVariables": {}},
    }


def _paginate(items: list[Any], token: str | None, size: int | None, default: int = 100) -> tuple[list[Any], str | None]:
    start = int(token or 0)
    size = int(size or default)
    page = items[start:start + size]
    return page, (str(start + size) if start + size < len(items) else None)


def _execution_summary(execution: Any) -> dict[str, Any]:
    """A ListPipelineExecutions summary of a historical execution or of one moto started itself."""
    if hasattr(execution, "summary"):
        return dict(execution.summary())
    return {"pipelineExecutionId": execution.pipeline_execution_id, "status": execution.status,
            "startTime": _epoch(execution.start_time), "lastUpdateTime": _epoch(execution.last_update_time),
            "sourceRevisions": [], "trigger": {"triggerType": "StartPipelineExecution", "triggerDetail": ""}}


def patch_codepipeline() -> None:
    """Gaps: get_pipeline_state and list_action_executions are not implemented (500);
    list_pipeline_executions with maxResults truncates and returns no nextToken.

    Fill (B): implement the two operations from the execution history (see
    :func:`fill_pipeline_history`) and page list_pipeline_executions with a nextToken.
    """
    import json

    from moto.codepipeline.responses import CodePipelineResponse

    if getattr(CodePipelineResponse, "_awsassess", False):
        return

    def list_pipeline_executions(self: Any) -> str:
        found = self.codepipeline_backend.list_pipeline_executions(self._get_param("pipelineName"), None)
        # moto 5.2.6 returns PipelineExecution objects (5.2.5 returned dicts; json's default=str then
        # turned objects into strings botocore could not parse): every summary is built field by field
        summaries = [_execution_summary(e) for e in found]
        page, token = _paginate(summaries, self._get_param("nextToken"), self._get_param("maxResults"))
        out: dict[str, Any] = {"pipelineExecutionSummaries": page}
        if token:
            out["nextToken"] = token
        return json.dumps(out)

    def list_action_executions(self: Any) -> str:
        name = self._get_param("pipelineName")
        backend = self.codepipeline_backend
        pl = backend.pipelines.get(name)
        if pl is None:
            from moto.codepipeline.exceptions import PipelineNotFoundException

            raise PipelineNotFoundException(f"Account '{backend.account_id}' does not have a pipeline with name '{name}'")
        wanted = (self._get_param("filter") or {}).get("pipelineExecutionId")
        details = []
        for ex in reversed(list(pl.executions.values())):  # newest first, as AWS does
            if wanted and ex.pipeline_execution_id != wanted:
                continue
            for a in reversed(getattr(ex, "actions", [])):
                details.append(_action_detail(name, pl.pipeline["version"], ex.pipeline_execution_id, a))
        page, token = _paginate(details, self._get_param("nextToken"), self._get_param("maxResults"))
        out: dict[str, Any] = {"actionExecutionDetails": page}
        if token:
            out["nextToken"] = token
        return json.dumps(out)

    def get_pipeline_state(self: Any) -> str:
        name = self._get_param("name")
        backend = self.codepipeline_backend
        pl = backend.pipelines.get(name)
        if pl is None:
            from moto.codepipeline.exceptions import PipelineNotFoundException

            raise PipelineNotFoundException(f"Account '{backend.account_id}' does not have a pipeline with name '{name}'")
        latest = list(pl.executions.values())[-1] if pl.executions else None
        stages = []
        for stage in pl.pipeline["stages"]:
            actions = []
            for action in stage["actions"]:
                rec = next((a for a in reversed(getattr(latest, "actions", []))
                            if a["stage"] == stage["name"] and a["action"] == action["name"]), None)
                state: dict[str, Any] = {"actionName": action["name"]}
                if rec:
                    state["latestExecution"] = {
                        "actionExecutionId": rec["action_execution_id"], "status": rec["status"],
                        "summary": rec.get("summary", ""), "lastStatusChange": _epoch(rec["end"]),
                        "externalExecutionId": rec.get("external_id", ""),
                        "externalExecutionUrl": rec.get("external_url", "")}
                    # AWS leaves empty strings out (the model's minimum length is 1)
                    state["latestExecution"] = {k: v for k, v in state["latestExecution"].items() if v != ""}
                actions.append(state)
            entry: dict[str, Any] = {"stageName": stage["name"], "inboundTransitionState": {"enabled": True},
                                     "actionStates": actions}
            if latest is not None:
                entry["latestExecution"] = {"pipelineExecutionId": latest.pipeline_execution_id,
                                            "status": latest.status}
            stages.append(entry)
        return json.dumps({"pipelineName": name, "pipelineVersion": pl.pipeline["version"], "stageStates": stages,
                           "created": _epoch(pl.created), "updated": _epoch(pl.updated)})

    set_attrs(CodePipelineResponse, list_pipeline_executions=list_pipeline_executions,
              list_action_executions=list_action_executions, get_pipeline_state=get_pipeline_state,
              _awsassess=True)


def fill_pipeline_times(account_id: str, region: str, pipeline: str, created: datetime, updated: datetime) -> None:
    """Gap: pipeline ``created``/``updated`` are the seeding time. Fill (A): set them."""
    from moto.codepipeline.models import codepipeline_backends

    pl = codepipeline_backends[account_id][region].pipelines[pipeline]
    pl.created, pl.updated = utc_naive(created), utc_naive(updated)


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches
PATCHES: tuple[Callable[[], None], ...] = (
    patch_codepipeline,
)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
