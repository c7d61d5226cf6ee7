variable "name" {
  description = "Role name; start it with \"<namespace>-<environment>\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits and + = , . @ _ - (IAM's rule)."
  }
}

variable "service" {
  description = "The AWS service that assumes the role, e.g. \"glue.amazonaws.com\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", var.service))
    error_message = "service must be a service principal such as glue.amazonaws.com or states.amazonaws.com."
  }
}

variable "source_arn_like" {
  description = "Optional ARN pattern of the resource allowed to use the role (aws:SourceArn), on top of this account (aws:SourceAccount)."
  type        = string
  default     = null
}

variable "policy_name" {
  description = "Name of the inline policy."
  type        = string
  default     = "least-privilege"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,128}$", var.policy_name))
    error_message = "policy_name must be 1-128 characters of letters, digits and + = , . @ _ -."
  }
}

variable "policy_json" {
  description = "The inline policy (jsonencode of {Version, Statement}): exactly what the service does with the role."
  type        = string

  validation {
    condition     = can(jsondecode(var.policy_json).Statement)
    error_message = "policy_json must be a JSON policy document with a Statement list."
  }
  validation {
    condition     = alltrue(flatten([for s in try(jsondecode(var.policy_json).Statement, []) : [for a in flatten([s.Action]) : !strcontains(a, "*")]]))
    error_message = "policy_json must list explicit actions: wildcards such as \"*\" or \"glue:*\" are not allowed."
  }
}

variable "tags" {
  description = "Tags added to the role (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
