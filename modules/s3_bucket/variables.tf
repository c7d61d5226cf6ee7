variable "bucket_name" {
  description = "Globally unique bucket name. 3-63 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit (dots are refused: they break TLS on virtual-hosted URLs)."
  type        = string

  validation {
    condition     = length(var.bucket_name) >= 3 && length(var.bucket_name) <= 63
    error_message = "bucket_name: must be 3-63 characters long (got ${length(var.bucket_name)})."
  }

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name: only lowercase letters, digits and hyphens are allowed, and it must start and end with a letter or digit."
  }

  validation {
    # S3 reserves these prefixes/suffixes for access points and Object Lambda aliases.
    condition     = !startswith(var.bucket_name, "xn--") && !startswith(var.bucket_name, "sthree-") && !endswith(var.bucket_name, "-s3alias") && !endswith(var.bucket_name, "--ol-s3")
    error_message = "bucket_name: must not start with \"xn--\" or \"sthree-\" nor end with \"-s3alias\" or \"--ol-s3\" (reserved by S3)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for SSE-KMS (with an S3 bucket key). null selects SSE-S3 (AES256), which S3 server access logging requires of its target bucket."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.kms_key_arn))
    error_message = "kms_key_arn: must be null or a KMS key/alias ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "access_log_bucket" {
  description = "Where S3 server access logs for this bucket go: the target bucket name and a key prefix. null turns logging off (only for the access-log bucket itself)."
  type = object({
    bucket = string
    prefix = string
  })
  default = null

  validation {
    condition     = var.access_log_bucket == null ? true : can(regex("^[a-z0-9][a-z0-9-]*[a-z0-9]$", var.access_log_bucket.bucket))
    error_message = "access_log_bucket.bucket: must be a bucket name (lowercase letters, digits, hyphens)."
  }

  validation {
    condition     = var.access_log_bucket == null ? true : (var.access_log_bucket.prefix == "" || endswith(var.access_log_bucket.prefix, "/"))
    error_message = "access_log_bucket.prefix: must be empty or end with \"/\" so log keys do not run into each other."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a bucket that still holds objects. Keep false except for throwaway environments (the local emulator env sets it)."
  type        = bool
  default     = false
}

variable "policy_statements" {
  description = "Extra bucket-policy statements, merged after the module's deny-non-TLS statement. Resources must be this bucket's ARN or objects in it."
  type = list(object({
    sid       = string
    effect    = string
    actions   = list(string)
    resources = list(string)
    principals = list(object({
      type        = string
      identifiers = list(string)
    }))
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : contains(["Allow", "Deny"], s.effect)])
    error_message = "policy_statements[*].effect: must be \"Allow\" or \"Deny\"."
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid)) && s.sid != "DenyInsecureTransport"])
    error_message = "policy_statements[*].sid: must be alphanumeric and not \"DenyInsecureTransport\" (the module's own statement)."
  }

  validation {
    condition     = length(distinct([for s in var.policy_statements : s.sid])) == length(var.policy_statements)
    error_message = "policy_statements[*].sid: every sid must be unique."
  }

  validation {
    # Least privilege: an Allow never grants every S3 action.
    condition     = alltrue([for s in var.policy_statements : s.effect == "Deny" || alltrue([for a in s.actions : a != "*" && a != "s3:*"])])
    error_message = "policy_statements[*].actions: an Allow statement must list actions; \"*\" and \"s3:*\" are refused."
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : alltrue([for p in s.principals : contains(["AWS", "Service", "Federated", "CanonicalUser", "*"], p.type)])])
    error_message = "policy_statements[*].principals[*].type: must be one of AWS, Service, Federated, CanonicalUser, *."
  }

  validation {
    condition = alltrue([for s in var.policy_statements :
      length(distinct([for p in s.principals : p.type])) == length(s.principals) &&
      (!contains([for p in s.principals : p.type], "*") || length(s.principals) == 1)
    ])
    error_message = "policy_statements[*].principals: one entry per type (list several identifiers in it); type \"*\" must be the only principal."
  }
}

