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
from IPython.display import HTML

from awsassess.lab import badge
from awsassess.notebook import open_context
from awsassess.report import summary

ctx = open_context(snapshot_dir, account_dir, assumptions)
badge(ctx)

# %% [markdown]
# # Assumptions, price sources and appendix

# %% [markdown]
# ## Assumptions

# %% tags=["remove-input"] jupyter={"source_hidden": true}
HTML(summary.assumptions_html(ctx.assumptions))

# %% [markdown]
# ## Price sources
#
# Every cost line carries its unit price, quantity and price source (`costs.csv`), so each figure
# can be checked by hand. Money is USD per month (730 hours).

# %% tags=["remove-input"] jupyter={"source_hidden": true}
HTML(summary.price_sources_html(ctx))

# %% [markdown]
# ## Inventory

# %% tags=["remove-input"] jupyter={"source_hidden": true}
HTML(summary.inventory_html(ctx.snapshot))

# %% [markdown]
# ## Coverage: what could not be read

# %% tags=["remove-input"] jupyter={"source_hidden": true}
HTML(summary.coverage_html(ctx.snapshot))

# %% tags=["remove-input"] jupyter={"source_hidden": true}
HTML(summary.deliverables_html(ctx))
