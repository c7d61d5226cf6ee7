# One data product on a shared lakehouse: its contract read once, and its medallion pipeline wired
# to the storage and topics the environment already has. Every dataset list, landing and HTTP
# split, incremental dataset and quality rule comes from the contract; the root only says where the
# artifacts are, what gold writes and when the product runs.

locals {
  source_name = module.contract.source
  dist        = var.dist_dir
  zips = {
    raw    = "${local.dist}/lambda/${var.lambdas.raw}.zip"
    bronze = "${local.dist}/lambda/${var.lambdas.bronze}.zip"
  }
  # Before the artifacts are built the pipeline's precondition stops the plan with "build the
  # artifacts first"; validate still works.
  missing_hash = "0000000000000000000000000000000000000000000="

  landing_datasets = sort(keys(module.contract.landing_datasets))
  # The contract says which datasets can be loaded incrementally; the root may keep some as snapshots.
  incremental_datasets = var.incremental_datasets == null ? module.contract.incremental_datasets : sort(var.incremental_datasets)
  quality_rules = {
    for dataset in distinct(concat(keys(module.contract.quality_rules), keys(var.extra_quality_rules))) :
    dataset => concat(lookup(module.contract.quality_rules, dataset, []), lookup(var.extra_quality_rules, dataset, []))
  }
}

module "contract" {
  source = "../source_contract"

  path = var.contract_path
}

module "pipeline" {
  source = "../medallion_pipeline"

  namespace     = var.namespace
  environment   = var.environment
  source_name   = local.source_name
  datasets      = module.contract.datasets
  gold_datasets = var.gold.datasets
  # medallion_pipeline refuses a plan where the contract's HTTP datasets and these endpoints differ.
  endpoints = var.http == null ? {} : var.http.endpoints
  # Landing drops need no credentials: without HTTP datasets no secret, and the raw function may
  # not read one.
  credentials = var.http == null ? null : { secret_arn = var.http.credentials_secret_arn }
  landing = length(local.landing_datasets) == 0 ? null : {
    bucket_name = var.storage.landing_bucket.name
    bucket_arn  = var.storage.landing_bucket.arn
    datasets    = local.landing_datasets
  }
  incremental = { datasets = local.incremental_datasets, lookback_days = var.incremental_lookback_days }

  storage = {
    bucket_names           = var.storage.bucket_names
    bucket_arns            = var.storage.bucket_arns
    database_names         = var.storage.database_names
    kms_key_arn            = var.storage.kms_key_arn
    access_log_bucket_name = var.storage.access_log_bucket_name
  }
  notifications = var.notifications

  lambdas = {
    raw = {
      filename         = local.zips.raw
      handler          = "${var.lambdas.raw}.handler.handler"
      source_code_hash = fileexists(local.zips.raw) ? filebase64sha256(local.zips.raw) : local.missing_hash
    }
    bronze = {
      filename         = local.zips.bronze
      handler          = "${var.lambdas.bronze}.handler.handler"
      source_code_hash = fileexists(local.zips.bronze) ? filebase64sha256(local.zips.bronze) : local.missing_hash
    }
    reserved      = var.lambdas.reserved
    layer_enabled = var.lambdas.layer_enabled
  }
  glue_scripts = {
    silver         = "${local.dist}/glue/silver.py"
    gold           = "${local.dist}/glue/${var.gold.script}"
    common_package = "${local.dist}/glue/lakehouse_common.zip"
    silver_hooks   = var.silver_hooks_module == null ? null : { package = "${local.dist}/glue/silver_hooks.zip", module = var.silver_hooks_module }
  }

  # Each dataset's rules from the contract (plus the environment's); one failing dataset blocks
  # the publish.
  data_quality = { rules = local.quality_rules }

  crawlers           = { every_run = var.crawl_every_run }
  schedule           = var.schedule
  workflow           = var.workflow
  log_retention_days = var.log_retention_days
  force_destroy      = var.force_destroy
  tags               = var.tags
}
