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
from awsassess.lab import explorer
from awsassess.notebook import open_context
from awsassess.views import costs as view
from awsassess.views import iac

ctx = open_context(snapshot_dir, account_dir, assumptions)
# in JupyterLab (`awsassess lab`): the what-if controls; every table and chart below follows them
live = explorer(ctx, show_results=False)
live

# %% [markdown]
# # Migration plan and costs
#
# Every figure below is a cost line: a resource, a quantity measured in the snapshot (hours, GB,
# requests, task sizes) and a list price from the catalog, with its source, date and confidence.
# Monthly means 730 hours.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: coverage.section_note(c.snapshot, "spend"))

# %% [markdown]
# ## Current and proposed cost by area

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.by_domain_chart(c.model))

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.by_domain(c.model))

# %% [markdown]
# ## How much of the bill the model explains
#
# The bottom-up current cost against Cost Explorer (each month normalised to 730 hours). What the
# snapshot has no usage for (log ingestion, image storage...) stays unexplained rather than guessed.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.reconciliation(c.model))

# %% [markdown]
# ## The proposed architecture

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.proposed_overview(c.model))

# %% [markdown]
# ### Compute: right-sized tasks, ECS on EC2 or Fargate
#
# Each task is sized from its p95 CPU and memory; the tasks are then packed onto every allowed
# instance type (vCPU, memory, awsvpc ENI limits, the ECS agent's reserved memory, a spare
# instance, at least one per AZ) and the cheapest packing is compared with right-sized Fargate.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.compute_options(c.model))

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.services(c.model))

# %% [markdown]
# ### Data stores

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.datastores(c.model))

# %% [markdown]
# ## Deploy time: now and predicted
#
# Measured from the pipeline's stages and CodeBuild phases; each change applies one stated
# assumption (overridable in the params file).

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.pipeline_waterfall(c.model))

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.pipeline_steps(c.model))

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.pipeline_components(c.model))

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.pipeline_summary(c.model))

# %% [markdown]
# ## Sensitivity

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.sensitivity(c.model))

# %% [markdown]
# ## What the proposal does to reliability and security
#
# Each change that saves money, and what it does to resilience and exposure. A change that lowers a
# resilience property of a production account is also a risk of the wave that makes it.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.reliability_effects(c.model))

# %% [markdown]
# ## Migration in waves

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.migration_waves(c.model))

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.migration_detail(c.model))

# %% [markdown]
# ## Infrastructure as code
#
# The proposal as a Terraform root module (the shared VPC, load balancers, ECS cluster and services, the
# data stores imported rather than recreated) and one GitHub Actions workflow per service, checked offline.

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(iac.overview)

# %% [markdown]
# ### What it creates and imports

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(iac.resources)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(iac.imports)

# %% [markdown]
# ### What the client fills in

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(iac.client_inputs)

# %% [markdown]
# ### Apply order by wave

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(iac.apply_order)

# %% [markdown]
# ### Workflows, manual work and checks

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(iac.workflows)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(iac.manual_work)

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(iac.checks)

# %% [markdown]
# ## Largest cost lines

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.lines(c.model, top=25))

# %% [markdown]
# ## Model assumptions and price confidence

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.assumptions(c.model))

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.low_confidence_prices(c.model))

# %% tags=["remove-input"] jupyter={"source_hidden": true}
live.show(lambda c: view.unpriced(c.model))
