# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
snapshot_dir = None
account_dir = None
assumptions = {}

# %% tags=["remove-cell"]
from awsassess import coverage
from awsassess.lab import badge
from awsassess.notebook import open_context
from awsassess.views import findings_table
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

# %% tags=["remove-input"]
coverage.section_note(ctx.snapshot, "pipelines")

# %% [markdown]
# ## Pipelines and their durations

# %% tags=["remove-input"]
view.inventory(ctx.snapshot, a)

# %% tags=["remove-input"]
view.stage_chart(ctx.snapshot, a)

# %% [markdown]
# ## Builds

# %% tags=["remove-input"]
view.build_projects(ctx.snapshot, a)

# %% [markdown]
# ## Deployments

# %% tags=["remove-input"]
view.deployment_groups(ctx.snapshot)

# %% [markdown]
# ## GitHub workflows

# %% tags=["remove-input"]
view.workflows(ctx.snapshot)

# %% [markdown]
# ## Findings

# %% tags=["remove-input"]
findings_table(ctx.findings_for("pipelines"))
