# Everything one environment runs: shared topics, the lakehouse storage, the Glue session guard, the
# WordPress source's medallion pipeline and, for each entry of var.products, another team's data
# product with a pipeline of its own on the same storage. envs/<env> only chooses values.

locals {
  # The source's contract is the one dataset list (modules/source_contract reads it and fails the
  # plan on a contract mistake, naming the file and the field).
  source_name = module.contract.source
  datasets    = module.contract.datasets
  # WP Statistics grows by a row per page and day: the contract declares it incremental, and with
  # statistics_incremental it is fetched from a start day (ingest date - statistics_lookback_days)
  # and merged into silver by key. Without it every dataset is a full snapshot.
  incremental_datasets = var.pipeline.statistics_incremental ? module.contract.incremental_datasets : []

  dist = var.pipeline.dist_dir
  zips = {
    raw    = "${local.dist}/lambda/raw_ingest.zip"
    bronze = "${local.dist}/lambda/bronze_load.zip"
  }
  # Before `make package` the zips do not exist; the pipeline's precondition then stops the plan
  # with "build the artifacts first", while validate still works.
  missing_hash = "0000000000000000000000000000000000000000000="

  # WordPress core post types and statuses: anything else in silver posts fails the quality gate.
  allowed_post_types = [
    "post", "page", "attachment", "revision", "nav_menu_item", "wp_block", "wp_template", "wp_template_part",
    "wp_navigation", "wp_global_styles", "custom_css", "customize_changeset", "oembed_cache", "user_request",
  ]
  allowed_post_statuses = ["publish", "future", "draft", "pending", "private", "trash", "auto-draft", "inherit"]
  # The quality gate: each dataset's DQDL rules from the contract, plus what this environment
  # decides for posts (the allowed WordPress values and the row floor).
  environment_quality_rules = {
    posts = [
      "ColumnValues \"post_type\" in [ ${join(", ", [for t in local.allowed_post_types : "\"${t}\""])} ]",
      "ColumnValues \"post_status\" in [ ${join(", ", [for s in local.allowed_post_statuses : "\"${s}\""])} ]",
      "RowCount >= ${var.pipeline.row_count_floor}",
    ]
  }
  quality_rules = {
    for dataset, rules in module.contract.quality_rules :
    dataset => concat(rules, lookup(local.environment_quality_rules, dataset, []))
  }
}

# Further products on the same storage, topics and guard: one pipeline each (modules/data_product).
# Storage needs to know before the products exist whether any product drops files (landing bucket)
# and which gold prefixes Spark writes: both come from each product's contract, read here too.
module "product_contract" {
  source   = "../source_contract"
  for_each = var.products

  path = each.value.contract_path
}

locals {
  landing_needed         = anytrue([for name, contract in module.product_contract : length(contract.landing_datasets) > 0])
  product_spark_prefixes = flatten([for name, product in var.products : [for d in product.gold.datasets : "${name}/${d}/"]])
}

# What every product's pipeline shares: the environment's storage (the landing bucket only matters
# to products that land files) and its topics.
locals {
  shared_storage = {
    bucket_names           = module.storage.bucket_names
    bucket_arns            = module.storage.bucket_arns
    database_names         = module.storage.database_names
    kms_key_arn            = module.storage.kms_key_arn
    access_log_bucket_name = module.storage.access_log_bucket_name
    landing_bucket         = module.storage.landing_bucket
  }
  shared_topics = {
    success_topic_arn = module.notifications.success_topic_arn
    failure_topic_arn = module.notifications.failure_topic_arn
    kms_key_arn       = module.notifications.kms_key_arn
  }
}

module "contract" {
  source = "../source_contract"

  path = coalesce(var.pipeline.contract_path, "${path.module}/../../sources/wordpress_api/contract.json")
}

module "notifications" {
  source = "../notifications"

  namespace                = var.namespace
  environment              = var.environment
  success_emails           = var.emails.success
  failure_emails           = var.emails.failure
  kms_deletion_window_days = var.kms_deletion_window_days
  tags                     = var.tags
}

module "storage" {
  source = "../lakehouse_storage"

  namespace                          = var.namespace
  environment                        = var.environment
  force_destroy                      = var.force_destroy
  retention_days                     = var.storage.retention_days
  layer_lifecycle                    = var.storage.layer_lifecycle
  noncurrent_version_expiration_days = var.storage.noncurrent_version_expiration_days
  access_log_retention_days          = var.storage.access_log_retention_days
  kms_deletion_window_days           = var.kms_deletion_window_days
  # The gold job (Spark) writes this dataset; its .spark-staging* leftovers expire after a day.
  spark_staging_dataset_prefixes = { gold = concat(["${local.source_name}/statistics_postname/"], local.product_spark_prefixes) }
  landing                        = local.landing_needed ? { expiration_days = var.storage.landing_expiration_days } : null
  tags                           = var.tags
}

