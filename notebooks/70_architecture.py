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
from awsassess.architecture.display import changes_for, for_context
from awsassess.lab import explorer
from awsassess.notebook import open_context

ctx = open_context(snapshot_dir, account_dir, assumptions)
# in JupyterLab (`awsassess lab`): the what-if controls; both diagrams and the table follow them
live = explorer(ctx, show_results=False)
live

# %% [markdown]
# # Architecture: today and proposed
#
# Both diagrams are drawn from data: the current one from the snapshot's inventory (every VPC with
# something in it, its gateways, load balancers, services and data stores, how VPCs are linked, and
# the delivery pipeline), the proposed one from the cost model's proposal (one VPC across AZs, a
# public and an internal load balancer, one ECS cluster, right-sized data stores, GitHub Actions).
# Large estates are summarised: a node may stand for several resources, and each VPC whose detail
# does not fit the overview gets its own page. The files (PNG and SVG) are in the account's
# `diagrams/` folder.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(for_context)

# %% [markdown]
# ## What changes

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(changes_for)
