variable "name" {
  description = "Job name; also names what the module creates with it (its role adds \"-glue\" and its security configuration \"-job\", and the log paths join both). Build it as \"<namespace>-<environment>-<what>\". Lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit; at most 50 characters here."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]*[a-z0-9]$", var.name))
    error_message = "name must be lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit (e.g. \"music-lib-local-raw-wordpress_api\")."
  }
  validation {
    condition     = length(var.name) <= 50
    error_message = "name must be at most 50 characters here (its role adds \"-glue\" and its security configuration \"-job\", and the log paths join both); got ${length(var.name)}."
  }
}

variable "description" {
  description = "What the job does."
  type        = string
  default     = ""
}

variable "job_type" {
  description = "pythonshell (pandas, 1/16 or 1 DPU) or glueetl (Spark)."
  type        = string

  validation {
    condition     = contains(["pythonshell", "glueetl"], var.job_type)
    error_message = "job_type must be \"pythonshell\" or \"glueetl\" (streaming and Ray jobs are not supported by this module)."
  }
}

variable "glue_version" {
  description = "Glue version; null picks 3.0 for pythonshell (Python 3.9) and 5.0 for glueetl (Spark 3.5, Python 3.11)."
  type        = string
  default     = null

  validation {
    condition     = var.glue_version == null || contains(["3.0", "4.0", "5.0"], coalesce(var.glue_version, "5.0"))
    error_message = "glue_version must be null, \"3.0\", \"4.0\" or \"5.0\"."
  }
  validation {
    condition     = !(var.job_type == "pythonshell" && var.glue_version != null && var.glue_version != "3.0")
    error_message = "glue_version for a pythonshell job must be \"3.0\" (the Python 3.9 shell) or null."
  }
}

variable "script_path" {
  description = "Local path of the job script (tools/package.py builds dist/glue/<script>.py)."
  type        = string

  validation {
    condition     = can(regex("\\.py$", var.script_path))
    error_message = "script_path must be the path of a .py file."
  }
}

variable "extra_py_files" {
  description = "Local paths of packages the job imports (.zip, .whl or .py), uploaded beside the script and passed as --extra-py-files."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for f in var.extra_py_files : can(regex("\\.(zip|whl|py|egg)$", f))])
    error_message = "extra_py_files entries must be .zip, .whl, .egg or .py files."
  }
}

variable "artifacts" {
  description = "Where the script and packages are uploaded: bucket name, bucket ARN, key prefix (ending in \"/\"), and the bucket's KMS key ARN (null for SSE-S3)."
  type = object({
    bucket_name = string
    bucket_arn  = string
    prefix      = string
    kms_key_arn = optional(string)
  })

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}$", var.artifacts.bucket_arn)) && endswith(var.artifacts.bucket_arn, ":${var.artifacts.bucket_name}")
    error_message = "artifacts.bucket_arn must be the ARN of artifacts.bucket_name (arn:aws:s3:::<bucket>)."
  }
  validation {
    condition     = can(regex("^([A-Za-z0-9_.=-]+/)+$", var.artifacts.prefix))
    error_message = "artifacts.prefix must be a key prefix such as \"glue/\": path segments each ending in \"/\", no leading \"/\"."
  }
}

variable "job_arguments" {
  description = "Job arguments (\"--name\" = value): bucket names, source, datasets, topic ARNs. They override module defaults of the same name."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.job_arguments) : can(regex("^--[A-Za-z0-9_-]+$", k)) || k == "library-set"])
    error_message = "job_arguments keys must look like \"--name\" (letters, digits, _ and -), or be \"library-set\"."
  }
}

