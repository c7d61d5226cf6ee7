# Lakehouse storage for the dev environment: layer buckets, access logs, KMS key, Glue databases and
# Parameter Store entries (modules/lakehouse_storage). Ageing differs per environment; see docs/storage.md.

variable "storage_retention_days" {
  description = "Days after which raw and bronze objects expire."
  type        = number
  default     = 180
}

variable "storage_layer_lifecycle" {
  description = "Per-layer ageing overrides (see modules/lakehouse_storage: layer_lifecycle); null fields keep the module defaults."
  type = map(object({
    infrequent_access_days     = optional(number)
    infrequent_access_class    = optional(string)
    archive_days               = optional(number)
    archive_class              = optional(string)
    expiration_days            = optional(number)
    noncurrent_expiration_days = optional(number)
  }))
  default = {
    raw    = { archive_days = 60 }
    bronze = { archive_days = 60 }
  }
}

variable "storage_noncurrent_version_expiration_days" {
  description = "Days after which overwritten or deleted object versions are removed."
  type        = number
  default     = 7
}

variable "storage_access_log_retention_days" {
  description = "Days to keep S3 server access logs."
  type        = number
  default     = 30
}

module "storage" {
  source = "../../modules/lakehouse_storage"

  namespace   = var.namespace
  environment = var.environment

  retention_days                     = var.storage_retention_days
  layer_lifecycle                    = var.storage_layer_lifecycle
  noncurrent_version_expiration_days = var.storage_noncurrent_version_expiration_days
  access_log_retention_days          = var.storage_access_log_retention_days
  kms_deletion_window_days           = 7

  # The gold job (Spark) writes this dataset; its .spark-staging* leftovers expire after a day.
  spark_staging_dataset_prefixes = { gold = ["wordpress_api/statistics_postname/"] }
}

output "storage_bucket_names" {
  description = "Layer bucket names by layer (raw, bronze, silver, gold)."
  value       = module.storage.bucket_names
}

output "storage_bucket_arns" {
  description = "Layer bucket ARNs by layer."
  value       = module.storage.bucket_arns
}

output "storage_access_log_bucket_name" {
  description = "Bucket receiving S3 server access logs."
  value       = module.storage.access_log_bucket_name
}

output "storage_kms_key_arn" {
  description = "KMS key encrypting the layer buckets."
  value       = module.storage.kms_key_arn
}

output "storage_database_names" {
  description = "Glue catalog database names by layer."
  value       = module.storage.database_names
}

output "storage_parameter_names" {
  description = "Parameter Store names publishing the storage names."
  value       = module.storage.parameter_names
}

output "storage_layer_settings" {
  description = "Effective ageing per layer (0 = stage off)."
  value       = module.storage.layer_settings
}

output "storage_lifecycle_rules" {
  description = "Every lifecycle rule applied, by bucket, as the module promises them (tests compare the emulator with this)."
  value       = module.storage.lifecycle_rules
}
