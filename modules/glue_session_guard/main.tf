data "aws_caller_identity" "current" {}
data "aws_region" "current" {
  lifecycle {
    postcondition {
      condition     = var.regions == null || try(self.name == var.regions.home, false)
      error_message = "The provider's region (${self.name}) must be regions.home (${try(var.regions.home, "")}): the module's own provider is the home region's."
    }
  }
}
data "aws_partition" "current" {}

locals {
  name_prefix = "${var.namespace}-${var.environment}"
  account_id  = data.aws_caller_identity.current.account_id
  region      = data.aws_region.current.name
  partition   = data.aws_partition.current.partition

  frugal           = var.profile == "frugal"
  sweeper_interval = coalesce(var.sweeper_interval_minutes, local.frugal ? 60 : 15)

  topics = var.notifications != null ? var.notifications : {
    success_topic_arn = module.notifications[0].success_topic_arn
    failure_topic_arn = module.notifications[0].failure_topic_arn
    kms_key_arn       = module.notifications[0].kms_key_arn
  }

  # The lifetime policy's only limit is its lifetime; the idle policy first looks after the idle
  # window (or the hard cap, if that is shorter). The sweeper hands over sessions from that age.
  max_lifetime_seconds = var.stop_policy == "lifetime" ? var.lifetime_seconds : var.max_lifetime_seconds
  first_check_seconds  = var.stop_policy == "lifetime" ? var.lifetime_seconds : min(var.idle_minutes * 60, var.max_lifetime_seconds)

  # Everything a region's pieces need, the same for every region: the home region's call below and
  # each other region's call (modules/region, with that region's provider) take this one object.
  region_inputs = {
    name_prefix   = local.name_prefix
    home_region   = local.regions.home
    regions       = local.regions.guarded
    region_codes  = local.region_codes
    profile       = var.profile
    environment   = var.environment
    notice_source = "${local.name_prefix}.glue-session-guard"
    definition = {
      stop_policy              = var.stop_policy
      lifetime_seconds         = var.lifetime_seconds
      idle_seconds             = var.idle_minutes * 60
      max_lifetime_seconds     = local.max_lifetime_seconds
      first_check_seconds      = local.first_check_seconds
      poll_interval_seconds    = var.poll_interval_seconds
      max_polls                = var.max_polls
      dry_run                  = var.dry_run
      exempt_tag_key           = try(var.exempt_tag.key, "")
      exempt_tag_value         = try(var.exempt_tag.value, "")
      owner_tag_key            = var.owner_tag_key
      max_workers              = coalesce(var.boundaries.max_workers, 0)
      allowed_worker_types     = var.boundaries.allowed_worker_types
      max_idle_timeout_minutes = coalesce(var.boundaries.max_idle_timeout_minutes, 0)
      require_connection       = var.boundaries.require_connection
      price_per_dpu_hour       = var.price_per_dpu_hour
    }
    sweeper                  = { interval_minutes = local.sweeper_interval, page_size = var.sweeper_page_size }
    event_retry              = var.event_retry
    topics                   = local.topics
    log_retention_days       = var.log_retention_days
    kms_deletion_window_days = var.kms_deletion_window_days
    tags                     = var.tags
  }
}

module "notifications" {
  source = "../notifications"
  count  = var.notifications == null ? 1 : 0

  namespace                = var.namespace
  environment              = var.environment
  component                = "guard"
  encryption               = local.frugal ? "aws-managed" : "customer-managed"
  kms_deletion_window_days = var.kms_deletion_window_days
  success_emails           = var.success_emails
  failure_emails           = var.failure_emails
  tags                     = var.tags
}

# --- The home region's guard (the other regions call modules/region themselves) ----------------

module "home" {
  source = "./modules/region"

  guard = local.region_inputs
}

# Before regions existed these lived in this module; the home region's call now holds them.
moved {
  from = module.guard
  to   = module.home.module.guard
}
moved {
  from = module.sweeper
  to   = module.home.module.sweeper
}
moved {
  from = aws_cloudwatch_event_rule.create_session
  to   = module.home.aws_cloudwatch_event_rule.create_session
}
moved {
  from = aws_cloudwatch_event_target.guard
  to   = module.home.aws_cloudwatch_event_target.guard
}
moved {
  from = module.events_role
  to   = module.home.module.events_role
}
moved {
  from = aws_sqs_queue.dead_letter
  to   = module.home.aws_sqs_queue.dead_letter
}
moved {
  from = aws_sqs_queue_policy.dead_letter
  to   = module.home.aws_sqs_queue_policy.dead_letter
}
moved {
  from = aws_cloudwatch_metric_alarm.dead_letters
  to   = module.home.aws_cloudwatch_metric_alarm.dead_letters
}
moved {
  from = aws_cloudwatch_metric_alarm.frugal
  to   = module.home.aws_cloudwatch_metric_alarm.frugal
}
moved {
  from = aws_scheduler_schedule.sweeper
  to   = module.home.aws_scheduler_schedule.sweeper
}
moved {
  from = module.scheduler_role
  to   = module.home.module.scheduler_role
}

# --- Prevention to go with the cure ----------------------------------------------------------

locals {
  # Every guarded region, any account (the policy also serves as an SCP).
  prevented_sessions = [for r in local.regions.guarded : "arn:${local.partition}:glue:${r}:*:session/*"]
  prevention_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "DenyGlueSessionsWithoutOwnerTag"
        Effect   = "Deny"
        Action   = ["glue:CreateSession"]
        Resource = local.prevented_sessions
        Condition = {
          Null = { "aws:RequestTag/${var.owner_tag_key}" = "true" }
        }
      }],
      var.deny_data_preview_sessions ? [{
        Sid      = "DenyGlueStudioDataPreviewSessions"
        Effect   = "Deny"
        Action   = ["glue:CreateSession"]
        Resource = [for arn in local.prevented_sessions : "${trimsuffix(arn, "*")}glue-studio-datapreview*"]
      }] : [],
    )
  }
}