module "glue_session_guard" {
  source = "../glue_session_guard"

  namespace   = var.namespace
  environment = var.environment
  notifications = {
    success_topic_arn = module.notifications.success_topic_arn
    failure_topic_arn = module.notifications.failure_topic_arn
    kms_key_arn       = module.notifications.kms_key_arn
  }
  stop_policy                = var.guard.stop_policy
  lifetime_seconds           = var.guard.lifetime_seconds
  idle_minutes               = var.guard.idle_minutes
  max_lifetime_seconds       = var.guard.max_lifetime_seconds
  poll_interval_seconds      = var.guard.poll_interval_seconds
  max_polls                  = var.guard.max_polls
  profile                    = var.guard.profile
  sweeper_interval_minutes   = var.guard.sweeper_interval_minutes
  dry_run                    = var.guard.dry_run
  boundaries                 = var.guard.boundaries
  exempt_tag                 = var.guard.exempt_tag
  deny_data_preview_sessions = var.guard.deny_data_preview_sessions
  create_trail               = var.guard.create_trail
  trail_log_retention_days   = var.guard.trail_log_retention_days
  regions                    = var.guard.regions
  kms_deletion_window_days   = var.kms_deletion_window_days
  # The trail bucket's S3 access logs go to the lakehouse access-log bucket.
  trail_access_log_bucket = { bucket = module.storage.access_log_bucket_name, prefix = "s3-access/glue-guard-trail/" }
  force_destroy           = var.force_destroy
  log_retention_days      = var.log_retention_days
  tags                    = var.tags
}

module "pipeline" {
  source = "../medallion_pipeline"

  namespace     = var.namespace
  environment   = var.environment
  source_name   = local.source_name
  datasets      = local.datasets
  gold_datasets = ["statistics_postname"]
  # The lakehouse-export plugin's routes (wordpress_plugin/lakehouse-export); 100 rows per page
  # is WordPress's maximum.
  endpoints = {
    for dataset in local.datasets : dataset => "${var.pipeline.wordpress_site}/wp-json/lakehouse/v1/${dataset}?per_page=100"
  }
  credentials = { secret_arn = var.pipeline.wordpress_credentials_secret_arn }
  incremental = { datasets = local.incremental_datasets, lookback_days = var.pipeline.statistics_lookback_days }

  storage       = local.shared_storage
  notifications = local.shared_topics

  lambdas = {
    raw = {
      filename         = local.zips.raw
      handler          = "raw_ingest.handler.handler"
      source_code_hash = fileexists(local.zips.raw) ? filebase64sha256(local.zips.raw) : local.missing_hash
    }
    bronze = {
      filename         = local.zips.bronze
      handler          = "bronze_load.handler.handler"
      source_code_hash = fileexists(local.zips.bronze) ? filebase64sha256(local.zips.bronze) : local.missing_hash
    }
    reserved      = var.pipeline.lambda_reserved
    layer_enabled = var.pipeline.lambda_layer_enabled
  }
  glue_scripts = {
    silver         = "${local.dist}/glue/silver.py"
    gold           = "${local.dist}/glue/gold_statistics_postname.py"
    common_package = "${local.dist}/glue/lakehouse_common.zip"
  }

  # One ruleset per gated dataset: posts (keys, allowed values, row floor) and the WP Statistics
  # page counts the gold job joins to them.
  data_quality = { rules = local.quality_rules }

  crawlers           = { every_run = var.pipeline.crawl_every_run }
  workflow           = var.pipeline.workflow
  schedule           = var.pipeline.schedule
  log_retention_days = var.log_retention_days
  force_destroy      = var.force_destroy
  tags               = var.tags
}

module "product" {
  source   = "../data_product"
  for_each = var.products

  namespace           = var.namespace
  environment         = var.environment
  contract_path       = each.value.contract_path
  dist_dir            = each.value.dist_dir
  gold                = each.value.gold
  lambdas             = { raw = each.value.lambdas.raw, bronze = each.value.lambdas.bronze, reserved = var.pipeline.lambda_reserved, layer_enabled = var.pipeline.lambda_layer_enabled }
  silver_hooks_module = each.value.silver_hooks_module
  http                = each.value.http

  incremental_lookback_days = each.value.incremental_lookback_days
  extra_quality_rules       = each.value.extra_quality_rules

  storage       = local.shared_storage
  notifications = local.shared_topics

  schedule           = each.value.schedule
  crawl_every_run    = each.value.crawl_every_run
  workflow           = var.pipeline.workflow
  log_retention_days = var.log_retention_days
  force_destroy      = var.force_destroy
  tags               = var.tags
}
