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
from awsassess import coverage
from awsassess.notebook import open_context
from awsassess.views import costs as view
from awsassess.views import iac

ctx = open_context(snapshot_dir, account_dir, assumptions)
model = ctx.model

# %% [markdown]
# # Migration plan and costs
#
# Every figure below is a cost line: a resource, a quantity measured in the snapshot (hours, GB,
# requests, task sizes) and a list price from the catalog, with its source, date and confidence.
# Monthly means 730 hours.

# %% tags=["remove-input"]
coverage.section_note(ctx.snapshot, "spend")

# %% [markdown]
# ## Current and proposed cost by area

# %% tags=["remove-input"]
view.by_domain_chart(model)

# %% tags=["remove-input"]
view.by_domain(model)

# %% [markdown]
# ## How much of the bill the model explains
#
# The bottom-up current cost against Cost Explorer (each month normalised to 730 hours). What the
# snapshot has no usage for (log ingestion, image storage...) stays unexplained rather than guessed.

# %% tags=["remove-input"]
view.reconciliation(model)

# %% [markdown]
# ## The proposed architecture

# %% tags=["remove-input"]
view.proposed_overview(model)

# %% [markdown]
# ### Compute: right-sized tasks, ECS on EC2 or Fargate
#
# Each task is sized from its p95 CPU and memory; the tasks are then packed onto every allowed
# instance type (vCPU, memory, awsvpc ENI limits, the ECS agent's reserved memory, a spare
# instance, at least one per AZ) and the cheapest packing is compared with right-sized Fargate.

# %% tags=["remove-input"]
view.compute_options(model)

# %% tags=["remove-input"]
view.services(model)

# %% [markdown]
# ### Data stores

# %% tags=["remove-input"]
view.datastores(model)

# %% [markdown]
# ## Deploy time: now and predicted
#
# Measured from the pipeline's stages and CodeBuild phases; each change applies one stated
# assumption (overridable in the params file).

# %% tags=["remove-input"]
view.pipeline_waterfall(model)

# %% tags=["remove-input"]
view.pipeline_steps(model)

# %% tags=["remove-input"]
view.pipeline_components(model)

# %% tags=["remove-input"]
view.pipeline_summary(model)

# %% [markdown]
# ## Sensitivity

# %% tags=["remove-input"]
view.sensitivity(model)

# %% [markdown]
# ## What the proposal does to reliability and security
#
# Each change that saves money, and what it does to resilience and exposure. A change that lowers a
# resilience property of a production account is also a risk of the wave that makes it.

# %% tags=["remove-input"]
view.reliability_effects(model)

# %% [markdown]
# ## Migration in waves

# %% tags=["remove-input"]
view.migration_waves(model)

# %% tags=["remove-input"]
view.migration_detail(model)

# %% [markdown]
# ## Infrastructure as code
#
# The proposal as a Terraform root module (the shared VPC, load balancers, ECS cluster and services, the
# data stores imported rather than recreated) and one GitHub Actions workflow per service, checked offline.

# %% tags=["remove-input"]
iac.overview(ctx)

# %% [markdown]
# ### What it creates and imports

# %% tags=["remove-input"]
iac.resources(ctx)

# %% tags=["remove-input"]
iac.imports(ctx)

# %% [markdown]
# ### What the client fills in

# %% tags=["remove-input"]
iac.client_inputs(ctx)

# %% [markdown]
# ### Apply order by wave

# %% tags=["remove-input"]
iac.apply_order(ctx)

# %% [markdown]
# ### Workflows, manual work and checks

# %% tags=["remove-input"]
iac.workflows(ctx)

# %% tags=["remove-input"]
iac.manual_work(ctx)

# %% tags=["remove-input"]
iac.checks(ctx)

# %% [markdown]
# ## Largest cost lines

# %% tags=["remove-input"]
view.lines(model, top=25)

# %% [markdown]
# ## Model assumptions and price confidence

# %% tags=["remove-input"]
view.assumptions(model)

# %% tags=["remove-input"]
view.low_confidence_prices(model)

# %% tags=["remove-input"]
view.unpriced(model)
