# prod environment: a real AWS account. State in S3 with native locking (use_lockfile);
# the bucket comes from backend.hcl (copy backend.hcl.example) so no account id is committed.

terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  backend "s3" {
    key          = "frugal-lakehouse/prod/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
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
  default     = "prod"
}

variable "region" {
  description = "AWS region of the environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "guard_other_regions" {
  description = "Regions besides var.region whose Glue sessions the guard stops (at most one here: each needs its provider and module block below; copy them for more)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.guard_other_regions) <= 1
    error_message = "guard_other_regions takes at most one region in this environment: add a provider alias and a modules/glue_session_guard/modules/region block per further region."
  }
}

variable "owner" {
  description = "Team owning the environment (default tag)."
  type        = string
}

variable "cost_centre" {
  description = "Cost centre charged for the environment (default tag)."
  type        = string
}

variable "success_emails" {
  description = "Addresses receiving success / action-taken notifications."
  type        = list(string)
  default     = []
}

variable "failure_emails" {
  description = "Addresses receiving failures and alarms."
  type        = list(string)
  default     = []
}

variable "wordpress_site" {
  description = "Address of the WordPress site running the lakehouse-export plugin, https and no trailing slash (for example https://blog.example.com); the five routes are derived from it."
  type        = string
}

variable "wordpress_credentials_secret_arn" {
  description = "ARN of an existing Secrets Manager secret holding {\"username\", \"application_password\"}; null creates an empty one (store its value as the README shows)."
  type        = string
  default     = null
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "frugal-lakehouse"
      env         = var.environment
      owner       = var.owner
      cost-centre = var.cost_centre
    }
  }
}

# The guard's other region (if any) runs with its own provider: Terraform cannot loop over providers.
provider "aws" {
  alias  = "guard_other_region"
  region = coalesce(one(var.guard_other_regions), var.region)

  default_tags {
    tags = {
      project     = "frugal-lakehouse"
      env         = var.environment
      owner       = var.owner
      cost-centre = var.cost_centre
    }
  }
}

module "lakehouse" {
  source = "../../modules/lakehouse_environment"

  namespace                = var.namespace
  environment              = var.environment
  emails                   = { success = var.success_emails, failure = var.failure_emails }
  force_destroy            = false
  kms_deletion_window_days = 30
  log_retention_days       = 90

  storage = {
    retention_days                     = 730
    noncurrent_version_expiration_days = 30
    access_log_retention_days          = 365
  }

  guard = {
    lifetime_seconds = 14400
    boundaries       = { max_workers = 20, allowed_worker_types = ["G.1X", "G.2X", "G.4X"], max_idle_timeout_minutes = 120, require_connection = true }
    exempt_tag       = { key = "guard", value = "exempt" }
    # Sessions in every listed region are stopped; notifications arrive at var.region's topics.
    regions                    = { home = var.region, guarded = concat([var.region], var.guard_other_regions) }
    deny_data_preview_sessions = true
    # Accounts that inherit an organisation trail set create_trail = false.
    create_trail             = true
    trail_log_retention_days = 365
  }

  pipeline = {
    wordpress_site                   = var.wordpress_site
    wordpress_credentials_secret_arn = var.wordpress_credentials_secret_arn
    # Daily runs fetch only the last days of WP Statistics (the first run fetches everything).
    statistics_incremental = true
    dist_dir               = "${path.root}/../../dist"
  }
  tags = {}
}

module "glue_session_guard_other_region" {
  source    = "../../modules/glue_session_guard/modules/region"
  count     = length(var.guard_other_regions)
  providers = { aws = aws.guard_other_region }

  guard = module.lakehouse.guard_region_inputs
}

output "lakehouse" {
  description = "Everything the environment created: topics, storage, guard and pipeline names/ARNs (modules/lakehouse_environment outputs)."
  value       = module.lakehouse
}
