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

variable "emails" {
  description = "Addresses subscribed to the success topic (sessions stopped, runs finished) and the failure topic (failures, alarms, dead letters)."
  type = object({
    success = optional(list(string), [])
    failure = optional(list(string), [])
  })
  default = {}
}

variable "force_destroy" {
  description = "Let destroy delete buckets that still hold objects (throwaway environments only)."
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Waiting period before a destroyed KMS key is deleted (7-30)."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "Retention of the state machines', functions' and jobs' logs."
  type        = number
  default     = 30
}

variable "storage" {
  description = "Lakehouse storage ageing (modules/lakehouse_storage): raw/bronze expiry, per-layer overrides, noncurrent versions, access logs, and how long drops stay in the landing bucket (created when a product in var.products has landing datasets; 0 keeps them)."
  type = object({
    retention_days = optional(number, 730)
    layer_lifecycle = optional(map(object({
      infrequent_access_days     = optional(number)
      infrequent_access_class    = optional(string)
      archive_days               = optional(number)
      archive_class              = optional(string)
      expiration_days            = optional(number)
      noncurrent_expiration_days = optional(number)
    })), {})
    noncurrent_version_expiration_days = optional(number, 30)
    access_log_retention_days          = optional(number, 365)
    landing_expiration_days            = optional(number, 7)
  })
  default = {}
}

variable "guard" {
  description = "Glue session guard settings (modules/glue_session_guard has the meaning and limits of each)."
  type = object({
    stop_policy              = optional(string, "lifetime")
    lifetime_seconds         = optional(number, 3600)
    idle_minutes             = optional(number, 30)
    max_lifetime_seconds     = optional(number, 43200)
    poll_interval_seconds    = optional(number, 10)
    max_polls                = optional(number, 40)
    profile                  = optional(string, "hardened")
    sweeper_interval_minutes = optional(number)
    dry_run                  = optional(bool, false)
    boundaries = optional(object({
      max_workers              = optional(number)
      allowed_worker_types     = optional(list(string), [])
      max_idle_timeout_minutes = optional(number)
      require_connection       = optional(bool, false)
    }), {})
    exempt_tag = optional(object({
      key   = string
      value = string
    }))
    deny_data_preview_sessions = optional(bool, false)
    create_trail               = optional(bool, true)
    trail_log_retention_days   = optional(number, 90)
    # Every region other than home also needs a call of modules/glue_session_guard/modules/region
    # with its provider and guard_region_inputs (envs/local shows it).
    regions = optional(object({
      home    = string
      guarded = list(string)
    }))
  })
  default = {}
}

variable "pipeline" {
  description = "The WordPress product (one modules/data_product call with var.products' entries; its medallion pipeline is the pipeline_* outputs): the site (a lakehouse-export route per contract dataset is derived from it) and its credentials secret, the source contract (contract_path, default this repository's sources/wordpress_api/contract.json: the dataset list, incremental datasets and keys come from it), incremental fetching, schedule, crawling, the quality floor, where the built artifacts are, function and workflow tuning."
  type = object({
    wordpress_site                   = string
    wordpress_credentials_secret_arn = optional(string)
    statistics_incremental           = optional(bool, false)
    statistics_lookback_days         = optional(number, 2)
    contract_path                    = optional(string)
    dist_dir                         = string
    schedule = optional(object({
      expression = optional(string, "cron(0 7 * * ? *)")
      timezone   = optional(string, "Europe/London")
      enabled    = optional(bool, true)
    }), {})
    crawl_every_run = optional(object({
      bronze = optional(bool, false)
      silver = optional(bool, false)
      gold   = optional(bool, false)
    }), {})
    row_count_floor      = optional(number, 1)
    lambda_reserved      = optional(number, -1)
    lambda_layer_enabled = optional(bool, true)
    workflow = optional(object({
      crawler_poll_seconds   = optional(number)
      dq_poll_seconds        = optional(number)
      retry_interval_seconds = optional(number)
      timeout_seconds        = optional(number)
    }), {})
  })

  validation {
    condition     = var.pipeline.lambda_reserved == -1 || (var.pipeline.lambda_reserved >= 1 && var.pipeline.lambda_reserved <= 1000 && floor(var.pipeline.lambda_reserved) == var.pipeline.lambda_reserved)
    error_message = "pipeline.lambda_reserved must be -1 (no reservation, the default: Lambda rejects reservations that leave an account fewer than 100 unreserved executions) or a whole number from 1 to 1000 (0 would disable the functions)."
  }

  validation {
    condition     = can(regex("^(https://[A-Za-z0-9.-]+(:[0-9]+)?|http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?)(/[^\\s?#]*[^/\\s?#])?$", var.pipeline.wordpress_site))
    error_message = "pipeline.wordpress_site must be the site's https:// address without a trailing slash, query or user:password@ (for example https://blog.example.com); plain http only for 127.0.0.1/localhost (the local test sites)."
  }
}

variable "products" {
  description = <<-EOT
    Further data products on this environment's storage, topics and guard, each with a medallion
    pipeline of its own (modules/data_product), keyed by the source its contract declares. The
    landing bucket is created when any product has landing datasets; drops go under
    <source>/<dataset>/. Per product: contract_path (sources/<source>/contract.json), dist_dir (its
    tools/package.py --out), gold ({ script, datasets }), lambdas (packaged raw/bronze names, default
    the generic raw_ingest and bronze_load), silver_hooks_module (in dist_dir/glue/silver_hooks.zip),
    http ({ endpoints, credentials_secret_arn } for the contract's HTTP datasets),
    incremental_datasets (null: every incremental dataset of the contract) and
    incremental_lookback_days, extra_quality_rules, schedule and crawl_every_run. Workflow timings, function settings, log retention, force_destroy
    and tags are the environment's (var.pipeline, var.log_retention_days, ...).
  EOT
  type = map(object({
    contract_path = string
    dist_dir      = string
    gold = object({
      script   = string
      datasets = list(string)
    })
    lambdas = optional(object({
      raw    = optional(string, "raw_ingest")
      bronze = optional(string, "bronze_load")
    }), {})
    silver_hooks_module = optional(string)
    http = optional(object({
      endpoints              = map(string)
      credentials_secret_arn = optional(string)
    }))
    incremental_datasets      = optional(list(string))
    incremental_lookback_days = optional(number, 2)
    extra_quality_rules       = optional(map(list(string)), {})
    schedule = optional(object({
      expression = optional(string, "cron(0 7 * * ? *)")
      timezone   = optional(string, "Europe/London")
      enabled    = optional(bool, true)
    }), {})
    crawl_every_run = optional(object({
      bronze = optional(bool, false)
      silver = optional(bool, false)
      gold   = optional(bool, false)
    }), {})
  }))
  default = {}

  # The key names the product everywhere (S3 prefixes, functions, jobs, workflow): it must be the
  # source its contract declares, so two products can never share a prefix.
  validation {
    condition     = alltrue([for name, p in var.products : try(jsondecode(file(p.contract_path)).source == name, false)])
    error_message = "products: each key must be the source its contract declares (\"source\" in the file at contract_path), for example music_library = { contract_path = \".../sources/music_library/contract.json\", ... }."
  }
  validation {
    condition     = !contains(keys(var.products), try(jsondecode(file(coalesce(var.pipeline.contract_path, "${path.module}/../../sources/wordpress_api/contract.json"))).source, "wordpress_api"))
    error_message = "products: the environment's own WordPress source is var.pipeline; a product must be another source."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
