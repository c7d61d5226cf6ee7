# A data bucket encrypted with a caller-owned KMS key, logging to an existing log bucket, with one
# ageing rule and Spark staging cleanup for the dataset it writes.
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

data "aws_caller_identity" "current" {}

variable "kms_key_arn" {
  description = "KMS key for the bucket."
  type        = string
}

module "reports_bucket" {
  source = "../.."

  bucket_name       = "acme-dev-reports-${data.aws_caller_identity.current.account_id}"
  kms_key_arn       = var.kms_key_arn
  access_log_bucket = { bucket = "acme-dev-access-logs-${data.aws_caller_identity.current.account_id}", prefix = "reports/" }

  lifecycle_rules = [{
    id              = "reports-age"
    prefix          = "reports/"
    transitions     = [{ days = 30, storage_class = "STANDARD_IA" }, { days = 90, storage_class = "GLACIER_IR" }]
    expiration_days = 365
  }]

  spark_staging_cleanup = { dataset_prefixes = ["reports/monthly/"] }
}

output "bucket_name" {
  value = module.reports_bucket.bucket_name
}
