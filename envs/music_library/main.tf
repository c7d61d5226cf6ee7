# Project Wolfie, the music-library data product, in an environment of its own: built only from
# the repository's modules and generic engines (notifications, lakehouse_storage with a landing
# bucket, data_product), configured by its contract (sources/music_library/contract.json) and its
# gold job (sources/music_library/glue/). The same data_product call runs it beside WordPress in
# one environment (modules/lakehouse_environment's products; envs/local with music_library=true).
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
  spark_staging_dataset_prefixes = { gold = module.product.spark_staging_prefixes }
}

module "product" {
  source = "../../modules/data_product"

  namespace   = var.namespace
  environment = var.environment
  # The one list of datasets, keys, landing datasets and quality rules: a mistake in the contract
  # fails the plan, naming the file and the field. Every dataset arrives as file drops; tracks
  # merge by track_id (newest exported_at wins, removed drops the track), plays append; each
  # dataset is gated by its contract rules (BPM 40-250, rating 0-5, the 24 keys, no future
  # played_at, every play's track known).
  contract_path = "${path.root}/../../sources/music_library/contract.json"
  dist_dir      = local.dist
  # The reports sources/music_library/glue/gold_music_library.py writes.
  gold = {
    script   = "gold_music_library.py"
    datasets = ["genre_bpm_band", "key_distribution", "plays_by_track_month", "rarely_played"]
  }

  storage = {
    bucket_names           = module.storage.bucket_names
    bucket_arns            = module.storage.bucket_arns
    database_names         = module.storage.database_names
    kms_key_arn            = module.storage.kms_key_arn
    access_log_bucket_name = module.storage.access_log_bucket_name
    landing_bucket         = module.storage.landing_bucket
  }
  notifications = {
    success_topic_arn = module.notifications.success_topic_arn
    failure_topic_arn = module.notifications.failure_topic_arn
    kms_key_arn       = module.notifications.kms_key_arn
  }

  # The daily run starts itself; the emulator runs it on demand in tests and the demo.
  schedule           = { enabled = false }
  workflow           = { crawler_poll_seconds = 2, dq_poll_seconds = 2, retry_interval_seconds = 1, timeout_seconds = 900 }
  log_retention_days = 7
  force_destroy      = true
}

output "contract" {
  description = "What the plan read from the contract: source, datasets, landing datasets and quality rules."
  value = {
    source           = module.product.source_name
    datasets         = module.product.contract.datasets
    landing_datasets = module.product.contract.landing_datasets
    quality_rules    = module.product.contract.quality_rules
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
  value       = module.product.pipeline
}

# The product's pipeline and contract moved into modules/data_product (the mechanism an existing
# environment uses too): an environment applied before keeps its resources.
moved {
  from = module.pipeline
  to   = module.product.module.pipeline
}

moved {
  from = module.contract
  to   = module.product.module.contract
}
