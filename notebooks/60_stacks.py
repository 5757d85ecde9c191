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
from awsassess.views import stacks as view

ctx = open_context(snapshot_dir, account_dir, assumptions)
a = ctx.assumptions.findings
badge(ctx)

# %% [markdown]
# # CloudFormation and Copilot
#
# Which stacks define the estate, which of them AWS Copilot manages (and so must change through Copilot
# manifests), how close each is to CloudFormation's limits, and which failed or rolled back.

# %% tags=["remove-input"]
coverage.section_note(ctx.snapshot, "stacks")

# %% [markdown]
# ## Copilot applications

# %% tags=["remove-input"]
view.copilot_matrix(ctx.snapshot)

# %% [markdown]
# ## Stacks

# %% tags=["remove-input"]
view.inventory(ctx.snapshot)

# %% tags=["remove-input"]
view.limits_chart(ctx.snapshot, a)

# %% [markdown]
# ## Failures

# %% tags=["remove-input"]
view.failed(ctx.snapshot)

# %% [markdown]
# ## Findings

# %% tags=["remove-input"]
findings_table(ctx.findings_for("stacks") + ctx.findings_for("security"))
