variable "name" {
  description = "Function name; also names what the module creates with it (its role adds \"-role\" within IAM's 64 characters). Build it as \"<namespace>-<environment>-<what>\". Lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit; at most 59 characters here."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]*[a-z0-9]$", var.name))
    error_message = "name must be lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit (e.g. \"music-lib-local-raw-wordpress_api\")."
  }
  validation {
    condition     = length(var.name) <= 59
    error_message = "name must be at most 59 characters here (its role adds \"-role\" within IAM's 64 characters); got ${length(var.name)}."
  }
}

variable "description" {
  description = "What the function does (shown in the console)."
  type        = string
  default     = ""
}

variable "filename" {
  description = "Path to the built deployment zip (tools/package.py builds dist/lambda/<name>.zip)."
  type        = string

  validation {
    condition     = can(regex("\\.zip$", var.filename))
    error_message = "filename must be the path of a .zip file."
  }
}

variable "source_code_hash" {
  description = "Base64 SHA-256 of the zip (filebase64sha256(filename)); a change redeploys the code."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.source_code_hash))
    error_message = "source_code_hash must be a base64-encoded SHA-256 (44 characters), as filebase64sha256() returns."
  }
}

variable "handler" {
  description = "Module.function entry point inside the zip."
  type        = string
  default     = "handler.handler"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.]+\\.[A-Za-z0-9_]+$", var.handler))
    error_message = "handler must look like \"module.function\" (for example \"handler.handler\")."
  }
}

variable "runtime" {
  description = "Python runtime; the AWS SDK for pandas layer is resolved for the same Python version."
  type        = string
  default     = "python3.12"

  validation {
    condition     = contains(["python3.10", "python3.11", "python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be one of python3.10, python3.11, python3.12, python3.13."
  }
}

variable "architecture" {
  description = "Instruction set; arm64 is about 20% cheaper per GB-second than x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "memory_size" {
  description = "Memory in MB (CPU scales with it)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds."
  type        = number
  default     = 120

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "aws_sdk_pandas_layer" {
  description = <<-EOT
    The AWS-managed "AWS SDK for pandas" layer, pinned to release 3.17.0 (the release whose contents
    the local emulator reproduces). enabled = false deploys without it. arn = null resolves the ARN
    from the public SSM parameter /aws/service/aws-sdk-pandas/<version>/py<X.Y>/<architecture>/layer-arn;
    set arn where that parameter does not exist (some regions).
  EOT
  type = object({
    enabled = optional(bool, true)
    version = optional(string, "3.17.0")
    arn     = optional(string)
  })
  default = {}

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.aws_sdk_pandas_layer.version))
    error_message = "aws_sdk_pandas_layer.version must be a release number such as \"3.17.0\"."
  }
  validation {
    condition     = var.aws_sdk_pandas_layer.arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", var.aws_sdk_pandas_layer.arn))
    error_message = "aws_sdk_pandas_layer.arn must be a Lambda layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "environment_variables" {
  description = "Environment variables (bucket names, prefixes, topic ARNs, parameter names)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k)) && !startswith(k, "AWS_")])
    error_message = "environment_variables keys must start with a letter, use letters, digits and underscores, and not start with AWS_ (reserved by Lambda)."
  }
}

variable "policy_statements" {
  description = "Least-privilege statements the code needs (the module adds only writing to its own log group)."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid))])
    error_message = "Each policy statement sid must be alphanumeric (IAM's rule)."
  }
  validation {
    condition     = alltrue(flatten([for s in var.policy_statements : [for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))]]))
    error_message = "policy_statements actions must be explicit \"service:Action\" names; wildcards are not allowed."
  }
  validation {
    condition     = alltrue([for s in var.policy_statements : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Each policy statement needs at least one action and one resource."
  }
}

variable "log_retention_days" {
  description = "Retention of /aws/lambda/<name>."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for (and capping) the function. -1 (default) reserves none: Lambda refuses any reservation that leaves the account fewer than 100 unreserved executions, which new accounts (quota 10) always hit. Set 1 to cap a daily pipeline's function where the quota allows."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions == -1 || (var.reserved_concurrent_executions >= 1 && var.reserved_concurrent_executions <= 1000 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions)
    error_message = "reserved_concurrent_executions must be -1 (no reservation) or a whole number from 1 to 1000 (0 would disable the function)."
  }
}

variable "failure_topic_arn" {
  description = "SNS topic that receives the Errors alarm."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.failure_topic_arn))
    error_message = "failure_topic_arn must be an SNS topic ARN."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the log group and the environment variables at rest (its policy must let CloudWatch Logs use it); null uses AWS-owned keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing: Active samples invocations (first 100k traces/month free), PassThrough only honours an upstream decision."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "tags" {
  description = "Tags for every resource (provider default_tags add project/env/owner/cost-centre)."
  type        = map(string)
  default     = {}
}
