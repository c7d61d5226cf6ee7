# Project Wolfie, the music-library data product, in an environment of its own: built only from
# the repository's modules and generic engines, configured by its contract
# (sources/music_library/contract.json) and its gold job (sources/music_library/glue/).
#
# Files are dropped in the landing bucket under music_library/<dataset>/; the workflow copies new
# drops into raw, loads bronze, merges silver (tracks by track_id and exported_at with the removed
# marker, plays appended with duplicates dropped), gates every dataset with the contract's rules
# and writes the four gold reports. This root targets the local emulator (make demo
# PRODUCT=music_library, tests/e2e/test_music_library_e2e.py); on AWS the provider block loses its
# endpoints and the rest stays.

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  backend "local" {
    path = "terraform.tfstate"
  }
}

variable "namespace" {
  description = "First part of every resource name."
  type        = string
  default     = "wolfie"
}

variable "environment" {
  description = "Environment name (second part of every resource name)."
  type        = string
  default     = "local"
}

variable "emulator_endpoint" {
  description = "HTTPS endpoint of the local emulator; make demo PRODUCT=music_library sets it from EMULATOR_PORT."
  type        = string
  default     = "https://127.0.0.1:4566"

  validation {
    condition     = can(regex("^https://(127\\.0\\.0\\.1|localhost):[0-9]{2,5}$", var.emulator_endpoint))
    error_message = "emulator_endpoint must be https://127.0.0.1:<port> or https://localhost:<port> (the emulator serves TLS so TLS-only bucket policies behave as on AWS)."
  }
}

variable "dist_dir" {
  description = "Directory holding the product's built artifacts (lambda/*.zip, glue/*); empty = dist/music_library, built by the command in docs/build-your-own-product.md."
  type        = string
  default     = ""
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  max_retries                 = 2

  endpoints {
    cloudwatch     = var.emulator_endpoint
    cloudwatchlogs = var.emulator_endpoint
    events         = var.emulator_endpoint
    glue           = var.emulator_endpoint
    iam            = var.emulator_endpoint
    kms            = var.emulator_endpoint
    lambda         = var.emulator_endpoint
    s3             = var.emulator_endpoint
    secretsmanager = var.emulator_endpoint
    scheduler      = var.emulator_endpoint
    sfn            = var.emulator_endpoint
    sns            = var.emulator_endpoint
    sqs            = var.emulator_endpoint
    ssm            = var.emulator_endpoint
    sts            = var.emulator_endpoint
  }

  default_tags {
    tags = {
      project     = "project-wolfie"
      env         = var.environment
      owner       = "music-library"
      cost-centre = "local"
    }
  }
}

locals {
  dist = var.dist_dir != "" ? var.dist_dir : "${path.root}/../../dist/music_library"
  zips = {
    raw    = "${local.dist}/lambda/raw_ingest.zip"
    bronze = "${local.dist}/lambda/bronze_load.zip"
  }
  # Before the artifacts are built the pipeline's precondition stops the plan with "build the
  # artifacts first"; validate still works.
  missing_hash = "0000000000000000000000000000000000000000000="
  # The reports the gold job (sources/music_library/glue/gold_music_library.py) writes.
  gold_datasets = ["genre_bpm_band", "key_distribution", "plays_by_track_month", "rarely_played"]
}

# The one list of datasets, keys, landing datasets and quality rules: a mistake in the contract
# fails the plan here, naming the file and the field.
module "contract" {
  source = "../../modules/source_contract"

  path = "${path.root}/../../sources/music_library/contract.json"
}

module "notifications" {
  source = "../../modules/notifications"

  namespace                = var.namespace
  environment              = var.environment
  kms_deletion_window_days = 7
}

module "storage" {
  source = "../../modules/lakehouse_storage"

  namespace   = var.namespace
  environment = var.environment
  # Throwaway environment on the emulator: everything can be destroyed at once.
  force_destroy             = true
  kms_deletion_window_days  = 7
  retention_days            = 180
  access_log_retention_days = 30
  # The player's exports and logs are dropped here; raw keeps its own copy, so a week is enough.
  landing = { expiration_days = 7 }
  # The gold job (Spark) writes these; their .spark-staging* leftovers expire after a day.
  spark_staging_dataset_prefixes = { gold = [for d in local.gold_datasets : "${module.contract.source}/${d}/"] }
}

module "pipeline" {
  source = "../../modules/medallion_pipeline"

  namespace     = var.namespace
  environment   = var.environment
  source_name   = module.contract.source
  datasets      = module.contract.datasets
  gold_datasets = local.gold_datasets
  # Every dataset arrives as file drops: no HTTP endpoint at all.
  landing = {
    bucket_name = module.storage.landing_bucket.name
    bucket_arn  = module.storage.landing_bucket.arn
    datasets    = keys(module.contract.landing_datasets)
  }
  # tracks merge by track_id (newest exported_at wins, removed drops the track); plays append.
  incremental = { datasets = module.contract.incremental_datasets }
  # Drops need no credentials: no secret, and the raw function may not read one.
  credentials = null

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
      filename         = local.zips.raw
      handler          = "raw_ingest.handler.handler"
      source_code_hash = fileexists(local.zips.raw) ? filebase64sha256(local.zips.raw) : local.missing_hash
    }
    bronze = {
      filename         = local.zips.bronze
      handler          = "bronze_load.handler.handler"
      source_code_hash = fileexists(local.zips.bronze) ? filebase64sha256(local.zips.bronze) : local.missing_hash
    }
    reserved = -1
  }
  glue_scripts = {
    silver         = "${local.dist}/glue/silver.py"
    gold           = "${local.dist}/glue/gold_music_library.py"
    common_package = "${local.dist}/glue/lakehouse_common.zip"
  }

  # Each dataset's rules come from its contract (BPM 40-250, rating 0-5, the 24 keys, no future
  # played_at, every play's track known); one failing dataset blocks the publish.
  data_quality = { rules = module.contract.quality_rules }

  # The daily run starts itself; the emulator runs it on demand in tests and the demo.
  schedule           = { enabled = false }
  workflow           = { crawler_poll_seconds = 2, dq_poll_seconds = 2, retry_interval_seconds = 1, timeout_seconds = 900 }
  log_retention_days = 7
  force_destroy      = true
}

output "contract" {
  description = "What the plan read from the contract: source, datasets, landing datasets and quality rules."
  value = {
    source           = module.contract.source
    datasets         = module.contract.datasets
    landing_datasets = module.contract.landing_datasets
    quality_rules    = module.contract.quality_rules
  }
}

output "notifications" {
  description = "Success and failure topics (modules/notifications outputs)."
  value       = module.notifications
}

output "storage" {
  description = "Layer and landing buckets, catalog databases and the data key (modules/lakehouse_storage outputs)."
  value       = module.storage
}

output "pipeline" {
  description = "The music-library workflow, functions, jobs, tables and quality rulesets (modules/medallion_pipeline outputs)."
  value       = module.pipeline
}
