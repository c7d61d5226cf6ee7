variable "guard" {
  description = "What every region of one guard shares: the parent module's region_inputs output (modules/glue_session_guard). Pass it unchanged."
  type = object({
    name_prefix   = string
    home_region   = string
    regions       = list(string)
    region_codes  = map(string)
    profile       = string
    environment   = string
    notice_source = string
    definition = object({
      stop_policy              = string
      lifetime_seconds         = number
      idle_seconds             = number
      max_lifetime_seconds     = number
      first_check_seconds      = number
      poll_interval_seconds    = number
      max_polls                = number
      dry_run                  = bool
      exempt_tag_key           = string
      exempt_tag_value         = string
      owner_tag_key            = string
      max_workers              = number
      allowed_worker_types     = list(string)
      max_idle_timeout_minutes = number
      require_connection       = bool
      price_per_dpu_hour       = number
    })
    sweeper = object({
      interval_minutes = number
      page_size        = number
    })
    event_retry = object({
      maximum_retry_attempts       = number
      maximum_event_age_in_seconds = number
    })
    topics = object({
      success_topic_arn = string
      failure_topic_arn = string
      kms_key_arn       = optional(string)
    })
    log_retention_days       = number
    kms_deletion_window_days = number
    tags                     = map(string)
  })

  validation {
    condition     = contains(["hardened", "frugal"], var.guard.profile) && contains(var.guard.regions, var.guard.home_region)
    error_message = "guard must be the region_inputs output of modules/glue_session_guard (profile hardened or frugal, home region among the regions)."
  }
}
