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

variable "lifetime_seconds" {
  description = "Maximum lifetime of an interactive session, counted from its creation. The local env uses a few seconds so tests are fast."
  type        = number
  default     = 3600

  validation {
    condition     = var.lifetime_seconds >= 1 && var.lifetime_seconds <= 604800 && floor(var.lifetime_seconds) == var.lifetime_seconds
    error_message = "lifetime_seconds must be a whole number of seconds from 1 to 604800 (7 days)."
  }
}

variable "stop_policy" {
  description = "When a session within its boundaries is stopped: \"lifetime\" at createdOn + lifetime_seconds, even mid-statement; \"idle\" once no statement has run for idle_minutes (never while one is WAITING/RUNNING), and in any case at max_lifetime_seconds."
  type        = string
  default     = "lifetime"

  validation {
    condition     = contains(["lifetime", "idle"], var.stop_policy)
    error_message = "stop_policy must be \"lifetime\" or \"idle\"."
  }
}

variable "idle_minutes" {
  description = "stop_policy = \"idle\": minutes without a statement after which a session is stopped (choose it below the sessions' own Glue idle timeout, 2880 min by default, or Glue stops them first)."
  type        = number
  default     = 30

  validation {
    condition     = var.idle_minutes >= 1 && var.idle_minutes <= 2880 && floor(var.idle_minutes) == var.idle_minutes
    error_message = "idle_minutes must be a whole number of minutes from 1 to 2880."
  }
}

variable "max_lifetime_seconds" {
  description = "stop_policy = \"idle\": hard cap on a session's life, busy or not (a statement that never ends is stopped here). At least idle_minutes, and at most 1000 idle windows (each look costs state transitions and execution-history events)."
  type        = number
  default     = 43200

  validation {
    condition     = var.max_lifetime_seconds >= 60 && var.max_lifetime_seconds <= 604800 && floor(var.max_lifetime_seconds) == var.max_lifetime_seconds
    error_message = "max_lifetime_seconds must be a whole number of seconds from 60 to 604800 (7 days)."
  }
  validation {
    condition     = var.max_lifetime_seconds >= var.idle_minutes * 60 && var.max_lifetime_seconds <= var.idle_minutes * 60 * 1000
    error_message = "max_lifetime_seconds must be between idle_minutes x 60 and idle_minutes x 60 x 1000 (one execution looks at most 1000 times, within Step Functions' 25,000-event history)."
  }
}

variable "poll_interval_seconds" {
  description = "Longest wait between GetSession polls while a session is still PROVISIONING (polls back off 2, 4, 8 ... s up to this)."
  type        = number
  default     = 10

  validation {
    condition     = var.poll_interval_seconds >= 1 && var.poll_interval_seconds <= 300 && floor(var.poll_interval_seconds) == var.poll_interval_seconds
    error_message = "poll_interval_seconds must be a whole number from 1 to 300."
  }
}

variable "max_polls" {
  description = "Upper bound on GetSession polls per execution; reaching it notifies the failure topic and fails the execution."
  type        = number
  default     = 40

  validation {
    condition     = var.max_polls >= 1 && var.max_polls <= 500 && floor(var.max_polls) == var.max_polls
    error_message = "max_polls must be a whole number from 1 to 500."
  }
}

variable "dry_run" {
  description = "Notify what would have been done and stop nothing (use it for the first week in a new account)."
  type        = bool
  default     = false
}

variable "exempt_tag" {
  description = "Sessions carrying this tag key with this value are left alone (null: no exemption)."
  type = object({
    key   = string
    value = string
  })
  default = null

  validation {
    condition     = var.exempt_tag == null || (length(try(var.exempt_tag.key, "")) >= 1 && length(try(var.exempt_tag.key, "")) <= 128 && length(try(var.exempt_tag.value, "")) <= 256 && !can(regex("[\"\\\\]", "${try(var.exempt_tag.key, "")}${try(var.exempt_tag.value, "")}")))
    error_message = "exempt_tag.key must be 1-128 characters and exempt_tag.value at most 256 (AWS tag limits), without double quotes or backslashes."
  }
}

