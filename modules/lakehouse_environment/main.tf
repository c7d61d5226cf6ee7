# Everything one environment runs: shared topics, the lakehouse storage, the Glue session guard and
# its data products, each a modules/data_product call with a medallion pipeline of its own on the
# same storage: the WordPress source (var.pipeline) and every entry of var.products.
# envs/<env> only chooses values.

# The WordPress source: its contract, read here because its source name keys its product and its
# HTTP datasets give the plugin's routes (modules/source_contract fails the plan on a contract
# mistake, naming the file and the field).
module "contract" {
  source = "../source_contract"

  path = local.wordpress_contract_path
}

locals {
  wordpress_contract_path = coalesce(var.pipeline.contract_path, "${path.module}/../../sources/wordpress_api/contract.json")
  source_name             = module.contract.source

  # WordPress core post types and statuses: anything else in silver posts fails the quality gate.
  allowed_post_types = [
    "post", "page", "attachment", "revision", "nav_menu_item", "wp_block", "wp_template", "wp_template_part",
    "wp_navigation", "wp_global_styles", "custom_css", "customize_changeset", "oembed_cache", "user_request",
  ]
  allowed_post_statuses = ["publish", "future", "draft", "pending", "private", "trash", "auto-draft", "inherit"]

  # WordPress as a data product like any other: what var.pipeline says, in var.products' terms.
  wordpress_product = {
    contract_path = local.wordpress_contract_path
    dist_dir      = var.pipeline.dist_dir
    gold          = { script = "gold_statistics_postname.py", datasets = ["statistics_postname"] }
    lambdas       = { raw = "raw_ingest", bronze = "bronze_load" }
    # The contract and the raw hooks the generic raw_ingest zip carries are all WordPress needs.
    silver_hooks_module = null
    # The lakehouse-export plugin's routes (wordpress_plugin/lakehouse-export), one per HTTP
    # dataset; 100 rows per page is WordPress's maximum. Without a secret ARN the pipeline creates
    # an empty one to fill with put-secret-value.
    http = {
      endpoints = {
        for dataset in keys(module.contract.http_datasets) :
        dataset => "${var.pipeline.wordpress_site}/wp-json/lakehouse/v1/${dataset}?per_page=100"
      }
      credentials_secret_arn = var.pipeline.wordpress_credentials_secret_arn
    }
    # WP Statistics grows by a row per page and day: the contract declares it incremental, and with
    # statistics_incremental it is fetched from a start day (ingest date - statistics_lookback_days)
    # and merged into silver by key. Without it every dataset is a full snapshot.
    incremental_datasets      = var.pipeline.statistics_incremental ? null : []
    incremental_lookback_days = var.pipeline.statistics_lookback_days
    # On top of each dataset's contract rules, what this environment decides for posts: the
    # allowed WordPress values and the row floor.
    extra_quality_rules = {
      posts = [
        "ColumnValues \"post_type\" in [ ${join(", ", [for t in local.allowed_post_types : "\"${t}\""])} ]",
        "ColumnValues \"post_status\" in [ ${join(", ", [for s in local.allowed_post_statuses : "\"${s}\""])} ]",
        "RowCount >= ${var.pipeline.row_count_floor}",
      ]
    }
    schedule        = var.pipeline.schedule
    crawl_every_run = var.pipeline.crawl_every_run
  }

  # Every product of this environment by source: WordPress first, then var.products (whose keys
  # are validated to be their contracts' sources, never WordPress's).
  products = merge({ (local.source_name) = local.wordpress_product }, var.products)
}

# Storage needs to know before the products exist whether any product drops files (landing bucket)
# and which gold prefixes Spark writes. Both come from each product's contract and its gold
# datasets, read here: storage reading module.product would depend on the pipelines that need it.
module "product_contract" {
  source   = "../source_contract"
  for_each = var.products

  path = each.value.contract_path
}

locals {
  landing_needed = anytrue(concat(
    [length(module.contract.landing_datasets) > 0],
    [for name, contract in module.product_contract : length(contract.landing_datasets) > 0],
  ))
  # WordPress's first, then the other products' (the order of the gold bucket's lifecycle rules).
  spark_staging_prefixes = concat(
    [for d in local.wordpress_product.gold.datasets : "${local.source_name}/${d}/"],
    flatten([for name, product in var.products : [for d in product.gold.datasets : "${name}/${d}/"]]),
  )
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
  # Every product's gold job (Spark) writes its datasets here; .spark-staging* leftovers expire after a day.
  spark_staging_dataset_prefixes = { gold = local.spark_staging_prefixes }
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

# One call for every product, WordPress included: the wiring to the shared storage and topics and
# the environment's function, workflow, log and tag settings is written once.
module "product" {
  source   = "../data_product"
  for_each = local.products

  namespace           = var.namespace
  environment         = var.environment
  contract_path       = each.value.contract_path
  dist_dir            = each.value.dist_dir
  gold                = each.value.gold
  lambdas             = { raw = each.value.lambdas.raw, bronze = each.value.lambdas.bronze, reserved = var.pipeline.lambda_reserved, layer_enabled = var.pipeline.lambda_layer_enabled }
  silver_hooks_module = each.value.silver_hooks_module
  http                = each.value.http

  incremental_datasets      = each.value.incremental_datasets
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

# Before WordPress was a product its pipeline was this module's own call: an environment applied
# then keeps every resource (no destroy, no create), only their addresses change. The key is the
# source of this repository's WordPress contract.
moved {
  from = module.pipeline
  to   = module.product["wordpress_api"].module.pipeline
}
