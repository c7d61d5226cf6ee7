# Medallion pipeline for the WordPress source (modules/medallion_pipeline, docs/pipeline.md): raw and
# bronze Lambdas, silver (Python shell) and gold (Spark) Glue jobs, crawlers, data quality, the
# Step Functions workflow and its daily schedule. Artifacts come from `make package` (dist/).

variable "pipeline_wordpress_endpoints" {
  description = "WordPress API endpoint per dataset, published in Parameter Store and read by the raw function."
  type        = map(string)
  default = {
    posts              = "https://www.example.com/wp-json/lakehouse/v1/posts"
    statistics_pages   = "https://www.example.com/wp-json/lakehouse/v1/statistics_pages"
    term_relationships = "https://www.example.com/wp-json/lakehouse/v1/term_relationships"
    term_taxonomy      = "https://www.example.com/wp-json/lakehouse/v1/term_taxonomy"
    terms              = "https://www.example.com/wp-json/lakehouse/v1/terms"
  }
}

variable "pipeline_schedule" {
  description = "When the workflow runs: EventBridge cron(...) expression and IANA time zone (seed: 07:00 daily)."
  type = object({
    expression = optional(string, "cron(0 7 * * ? *)")
    timezone   = optional(string, "Europe/London")
    enabled    = optional(bool, true)
  })
  default = {}
}

variable "pipeline_crawl_every_run" {
  description = "Crawl a layer on every run (otherwise only when its tables are missing or the run input asks)."
  type = object({
    bronze = optional(bool, false)
    silver = optional(bool, false)
    gold   = optional(bool, false)
  })
  default = {}
}

variable "pipeline_row_count_floor" {
  description = "Fewest silver posts rows the data-quality ruleset accepts."
  type        = number
  default     = 1
}

variable "pipeline_dist_dir" {
  description = "Directory holding the built artifacts (lambda/*.zip, glue/*); empty = the repo's dist/."
  type        = string
  default     = ""
}

locals {
  pipeline_dist = var.pipeline_dist_dir != "" ? var.pipeline_dist_dir : "${path.root}/../../dist"
  pipeline_zips = {
    raw    = "${local.pipeline_dist}/lambda/raw_wordpress_api.zip"
    bronze = "${local.pipeline_dist}/lambda/bronze_wordpress_api.zip"
  }
  # Before `make package` the zips do not exist; the module's precondition then stops plan with
  # "build the artifacts first", while validate still works.
  pipeline_missing_hash = "0000000000000000000000000000000000000000000="
}

module "pipeline" {
  source = "../../modules/medallion_pipeline"

  namespace     = var.namespace
  environment   = var.environment
  source_name   = "wordpress_api"
  datasets      = ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"]
  gold_datasets = ["statistics_postname"]
  endpoints     = var.pipeline_wordpress_endpoints

  storage = {
    bucket_names           = module.storage.bucket_names
    bucket_arns            = module.storage.bucket_arns
    database_names         = module.storage.database_names
    kms_key_arn            = module.storage.kms_key_arn
    access_log_bucket_name = module.storage.access_log_bucket_name
  }
  notifications = {
    success_topic_arn = module.notifications.success_topic_arn
    failure_topic_arn = module.notifications.failure_topic_arn
    kms_key_arn       = module.notifications.kms_key_arn
  }

  lambdas = {
    raw = {
      filename         = local.pipeline_zips.raw
      handler          = "raw_wordpress_api.handler.handler"
      source_code_hash = fileexists(local.pipeline_zips.raw) ? filebase64sha256(local.pipeline_zips.raw) : local.pipeline_missing_hash
    }
    bronze = {
      filename         = local.pipeline_zips.bronze
      handler          = "bronze_wordpress_api.handler.handler"
      source_code_hash = fileexists(local.pipeline_zips.bronze) ? filebase64sha256(local.pipeline_zips.bronze) : local.pipeline_missing_hash
    }
    reserved      = 1
    layer_enabled = true
  }
  glue_scripts = {
    silver         = "${local.pipeline_dist}/glue/silver_wordpress_api.py"
    gold           = "${local.pipeline_dist}/glue/gold_statistics_postname.py"
    common_package = "${local.pipeline_dist}/glue/lakehouse_common.zip"
  }

  data_quality = {
    dataset = "posts"
    ruleset = templatefile("${path.root}/../../modules/medallion_pipeline/rules/wordpress_api_silver_posts.dqdl.tftpl", {
      allowed_post_types    = join(", ", [for t in ["post", "page", "attachment", "revision", "nav_menu_item", "wp_block", "wp_template", "wp_template_part", "wp_navigation", "wp_global_styles", "custom_css", "customize_changeset", "oembed_cache", "user_request"] : "\"${t}\""])
      allowed_post_statuses = join(", ", [for s in ["publish", "future", "draft", "pending", "private", "trash", "auto-draft", "inherit"] : "\"${s}\""])
      row_count_floor       = var.pipeline_row_count_floor
    })
  }

  crawlers           = { every_run = var.pipeline_crawl_every_run }
  workflow           = {}
  schedule           = var.pipeline_schedule
  log_retention_days = 30
  force_destroy      = false
}

output "pipeline_workflow_arn" {
  description = "ARN of the WordPress medallion workflow."
  value       = module.pipeline.workflow_arn
}

output "pipeline_function_names" {
  description = "Lambda function names (raw, bronze)."
  value       = module.pipeline.function_names
}

output "pipeline_job_names" {
  description = "Glue job names (silver, gold)."
  value       = module.pipeline.job_names
}

output "pipeline_crawler_names" {
  description = "Crawler names by layer."
  value       = module.pipeline.crawler_names
}

output "pipeline_table_names" {
  description = "Catalog tables by layer."
  value       = module.pipeline.table_names
}

output "pipeline_data_quality_ruleset_name" {
  description = "Silver DQDL ruleset."
  value       = module.pipeline.data_quality_ruleset_name
}

output "pipeline_artifacts_bucket_name" {
  description = "Bucket with the Glue scripts and shared package."
  value       = module.pipeline.artifacts_bucket_name
}

output "pipeline_schedule_name" {
  description = "EventBridge Scheduler schedule starting the workflow."
  value       = module.pipeline.schedule_name
}

output "pipeline_parameter_names" {
  description = "Parameter Store names (endpoints, workflow_arn)."
  value       = module.pipeline.parameter_names
}

output "pipeline_workflow_definition" {
  description = "Rendered workflow definition (tests derive its calls and check them against the role policy)."
  value       = module.pipeline.workflow_definition
}

output "pipeline_workflow_role_policy_json" {
  description = "The workflow role's inline policy."
  value       = module.pipeline.workflow_role_policy_json
}
