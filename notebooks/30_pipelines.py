# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (awsassess)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"] jupyter={"source_hidden": true}
snapshot_dir = None
account_dir = None
assumptions = {}

# %% tags=["remove-cell"] jupyter={"source_hidden": true}
from awsassess import coverage
from awsassess.lab import badge
from awsassess.lab.explore import findings_explorer
from awsassess.notebook import open_context
from awsassess.views import pipelines as view

ctx = open_context(snapshot_dir, account_dir, assumptions)
a = ctx.assumptions.findings
badge(ctx)

# %% [markdown]
# # CI/CD pipelines
#
# How long a change takes from commit to production, and where the time goes: source, build (CodeBuild
# phases, Docker layer caching) and deploy (CodeDeploy blue/green waits). Durations are medians and 90th
# percentiles of successful runs over the history lookback.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
coverage.section_note(ctx.snapshot, "pipelines")

# %% [markdown]
# ## Pipelines and their durations

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.inventory(ctx.snapshot, a)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.stage_chart(ctx.snapshot, a)

# %% [markdown]
# ## Builds

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.build_projects(ctx.snapshot, a)

# %% [markdown]
# ## Deployments

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.deployment_groups(ctx.snapshot)

# %% [markdown]
# ## GitHub workflows

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.workflows(ctx.snapshot)

# %% [markdown]
# ## Findings

# %% tags=["remove-input"] jupyter={"source_hidden": true}
findings_explorer(ctx, "pipelines")
