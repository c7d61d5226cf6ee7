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

locals {
  name_prefix = "${var.namespace}-${var.environment}"
  # S3 server access logs of the guard's trail bucket go to the lakehouse access-log bucket.
  access_log_target = { bucket = module.storage.access_log_bucket_name, prefix = "s3-access/glue-guard-trail/" }
  tags = {
    project     = "frugal-lakehouse"
    env         = var.environment
    owner       = "data-platform"
    cost-centre = "local"
  }
}

module "notifications" {
  source = "../../modules/notifications"

  name_prefix = local.name_prefix
  # Local: no e-mail (the emulator cannot deliver); tests subscribe queues instead.
  kms_deletion_window_days = 7
}

output "success_topic_arn" {
  description = "Topic for success / action-taken notifications."
  value       = module.notifications.success_topic_arn
}

output "failure_topic_arn" {
  description = "Topic for failures and alarms."
  value       = module.notifications.failure_topic_arn
}
