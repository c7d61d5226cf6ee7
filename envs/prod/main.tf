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

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

locals {
  name_prefix = "${var.namespace}-${var.environment}"
  tags = {
    project     = "frugal-lakehouse"
    env         = var.environment
    owner       = var.owner
    cost-centre = var.cost_centre
  }
  # S3 server access logs of the guard's trail bucket go to the lakehouse access-log bucket.
  access_log_target = { bucket = module.storage.access_log_bucket_name, prefix = "s3-access/glue-guard-trail/" }
}

module "notifications" {
  source = "../../modules/notifications"

  name_prefix    = local.name_prefix
  success_emails = var.success_emails
  failure_emails = var.failure_emails
}

output "success_topic_arn" {
  description = "Topic for success / action-taken notifications."
  value       = module.notifications.success_topic_arn
}

output "failure_topic_arn" {
  description = "Topic for failures and alarms."
  value       = module.notifications.failure_topic_arn
}
