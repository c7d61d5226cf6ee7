output "source_name" {
  description = "The product's source (from its contract): the <source>/ prefix in every layer and landing bucket and part of every name."
  value       = module.contract.source
}

output "contract" {
  description = "What the plan read from the contract: datasets, incremental, landing and HTTP datasets, and the quality rules the gate evaluates (the contract's plus extra_quality_rules)."
  value = {
    datasets             = module.contract.datasets
    incremental_datasets = module.contract.incremental_datasets
    landing_datasets     = module.contract.landing_datasets
    http_datasets        = module.contract.http_datasets
    quality_rules        = local.quality_rules
  }
}

output "landing_prefixes" {
  description = "Where files of each landing dataset are dropped in the landing bucket (dataset => \"<source>/<dataset>/\")."
  value       = { for d in local.landing_datasets : d => "${module.contract.source}/${d}/" }
}

output "spark_staging_prefixes" {
  description = "The gold datasets' prefixes (\"<source>/<dataset>/\") for lakehouse_storage's spark_staging_dataset_prefixes.gold (the gold job's .spark-staging* leftovers expire after a day)."
  value       = [for d in var.gold.datasets : "${module.contract.source}/${d}/"]
}

output "workflow_arn" {
  description = "ARN of the product's medallion workflow."
  value       = module.pipeline.workflow_arn
}

output "pipeline" {
  description = "Everything the product's pipeline created (modules/medallion_pipeline outputs): workflow, functions, jobs, crawlers, tables, quality rulesets, artifacts bucket, schedule, parameters."
  value       = module.pipeline
}