# Storage-class rules below follow the Amazon S3 User Guide, "Transitioning objects using Amazon S3
# Lifecycle" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html)
# and the API reference for Transition
# (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html):
#   - waterfall: STANDARD_IA -> INTELLIGENT_TIERING -> ONEZONE_IA -> GLACIER_IR -> GLACIER -> DEEP_ARCHIVE,
#     never backwards, and ONEZONE_IA cannot go to GLACIER_IR;
#   - STANDARD_IA / ONEZONE_IA: objects must be at least 30 days old (30 days noncurrent) first;
#   - an object must stay 30 days in STANDARD_IA / ONEZONE_IA before the next transition;
#   - GLACIER_IR / GLACIER (90 days) and DEEP_ARCHIVE (180 days) accept any day but bill a minimum
#     storage duration (not an error, so not validated here; the lakehouse_storage defaults respect it);
#   - expiration must come after the last transition.
variable "lifecycle_rules" {
  description = "Caller lifecycle rules. Each rule: id, prefix filter (\"\" = whole bucket), transitions in ascending day order, optional expiration and noncurrent-version actions. At least one action per rule."
  type = list(object({
    id      = string
    prefix  = optional(string, "")
    enabled = optional(bool, true)
    transitions = optional(list(object({
      days          = number
      storage_class = string
    })), [])
    expiration_days = optional(number)
    noncurrent_transitions = optional(list(object({
      days          = number
      storage_class = string
    })), [])
    noncurrent_expiration_days = optional(number)
  }))
  default = []

  validation {
    condition     = alltrue([for r in var.lifecycle_rules : can(regex("^[A-Za-z0-9._-]{1,200}$", r.id))])
    error_message = "lifecycle_rules[*].id: 1-200 characters of letters, digits, '.', '_' or '-'."
  }

  validation {
    condition     = length(distinct([for r in var.lifecycle_rules : r.id])) == length(var.lifecycle_rules)
    error_message = "lifecycle_rules[*].id: ids must be unique (and must not reuse the module's own rule ids: abort-incomplete-and-noncurrent, spark-staging-*)."
  }

  validation {
    condition     = alltrue([for r in var.lifecycle_rules : r.id != "abort-incomplete-and-noncurrent" && !startswith(r.id, "spark-staging-")])
    error_message = "lifecycle_rules[*].id: \"abort-incomplete-and-noncurrent\" and \"spark-staging-*\" are reserved for the module's own rules."
  }

  validation {
    condition = alltrue([for r in var.lifecycle_rules :
      length(r.transitions) + length(r.noncurrent_transitions) > 0 || r.expiration_days != null || r.noncurrent_expiration_days != null
    ])
    error_message = "lifecycle_rules: every rule needs at least one action (transitions, expiration_days, noncurrent_transitions or noncurrent_expiration_days); rules without one: ${join(", ", [for r in var.lifecycle_rules : r.id if length(r.transitions) + length(r.noncurrent_transitions) == 0 && r.expiration_days == null && r.noncurrent_expiration_days == null])}."
  }

  validation {
    condition = alltrue(flatten([for r in var.lifecycle_rules : [
      [for t in concat(r.transitions, r.noncurrent_transitions) : t.days >= 0 && floor(t.days) == t.days],
      r.expiration_days == null ? true : r.expiration_days >= 1 && floor(r.expiration_days) == r.expiration_days,
      r.noncurrent_expiration_days == null ? true : r.noncurrent_expiration_days >= 1 && floor(r.noncurrent_expiration_days) == r.noncurrent_expiration_days,
    ]]))
    error_message = "lifecycle_rules: days must be whole numbers; transition days >= 0, expiration_days and noncurrent_expiration_days >= 1 (negative days are refused)."
  }

  validation {
    condition = alltrue(flatten([for r in var.lifecycle_rules : [
      for t in concat(r.transitions, r.noncurrent_transitions) : contains(["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], t.storage_class)
    ]]))
    error_message = "lifecycle_rules[*].transitions[*].storage_class: must be one of STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }

  validation {
    condition = alltrue(flatten([for r in var.lifecycle_rules : [
      for t in concat(r.transitions, r.noncurrent_transitions) : t.days >= 30 if contains(["STANDARD_IA", "ONEZONE_IA"], t.storage_class)
    ]]))
    error_message = "lifecycle_rules: a transition to STANDARD_IA or ONEZONE_IA needs days >= 30 (S3 keeps objects 30 days in their current class first); offending rules: ${join(", ", [for r in var.lifecycle_rules : r.id if anytrue([for t in concat(r.transitions, r.noncurrent_transitions) : contains(["STANDARD_IA", "ONEZONE_IA"], t.storage_class) && t.days < 30])])}."
  }

  validation {
    # Transitions listed in ascending order, each to a class further down the S3 waterfall.
    condition = alltrue(flatten([for r in var.lifecycle_rules : [
      for ts in [r.transitions, r.noncurrent_transitions] : [
        for i in range(1, max(1, length(ts))) :
        ts[i].days > ts[i - 1].days &&
        index(["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], ts[i].storage_class) >
        index(["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], ts[i - 1].storage_class) &&
        !(ts[i - 1].storage_class == "ONEZONE_IA" && ts[i].storage_class == "GLACIER_IR")
      ] if alltrue([for t in ts : contains(["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], t.storage_class)])
    ]]))
    error_message = "lifecycle_rules[*].transitions: list transitions with increasing days along the S3 waterfall STANDARD_IA < INTELLIGENT_TIERING < ONEZONE_IA < GLACIER_IR < GLACIER < DEEP_ARCHIVE (ONEZONE_IA cannot go to GLACIER_IR); an archive class cannot come before infrequent access."
  }

  validation {
    condition = alltrue(flatten([for r in var.lifecycle_rules : [
      for ts in [r.transitions, r.noncurrent_transitions] : [
        for i in range(1, max(1, length(ts))) : ts[i].days - ts[i - 1].days >= 30 if contains(["STANDARD_IA", "ONEZONE_IA"], ts[i - 1].storage_class)
      ]
    ]]))
    error_message = "lifecycle_rules[*].transitions: the transition after STANDARD_IA or ONEZONE_IA must be at least 30 days later (S3 keeps objects 30 days in an IA class)."
  }

  validation {
    condition = alltrue([for r in var.lifecycle_rules :
      (r.expiration_days == null ? true : r.expiration_days > max(concat([-1], [for t in r.transitions : t.days])...)) &&
      (r.noncurrent_expiration_days == null ? true : r.noncurrent_expiration_days > max(concat([-1], [for t in r.noncurrent_transitions : t.days])...))
    ])
    error_message = "lifecycle_rules: expiration_days (noncurrent_expiration_days) must be greater than the last transition's days."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Always-on rule: permanently delete noncurrent object versions this many days after they become noncurrent (versioning is on, so overwrites and deletes would otherwise keep costing)."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days: a whole number >= 1."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Always-on rule: abort multipart uploads still incomplete after this many days (their parts are billed but invisible)."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "abort_incomplete_multipart_upload_days: a whole number >= 1."
  }
}

variable "spark_staging_cleanup" {
  description = <<-EOT
    Expire Spark's temporary `.spark-staging*` objects after 1 day (current and noncurrent). Spark writes
    them under the *root of each write target* (e.g. `<source>/<dataset>/.spark-staging-<job>/`), and S3
    lifecycle filters only match a key prefix, tags or object size (no wildcards or suffixes), so one rule
    per write target is needed. `dataset_prefixes` lists those targets (each ending in "/"); the bucket-root
    rule from the testable-Glue-jobs guide (prefix ".spark-staging") is always included when enabled.
  EOT
  type = object({
    enabled          = optional(bool, true)
    dataset_prefixes = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for p in var.spark_staging_cleanup.dataset_prefixes : endswith(p, "/") && !startswith(p, "/") && length(p) <= 200])
    error_message = "spark_staging_cleanup.dataset_prefixes: each prefix must end with \"/\", not start with \"/\", at most 200 characters (e.g. \"wordpress_api/statistics_postname/\")."
  }

  validation {
    condition     = length(distinct(var.spark_staging_cleanup.dataset_prefixes)) == length(var.spark_staging_cleanup.dataset_prefixes)
    error_message = "spark_staging_cleanup.dataset_prefixes: prefixes must be unique."
  }
}

variable "tags" {
  description = "Tags for the bucket, on top of the provider's default_tags."
  type        = map(string)
  default     = {}
}
