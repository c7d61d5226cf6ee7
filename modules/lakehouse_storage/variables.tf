variable "namespace" {
  description = "First part of every name this module creates: \"<namespace>-<environment>-...\" (\"<namespace>_<environment>_...\" for Glue databases, \"/<namespace>/<environment>/...\" for parameters and secrets). 2-16 lowercase letters and digits, starting with a letter, single hyphens inside (e.g. \"frugal\", \"music-lib\")."
  type        = string

  validation {
    condition     = length(var.namespace) >= 2 && length(var.namespace) <= 16 && can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.namespace))
    error_message = "namespace must be 2-16 lowercase letters and digits, starting with a letter, single hyphens inside (e.g. \"frugal\", \"music-lib\"): it is part of S3 bucket, IAM, Glue and SNS names."
  }
}

variable "environment" {
  description = "Second part of every name this module creates (local, dev, prod, ...). 2-10 lowercase letters and digits, starting with a letter."
  type        = string

  validation {
    condition     = length(var.environment) >= 2 && length(var.environment) <= 10 && can(regex("^[a-z][a-z0-9]*$", var.environment))
    error_message = "environment must be 2-10 lowercase letters and digits, starting with a letter (e.g. local, dev, prod): it is part of S3 bucket, IAM, Glue and SNS names."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets. false unless the environment is throwaway (envs/local sets true)."
  type        = bool
  default     = false
}

variable "retention_days" {
  description = "Default expiry (days after creation) for raw and bronze objects. Each layer can override it in layer_lifecycle."
  type        = number
  default     = 730

  validation {
    condition     = var.retention_days >= 1 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days: a whole number of days >= 1."
  }
}

variable "layer_lifecycle" {
  description = <<-EOT
    Per-layer overrides of the default ageing (keys: raw, bronze, silver, gold). Any field left null keeps the
    layer default. Days count from object creation; 0 switches a stage off (no IA stage, no archive stage,
    never expire). infrequent_access_class: STANDARD_IA | ONEZONE_IA | INTELLIGENT_TIERING;
    archive_class: GLACIER_IR | GLACIER | DEEP_ARCHIVE.
  EOT
  type = map(object({
    infrequent_access_days     = optional(number)
    infrequent_access_class    = optional(string)
    archive_days               = optional(number)
    archive_class              = optional(string)
    expiration_days            = optional(number)
    noncurrent_expiration_days = optional(number)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for layer in keys(var.layer_lifecycle) : contains(["raw", "bronze", "silver", "gold"], layer)])
    error_message = "layer_lifecycle: unknown layer(s) ${join(", ", [for layer in keys(var.layer_lifecycle) : "\"${layer}\"" if !contains(["raw", "bronze", "silver", "gold"], layer)])}; allowed keys are raw, bronze, silver, gold."
  }

  validation {
    condition = alltrue(flatten([for layer, o in var.layer_lifecycle : [
      for d in [o.infrequent_access_days, o.archive_days, o.expiration_days, o.noncurrent_expiration_days] : d == null ? true : d >= 0 && floor(d) == d
    ]]))
    error_message = "layer_lifecycle: days must be whole numbers >= 0 (0 switches the stage off); negative days in layer(s) ${join(", ", [for layer, o in var.layer_lifecycle : layer if anytrue([for d in [o.infrequent_access_days, o.archive_days, o.expiration_days, o.noncurrent_expiration_days] : d == null ? false : d < 0 || floor(d) != d])])}."
  }

  validation {
    condition     = alltrue([for layer, o in var.layer_lifecycle : o.noncurrent_expiration_days != 0])
    error_message = "layer_lifecycle[*].noncurrent_expiration_days: must be >= 1 (noncurrent versions always expire on a versioned bucket)."
  }

  validation {
    condition     = alltrue([for layer, o in var.layer_lifecycle : o.infrequent_access_class == null ? true : contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING"], o.infrequent_access_class)])
    error_message = "layer_lifecycle[*].infrequent_access_class: must be STANDARD_IA, ONEZONE_IA or INTELLIGENT_TIERING."
  }

  validation {
    condition     = alltrue([for layer, o in var.layer_lifecycle : o.archive_class == null ? true : contains(["GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], o.archive_class)])
    error_message = "layer_lifecycle[*].archive_class: must be GLACIER_IR, GLACIER or DEEP_ARCHIVE."
  }

  validation {
    # S3: objects must be at least 30 days old before moving to STANDARD_IA / ONEZONE_IA
    # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html).
    condition = alltrue([for layer, o in var.layer_lifecycle :
      o.infrequent_access_days == null ? true : (o.infrequent_access_days <= 0 || o.infrequent_access_days >= 30 || o.infrequent_access_class == "INTELLIGENT_TIERING")
    ])
    error_message = "layer_lifecycle: infrequent_access_days must be 0 (off) or >= 30 — S3 refuses STANDARD_IA/ONEZONE_IA transitions before day 30; offending layer(s): ${join(", ", [for layer, o in var.layer_lifecycle : layer if try(o.infrequent_access_days > 0 && o.infrequent_access_days < 30 && o.infrequent_access_class != "INTELLIGENT_TIERING", false)])}."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Default days after which noncurrent object versions are deleted (per-layer override: layer_lifecycle[*].noncurrent_expiration_days)."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days: a whole number of days >= 1."
  }
}

variable "access_log_retention_days" {
  description = "Days to keep S3 server access logs in the access-log bucket."
  type        = number
  default     = 90

  validation {
    condition     = var.access_log_retention_days >= 1 && floor(var.access_log_retention_days) == var.access_log_retention_days
    error_message = "access_log_retention_days: a whole number of days >= 1."
  }
}

variable "spark_staging_dataset_prefixes" {
  description = "Per layer, the dataset prefixes Spark jobs write to (e.g. { gold = [\"wordpress_api/statistics_postname/\"] }); each gets a rule expiring `<prefix>.spark-staging*` after 1 day. The bucket-root `.spark-staging` rule is always on."
  type        = map(list(string))
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for layer in keys(var.spark_staging_dataset_prefixes) : contains(["raw", "bronze", "silver", "gold"], layer)])
    error_message = "spark_staging_dataset_prefixes: unknown layer key; allowed keys are raw, bronze, silver, gold."
  }

  validation {
    condition     = alltrue(flatten([for layer, ps in var.spark_staging_dataset_prefixes : [for p in ps : endswith(p, "/") && !startswith(p, "/")]]))
    error_message = "spark_staging_dataset_prefixes: each prefix must end with \"/\" and not start with \"/\" (e.g. \"wordpress_api/statistics_postname/\")."
  }
}

variable "catalog_layers" {
  description = "Layers that get a Glue Data Catalog database (named \"<namespace>_<environment>_<layer>\": Glue/Athena names use underscores)."
  type        = list(string)
  default     = ["bronze", "silver", "gold"]

  validation {
    condition     = alltrue([for layer in var.catalog_layers : contains(["raw", "bronze", "silver", "gold"], layer)]) && length(distinct(var.catalog_layers)) == length(var.catalog_layers)
    error_message = "catalog_layers: distinct values from raw, bronze, silver, gold."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period (7-30 days) before a destroyed KMS key is deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "kms_deletion_window_days: a whole number from 7 to 30 (the KMS limits)."
  }
}

variable "key_service_principals" {
  description = "AWS service principals allowed to use the key for notifications (SNS topics encrypted with it receive from EventBridge, CloudWatch alarms and S3 events). Use is limited to this account by aws:SourceAccount."
  type        = list(string)
  default     = ["events.amazonaws.com", "cloudwatch.amazonaws.com", "s3.amazonaws.com"]

  validation {
    condition     = alltrue([for p in var.key_service_principals : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", p))])
    error_message = "key_service_principals: service principal names such as \"events.amazonaws.com\"."
  }
}

variable "tags" {
  description = "Extra tags for every resource, on top of the provider's default_tags."
  type        = map(string)
  default     = {}
}

variable "landing" {
  description = "Optional landing bucket for files teams drop (CSV, JSON, NDJSON) before the raw stage copies them: \"<namespace>-<environment>-landing-<account>\", encrypted with the lakehouse key, public access blocked, TLS only, logged like the layer buckets. expiration_days: drops are deleted this many days after upload (raw keeps the copies); 0 keeps them. null (default): no landing bucket."
  type = object({
    expiration_days = optional(number, 30)
  })
  default = null

  validation {
    condition     = var.landing == null || try(var.landing.expiration_days == 0 || (var.landing.expiration_days >= 1 && var.landing.expiration_days <= 3650 && floor(var.landing.expiration_days) == var.landing.expiration_days), false)
    error_message = "landing.expiration_days must be 0 (keep drops) or a whole number of days from 1 to 3650."
  }
}
