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
from awsassess.views import cdn as view

ctx = open_context(snapshot_dir, account_dir, assumptions)
a = ctx.assumptions.findings
badge(ctx)

# %% [markdown]
# # CloudFront
#
# What the CDN caches and what it passes through to the origin: distributions, cache behaviours and their
# policies, and the cache hit rate (request-weighted, from CloudFront's additional metrics).

# %% tags=["remove-input"] jupyter={"source_hidden": true}
coverage.section_note(ctx.snapshot, "cdn")

# %% [markdown]
# ## Distributions

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.inventory(ctx.snapshot)

# %% [markdown]
# ## Cache behaviours

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.behaviours(ctx.snapshot)

# %% [markdown]
# ## Cache hit rate

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.hit_rate_chart(ctx.snapshot, a)

# %% [markdown]
# ## Findings

# %% tags=["remove-input"] jupyter={"source_hidden": true}
findings_explorer(ctx, "cdn")
