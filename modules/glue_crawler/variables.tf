variable "name" {
  description = "Crawler name; also names what the module creates with it (its role and security configuration add \"-crawler\", and the log paths join both). Build it as \"<namespace>-<environment>-<what>\". Lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit; at most 50 characters here."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]*[a-z0-9]$", var.name))
    error_message = "name must be lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit (e.g. \"music-lib-local-raw-wordpress_api\")."
  }
  validation {
    condition     = length(var.name) <= 50
    error_message = "name must be at most 50 characters here (its role and security configuration add \"-crawler\", and the log paths join both); got ${length(var.name)}."
  }
}

variable "description" {
  description = "What the crawler catalogues."
  type        = string
  default     = ""
}

variable "database_name" {
  description = "Glue Data Catalog database the tables are written to."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.database_name))
    error_message = "database_name must be lower-case letters, digits and underscores (Glue/Athena naming)."
  }
}

variable "table_prefix" {
  description = "Prefix of every table the crawler creates (for example \"silver_\"); the rest of the name is the dataset folder."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]{1,64}$", var.table_prefix))
    error_message = "table_prefix must be 1-64 lower-case letters, digits and underscores."
  }
}

variable "s3_targets" {
  description = "S3 folders to crawl, one per dataset (bucket name + key prefix ending in \"/\"); each becomes one table."
  type = list(object({
    bucket_name = string
    prefix      = string
    exclusions  = optional(list(string), [])
  }))

  validation {
    condition     = length(var.s3_targets) > 0
    error_message = "s3_targets must list at least one S3 folder."
  }
  validation {
    condition     = alltrue([for t in var.s3_targets : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", t.bucket_name)) && can(regex("^([A-Za-z0-9_.=-]+/)+$", t.prefix))])
    error_message = "Each s3_targets entry needs a valid bucket_name and a prefix such as \"wordpress_api/posts/\" (segments ending in \"/\", no leading \"/\")."
  }
}

variable "schema_change_policy" {
  description = "What the crawler does to the catalog when a schema changes or data disappears."
  type = object({
    update_behavior = optional(string, "UPDATE_IN_DATABASE")
    delete_behavior = optional(string, "LOG")
  })
  default = {}

  validation {
    condition     = contains(["LOG", "UPDATE_IN_DATABASE"], var.schema_change_policy.update_behavior)
    error_message = "schema_change_policy.update_behavior must be LOG or UPDATE_IN_DATABASE."
  }
  validation {
    condition     = contains(["LOG", "DELETE_FROM_DATABASE", "DEPRECATE_IN_DATABASE"], var.schema_change_policy.delete_behavior)
    error_message = "schema_change_policy.delete_behavior must be LOG, DELETE_FROM_DATABASE or DEPRECATE_IN_DATABASE."
  }
}

variable "recrawl_behavior" {
  description = "CRAWL_EVERYTHING re-reads every folder; CRAWL_NEW_FOLDERS_ONLY reads only folders added since the last crawl (new ingest_date partitions), so crawls stay short."
  type        = string
  default     = "CRAWL_EVERYTHING"

  validation {
    condition     = contains(["CRAWL_EVERYTHING", "CRAWL_NEW_FOLDERS_ONLY"], var.recrawl_behavior)
    error_message = "recrawl_behavior must be CRAWL_EVERYTHING or CRAWL_NEW_FOLDERS_ONLY (event mode needs an S3 event queue this module does not create)."
  }
  validation {
    condition     = var.recrawl_behavior != "CRAWL_NEW_FOLDERS_ONLY" || (var.schema_change_policy.update_behavior == "LOG" && var.schema_change_policy.delete_behavior == "LOG")
    error_message = "recrawl_behavior CRAWL_NEW_FOLDERS_ONLY requires schema_change_policy update_behavior = LOG and delete_behavior = LOG (Glue's rule)."
  }
}

variable "kms_key_arn" {
  description = "KMS key of the crawler's security configuration for S3 (the data key)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "logs_kms_key_arn" {
  description = "KMS key for the crawler's CloudWatch logs; its key policy must let CloudWatch Logs use it (the notifications key does)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "data_kms_key_arns" {
  description = "KMS keys the target buckets are encrypted with (the crawler decrypts objects to read schemas)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for k in var.data_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", k))])
    error_message = "data_kms_key_arns entries must be KMS key ARNs."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
