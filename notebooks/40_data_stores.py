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
from awsassess.views import datastores as view

ctx = open_context(snapshot_dir, account_dir, assumptions)
a = ctx.assumptions.findings
badge(ctx)

# %% [markdown]
# # Data stores
#
# RDS, DocumentDB, ElastiCache and DynamoDB: instance classes and generations, storage, Multi-AZ, engine
# support dates, and how much of the provisioned capacity is used.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
coverage.section_note(ctx.snapshot, "datastores")

# %% [markdown]
# ## Relational and document databases

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.inventory(ctx.snapshot, a)

# %% [markdown]
# ## Caches

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.caches(ctx.snapshot, a)

# %% [markdown]
# ## DynamoDB

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.dynamodb(ctx.snapshot, a)

# %% [markdown]
# ## Utilisation

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.utilisation_chart(ctx.snapshot, a)

# %% [markdown]
# ## Findings

# %% tags=["remove-input"] jupyter={"source_hidden": true}
findings_explorer(ctx, "datastores")
