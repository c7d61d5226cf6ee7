# Local environment: every AWS call goes to the local emulator (make emulator-up), state stays on
# disk, lifetimes are seconds so tests and the demo are fast, and everything can be destroyed.

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
  default     = "frugal"
}

variable "environment" {
  description = "Environment name (second part of every resource name)."
  type        = string
  default     = "local"
}

variable "emulator_endpoint" {
  description = "HTTPS endpoint of the local emulator; make apply ENV=local sets it from EMULATOR_PORT."
  type        = string
  default     = "https://127.0.0.1:4566"

  validation {
    condition     = can(regex("^https://(127\\.0\\.0\\.1|localhost):[0-9]{2,5}$", var.emulator_endpoint))
    error_message = "emulator_endpoint must be https://127.0.0.1:<port> or https://localhost:<port> (the emulator serves TLS so TLS-only bucket policies behave as on AWS)."
  }
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  # The emulator answers at once or not at all; long retry loops only hide a missing correction.
  max_retries = 2

  endpoints {
    cloudtrail     = var.emulator_endpoint
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
    tags = local.tags
  }
}

# The guard's second region: one provider per region (Terraform cannot iterate over providers).
provider "aws" {
  alias                       = "eu_central_1"
  region                      = "eu-central-1"
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
    iam            = var.emulator_endpoint
    kms            = var.emulator_endpoint
    scheduler      = var.emulator_endpoint
    sfn            = var.emulator_endpoint
    sqs            = var.emulator_endpoint
    sts            = var.emulator_endpoint
  }

  default_tags {
    tags = local.tags
  }
}

variable "statistics_incremental" {
  description = "Fetch WP Statistics incrementally and merge it in silver (the real-WordPress e2e test sets it; the sample-site demo keeps full snapshots)."
  type        = bool
  default     = false
}

variable "wordpress_site_port" {
  description = "Port of the local WordPress sample site on 127.0.0.1 (tools/local_site.py: EMULATOR_PORT + 2)."
  type        = number
  default     = 4568

  validation {
    condition     = var.wordpress_site_port >= 1024 && var.wordpress_site_port <= 65535 && floor(var.wordpress_site_port) == var.wordpress_site_port
    error_message = "wordpress_site_port must be a whole number from 1024 to 65535 (the sample site runs unprivileged on 127.0.0.1)."
  }
}

variable "dist_dir" {
  description = "Directory holding the built artifacts (lambda/*.zip, glue/*); empty = the repo's dist/ (make package)."
  type        = string
  default     = ""
}

variable "music_library" {
  description = "Also run Project Wolfie, the music-library product, on this environment's storage, topics and guard (a pipeline of its own; landing bucket created). Needs its artifacts: the packaging command in docs/build-your-own-product.md (dist/music_library). Off by default: every e2e test and make demo apply this root, and the product adds its pipeline to each apply."
  type        = bool
  default     = false
}

locals {
  tags = {
    project     = "frugal-lakehouse"
    env         = var.environment
    owner       = "data-platform"
    cost-centre = "local"
  }
}

module "lakehouse" {
  source = "../../modules/lakehouse_environment"

  namespace   = var.namespace
  environment = var.environment
  # Throwaway environment on the emulator: everything can be destroyed at once.
  force_destroy            = true
  kms_deletion_window_days = 7
  log_retention_days       = 7

  storage = {
    retention_days                     = 180
    layer_lifecycle                    = { raw = { archive_days = 60 }, bronze = { archive_days = 60 } }
    noncurrent_version_expiration_days = 7
    access_log_retention_days          = 30
  }

  # Seconds, not hours: the e2e test and the demo watch a session get stopped.
  # frugal: a single-person account's guard (no keys of its own, one alarm); see the README.
  guard = {
    profile                  = "frugal"
    lifetime_seconds         = 5
    poll_interval_seconds    = 1
    max_polls                = 30
    sweeper_interval_minutes = 5
    boundaries               = { max_workers = 10, allowed_worker_types = ["G.1X", "G.2X"] }
    exempt_tag               = { key = "guard", value = "exempt" }
    trail_log_retention_days = 7
    # Two regions: sessions in either are stopped by that region's guard, and every notification
    # reaches the home region's topics (the e2e test stops one in each).
    regions = { home = "eu-west-1", guarded = ["eu-west-1", "eu-central-1"] }
  }

  pipeline = {
    # The local site: the sample server (tools/wordpress_sample/server.py) or a real WordPress
    # (tools/wordpress_local, `make demo WORDPRESS=real`); both speak the plugin's routes.
    wordpress_site         = "http://127.0.0.1:${var.wordpress_site_port}"
    statistics_incremental = var.statistics_incremental
    dist_dir               = var.dist_dir != "" ? var.dist_dir : "${path.root}/../../dist"
    lambda_reserved        = -1
    workflow               = { crawler_poll_seconds = 2, dq_poll_seconds = 2, retry_interval_seconds = 1, timeout_seconds = 900 }
  }

  # One storage, two pipelines: the music library's files land in this environment's landing
  # bucket and its reports in the same gold bucket, under music_library/.
  products = var.music_library ? {
    music_library = {
      contract_path = "${path.root}/../../sources/music_library/contract.json"
      dist_dir      = var.dist_dir != "" ? "${var.dist_dir}/music_library" : "${path.root}/../../dist/music_library"
      gold = {
        script   = "gold_music_library.py"
        datasets = ["genre_bpm_band", "key_distribution", "plays_by_track_month", "rarely_played"]
      }
      schedule = { enabled = false }
    }
  } : {}
  tags = {}
}

module "glue_session_guard_eu_central_1" {
  source    = "../../modules/glue_session_guard/modules/region"
  providers = { aws = aws.eu_central_1 }

  guard = module.lakehouse.guard_region_inputs
}

output "lakehouse" {
  description = "Everything the environment created: topics, storage, guard and pipeline names/ARNs (modules/lakehouse_environment outputs)."
  value       = module.lakehouse
}

output "guard_other_regions" {
  description = "The guard's pieces in each region other than home (modules/glue_session_guard/modules/region outputs)."
  value = {
    "eu-central-1" = module.glue_session_guard_eu_central_1
  }
}
