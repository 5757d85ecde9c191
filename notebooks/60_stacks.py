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
from awsassess.views import stacks as view

ctx = open_context(snapshot_dir, account_dir, assumptions)
a = ctx.assumptions.findings
badge(ctx)

# %% [markdown]
# # CloudFormation and Copilot
#
# Which stacks define the estate, which of them AWS Copilot manages (and so must change through Copilot
# manifests), how close each is to CloudFormation's limits, and which failed or rolled back.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
coverage.section_note(ctx.snapshot, "stacks")

# %% [markdown]
# ## Copilot applications

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.copilot_matrix(ctx.snapshot)

# %% [markdown]
# ## Stacks

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.inventory(ctx.snapshot)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.limits_chart(ctx.snapshot, a)

# %% [markdown]
# ## Failures

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.failed(ctx.snapshot)

# %% [markdown]
# ## Findings

# %% tags=["remove-input"] jupyter={"source_hidden": true}
findings_explorer(ctx, ("stacks", "security"))
