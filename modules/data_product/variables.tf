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

variable "contract_path" {
  description = "Path of the product's contract (sources/<source>/contract.json). The source name, datasets, incremental datasets, landing and HTTP datasets and the quality rules are read from it (modules/source_contract): a contract mistake fails the plan naming the file and the field."
  type        = string
}

variable "dist_dir" {
  description = "Folder of the product's built artifacts (tools/package.py --out): lambda/<raw>.zip and lambda/<bronze>.zip, glue/silver.py, glue/<gold script>, glue/lakehouse_common.zip and, with silver_hooks_module, glue/silver_hooks.zip (built with --hooks-dir)."
  type        = string
}

variable "gold" {
  description = "The product's gold job: its script's file name in <dist_dir>/glue/ and the datasets it writes (one gold table each)."
  type = object({
    script   = string
    datasets = list(string)
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+\\.py$", var.gold.script))
    error_message = "gold.script must be the gold script's file name in <dist_dir>/glue/ (for example gold_music_library.py), not a path."
  }
}

variable "lambdas" {
  description = "The raw and bronze functions: the packaged names (<dist_dir>/lambda/<name>.zip, handler <name>.handler.handler; default the generic raw_ingest and bronze_load), reserved concurrency (-1: none) and whether they use the AWS SDK for pandas layer."
  type = object({
    raw           = optional(string, "raw_ingest")
    bronze        = optional(string, "bronze_load")
    reserved      = optional(number, -1)
    layer_enabled = optional(bool, true)
  })
  default = {}

  validation {
    condition     = alltrue([for n in [var.lambdas.raw, var.lambdas.bronze] : can(regex("^[a-z][a-z0-9_]*$", n))])
    error_message = "lambdas.raw and lambdas.bronze must be packaged Lambda names (lower-case letters, digits, underscores: the <name> of lambda/<name>.zip)."
  }
}

variable "silver_hooks_module" {
  description = "The module of <dist_dir>/glue/silver_hooks.zip (tools/package.py --hooks-dir) whose silver_transform(frame, dataset) the silver job runs after the generic transform. null: no hook."
  type        = string
  default     = null
}

variable "http" {
  description = "For a contract with HTTP datasets (raw.kind http): the URL of each (dataset => URL) and the Secrets Manager secret with its credentials (null: medallion_pipeline creates an empty one). null for a product whose datasets all arrive in the landing bucket."
  type = object({
    endpoints              = map(string)
    credentials_secret_arn = optional(string)
  })
  default = null

  # The raw function fetches exactly the datasets with an endpoint: one for each HTTP dataset of
  # the contract, none for a landing dataset.
  validation {
    condition     = length(setsubtract(try(keys(var.http.endpoints), []), [for name, d in try(jsondecode(file(var.contract_path)).datasets, {}) : name if try(d.raw.kind, "http") == "http"])) + length(setsubtract([for name, d in try(jsondecode(file(var.contract_path)).datasets, {}) : name if try(d.raw.kind, "http") == "http"], try(keys(var.http.endpoints), []))) == 0
    error_message = "http.endpoints must have exactly one URL for each HTTP dataset (raw.kind http) of ${var.contract_path} and none for its landing datasets (http = null when every dataset arrives in the landing bucket)."
  }
}

variable "incremental_datasets" {
  description = "Which of the contract's incremental datasets (load.mode incremental) are loaded incrementally: fetched from a start day (HTTP) and merged into silver by key. null: all of them; [] or a subset: the others are full snapshots (for example until a source's incremental route is trusted)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.incremental_datasets == null || alltrue([for d in(var.incremental_datasets == null ? [] : var.incremental_datasets) : try(jsondecode(file(var.contract_path)).datasets[d].load.mode, "snapshot") == "incremental"])
    error_message = "incremental_datasets must be null (every incremental dataset of ${var.contract_path}) or a list of the datasets whose load.mode is incremental there."
  }
}

variable "incremental_lookback_days" {
  description = "Incremental HTTP datasets are fetched from the ingest date minus this many days (landing datasets copy every new drop)."
  type        = number
  default     = 2
}

variable "extra_quality_rules" {
  description = "DQDL rules this environment adds to the contract's (dataset => rules), for example a row floor. The gate evaluates the contract's rules plus these."
  type        = map(list(string))
  default     = {}
}

variable "storage" {
  description = "Outputs of modules/lakehouse_storage the product shares: bucket names/ARNs and Glue databases by layer, the data key, the access-log bucket and, when the contract has landing datasets, landing_bucket ({ name, arn })."
  type = object({
    bucket_names           = map(string)
    bucket_arns            = map(string)
    database_names         = map(string)
    kms_key_arn            = string
    access_log_bucket_name = string
    landing_bucket = optional(object({
      name = string
      arn  = string
    }))
  })

  # The landing datasets' drops are read from this bucket: without it every run would fail.
  validation {
    condition     = var.storage.landing_bucket != null || !anytrue([for d in values(try(jsondecode(file(var.contract_path)).datasets, {})) : try(d.raw.kind, "http") == "landing"])
    error_message = "storage.landing_bucket is null but ${var.contract_path} has landing datasets (raw.kind landing): create the storage with a landing bucket (lakehouse_storage landing = { ... }) and pass its landing_bucket output."
  }
}

variable "notifications" {
  description = "Outputs of modules/notifications: success and failure topic ARNs and their KMS key."
  type = object({
    success_topic_arn = string
    failure_topic_arn = string
    kms_key_arn       = string
  })
}

variable "schedule" {
  description = "The product's daily start (medallion_pipeline's schedule: expression, timezone, enabled)."
  type = object({
    expression = optional(string, "cron(0 7 * * ? *)")
    timezone   = optional(string, "Europe/London")
    enabled    = optional(bool, true)
  })
  default = {}
}

variable "workflow" {
  description = "Polling, retry and timeout settings of the workflow (medallion_pipeline's workflow)."
  type = object({
    crawler_poll_seconds   = optional(number)
    dq_poll_seconds        = optional(number)
    retry_interval_seconds = optional(number)
    timeout_seconds        = optional(number)
  })
  default = {}
}

variable "crawl_every_run" {
  description = "Crawl these layers on every run (otherwise only when their tables are missing)."
  type = object({
    bronze = optional(bool, false)
    silver = optional(bool, false)
    gold   = optional(bool, false)
  })
  default = {}
}

variable "log_retention_days" {
  description = "Retention of every log group the pipeline creates."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "force_destroy" {
  description = "Let destroy empty the product's artifacts bucket (throwaway environments only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
