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
from awsassess.lab import badge
from awsassess.notebook import open_context
from awsassess.views import progress as view

ctx = open_context(snapshot_dir, account_dir, assumptions)
progress = ctx.progress
badge(ctx)

# %% [markdown]
# # Progress against the plan
#
# This account compared with the baseline run whose plan it follows: each migration wave done, in
# progress or not started with the evidence that decided it, the saving banked against the one
# promised, the findings resolved since, and what changed in the inventory. Resources are matched by
# what survives a migration (service names, data-store identifiers, load-balancer and pipeline names,
# VPC Name tags), never by ids a rebuild changes.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.headline(progress)

# %% [markdown]
# ## Migration waves

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.waves(progress)

# %% [markdown]
# ## Money
#
# The cost lines that moved most since the baseline, then today's estate against the plan, per price
# row: what remains between the two is work not yet done or charges priced differently.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.money(progress)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.against_plan(progress)

# %% [markdown]
# ## Findings since the baseline

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.findings(progress)

# %% [markdown]
# ## Delivery

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.delivery(progress)

# %% [markdown]
# ## Inventory: added, removed, changed

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.inventory(progress)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.notes(progress)
