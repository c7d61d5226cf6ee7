variable "name" {
  description = "State machine name; also names what the module creates with it (its role adds \"-sfn\" within IAM's 64 characters). Build it as \"<namespace>-<environment>-<what>\". Lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit; at most 60 characters here."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]*[a-z0-9]$", var.name))
    error_message = "name must be lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit (e.g. \"music-lib-local-raw-wordpress_api\")."
  }
  validation {
    condition     = length(var.name) <= 60
    error_message = "name must be at most 60 characters here (its role adds \"-sfn\" within IAM's 64 characters); got ${length(var.name)}."
  }
}

variable "definition_file" {
  description = "Path to the Amazon States Language file (*.asl.json, kept in the calling module), valid JSON whose placeholders are rendered from definition_vars."
  type        = string

  validation {
    condition     = can(regex("\\.asl\\.json$", var.definition_file)) && fileexists(var.definition_file)
    error_message = "definition_file must be an existing file whose name ends in .asl.json."
  }
}

variable "definition_vars" {
  description = "Values for the definition's placeholders, as an object: a placeholder that is a whole JSON string (\"$${name}\") takes the value's JSON (number, bool, list, object or string); one inside a longer string takes its text."
  type        = any
  default     = {}

  validation {
    condition     = can(keys(var.definition_vars))
    error_message = "definition_vars must be an object or map of placeholder name to value."
  }
}

variable "publish_via_event_bus" {
  description = "Send each top-level SNS publish of the definition as an EventBridge event on this region's default bus instead (detail = the publish's arguments), for a region whose notifications a relay elsewhere publishes. null publishes directly."
  type = object({
    source      = string
    detail_type = string
  })
  default = null

  validation {
    condition     = var.publish_via_event_bus == null || try(length(var.publish_via_event_bus.source) > 0 && !startswith(var.publish_via_event_bus.source, "aws."), false)
    error_message = "publish_via_event_bus.source must be a non-empty custom source (sources starting with \"aws.\" are reserved for AWS services)."
  }
}

variable "policy_statements" {
  description = "Least-privilege statements for the execution role: exactly the calls the definition makes, on exactly their ARNs."
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

  validation {
    condition     = alltrue([for s in var.policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid))])
    error_message = "Each policy statement sid must be alphanumeric (IAM's rule)."
  }
  validation {
    condition     = alltrue(flatten([for s in var.policy_statements : [for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))]]))
    error_message = "Actions must be explicit \"service:Action\" names; wildcards such as \"*\" or \"glue:*\" are not allowed."
  }
  validation {
    condition     = alltrue([for s in var.policy_statements : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Each policy statement needs at least one action and one resource."
  }
}

variable "log_retention_days" {
  description = "Retention of the execution log group /aws/vendedlogs/states/<name>."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_level" {
  description = "Execution logging level (ERROR keeps cost low and still records every failure with its data)."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be ALL, ERROR or FATAL (OFF is not allowed: failures must be logged)."
  }
}

variable "failure_topic_arn" {
  description = "SNS topic in this region that receives the ExecutionsFailed/TimedOut/Aborted alarms; null: alarms without actions (CloudWatch alarm actions must be in the alarm's region; their state changes still reach EventBridge)."
  type        = string

  validation {
    condition     = var.failure_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.failure_topic_arn))
    error_message = "failure_topic_arn must be null or an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the log group and the state machine's data (its policy must allow CloudWatch Logs); null uses AWS-owned keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "tracing_enabled" {
  description = "Send X-Ray traces (a few cents per million; useful to see where a run spends time)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "execution_alarms" {
  description = "Create the ExecutionsFailed/TimedOut/Aborted alarms (USD 0.10 a month each). false: the caller alarms on this state machine's metrics itself (e.g. one metric-math alarm for several machines)."
  type        = bool
  default     = true
}
