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

variable "source_name" {
  description = "Source system; the S3 prefix under every layer bucket and part of every name (for example wordpress_api)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{1,30}$", var.source_name))
    error_message = "source_name must be 2-31 lower-case letters, digits and underscores, starting with a letter."
  }
  # The longest name built from it is the artifact bucket "<namespace>-<environment>-<source>-artifacts-<account id>"
  # (S3: at most 63); the jobs ("<...>-silver-<source>", at most 50) fit within the same limit.
  validation {
    condition     = length(var.namespace) + length(var.environment) + length(var.source_name) <= 38
    error_message = "namespace, environment and source_name together must be at most 38 characters, so the bucket \"<namespace>-<environment>-<source>-artifacts-<account id>\" stays within S3's 63 (got ${length(var.namespace) + length(var.environment) + length(var.source_name)})."
  }
}

variable "datasets" {
  description = "Datasets the source publishes; each lands in raw, bronze and silver and becomes one catalog table per layer."
  type        = list(string)

  validation {
    condition     = length(var.datasets) > 0 && alltrue([for d in var.datasets : can(regex("^[a-z][a-z0-9_]{0,62}$", d))]) && length(distinct(var.datasets)) == length(var.datasets)
    error_message = "datasets must be a non-empty list of distinct lower-case names (letters, digits, underscores)."
  }
}

variable "gold_datasets" {
  description = "Datasets the gold job writes (one gold table each)."
  type        = list(string)

  validation {
    condition     = length(var.gold_datasets) > 0 && alltrue([for d in var.gold_datasets : can(regex("^[a-z][a-z0-9_]{0,62}$", d))])
    error_message = "gold_datasets must be a non-empty list of lower-case names (letters, digits, underscores)."
  }
}

variable "endpoints" {
  description = "Source endpoint per dataset (dataset => URL), published in Parameter Store and read by the raw function at run time. Datasets delivered through the landing bucket (var.landing) have none."
  default     = {}
  type        = map(string)

  validation {
    condition     = alltrue([for u in values(var.endpoints) : can(regex("^(https://[^\\s]+|http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?/[^\\s]*)$", u))])
    error_message = "endpoints values must be https:// URLs (plain http only for 127.0.0.1/localhost, the local sample API)."
  }
  # The raw function fetches exactly the datasets that have an endpoint, copies the landing
  # datasets' drops, and bronze/silver expect exactly var.datasets: a dataset with neither would
  # fail every run, an endpoint without a dataset would land raw data nothing reads, and a dataset
  # with both would be ingested twice.
  validation {
    condition     = length(setsubtract(var.datasets, concat(keys(var.endpoints), try(var.landing.datasets, [])))) == 0
    error_message = "endpoints: no endpoint for dataset(s) ${join(", ", sort(setsubtract(var.datasets, concat(keys(var.endpoints), try(var.landing.datasets, [])))))}; every entry of datasets needs one, unless landing.datasets lists it."
  }
  validation {
    condition     = length(setintersection(keys(var.endpoints), try(var.landing.datasets, []))) == 0
    error_message = "endpoints: dataset(s) ${join(", ", sort(setintersection(keys(var.endpoints), try(var.landing.datasets, []))))} have an endpoint and are landing datasets too; a dataset arrives one way only."
  }
  validation {
    condition     = length(setsubtract(keys(var.endpoints), var.datasets)) == 0
    error_message = "endpoints: endpoint(s) for unknown dataset(s) ${join(", ", sort(setsubtract(keys(var.endpoints), var.datasets)))}; keys must be entries of datasets (${join(", ", var.datasets)})."
  }
}

