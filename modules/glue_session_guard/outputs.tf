output "guard_state_machine_arn" {
  description = "ARN of the home region's guard state machine (one execution per session)."
  value       = module.home.guard_state_machine_arn
}

output "guard_state_machine_name" {
  description = "Name of the guard state machine."
  value       = module.home.guard_state_machine_name
}

output "sweeper_state_machine_arn" {
  description = "ARN of the sweeper state machine."
  value       = module.home.sweeper_state_machine_arn
}

output "sweeper_state_machine_name" {
  description = "Name of the sweeper state machine."
  value       = module.home.sweeper_state_machine_name
}

output "sweeper_schedule_name" {
  description = "EventBridge Scheduler schedule that runs the sweeper."
  value       = module.home.sweeper_schedule_name
}

output "event_rule_name" {
  description = "EventBridge rule matching CloudTrail CreateSession events."
  value       = module.home.event_rule_name
}

output "event_rule_arn" {
  description = "ARN of the CreateSession rule."
  value       = module.home.event_rule_arn
}

output "dead_letter_queue_url" {
  description = "SQS queue holding events/schedules that could not start an execution."
  value       = module.home.dead_letter_queue_url
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = module.home.dead_letter_queue_arn
}

output "success_topic_arn" {
  description = "Topic receiving 'session stopped' (and dry-run) notifications."
  value       = local.topics.success_topic_arn
}

output "failure_topic_arn" {
  description = "Topic receiving guard failures, alarms and dead-letter alerts."
  value       = local.topics.failure_topic_arn
}

output "lifetime_seconds" {
  description = "The configured maximum session lifetime."
  value       = var.lifetime_seconds
}

output "dry_run" {
  description = "Whether the guard only reports."
  value       = var.dry_run
}

output "trail_arn" {
  description = "ARN of the CloudTrail trail (null when create_trail = false)."
  value       = try(aws_cloudtrail.this[0].arn, aws_cloudtrail.frugal[0].arn, null)
}

output "trail_bucket_name" {
  description = "Bucket holding the trail's log files (null when create_trail = false)."
  value       = try(module.trail_bucket[0].bucket_name, null)
}

output "prevention_policy_json" {
  description = "IAM/SCP policy denying glue:CreateSession without the owner tag (and, optionally, Glue Studio data-preview sessions). Attach it to users' roles or as an SCP."
  value       = jsonencode(local.prevention_policy)
}

output "guard_role_policy_json" {
  description = "The guard execution role's policy (for reviews)."
  value       = module.home.guard_role_policy_json
}

output "profile" {
  description = "The guard's cost profile (hardened or frugal)."
  value       = var.profile
}

output "regions" {
  description = "The home region and every guarded region."
  value       = local.regions
}

output "region_inputs" {
  description = "Pass to every call of modules/region for a region other than home (guard = this output)."
  value       = local.region_inputs
}

output "alarm_names" {
  description = "The home region's alarms (seven hardened, one frugal, plus the relay's three when hardened with other regions)."
  value       = module.home.alarm_names
}

output "relay_state_machine_arn" {
  description = "With other regions: the home region's relay that publishes their notices to the topics (null otherwise)."
  value       = module.home.relay_state_machine_arn
}
