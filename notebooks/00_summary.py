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

# %% jupyter={"source_hidden": true} tags=["remove-cell"]
from awsassess import coverage
from awsassess.lab import explorer
from awsassess.notebook import open_context
from awsassess.report import summary

# the figures below are ctx.results: the live analysis every section shows (these assumptions included)
ctx = open_context(snapshot_dir, account_dir, assumptions)
# in JupyterLab (`awsassess lab`): the account picker and what-if controls; every section below follows them
live = explorer(ctx)
live

# %% [markdown]
# # Executive summary

# %% jupyter={"source_hidden": true} tags=["remove-input"]
live.show(lambda c: coverage.banner(c.snapshot))

# %% jupyter={"source_hidden": true} tags=["remove-input"]
live.show(summary.headline_html)

# %% [markdown]
# ## Largest savings
#
# The findings below carry the largest monthly savings. Each is explained, with its evidence and the
# exact resources, in the section of its area.

# %% jupyter={"source_hidden": true} tags=["remove-input"]
live.show(summary.top_findings_html)

# %% [markdown]
# ## Key risks
#
# Findings of high and medium severity that affect reliability, security or delivery speed rather than cost.

# %% jupyter={"source_hidden": true} tags=["remove-input"]
live.show(summary.key_risks_html)

# %% [markdown]
# ## Where the money goes
#
# Monthly cost per area today and after the proposed changes, priced line by line (see the migration and
# cost section, and the price sources in the appendix).

# %% jupyter={"source_hidden": true} tags=["remove-input"]
live.show(summary.cost_chart)

# %% jupyter={"source_hidden": true} tags=["remove-input"]
live.show(summary.cost_by_domain_html)

# %% [markdown]
# ## Findings by area and severity

# %% jupyter={"source_hidden": true} tags=["remove-input"]
live.show(summary.findings_matrix_html)
