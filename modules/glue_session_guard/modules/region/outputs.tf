output "region" {
  description = "The region these pieces run in (the provider's)."
  value       = local.region
}

output "home" {
  description = "Whether this is the home region (notifications published directly) or a relayed one."
  value       = local.home
}

output "guard_state_machine_arn" {
  description = "ARN of this region's guard state machine."
  value       = module.guard.arn
}

output "guard_state_machine_name" {
  description = "Name of this region's guard state machine."
  value       = module.guard.name
}

output "sweeper_state_machine_arn" {
  description = "ARN of this region's sweeper state machine."
  value       = module.sweeper.arn
}

output "sweeper_state_machine_name" {
  description = "Name of this region's sweeper state machine."
  value       = module.sweeper.name
}

output "sweeper_schedule_name" {
  description = "Schedule that runs this region's sweeper."
  value       = aws_scheduler_schedule.sweeper.name
}

output "event_rule_name" {
  description = "This region's EventBridge rule matching CloudTrail CreateSession events."
  value       = aws_cloudwatch_event_rule.create_session.name
}

output "event_rule_arn" {
  description = "ARN of this region's CreateSession rule."
  value       = aws_cloudwatch_event_rule.create_session.arn
}

output "dead_letter_queue_url" {
  description = "This region's dead-letter queue."
  value       = aws_sqs_queue.dead_letter.id
}

output "dead_letter_queue_arn" {
  description = "ARN of this region's dead-letter queue."
  value       = aws_sqs_queue.dead_letter.arn
}

output "alarm_names" {
  description = "This region's alarms (seven hardened, plus the relay's three in a home region with others; one frugal)."
  value = concat(
    values(module.guard.alarm_names), values(module.sweeper.alarm_names),
    aws_cloudwatch_metric_alarm.dead_letters[*].alarm_name, aws_cloudwatch_metric_alarm.frugal[*].alarm_name,
    flatten([for r in module.relay : values(r.alarm_names)]),
  )
}

output "forward_rule_name" {
  description = "Other regions only: the rule forwarding notices and alarm changes to the home region's default bus (null in the home region)."
  value       = try(aws_cloudwatch_event_rule.forward[0].name, null)
}

output "guard_role_policy_json" {
  description = "This region's guard execution role policy (for reviews)."
  value       = module.guard.role_policy_json
}

output "relay_state_machine_arn" {
  description = "Home region with other regions: the relay publishing their notices to the topics (null otherwise)."
  value       = try(module.relay[0].arn, null)
}
