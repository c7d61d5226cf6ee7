# Another team's lakehouse storage: four layer buckets, access logs, KMS key, Glue databases and
# Parameter Store entries under /music/dev/storage/.
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

module "storage" {
  source = "../.."

  namespace      = "music"
  environment    = "dev"
  retention_days = 365

  # Keep raw listening events in STANDARD_IA longer, archive them to Deep Archive.
  layer_lifecycle = {
    raw = { archive_days = 120, archive_class = "DEEP_ARCHIVE" }
  }
  spark_staging_dataset_prefixes = { gold = ["listening/trends/"] }

  # The library export and listening events arrive as file drops; drops expire after two weeks
  # (raw keeps the copies).
  landing = { expiration_days = 14 }
}

output "landing_bucket" {
  value = module.storage.landing_bucket
}

output "bucket_names" {
  value = module.storage.bucket_names
}

output "parameter_names" {
  value = module.storage.parameter_names
}
