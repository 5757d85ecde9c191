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

# %% tags=["remove-input"]
HTML(summary.assumptions_html(ctx.assumptions))

# %% [markdown]
# ## Price sources
#
# Every cost line carries its unit price, quantity and price source (`costs.csv`), so each figure
# can be checked by hand. Money is USD per month (730 hours).

# %% tags=["remove-input"]
HTML(summary.price_sources_html(ctx))

# %% [markdown]
# ## Inventory

# %% tags=["remove-input"]
HTML(summary.inventory_html(ctx.snapshot))

# %% [markdown]
# ## Coverage: what could not be read

# %% tags=["remove-input"]
HTML(summary.coverage_html(ctx.snapshot))

# %% tags=["remove-input"]
HTML(summary.deliverables_html(ctx))
