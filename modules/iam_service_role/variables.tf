variable "name" {
  description = "Role name; also names what the module creates with it (IAM's role-name limit). Build it as \"<namespace>-<environment>-<what>\". Lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit; at most 64 characters here."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]*[a-z0-9]$", var.name))
    error_message = "name must be lowercase letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit (e.g. \"music-lib-local-raw-wordpress_api\")."
  }
  validation {
    condition     = length(var.name) <= 64
    error_message = "name must be at most 64 characters here (IAM's role-name limit); got ${length(var.name)}."
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
