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
from awsassess.views import network as view

ctx = open_context(snapshot_dir, account_dir, assumptions)
a = ctx.assumptions.findings
badge(ctx)

# %% [markdown]
# # Networking
#
# How the account's VPCs are laid out and connected, what they pay for egress (NAT gateways, public IPv4)
# and how traffic reaches the services (load balancers). Figures come from the snapshot's inventory and
# CloudWatch metrics; costs are priced in the migration and cost section.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
coverage.section_note(ctx.snapshot, "network")

# %% [markdown]
# ## VPCs and what they hold

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.inventory(ctx.snapshot)

# %% [markdown]
# ## Connectivity between VPCs
#
# Peering is not transitive: a VPC peered with a hub cannot reach the hub's other peers.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.peerings(ctx.snapshot)

# %% [markdown]
# ## NAT gateways and egress
#
# Every NAT gateway is billed per hour and per GB processed, and holds a public IPv4 address.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.nat_cost_chart(ctx.snapshot, a)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.nat_gateways(ctx.snapshot, a)

# %% [markdown]
# ## Load balancers
#
# One Application Load Balancer can route to up to 100 target groups with host- and path-based rules.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.load_balancers(ctx.snapshot)

# %% [markdown]
# ## Findings

# %% tags=["remove-input"] jupyter={"source_hidden": true}
findings_explorer(ctx, "network")
