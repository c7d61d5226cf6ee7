module "glue_session_guard" {
  source = "../../modules/glue_session_guard"

  name_prefix = local.name_prefix
  environment = var.environment
  notifications = {
    success_topic_arn = module.notifications.success_topic_arn
    failure_topic_arn = module.notifications.failure_topic_arn
    kms_key_arn       = module.notifications.kms_key_arn
  }

  # Dev: report for a week before enforcing (flip dry_run once the notifications look right).
  lifetime_seconds         = 7200
  poll_interval_seconds    = 15
  max_polls                = 40
  sweeper_interval_minutes = 15
  dry_run                  = true
  boundaries = {
    max_workers              = 10
    allowed_worker_types     = ["G.1X", "G.2X"]
    max_idle_timeout_minutes = 60
  }
  exempt_tag = { key = "guard", value = "exempt" }

  create_trail             = true
  trail_log_retention_days = 30
  trail_access_log_bucket  = local.access_log_target
  force_destroy            = false
  log_retention_days       = 30
  tags                     = {}
}

output "guard_state_machine_arn" {
  description = "Guard state machine ARN."
  value       = module.glue_session_guard.guard_state_machine_arn
}

output "guard_state_machine_name" {
  description = "Guard state machine name."
  value       = module.glue_session_guard.guard_state_machine_name
}

output "sweeper_state_machine_arn" {
  description = "Sweeper state machine ARN."
  value       = module.glue_session_guard.sweeper_state_machine_arn
}

output "sweeper_state_machine_name" {
  description = "Sweeper state machine name."
  value       = module.glue_session_guard.sweeper_state_machine_name
}

output "guard_event_rule_name" {
  description = "EventBridge rule for CloudTrail CreateSession events."
  value       = module.glue_session_guard.event_rule_name
}

output "guard_dead_letter_queue_url" {
  description = "Dead-letter queue of the guard's event target and sweeper schedule."
  value       = module.glue_session_guard.dead_letter_queue_url
}

output "guard_lifetime_seconds" {
  description = "Configured maximum session lifetime."
  value       = module.glue_session_guard.lifetime_seconds
}

output "guard_trail_arn" {
  description = "CloudTrail trail feeding EventBridge."
  value       = module.glue_session_guard.trail_arn
}

output "guard_prevention_policy_json" {
  description = "Policy denying CreateSession without an owner tag."
  value       = module.glue_session_guard.prevention_policy_json
}