variable "credentials" {
  description = "Source credentials the raw function sends as HTTP Basic auth, read from Secrets Manager on every run (a rotated password needs no deploy). secret_arn = null: the module creates an empty secret encrypted with the data key; store its value with `aws secretsmanager put-secret-value` (README). Otherwise an existing secret's ARN, and the KMS key that encrypts it when that is not the data key. credentials = null: the source needs none (landing drops, a public API): no secret, and the raw function may not read one."
  type = object({
    secret_arn  = optional(string)
    kms_key_arn = optional(string)
  })
  default = {}

  validation {
    condition     = try(var.credentials.secret_arn, null) == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", var.credentials.secret_arn))
    error_message = "credentials.secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or null."
  }
  validation {
    condition     = try(var.credentials.kms_key_arn, null) == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$", var.credentials.kms_key_arn))
    error_message = "credentials.kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "incremental" {
  description = "Datasets fetched incrementally: the raw function asks only for days on or after the ingest date minus lookback_days (a run input `from` backfills), and silver merges each increment into the previous silver by key. Other datasets are full snapshots."
  type = object({
    datasets      = optional(list(string), [])
    lookback_days = optional(number, 2)
  })
  default = {}

  validation {
    condition     = alltrue([for d in var.incremental.datasets : contains(var.datasets, d)])
    error_message = "incremental.datasets must be a subset of datasets."
  }
  validation {
    condition     = var.incremental.lookback_days >= 0 && var.incremental.lookback_days <= 31 && floor(var.incremental.lookback_days) == var.incremental.lookback_days
    error_message = "incremental.lookback_days must be a whole number of days from 0 to 31."
  }
}

variable "landing" {
  description = "Datasets delivered as files dropped in a landing bucket (lakehouse_storage's landing_bucket): the raw function gets LANDING_BUCKET/LANDING_PREFIX and may list and read only <prefix><source>/<dataset>/ of these datasets (and decrypt them through S3). Use a raw function that copies drops, such as dist/lambda/raw_ingest.zip. null: no landing datasets."
  type = object({
    bucket_name = string
    bucket_arn  = string
    prefix      = optional(string, "")
    datasets    = list(string)
  })
  default = null

  validation {
    condition     = var.landing == null || try(length(var.landing.datasets) > 0 && alltrue([for d in var.landing.datasets : contains(var.datasets, d)]), false)
    error_message = "landing.datasets must name at least one dataset, each one of datasets."
  }
  validation {
    condition     = var.landing == null || try(var.landing.prefix == "" || can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$", var.landing.prefix)), false)
    error_message = "landing.prefix must be empty or a key prefix ending in \"/\" (letters, digits, _ . - and /), such as \"drops/\"."
  }
  validation {
    condition     = var.landing == null || try(can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}$", var.landing.bucket_arn)) && endswith(var.landing.bucket_arn, ":${var.landing.bucket_name}"), false)
    error_message = "landing.bucket_arn must be the S3 bucket ARN of landing.bucket_name (arn:aws:s3:::<bucket_name>)."
  }
}

variable "storage" {
  description = "Outputs of modules/lakehouse_storage: bucket names/ARNs and Glue databases by layer (raw, bronze, silver, gold), the data KMS key, the access-log bucket."
  type = object({
    bucket_names           = map(string)
    bucket_arns            = map(string)
    database_names         = map(string)
    kms_key_arn            = string
    access_log_bucket_name = string
  })

  validation {
    condition     = alltrue([for l in ["raw", "bronze", "silver", "gold"] : contains(keys(var.storage.bucket_names), l) && contains(keys(var.storage.bucket_arns), l)])
    error_message = "storage.bucket_names and storage.bucket_arns must have raw, bronze, silver and gold entries."
  }
  validation {
    condition     = alltrue([for l in ["bronze", "silver", "gold"] : contains(keys(var.storage.database_names), l)])
    error_message = "storage.database_names must have bronze, silver and gold entries."
  }
}

variable "notifications" {
  description = "Outputs of modules/notifications: success and failure topic ARNs and their KMS key."
  type = object({
    success_topic_arn = string
    failure_topic_arn = string
    kms_key_arn       = string
  })

  validation {
    condition     = alltrue([for a in [var.notifications.success_topic_arn, var.notifications.failure_topic_arn] : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", a))])
    error_message = "notifications.success_topic_arn and failure_topic_arn must be SNS topic ARNs."
  }
}

variable "lambdas" {
  description = "Built zips of the raw and bronze functions (path + filebase64sha256) and shared function settings."
  type = object({
    raw = object({
      filename         = string
      source_code_hash = string
      handler          = optional(string, "handler.handler")
    })
    bronze = object({
      filename         = string
      source_code_hash = string
      handler          = optional(string, "handler.handler")
    })
    runtime       = optional(string, "python3.12")
    architecture  = optional(string, "arm64")
    memory_size   = optional(number, 512)
    timeout       = optional(number, 120)
    reserved      = optional(number, -1)
    layer_enabled = optional(bool, true)
    layer_version = optional(string, "3.17.0")
    layer_arn     = optional(string)
  })

  validation {
    condition     = var.lambdas.reserved == -1 || (var.lambdas.reserved >= 1 && var.lambdas.reserved <= 1000 && floor(var.lambdas.reserved) == var.lambdas.reserved)
    error_message = "lambdas.reserved must be -1 (no reservation, the default: Lambda rejects reservations that leave an account fewer than 100 unreserved executions) or a whole number from 1 to 1000 (0 would disable the functions)."
  }
}

variable "glue_scripts" {
  description = "Built Glue artifacts: the silver and gold scripts and the shared package zip (tools/package.py -> dist/glue/). silver_hooks: a team's silver hook package (tools/package.py --hooks-dir -> dist/glue/silver_hooks.zip) and the module in it whose silver_transform(frame, dataset) the silver job runs; the package becomes the silver job's second --extra-py-files entry and module its --hooks_module. null: no hook."
  type = object({
    silver         = string
    gold           = string
    common_package = string
    silver_hooks = optional(object({
      package = string
      module  = string
    }))
  })

  validation {
    condition     = var.glue_scripts.silver_hooks == null || try(can(regex("\\.(zip|whl)$", var.glue_scripts.silver_hooks.package)) && basename(var.glue_scripts.silver_hooks.package) != basename(var.glue_scripts.common_package), false)
    error_message = "glue_scripts.silver_hooks.package must be a .zip or .whl (tools/package.py --hooks-dir builds glue/silver_hooks.zip) whose file name differs from common_package's (both are uploaded beside the script)."
  }
  validation {
    condition     = var.glue_scripts.silver_hooks == null || try(can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$", var.glue_scripts.silver_hooks.module)) && !contains(["lakehouse_common", "lakehouse_contracts"], split(".", var.glue_scripts.silver_hooks.module)[0]), false)
    error_message = "glue_scripts.silver_hooks.module must be an importable Python module name in the hooks package (for example music_hooks or team.hooks), not one of the shared package's (lakehouse_common, lakehouse_contracts)."
  }
}

variable "silver_job" {
  description = "Silver Python-shell job settings (1/16 DPU is plenty for a site of tens of thousands of rows a day) and extra arguments."
  type = object({
    max_capacity    = optional(number, 0.0625)
    timeout_minutes = optional(number, 15)
    arguments       = optional(map(string), {})
  })
  default = {}

  validation {
    condition     = var.glue_scripts.silver_hooks == null || !contains(keys(var.silver_job.arguments), "--hooks_module")
    error_message = "silver_job.arguments must not set --hooks_module when glue_scripts.silver_hooks is set (silver_hooks.module is the job's --hooks_module)."
  }
}

variable "gold_job" {
  description = "Gold Spark job settings: the smallest Spark cluster (2 x G.1X) on FLEX capacity by default."
  type = object({
    worker_type       = optional(string, "G.1X")
    number_of_workers = optional(number, 2)
    execution_class   = optional(string, "FLEX")
    timeout_minutes   = optional(number, 30)
    arguments         = optional(map(string), {})
  })
  default = {}
}

variable "data_quality" {
  description = <<-EOT
    Quality gate before silver is published. rules: per dataset, its DQDL rules, one rule expression
    each (for example `IsComplete "id"` or `ColumnValues "rating" between -1 and 6`); the module wraps
    them in `Rules = [ ... ]` as one ruleset per dataset, evaluated on that dataset's candidate table
    (candidate_<dataset>). Every gated dataset is evaluated on every run; one failed rule fails the
    workflow with one notification naming the dataset and the failed rule, and nothing is published
    (live silver and gold stay as they were). A rule `ReferentialIntegrity "<column>" "<dataset>.<column>"`
    is evaluated against that dataset's candidate of the same run (passed as the evaluation's additional
    data source `<dataset>`; the evaluation role may read it). A source contract feeds it with
    `{ for name, d in contract.datasets : name => d.quality if length(d.quality) > 0 }`.
    max_concurrency: evaluation runs at once (0: all).
  EOT
  type = object({
    rules             = map(list(string))
    number_of_workers = optional(number, 2)
    timeout_minutes   = optional(number, 15)
    max_concurrency   = optional(number, 0)
  })

  validation {
    condition     = length(var.data_quality.rules) > 0
    error_message = "data_quality.rules must gate at least one dataset (dataset => list of DQDL rules)."
  }
  validation {
    condition     = length(setsubtract(keys(var.data_quality.rules), var.datasets)) == 0
    error_message = "data_quality.rules: unknown dataset(s) ${join(", ", sort(setsubtract(keys(var.data_quality.rules), var.datasets)))}; keys must be entries of datasets (the silver job writes a candidate only for those)."
  }
  validation {
    condition     = alltrue([for d, rules in var.data_quality.rules : length(rules) > 0 && alltrue([for r in rules : trimspace(r) != "" && !can(regex("Rules\\s*=", r))])])
    error_message = "data_quality.rules: each dataset needs at least one rule, each a non-empty DQDL rule expression without \"Rules = [\" (the module adds it); offending dataset(s): ${join(", ", sort([for d, rules in var.data_quality.rules : d if !(length(rules) > 0 && alltrue([for r in rules : trimspace(r) != "" && !can(regex("Rules\\s*=", r))]))]))}."
  }
  # ReferentialIntegrity's "<dataset>.<column>" is evaluated against that dataset's candidate
  # table, which exists only for datasets of this pipeline.
  validation {
    condition = alltrue(flatten([
      for d, rules in var.data_quality.rules : [
        for rule in rules : [
          for match in regexall("^\\s*ReferentialIntegrity\\s+\"[^\"]*\"\\s+\"([a-z][a-z0-9_]*)\\.", rule) : contains(var.datasets, match[0])
        ]
      ]
    ]))
    error_message = "data_quality.rules: a ReferentialIntegrity rule names a reference \"<dataset>.<column>\" whose dataset is not among datasets (${join(", ", var.datasets)})."
  }
  validation {
    condition     = var.data_quality.number_of_workers >= 2 && var.data_quality.number_of_workers <= 100 && floor(var.data_quality.number_of_workers) == var.data_quality.number_of_workers
    error_message = "data_quality.number_of_workers must be a whole number from 2 to 100."
  }
  validation {
    condition     = var.data_quality.timeout_minutes >= 1 && var.data_quality.timeout_minutes <= 2880
    error_message = "data_quality.timeout_minutes must be from 1 to 2880."
  }
  validation {
    condition     = var.data_quality.max_concurrency >= 0 && floor(var.data_quality.max_concurrency) == var.data_quality.max_concurrency
    error_message = "data_quality.max_concurrency must be a whole number >= 0 (0: every gated dataset at once)."
  }
}

variable "crawlers" {
  description = <<-EOT
    Catalog upkeep. every_run: crawl that layer on every run (otherwise only when its tables are missing,
    or when the execution input says {"crawl": {"<layer>": true}}). bronze_recrawl_behavior: bronze gains a new
    ingest_date folder per run, so CRAWL_NEW_FOLDERS_ONLY keeps its crawls short.
  EOT
  type = object({
    every_run = optional(object({
      bronze = optional(bool, false)
      silver = optional(bool, false)
      gold   = optional(bool, false)
    }), {})
    bronze_recrawl_behavior = optional(string, "CRAWL_NEW_FOLDERS_ONLY")
  })
  default = {}

  validation {
    condition     = contains(["CRAWL_EVERYTHING", "CRAWL_NEW_FOLDERS_ONLY"], var.crawlers.bronze_recrawl_behavior)
    error_message = "crawlers.bronze_recrawl_behavior must be CRAWL_EVERYTHING or CRAWL_NEW_FOLDERS_ONLY."
  }
}

variable "workflow" {
  description = "Polling and retry settings of the workflow (tests shorten the waits to 1 s)."
  type = object({
    crawler_poll_seconds   = optional(number, 30)
    crawler_max_polls      = optional(number, 60)
    dq_poll_seconds        = optional(number, 30)
    dq_max_polls           = optional(number, 60)
    retry_interval_seconds = optional(number, 5)
    retry_max_attempts     = optional(number, 3)
    timeout_seconds        = optional(number, 10800)
  })
  default = {}

  validation {
    condition = alltrue([
      for v in [var.workflow.crawler_poll_seconds, var.workflow.dq_poll_seconds, var.workflow.retry_interval_seconds] :
      v >= 1 && v <= 3600 && floor(v) == v
    ])
    error_message = "workflow poll and retry intervals must be whole seconds from 1 to 3600."
  }
  validation {
    condition = alltrue([
      for v in [var.workflow.crawler_max_polls, var.workflow.dq_max_polls, var.workflow.retry_max_attempts] :
      v >= 1 && v <= 1000 && floor(v) == v
    ])
    error_message = "workflow max polls and retry attempts must be whole numbers from 1 to 1000."
  }
  validation {
    condition     = var.workflow.timeout_seconds >= 60 && var.workflow.timeout_seconds <= 86400
    error_message = "workflow.timeout_seconds must be from 60 to 86400 (a daily run must finish within a day)."
  }
}

variable "schedule" {
  description = "EventBridge Scheduler settings: cron(...) expression, IANA time zone, on/off, retries of the start call."
  type = object({
    expression             = optional(string, "cron(0 7 * * ? *)")
    timezone               = optional(string, "Europe/London")
    enabled                = optional(bool, true)
    maximum_retry_attempts = optional(number, 3)
    maximum_event_age      = optional(number, 3600)
  })
  default = {}

  validation {
    condition     = can(regex("^cron\\(([0-9*,/-]+) ([0-9*,/-]+) ([0-9*,/?LW-]+) ([0-9A-Za-z*,/-]+) ([0-9A-Za-z*,/?L#-]+)( [0-9*,/-]+)?\\)$", var.schedule.expression))
    error_message = "schedule.expression must be an EventBridge cron expression with six fields, e.g. \"cron(0 7 * * ? *)\" (minutes hours day-of-month month day-of-week year)."
  }
  validation {
    condition     = length(regexall("^cron\\(\\S+ \\S+ \\? ", var.schedule.expression)) + length(regexall("^cron\\(\\S+ \\S+ \\S+ \\S+ \\? ", var.schedule.expression)) == 1
    error_message = "schedule.expression must use \"?\" in exactly one of day-of-month and day-of-week (EventBridge's rule)."
  }
  validation {
    condition     = var.schedule.timezone == "UTC" || can(regex("^[A-Z][A-Za-z_]+(/[A-Z][A-Za-z0-9_+-]+){1,2}$", var.schedule.timezone))
    error_message = "schedule.timezone must be UTC or an IANA time zone such as Europe/London."
  }
  validation {
    condition     = var.schedule.maximum_retry_attempts >= 0 && var.schedule.maximum_retry_attempts <= 185 && var.schedule.maximum_event_age >= 60 && var.schedule.maximum_event_age <= 86400
    error_message = "schedule.maximum_retry_attempts must be 0-185 and schedule.maximum_event_age 60-86400 seconds (Scheduler's limits)."
  }
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
  description = "Let destroy empty the artifacts bucket (throwaway environments only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
