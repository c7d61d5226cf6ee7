output "workflow_arn" {
  description = "ARN of the Step Functions workflow."
  value       = module.workflow.arn
}

output "workflow_name" {
  description = "Name of the workflow."
  value       = module.workflow.name
}

output "workflow_role_name" {
  description = "Name of the workflow's execution role."
  value       = module.workflow.role_name
}

output "workflow_policy_statements" {
  description = "The statements declared for the workflow role (the state_machine module adds log delivery and the topic key)."
  value       = module.workflow_iam.statements
}

output "definition_vars" {
  description = "Values rendered into the workflow definition (definition.asl.json)."
  value       = local.definition_vars
}

output "function_names" {
  description = "Lambda function names by step (raw, bronze)."
  value       = { raw = module.raw_function.function_name, bronze = module.bronze_function.function_name }
}

output "job_names" {
  description = "Glue job names by layer (silver, gold)."
  value       = { silver = module.silver_job.name, gold = module.gold_job.name }
}

output "crawler_names" {
  description = "Crawler names by layer."
  value       = { for k, m in module.crawler : k => m.name }
}

output "table_names" {
  description = "Catalog tables the crawlers maintain, by layer."
  value       = { for k, m in module.crawler : k => m.table_names }
}

output "candidate_table_names" {
  description = "Silver candidate tables the silver job registers (write stage) and the quality gate evaluates, in the silver database."
  value       = local.candidate_tables
}

output "data_quality_rulesets" {
  description = "DQDL text of each gated dataset's ruleset (dataset => ruleset), as the module builds it from the rules."
  value       = { for d, r in aws_glue_data_quality_ruleset.silver : d => r.ruleset }
}

output "data_quality_ruleset_names" {
  description = "Silver DQDL ruleset per gated dataset (dataset => ruleset name)."
  value       = { for d, r in aws_glue_data_quality_ruleset.silver : d => r.name }
}

output "artifacts_bucket_name" {
  description = "Bucket holding the Glue scripts, shared package and Spark temp files."
  value       = module.artifacts.bucket_name
}

output "schedule_name" {
  description = "Name of the EventBridge Scheduler schedule."
  value       = aws_scheduler_schedule.daily.name
}

output "schedule_dlq_arn" {
  description = "Dead-letter queue of the schedule's start calls."
  value       = aws_sqs_queue.schedule_dlq.arn
}

output "parameter_names" {
  description = "Parameter Store names: endpoints and workflow_arn."
  value       = { endpoints = aws_ssm_parameter.endpoints.name, workflow_arn = aws_ssm_parameter.workflow_arn.name }
}

output "workflow_definition" {
  description = "The rendered workflow definition (what tests derive the workflow's calls from)."
  value       = module.workflow.definition
}

output "workflow_role_policy_json" {
  description = "The workflow role's full inline policy (declared statements plus the state_machine module's log delivery, X-Ray and key)."
  value       = module.workflow.role_policy_json
}

output "credentials_secret_arn" {
  description = "ARN of the Secrets Manager secret the raw function reads the source credentials from (created here unless credentials.secret_arn was given); null when credentials = null."
  value       = local.credentials_secret_arn
}

output "endpoints" {
  description = "Endpoint per dataset as published in Parameter Store (dataset => URL)."
  value       = var.endpoints
}

output "silver_job_arguments" {
  description = "Default arguments of the silver job (what a run gets unless the workflow overrides them)."
  value       = module.silver_job.default_arguments
}
