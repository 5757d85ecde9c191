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
from awsassess.views import costs
from awsassess.views import pillars as view

ctx = open_context(snapshot_dir, account_dir, assumptions)
badge(ctx)

# %% [markdown]
# # Reliability and security
#
# The estate read through the AWS Well-Architected Framework: every finding belongs to the pillar and
# best practice its rule checks (listed in docs/rules.md). Security and reliability come first: data
# protection (encryption, backups, deletion protection, point-in-time recovery), resilience (Multi-AZ,
# failover, tasks and load balancers across AZs, NAT gateways per AZ, health checks, deployment alarms),
# exposure (HTTP without a redirect, old TLS, security groups open to the internet, data stores in
# public subnets) and workload hardening (privileged, root, writable root filesystem, no logs).

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.pillar_status(ctx.findings)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.pillar_chart(ctx.findings)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.not_assessed(ctx.snapshot)

# %% [markdown]
# ## Security

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.pillar_findings(ctx.findings, "security")

# %% [markdown]
# ## Reliability

# %% tags=["remove-input"] jupyter={"source_hidden": true}
view.pillar_findings(ctx.findings, "reliability")

# %% [markdown]
# ## What the proposal does to reliability and security
#
# Each change of the proposed architecture and its effect; a change that lowers a resilience property of
# a production account is also a risk of the migration wave that makes it.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
costs.reliability_effects(ctx.model)