variable "owner_tag_key" {
  description = "Tag whose value names a session's owner in notifications (falls back to the creating principal). Also the tag the prevention policy requires."
  type        = string
  default     = "owner"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.:/=+@-]{1,128}$", var.owner_tag_key))
    error_message = "owner_tag_key must be 1-128 characters of letters, digits and _ . : / = + @ -."
  }
}

variable "boundaries" {
  description = "Limits checked at creation; a session breaking one is stopped at once with the reason. Omit a field for no limit. Unset session fields count as Glue's defaults (5 x G.1X, idle timeout 2880 min)."
  type = object({
    max_workers              = optional(number)
    allowed_worker_types     = optional(list(string), [])
    max_idle_timeout_minutes = optional(number)
    require_connection       = optional(bool, false)
  })
  default = {}

  validation {
    condition     = var.boundaries.max_workers == null || try(var.boundaries.max_workers >= 1 && floor(var.boundaries.max_workers) == var.boundaries.max_workers, false)
    error_message = "boundaries.max_workers must be null or a whole number >= 1."
  }
  validation {
    condition     = alltrue([for t in var.boundaries.allowed_worker_types : contains(["G.025X", "G.1X", "G.2X", "G.4X", "G.8X", "Z.2X", "Standard"], t)])
    error_message = "boundaries.allowed_worker_types may only contain the Glue worker types G.025X, G.1X, G.2X, G.4X, G.8X, Z.2X, Standard."
  }
  validation {
    condition     = var.boundaries.max_idle_timeout_minutes == null || try(var.boundaries.max_idle_timeout_minutes >= 1 && var.boundaries.max_idle_timeout_minutes <= 10080 && floor(var.boundaries.max_idle_timeout_minutes) == var.boundaries.max_idle_timeout_minutes, false)
    error_message = "boundaries.max_idle_timeout_minutes must be null or a whole number of minutes from 1 to 10080."
  }
}

variable "price_per_dpu_hour" {
  description = "Price of one DPU-hour of interactive sessions in USD, for the cost estimate in notifications (0.44 in most regions)."
  type        = number
  default     = 0.44

  validation {
    condition     = var.price_per_dpu_hour > 0 && var.price_per_dpu_hour < 100
    error_message = "price_per_dpu_hour must be a positive USD amount below 100."
  }
}

variable "profile" {
  description = "\"hardened\": customer-managed KMS keys (topics, queue, schedule, logs, trail), three alarms per state machine and one on the dead-letter queue, sweeper every 15 min. \"frugal\": the same behaviour on AWS-owned/AWS-managed encryption (no key of its own), one metric-math alarm (guard and sweeper failures, dead letters), sweeper every 60 min (README: trade-offs)."
  type        = string
  default     = "hardened"

  validation {
    condition     = contains(["hardened", "frugal"], var.profile)
    error_message = "profile must be \"hardened\" or \"frugal\"."
  }
}

variable "sweeper_interval_minutes" {
  description = "How often the sweeper looks for sessions the event path missed (EventBridge delivery is best effort; sessions may predate the deployment). null: 15 (hardened) or 60 (frugal)."
  type        = number
  default     = null

  validation {
    condition     = var.sweeper_interval_minutes == null || try(var.sweeper_interval_minutes >= 1 && var.sweeper_interval_minutes <= 1440 && floor(var.sweeper_interval_minutes) == var.sweeper_interval_minutes, false)
    error_message = "sweeper_interval_minutes must be a whole number from 1 to 1440."
  }
}

variable "sweeper_page_size" {
  description = "Sessions per ListSessions page in the sweeper."
  type        = number
  default     = 50

  validation {
    condition     = var.sweeper_page_size >= 1 && var.sweeper_page_size <= 1000 && floor(var.sweeper_page_size) == var.sweeper_page_size
    error_message = "sweeper_page_size must be a whole number from 1 to 1000 (the ListSessions MaxResults range)."
  }
}