variable "capacity" {
  description = <<-EOT
    pythonshell: max_capacity 0.0625 or 1 DPU, no workers. glueetl: worker_type (G.1X, G.2X, G.4X, G.8X)
    and number_of_workers (2 or more), no max_capacity.
  EOT
  type = object({
    max_capacity      = optional(number)
    worker_type       = optional(string)
    number_of_workers = optional(number)
  })

  validation {
    condition     = var.job_type != "pythonshell" || (contains([0.0625, 1], coalesce(var.capacity.max_capacity, -1)) && var.capacity.worker_type == null && var.capacity.number_of_workers == null)
    error_message = "capacity for a pythonshell job must set max_capacity to 0.0625 or 1 and leave worker_type and number_of_workers unset."
  }
  validation {
    condition     = var.job_type != "glueetl" || (contains(["G.1X", "G.2X", "G.4X", "G.8X"], coalesce(var.capacity.worker_type, "none")) && coalesce(var.capacity.number_of_workers, 0) >= 2 && floor(coalesce(var.capacity.number_of_workers, 0)) == coalesce(var.capacity.number_of_workers, 0) && var.capacity.max_capacity == null)
    error_message = "capacity for a glueetl job must set worker_type (G.1X, G.2X, G.4X or G.8X) and a whole number_of_workers of at least 2, and leave max_capacity unset."
  }
}

variable "execution_class" {
  description = "STANDARD, or FLEX (glueetl only: spare capacity, about 34% cheaper, may start later). Always set explicitly."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "FLEX"], var.execution_class)
    error_message = "execution_class must be STANDARD or FLEX."
  }
  validation {
    condition     = !(var.job_type == "pythonshell" && var.execution_class == "FLEX")
    error_message = "execution_class FLEX is only available to glueetl jobs; pythonshell jobs must use STANDARD."
  }
}

variable "timeout_minutes" {
  description = "Run timeout in minutes (Glue's limit is 2880 = 48 h)."
  type        = number
  default     = 30

  validation {
    condition     = var.timeout_minutes >= 1 && var.timeout_minutes <= 2880 && floor(var.timeout_minutes) == var.timeout_minutes
    error_message = "timeout_minutes must be a whole number from 1 to 2880."
  }
}

variable "max_retries" {
  description = "Glue-level retries of a failed run (0 when an orchestrator owns retries)."
  type        = number
  default     = 0

  validation {
    condition     = var.max_retries >= 0 && var.max_retries <= 10 && floor(var.max_retries) == var.max_retries
    error_message = "max_retries must be a whole number from 0 to 10."
  }
}

variable "job_bookmarks" {
  description = "Enable job bookmarks (glueetl only; Python shell jobs do not support them)."
  type        = bool
  default     = false

  validation {
    condition     = !(var.job_type == "pythonshell" && var.job_bookmarks)
    error_message = "job_bookmarks cannot be enabled for a pythonshell job (Glue supports bookmarks for glueetl only)."
  }
}

variable "data_access" {
  description = "S3 prefixes the job reads and writes (bucket ARN + key prefix ending in \"/\"), and KMS keys of those buckets."
  type = object({
    read = optional(list(object({
      bucket_arn = string
      prefix     = string
    })), [])
    write = optional(list(object({
      bucket_arn = string
      prefix     = string
    })), [])
    kms_key_arns = optional(list(string), [])
  })
  default = {}

  validation {
    condition = alltrue([
      for p in concat(var.data_access.read, var.data_access.write) :
      can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}$", p.bucket_arn)) && can(regex("^([A-Za-z0-9_.=-]+/)+$", p.prefix))
    ])
    error_message = "data_access read/write entries need an S3 bucket ARN and a prefix such as \"wordpress_api/\" (segments ending in \"/\", no leading \"/\")."
  }
}

variable "policy_statements" {
  description = "Further least-privilege statements (for example sns:Publish to the failure topic, catalog tables)."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid)) && length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Each policy statement needs an alphanumeric sid, at least one action and one resource."
  }
  validation {
    condition     = alltrue(flatten([for s in var.policy_statements : [for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))]]))
    error_message = "policy_statements actions must be explicit \"service:Action\" names; wildcards are not allowed."
  }
}

variable "kms_key_arn" {
  description = "KMS key of the job's security configuration for S3 writes and bookmarks (the data key)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "logs_kms_key_arn" {
  description = "KMS key for the job's CloudWatch logs; its key policy must let CloudWatch Logs use it (the notifications key does)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "log_retention_days" {
  description = "Retention of the job's log groups (glueetl: <prefix>/output and <prefix>/error on Glue 5.0)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
