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

variable "component" {
  description = "Optional third part of the names, after \"<namespace>-<environment>\" (e.g. \"guard\" for a module's own topics); null: none."
  type        = string
  default     = null

  validation {
    condition     = var.component == null || try(length(var.component) <= 16 && can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.component)), false)
    error_message = "component must be null or 1-16 lowercase letters and digits, starting with a letter, single hyphens inside."
  }
}

variable "success_emails" {
  description = "E-mail addresses subscribed to the success topic (each must confirm the subscription e-mail AWS sends)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.success_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$", e))])
    error_message = "success_emails must contain only e-mail addresses of the form name@domain.tld."
  }
}

variable "failure_emails" {
  description = "E-mail addresses subscribed to the failure topic (alarms, failed executions, dead letters)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.failure_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$", e))])
    error_message = "failure_emails must contain only e-mail addresses of the form name@domain.tld."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the topics' KMS key is deleted after a destroy (AWS allows 7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "kms_deletion_window_days must be a whole number from 7 to 30 (the range AWS KMS allows)."
  }
}

variable "encryption" {
  description = "\"customer-managed\": one KMS key (USD 1 a month) encrypts both topics. \"aws-managed\": no key of our own; the success topic uses the AWS-managed aws/sns key, the failure topic is not encrypted, because CloudWatch alarms cannot publish to a topic encrypted with aws/sns (its key policy cannot admit cloudwatch.amazonaws.com)."
  type        = string
  default     = "customer-managed"

  validation {
    condition     = contains(["customer-managed", "aws-managed"], var.encryption)
    error_message = "encryption must be \"customer-managed\" or \"aws-managed\"."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