variable "event_retry" {
  description = "EventBridge target retry policy for the CreateSession rule; events that still fail land in the dead-letter queue."
  type = object({
    maximum_retry_attempts       = optional(number, 10)
    maximum_event_age_in_seconds = optional(number, 3600)
  })
  default = {}

  validation {
    condition     = var.event_retry.maximum_retry_attempts >= 0 && var.event_retry.maximum_retry_attempts <= 185 && var.event_retry.maximum_event_age_in_seconds >= 60 && var.event_retry.maximum_event_age_in_seconds <= 86400
    error_message = "event_retry.maximum_retry_attempts must be 0-185 and maximum_event_age_in_seconds 60-86400 (EventBridge's limits)."
  }
}

variable "notifications" {
  description = "Existing topics (e.g. from modules/notifications shared by an environment) and the key encrypting them (null: AWS-managed or none). null: the module creates its own, with success_emails/failure_emails."
  type = object({
    success_topic_arn = string
    failure_topic_arn = string
    kms_key_arn       = optional(string)
  })
  default = null
}

variable "success_emails" {
  description = "Only when notifications = null: addresses for the success topic (sessions stopped)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.success_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$", e))])
    error_message = "success_emails must contain only e-mail addresses of the form name@domain.tld."
  }
}

variable "failure_emails" {
  description = "Only when notifications = null: addresses for the failure topic (guard failures, alarms, dead letters)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.failure_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$", e))])
    error_message = "failure_emails must contain only e-mail addresses of the form name@domain.tld."
  }
}

variable "create_trail" {
  description = "Create a CloudTrail trail with management events (and its encrypted, lifecycle-managed bucket). EventBridge only receives CreateSession when such a trail exists; set false when the account or organisation already has one."
  type        = bool
  default     = true
}

variable "trail_log_retention_days" {
  description = "Days CloudTrail log files are kept in the trail bucket."
  type        = number
  default     = 90

  validation {
    condition     = var.trail_log_retention_days >= 1 && var.trail_log_retention_days <= 3650 && floor(var.trail_log_retention_days) == var.trail_log_retention_days
    error_message = "trail_log_retention_days must be a whole number from 1 to 3650."
  }
}

variable "trail_access_log_bucket" {
  description = "Bucket (and prefix ending in /) receiving S3 server access logs of the trail bucket, e.g. the lakehouse access-log bucket."
  type = object({
    bucket = string
    prefix = string
  })
  default = null
}

variable "force_destroy" {
  description = "Let destroy delete the trail bucket with its objects (local/throwaway environments only)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the state machines' execution logs."
  type        = number
  default     = 30
}

variable "deny_data_preview_sessions" {
  description = "Make the prevention policy output also deny Glue Studio data-preview sessions (session/glue-studio-datapreview*)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "regions" {
  description = "Where sessions are guarded. home: the provider's region (topics, trail, relay). guarded: every region to guard, home included; each other region needs a call of modules/region with that region's provider (README: regions). null: the provider's region only."
  type = object({
    home    = string
    guarded = list(string)
  })
  default = null

  validation {
    condition     = var.regions == null || alltrue([for r in concat([try(var.regions.home, "")], try(var.regions.guarded, [])) : contains(keys(local.region_codes), r)])
    error_message = "regions: unknown region name(s) ${var.regions == null ? "" : join(", ", [for r in concat([var.regions.home], var.regions.guarded) : r if !contains(keys(local.region_codes), r)])}. Allowed: ${join(", ", sort(keys(local.region_codes)))}."
  }
  validation {
    condition     = var.regions == null || length(distinct(try(var.regions.guarded, []))) == length(try(var.regions.guarded, []))
    error_message = "regions.guarded lists a region more than once: each region is guarded by one set of resources."
  }
  validation {
    condition     = var.regions == null || contains(try(var.regions.guarded, []), try(var.regions.home, ""))
    error_message = "regions.home must also be in regions.guarded (the home region is guarded too, and holds the topics and the relay)."
  }
}

variable "kms_deletion_window_days" {
  description = "hardened: waiting period before a destroyed key of the guard's own (topics, trail, other regions) is deleted (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "kms_deletion_window_days must be a whole number of days from 7 to 30 (KMS's limits)."
  }
}
