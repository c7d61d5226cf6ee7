output "success_topic_arn" {
  description = "Topic for success / action-taken notifications."
  value       = module.notifications.success_topic_arn
}

output "failure_topic_arn" {
  description = "Topic for failures and alarms."
  value       = module.notifications.failure_topic_arn
}

output "guard_state_machine_arn" {
  description = "Guard state machine ARN."
  value       = module.glue_session_guard.guard_state_machine_arn
}

output "guard_state_machine_name" {
  description = "Guard state machine name."
  value       = module.glue_session_guard.guard_state_machine_name
}

output "sweeper_state_machine_arn" {
  description = "Sweeper state machine ARN."
  value       = module.glue_session_guard.sweeper_state_machine_arn
}

output "sweeper_state_machine_name" {
  description = "Sweeper state machine name."
  value       = module.glue_session_guard.sweeper_state_machine_name
}

output "guard_event_rule_name" {
  description = "EventBridge rule for CloudTrail CreateSession events."
  value       = module.glue_session_guard.event_rule_name
}

output "guard_dead_letter_queue_url" {
  description = "Dead-letter queue of the guard's event target and sweeper schedule."
  value       = module.glue_session_guard.dead_letter_queue_url
}

output "guard_lifetime_seconds" {
  description = "Configured maximum session lifetime."
  value       = module.glue_session_guard.lifetime_seconds
}

output "guard_trail_arn" {
  description = "CloudTrail trail feeding EventBridge."
  value       = module.glue_session_guard.trail_arn
}

output "guard_regions" {
  description = "The guard's home region and every guarded region."
  value       = module.glue_session_guard.regions
}

output "guard_region_inputs" {
  description = "Pass to each call of modules/glue_session_guard/modules/region for a region other than home."
  value       = module.glue_session_guard.region_inputs
}

output "guard_relay_state_machine_arn" {
  description = "With other regions: the home region's relay publishing their notices to the topics (null otherwise)."
  value       = module.glue_session_guard.relay_state_machine_arn
}

output "guard_prevention_policy_json" {
  description = "Policy denying CreateSession without an owner tag."
  value       = module.glue_session_guard.prevention_policy_json
}

output "storage_bucket_names" {
  description = "Layer bucket names by layer (raw, bronze, silver, gold)."
  value       = module.storage.bucket_names
}

output "storage_bucket_arns" {
  description = "Layer bucket ARNs by layer."
  value       = module.storage.bucket_arns
}

output "storage_access_log_bucket_name" {
  description = "Bucket receiving S3 server access logs."
  value       = module.storage.access_log_bucket_name
}

output "storage_kms_key_arn" {
  description = "KMS key encrypting the layer buckets."
  value       = module.storage.kms_key_arn
}

output "storage_database_names" {
  description = "Glue catalog database names by layer."
  value       = module.storage.database_names
}

output "storage_parameter_names" {
  description = "Parameter Store names publishing the storage names."
  value       = module.storage.parameter_names
}

output "storage_layer_settings" {
  description = "Effective ageing per layer (0 = stage off)."
  value       = module.storage.layer_settings
}

output "storage_lifecycle_rules" {
  description = "Every lifecycle rule applied, by bucket, as the module promises them (tests compare the emulator with this)."
  value       = module.storage.lifecycle_rules
}

output "pipeline_workflow_arn" {
  description = "ARN of the WordPress medallion workflow."
  value       = local.wordpress.workflow_arn
}

output "pipeline_function_names" {
  description = "Lambda function names (raw, bronze)."
  value       = local.wordpress.function_names
}

output "pipeline_job_names" {
  description = "Glue job names (silver, gold)."
  value       = local.wordpress.job_names
}

output "pipeline_crawler_names" {
  description = "Crawler names by layer."
  value       = local.wordpress.crawler_names
}

output "pipeline_table_names" {
  description = "Catalog tables by layer."
  value       = local.wordpress.table_names
}

output "pipeline_candidate_table_names" {
  description = "Silver candidate tables (write-audit-publish): what the quality gate evaluates before the silver job publishes."
  value       = local.wordpress.candidate_table_names
}

output "pipeline_data_quality_ruleset_names" {
  description = "Silver DQDL ruleset per gated dataset (dataset => ruleset name)."
  value       = local.wordpress.data_quality_ruleset_names
}

output "pipeline_artifacts_bucket_name" {
  description = "Bucket with the Glue scripts and shared package."
  value       = local.wordpress.artifacts_bucket_name
}

output "pipeline_schedule_name" {
  description = "EventBridge Scheduler schedule starting the workflow."
  value       = local.wordpress.schedule_name
}

output "pipeline_parameter_names" {
  description = "Parameter Store names (endpoints, workflow_arn)."
  value       = local.wordpress.parameter_names
}

output "pipeline_workflow_definition" {
  description = "Rendered workflow definition (tests derive its calls and check them against the role policy)."
  value       = local.wordpress.workflow_definition
}

output "pipeline_workflow_role_policy_json" {
  description = "The workflow role's inline policy."
  value       = local.wordpress.workflow_role_policy_json
}

output "pipeline_credentials_secret_arn" {
  description = "Secrets Manager secret the raw function reads the WordPress username and application password from (store its value with put-secret-value)."
  value       = local.wordpress.credentials_secret_arn
}

output "storage_landing_bucket" {
  description = "The landing bucket ({ name, arn }) products drop files in under <source>/<dataset>/, or null when no product has landing datasets."
  value       = module.storage.landing_bucket
}

output "products" {
  description = "Each product of var.products (source => modules/data_product outputs: source_name, contract, landing_prefixes, workflow_arn, pipeline); WordPress's are the pipeline_* outputs."
  value       = { for name, product in module.product : name => product if name != local.source_name }
}

locals {
  # WordPress's pipeline (modules/medallion_pipeline outputs), published as the pipeline_* outputs.
  wordpress = module.product[local.source_name].pipeline
}
