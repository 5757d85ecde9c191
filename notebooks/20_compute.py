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
from awsassess.views import compute as view

ctx = open_context(snapshot_dir, account_dir, assumptions)
a = ctx.assumptions.findings
badge(ctx)

# %% [markdown]
# # Compute
#
# The ECS services: how big their tasks are, how much of that they use (p95 of hourly CPU and memory over the
# lookback), how they scale and deploy, and why tasks fail. The right size is the smallest valid Fargate
# CPU/memory combination that keeps p95 under the target.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
coverage.section_note(ctx.snapshot, "compute", "metrics")

# %% [markdown]
# ## Services, sizes and utilisation

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.inventory(ctx.snapshot, a)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.utilisation_chart(ctx.snapshot, a)

# %% [markdown]
# ## Failed and stopped tasks
#
# Stopped tasks and their reasons explain failed or slow deployments.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.stopped_tasks(ctx.snapshot, a)

# %% [markdown]
# ## Findings

# %% tags=["remove-input"] jupyter={"source_hidden": true}
findings_explorer(ctx, "compute")
