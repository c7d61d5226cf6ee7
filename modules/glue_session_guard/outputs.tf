output "guard_state_machine_arn" {
  description = "ARN of the guard state machine (one execution per session)."
  value       = module.guard.arn
}

output "guard_state_machine_name" {
  description = "Name of the guard state machine."
  value       = module.guard.name
}

output "sweeper_state_machine_arn" {
  description = "ARN of the sweeper state machine."
  value       = module.sweeper.arn
}

output "sweeper_state_machine_name" {
  description = "Name of the sweeper state machine."
  value       = module.sweeper.name
}

output "sweeper_schedule_name" {
  description = "EventBridge Scheduler schedule that runs the sweeper."
  value       = aws_scheduler_schedule.sweeper.name
}

output "event_rule_name" {
  description = "EventBridge rule matching CloudTrail CreateSession events."
  value       = aws_cloudwatch_event_rule.create_session.name
}

output "event_rule_arn" {
  description = "ARN of the CreateSession rule."
  value       = aws_cloudwatch_event_rule.create_session.arn
}

output "dead_letter_queue_url" {
  description = "SQS queue holding events/schedules that could not start an execution."
  value       = aws_sqs_queue.dead_letter.id
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.arn
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
  value       = module.guard.role_policy_json
}

output "profile" {
  description = "The guard's cost profile (hardened or frugal)."
  value       = var.profile
}
